//! The checks the fuzz targets run. Also compiled into `tests/hostile.rs` (by `#[path]`),
//! which replays the seed corpus and every crash that was found through the same code,
//! so `cargo test` keeps guarding what fuzzing found without a fuzzer installed.
#![allow(clippy::print_stdout, clippy::print_stderr)]
#![allow(dead_code)]

include!("check.rs");

pub mod subset;
