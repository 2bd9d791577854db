//! Fuzz target `build_site`: the body is `targets::build_site` (fuzz/targets.rs), which
//! `tests/fuzz_replay.rs` also runs on the kept corpus.
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::build_site(data));
