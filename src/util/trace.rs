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
    /// The process's CPU time (user + system) at `last`, in clock ticks.
    last_cpu: u64,
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
            last_cpu: if level() == 0 { 0 } else { cpu_ticks() },
        }
    }

    /// `stage` has just ended: print its time and the time so far.
    pub fn mark(&mut self, stage: impl std::fmt::Display) {
        if level() == 0 {
            return;
        }
        let now = Instant::now();
        let cpu = cpu_ticks();
        let wall = (now - self.last).as_secs_f64() * 1000.0;
        // Clock ticks of 10 ms: how many cores the stage kept busy, roughly.
        let cpu_ms = cpu.saturating_sub(self.last_cpu) as f64 * 10.0;
        eprintln!(
            "trace {}: {stage} {wall:.2} ms (at {:.2} ms), CPU {cpu_ms:.0} ms ({:.1} cores){}",
            self.what,
            (now - self.start).as_secs_f64() * 1000.0,
            cpu_ms / wall.max(1.0),
            memory()
        );
        self.last = now;
        self.last_cpu = cpu;
    }
}

/// The process's user and system time so far, in clock ticks (Linux's
/// /proc/self/stat, fields 14 and 15; 0 elsewhere).
fn cpu_ticks() -> u64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0;
    };
    // The command name, in parentheses, may hold spaces: count after it.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // Fields 14 and 15 of the whole line are the 12th and 13th after the name.
    field(11) + field(12)
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
