//! Fuzz target `chart_spec`: the body is `targets::chart_spec` (fuzz/targets.rs), which
//! `tests/fuzz_replay.rs` also runs on the kept corpus.
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::chart_spec(data));
