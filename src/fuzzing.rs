//! Entry points for the fuzz targets in `fuzz/` (and for `cargo test`, which runs their seeds).
