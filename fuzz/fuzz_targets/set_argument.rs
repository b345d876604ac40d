//! Lines of `--set` / `--set-string` arguments over the defaults: parse, assign, lint,
//! render.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    pgx_fuzz::check_set_arguments(data);
});
