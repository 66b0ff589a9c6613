//! Canonicalization against independent implementations (in progress).
