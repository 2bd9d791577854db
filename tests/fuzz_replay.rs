//! The fuzz corpus, replayed on stable Rust: every input kept in `fuzz/corpus/<target>/`
//! and `fuzz/regressions/<target>/` is fed to the same function the fuzz target
//! calls (`fuzz/targets.rs`, shared), and none may panic. The fuzzing itself runs
//! on nightly (`fuzz/README.md`); this keeps what it found fixed.

#[path = "../fuzz/targets.rs"]
mod targets;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The files of `dir`, sorted; none when it does not exist.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = (entries.map(|e| e.unwrap().path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn no_input_of_the_corpus_panics() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let start = Instant::now();
    // The panics are counted and reported below, not printed one by one.
    std::panic::set_hook(Box::new(|_| {}));
    let mut failed = Vec::new();
    let mut ran = 0;
    for (name, target) in targets::TARGETS {
        let target_start = Instant::now();
        let corpus = inputs(&fuzz.join("corpus").join(name));
        assert!(!corpus.is_empty(), "no corpus for the fuzz target {name}");
        let files: Vec<PathBuf> = (corpus.into_iter())
            .chain(inputs(&fuzz.join("regressions").join(name)))
            .collect();
        ran += files.len();
        for file in &files {
            let data = std::fs::read(file).unwrap();
            if catch_unwind(AssertUnwindSafe(|| target(&data))).is_err() {
                failed.push(file.strip_prefix(&fuzz).unwrap().display().to_string());
            }
        }
        eprintln!("{name}: {:?}", target_start.elapsed());
    }
    let _ = std::panic::take_hook();
    assert!(
        failed.is_empty(),
        "{} of {ran} fuzz inputs panic:\n{}",
        failed.len(),
        failed.join("\n")
    );
    eprintln!("{ran} fuzz inputs replayed in {:?}", start.elapsed());
}
