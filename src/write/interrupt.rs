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
use std::sync::atomic::{AtomicBool, Ordering};
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
}

static PHASE: Mutex<Phase> = Mutex::new(Phase::Idle);

/// Set on an interrupt: the writers stop after the file at hand.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Whether an interrupt asked the writers to stop.
pub(super) fn stopping() -> bool {
    STOPPING.load(Ordering::Relaxed)
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
    STOPPING.store(true, Ordering::Relaxed);
    let phase = phase();
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
    };
    eprintln!("\ninterrupted: {what}");
    std::process::exit(128 + signal)
}

/// Remove a folder the writers may still be finishing a file in: they stop at
/// the next one, so a later pass takes what they added during the first.
fn remove(dir: &Path) {
    let start = Instant::now();
    while std::fs::remove_dir_all(dir).is_err()
        && dir.exists()
        && start.elapsed() < Duration::from_secs(5)
    {
        std::thread::sleep(Duration::from_millis(5));
    }
}
