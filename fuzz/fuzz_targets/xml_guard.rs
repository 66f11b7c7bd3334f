//! cargo-fuzz target: see confab_fuzz::xml_guard.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| confab_fuzz::xml_guard(data));
