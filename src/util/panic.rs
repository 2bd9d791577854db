//! A panic that slips through is still an answer the user can act on: the hook
//! installed by `main` prints "internal error", where it happened and the file
//! tumen was working on, instead of Rust's backtrace prompt, and `main` exits with
//! status 2. Nothing is written after a panic, so the output is left as it was.
//!
//! What a thread is working on is a thread-local set by [`working_on`] around the
//! work on one source file or one page (rayon runs each on a worker thread; the
//! hook runs on the thread that panicked).

use std::cell::RefCell;
use std::fmt::Display;

thread_local! {
    static WORKING_ON: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// While the guard lives, a panic on this thread names `what`.
#[must_use]
pub fn working_on(what: impl Display) -> WorkingOn {
    WORKING_ON.with(|w| w.borrow_mut().push(what.to_string()));
    WorkingOn(())
}

/// See [`working_on`].
pub struct WorkingOn(());

impl Drop for WorkingOn {
    fn drop(&mut self) {
        WORKING_ON.with(|w| w.borrow_mut().pop());
    }
}

/// What this thread is working on, innermost last.
fn context() -> Option<String> {
    WORKING_ON
        .try_with(|w| w.borrow().last().cloned())
        .ok()
        .flatten()
}

/// What a panic said, from its payload.
pub fn message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string())
}

/// Print panics as internal errors (see the module doc).
pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = message(info.payload());
        // `tumen … | head`: the reader went away. No bug; end quietly, as other
        // tools killed by SIGPIPE do (Rust ignores the signal, so `println!`
        // panics instead).
        if msg.starts_with("failed printing to std") && msg.contains("Broken pipe") {
            std::process::exit(128 + 13);
        }
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let on = context()
            .map(|c| format!("\n  while working on {c}"))
            .unwrap_or_default();
        eprintln!(
            "internal error: {msg}{at}{on}\n  = this is a bug in tumen, not in your site: please report it, with the file named above; the output was left as it was"
        );
    }));
}
