//! Fuzz target `front_matter`: the body is `targets::front_matter` (fuzz/targets.rs), which
//! `tests/fuzz_replay.rs` also runs on the kept corpus.
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::front_matter(data));
