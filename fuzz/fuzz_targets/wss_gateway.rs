#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sluis::fuzzing::wss_gateway(data);
});
