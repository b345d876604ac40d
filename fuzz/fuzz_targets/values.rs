//! Raw bytes as a values file: load, lint (every report format), render, parse back.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    pgx_fuzz::check_values(data);
});
