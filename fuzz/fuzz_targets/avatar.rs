//! cargo-fuzz target: see confab_fuzz::avatar.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| confab_fuzz::avatar(data));
