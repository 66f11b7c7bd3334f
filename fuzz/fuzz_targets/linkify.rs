//! cargo-fuzz target: see confab_fuzz::linkify.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| confab_fuzz::linkify(data));
