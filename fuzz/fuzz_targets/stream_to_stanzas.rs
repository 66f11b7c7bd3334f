//! cargo-fuzz target: see confab_fuzz::stream_to_stanzas.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| confab_fuzz::stream_to_stanzas(data));
