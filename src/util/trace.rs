//! Stage timings for whoever profiles a large site: with `TUMEN_TRACE=1`, each
//! build and rebuild prints how long each stage took (`TUMEN_TRACE=2` adds every
//! page rendered). Off, a clock costs one relaxed load per mark.

use std::sync::OnceLock;
use std::time::Instant;

/// 0 (off), 1 (stages) or 2 (stages and pages), from `TUMEN_TRACE`.
pub fn level() -> u8 {
    static LEVEL: OnceLock<u8> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        std::env::var("TUMEN_TRACE")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    })
}

/// Marks the end of each stage of one piece of work.
pub struct Clock {
    what: &'static str,
    start: Instant,
    last: Instant,
}

impl Clock {
    pub fn new(what: &'static str) -> Clock {
        Clock::since(what, Instant::now())
    }

    /// A clock of work that began at `start`.
    pub fn since(what: &'static str, start: Instant) -> Clock {
        Clock {
            what,
            start,
            last: start,
        }
    }

    /// `stage` has just ended: print its time and the time so far.
    pub fn mark(&mut self, stage: impl std::fmt::Display) {
        if level() == 0 {
            return;
        }
        let now = Instant::now();
        eprintln!(
            "trace {}: {stage} {:.2} ms (at {:.2} ms){}",
            self.what,
            (now - self.last).as_secs_f64() * 1000.0,
            (now - self.start).as_secs_f64() * 1000.0,
            memory()
        );
        self.last = now;
    }
}

/// `, RSS 123 MB (peak 456 MB)` where the system says (Linux's /proc): what a
/// stage leaves in memory, for whoever bounds the build's.
fn memory() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let field = |name: &str| {
        (status.lines())
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
    };
    match (field("VmRSS:"), field("VmHWM:")) {
        (Some(rss), Some(peak)) => format!(", RSS {} MB (peak {} MB)", rss / 1024, peak / 1024),
        _ => String::new(),
    }
}

/// Time `f` as one page of a render, printed at level 2.
pub fn page<T>(path: &str, f: impl FnOnce() -> T) -> T {
    if level() < 2 {
        return f();
    }
    let start = Instant::now();
    let out = f();
    eprintln!(
        "trace page: {path} {:.2} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    out
}
