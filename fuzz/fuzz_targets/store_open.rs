//! cargo-fuzz target: see confab_fuzz::store_open.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| confab_fuzz::store_open(data));
