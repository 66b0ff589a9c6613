//! The XML Schema `base64Binary` lexical form, as `DigestValue`, `SignatureValue`, `X509Certificate`,
//! `BinarySecurityToken` and `Nonce` carry it.
//!
//! XML Schema allows white space between base64 characters (and signers line-wrap at 64 or 76 columns); nothing else
//! is tolerated: no URL-safe alphabet, no missing or misplaced padding, no trailing garbage.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Decodes `text` after removing XML white space. None if it is not canonical padded base64.
pub fn decode_base64_binary(text: &str) -> Option<Vec<u8>> {
    if !text.bytes().any(super::is_ws) {
        return STANDARD.decode(text.as_bytes()).ok();
    }
    // Signers wrap lines at 64 or 76 characters: copy the runs between white space, not byte by byte.
    let mut compact = Vec::with_capacity(text.len());
    for run in text.as_bytes().split(|&b| super::is_ws(b)) {
        compact.extend_from_slice(run);
    }
    STANDARD.decode(&compact).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_only_whitespace() {
        assert_eq!(decode_base64_binary("aGVs\n bG8=\r\n").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64_binary("").as_deref(), Some(&b""[..]));
        assert!(decode_base64_binary("aGVsbG8").is_none());
        assert!(decode_base64_binary("aGVsbG8=x").is_none());
        assert!(decode_base64_binary("aGV-bG8=").is_none());
        assert!(decode_base64_binary("aGVsbG8=\u{a0}").is_none());
    }
}
