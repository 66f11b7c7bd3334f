//! cargo-fuzz target: see confab_fuzz::image_decode.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| confab_fuzz::image_decode(data));
