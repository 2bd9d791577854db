//! Ctrl-C and SIGTERM during `tumen build`: stop at once, say what became of the
//! output, and leave no staging folder behind.
//!
//! The write stage records its phase here (nothing written yet, filling a staging
//! folder, or the new output swapped in with the old one still to delete). A
//! thread waiting on the signals (`signal-hook`, so no code runs inside a signal
//! handler) reads the phase under the same lock the swap holds, removes what the
//! interrupted phase left, prints one line and exits with 128 + the signal's
//! number, as a shell expects. Without it the default action would kill the build
//! silently: the output would still be whole (the swap is one rename), but the
//! staging folder would wait for the next build to remove it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::util::paths::display_path;

/// What an interrupt would leave behind.
pub(super) enum Phase {
    /// Nothing of this build is on disk.
    Idle,
    /// New files are going into this staging folder; the output is untouched.
    Filling(PathBuf),
    /// The new output is in place; the previous one, now at this path, is still
    /// to be deleted.
    Replaced(PathBuf),
    /// The files that changed are being written beside their places in the
    /// output (these, so far); the output itself is untouched, but for the marker.
    Updating { pending: Pending, marker: PathBuf },
    /// They are being renamed over the last build's files, each whole.
    Renaming,
}

/// The files an update wrote beside their places so far.
pub(super) type Pending = std::sync::Arc<Mutex<Vec<PathBuf>>>;

/// Remove what an update wrote beside the files of `out` (and the folders it
/// made for them, now empty), and its marker: the output is as it was.
pub(super) fn discard(pending: &Pending, marker: &Path, out: &Path) {
    let written = pending
        .lock()
        .map(|mut p| std::mem::take(&mut *p))
        .unwrap_or_default();
    let rel: Vec<String> = (written.iter())
        .filter_map(|p| p.strip_prefix(out).ok())
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let _ = super::remove_files(out, &rel);
    let _ = std::fs::remove_file(marker);
}

static PHASE: Mutex<Phase> = Mutex::new(Phase::Idle);

/// Set on an interrupt: the writers stop after the file at hand.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// How many writers are inside a file-system step (a folder or a file made).
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// A writer's leave to make one folder or file in the staging folder; the
/// interrupt waits until every leave given out is dropped before it removes
/// the folder, so nothing is made again behind its back.
pub(super) struct Step(());

impl Drop for Step {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Leave for one step, or `None` once an interrupt asked the writers to stop.
/// Counting in before reading the flag (both sequentially consistent) means
/// the interrupt either sees this step in flight or this step sees the flag.
pub(super) fn step() -> Option<Step> {
    IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
    let step = Step(());
    (!STOPPING.load(Ordering::SeqCst)).then_some(step)
}

/// Set the flag, then wait (at most five seconds) for the steps in flight.
fn stop_writers() {
    STOPPING.store(true, Ordering::SeqCst);
    let start = Instant::now();
    while IN_FLIGHT.load(Ordering::SeqCst) > 0 && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The phase, locked: the swap holds it so that an interrupt sees before or after.
pub(super) fn phase() -> MutexGuard<'static, Phase> {
    PHASE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(super) fn set(p: Phase) {
    *phase() = p;
}

/// Stop the build cleanly on SIGINT or SIGTERM, from now on. `output` is the
/// output folder, named in the message.
pub fn stop_cleanly_on_interrupt(output: &Path) -> std::io::Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM])?;
    let shown = display_path(output).display().to_string();
    std::thread::Builder::new()
        .name("interrupt".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                stop(signal, &shown)
            }
        })?;
    Ok(())
}

fn stop(signal: i32, output: &str) -> ! {
    // The lock first: the build cannot then move on to another phase (the swap,
    // or back to idle after its writers gave up) while the writers stop.
    let phase = phase();
    stop_writers();
    let what = match &*phase {
        Phase::Idle => format!("nothing was written; {output} is as it was"),
        Phase::Filling(staging) => {
            remove(staging);
            format!("the new files were discarded; {output} is as it was")
        }
        Phase::Replaced(old) => {
            remove(old);
            format!("the new site was already in place in {output}")
        }
        Phase::Updating { pending, marker } => {
            let out = marker.parent().and_then(Path::parent).unwrap_or(marker);
            discard(pending, marker, out);
            format!("the new files were discarded; {output} is as it was")
        }
        Phase::Renaming => format!(
            "part of {output} was updated, each file whole; the next build writes it whole again"
        ),
    };
    eprintln!("\ninterrupted: {what}");
    std::process::exit(128 + signal)
}

/// Remove a folder no writer adds to any more (see [`stop_writers`]); the build's
/// own clean-up may be removing it too, so try until it is gone.
fn remove(dir: &Path) {
    for _ in 0..100 {
        if std::fs::remove_dir_all(dir).is_ok() || !dir.exists() {
            return;
        }
    }
}
