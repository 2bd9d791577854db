//! Fuzz target `inline_value`: the body is `targets::inline_value` (fuzz/targets.rs), which
//! `tests/fuzz_replay.rs` also runs on the kept corpus.
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::inline_value(data));
