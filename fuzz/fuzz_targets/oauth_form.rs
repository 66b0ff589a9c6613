#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sluis::fuzzing::oauth_form(data));
