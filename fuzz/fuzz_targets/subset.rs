//! The subset reader of the render's output check against the full parser: raw bytes as a
//! document, and as edits of a rendered document (see `src/subset.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    pgx_fuzz::subset::check_subset(data);
});
