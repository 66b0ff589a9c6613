//! The little DER this module reads and writes itself: walking a `Name` for RFC 4514, sniffing the algorithm of a
//! PKCS#8 key, building canonical SubjectPublicKeyInfo structures, and converting ECDSA signatures between the fixed
//! `r || s` form (XML-DSig, JWS) and the ASN.1 `Ecdsa-Sig-Value` form (X.509, aws-lc-rs).
//!
//! Only what DER allows is accepted: single-byte tags (every tag used here is below 31) and definite lengths of at most
//! four length octets. Everything else is `None`, which the callers turn into a precise refusal.

/// `SEQUENCE`.
pub(crate) const TAG_SEQUENCE: u8 = 0x30;
/// `SET`.
pub(crate) const TAG_SET: u8 = 0x31;
/// `INTEGER`.
pub(crate) const TAG_INTEGER: u8 = 0x02;
/// `BIT STRING`.
pub(crate) const TAG_BIT_STRING: u8 = 0x03;
/// `OCTET STRING`.
#[cfg(test)]
pub(crate) const TAG_OCTET_STRING: u8 = 0x04;
/// `NULL`.
pub(crate) const TAG_NULL: u8 = 0x05;
/// `OBJECT IDENTIFIER`.
pub(crate) const TAG_OID: u8 = 0x06;

/// rsaEncryption, 1.2.840.113549.1.1.1 (RFC 8017 Appendix C), content octets.
pub(crate) const OID_RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// id-ecPublicKey, 1.2.840.10045.2.1 (RFC 5480 §2.1.1).
pub(crate) const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// secp256r1 / prime256v1, 1.2.840.10045.3.1.7 (RFC 5480 §2.1.1.1).
pub(crate) const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// secp384r1, 1.3.132.0.34 (RFC 5480 §2.1.1.1).
pub(crate) const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
/// id-Ed25519, 1.3.101.112 (RFC 8410 §3).
pub(crate) const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

/// A forward-only reader over DER bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

/// One DER element: its tag, its content octets and the whole encoding (tag, length and content).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    pub(crate) tag: u8,
    pub(crate) content: &'a [u8],
    pub(crate) whole: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `bytes`.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes }
    }

    /// Whether everything has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Reads the next element, whatever its tag.
    pub(crate) fn any(&mut self) -> Option<Tlv<'a>> {
        let (&tag, after_tag) = self.rest.split_first()?;
        if tag & 0x1f == 0x1f {
            return None; // multi-byte tag: never used by the structures read here
        }
        let (&first, after_len) = after_tag.split_first()?;
        let (len, after_len) = if first < 0x80 {
            (usize::from(first), after_len)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 {
                return None; // indefinite length (BER) or absurdly long
            }
            let (len_bytes, after) = after_len.split_at_checked(n)?;
            if len_bytes.first() == Some(&0) {
                return None; // non-minimal length encoding
            }
            let len = len_bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if len < 0x80 {
                return None; // long form where the short form was required
            }
            (len, after)
        };
        let (content, rest) = after_len.split_at_checked(len)?;
        let whole_len = self.rest.len() - rest.len();
        let whole = self.rest.get(..whole_len)?;
        self.rest = rest;
        Some(Tlv { tag, content, whole })
    }

    /// Reads the next element and requires its tag to be `tag`; returns its content.
    pub(crate) fn expect(&mut self, tag: u8) -> Option<&'a [u8]> {
        let tlv = self.any()?;
        (tlv.tag == tag).then_some(tlv.content)
    }
}

/// Appends a DER length.
fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8); // fits: checked just above
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let significant = bytes.get(skip..).unwrap_or(&[]);
        out.push(0x80 | significant.len() as u8); // at most size_of::<usize>() octets
        out.extend_from_slice(significant);
    }
}

/// Appends one element.
pub(crate) fn push_tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    push_len(out, content.len());
    out.extend_from_slice(content);
}

/// One element as a new vector.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    push_tlv(&mut out, tag, content);
    out
}

/// Appends a non-negative INTEGER whose magnitude is the big-endian `magnitude` (leading zeros are dropped, a zero
/// octet is added where the high bit would make it negative).
pub(crate) fn push_unsigned_integer(out: &mut Vec<u8>, magnitude: &[u8]) {
    let skip = magnitude.iter().take_while(|&&b| b == 0).count();
    let trimmed = magnitude.get(skip..).unwrap_or(&[]);
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    match trimmed.first() {
        None => content.push(0),
        Some(&b) if b & 0x80 != 0 => {
            content.push(0);
            content.extend_from_slice(trimmed);
        }
        Some(_) => content.extend_from_slice(trimmed),
    }
    push_tlv(out, TAG_INTEGER, &content);
}

/// The magnitude of a DER INTEGER that must be positive (`None` for a negative or empty one), without leading zeros.
pub(crate) fn positive_integer(content: &[u8]) -> Option<&[u8]> {
    match content.first() {
        None => None,
        Some(&b) if b & 0x80 != 0 => None,
        Some(_) => {
            let skip = content.iter().take_while(|&&b| b == 0).count();
            let trimmed = content.get(skip..)?;
            (!trimmed.is_empty()).then_some(trimmed)
        }
    }
}

/// A SubjectPublicKeyInfo: `SEQUENCE { SEQUENCE { algorithm, parameters }, BIT STRING key }` (RFC 5280 §4.1.2.7).
/// `params` is the full encoding of the parameters element, or empty when they are absent.
pub(crate) fn spki(algorithm_oid: &[u8], params: &[u8], key: &[u8]) -> Vec<u8> {
    let mut alg = tlv(TAG_OID, algorithm_oid);
    alg.extend_from_slice(params);
    let mut bits = Vec::with_capacity(key.len() + 1);
    bits.push(0); // no unused bits
    bits.extend_from_slice(key);
    let mut body = tlv(TAG_SEQUENCE, &alg);
    push_tlv(&mut body, TAG_BIT_STRING, &bits);
    tlv(TAG_SEQUENCE, &body)
}

/// A PKCS#1 `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` from magnitudes.
pub(crate) fn rsa_public_key(modulus: &[u8], exponent: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(modulus.len() + exponent.len() + 8);
    push_unsigned_integer(&mut body, modulus);
    push_unsigned_integer(&mut body, exponent);
    tlv(TAG_SEQUENCE, &body)
}

/// Converts a fixed-width `r || s` ECDSA signature (each half `scalar_len` octets) into the DER `Ecdsa-Sig-Value`
/// (RFC 3279 §2.2.3). `None` when the length is not exactly `2 * scalar_len`.
pub(crate) fn ecdsa_fixed_to_der(sig: &[u8], scalar_len: usize) -> Option<Vec<u8>> {
    if sig.len() != scalar_len.checked_mul(2)? {
        return None;
    }
    let (r, s) = sig.split_at_checked(scalar_len)?;
    let mut body = Vec::with_capacity(sig.len() + 6);
    push_unsigned_integer(&mut body, r);
    push_unsigned_integer(&mut body, s);
    Some(tlv(TAG_SEQUENCE, &body))
}

/// Converts a DER `Ecdsa-Sig-Value` into the fixed-width `r || s` form. `None` when it is malformed, has trailing
/// data, or an integer does not fit `scalar_len` octets. (Tests only: sluis verifies DER signatures as they are.)
#[cfg(test)]
pub(crate) fn ecdsa_der_to_fixed(sig: &[u8], scalar_len: usize) -> Option<Vec<u8>> {
    let mut outer = Reader::new(sig);
    let body = outer.expect(TAG_SEQUENCE)?;
    if !outer.is_empty() {
        return None;
    }
    let mut inner = Reader::new(body);
    let r = positive_integer(inner.expect(TAG_INTEGER)?)?;
    let s = positive_integer(inner.expect(TAG_INTEGER)?)?;
    if !inner.is_empty() || r.len() > scalar_len || s.len() > scalar_len {
        return None;
    }
    let mut out = vec![0u8; scalar_len * 2];
    out.get_mut(scalar_len - r.len()..scalar_len)?.copy_from_slice(r);
    out.get_mut(2 * scalar_len - s.len()..)?.copy_from_slice(s);
    Some(out)
}

/// The dotted-decimal form of OID content octets (`None` if malformed or an arc overflows `u64`).
pub(crate) fn oid_to_dotted(content: &[u8]) -> Option<String> {
    if content.is_empty() || content.last().is_some_and(|b| b & 0x80 != 0) {
        return None;
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut cur: u64 = 0;
    let mut started = false;
    for &b in content {
        if !started && b == 0x80 {
            return None; // non-minimal arc encoding
        }
        started = true;
        cur = cur.checked_mul(128)?.checked_add(u64::from(b & 0x7f))?;
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let (first, second) = match cur {
                    0..=39 => (0, cur),
                    40..=79 => (1, cur - 40),
                    _ => (2, cur - 80),
                };
                arcs.push(first);
                arcs.push(second);
            } else {
                arcs.push(cur);
            }
            cur = 0;
            started = false;
        }
    }
    let parts: Vec<String> = arcs.iter().map(u64::to_string).collect();
    Some(parts.join("."))
}

/// Lowercase hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_refuses_non_der_lengths() {
        assert!(Reader::new(&[0x30, 0x80, 0x00, 0x00]).any().is_none()); // indefinite
        assert!(Reader::new(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5]).any().is_none()); // long form for a short length
        assert!(Reader::new(&[0x04, 0x82, 0x00, 0x81]).any().is_none()); // leading zero length octet
        assert!(Reader::new(&[0x04, 0x03, 1, 2]).any().is_none()); // truncated
        assert!(Reader::new(&[0x1f, 0x01, 0x00]).any().is_none()); // multi-byte tag
        let t = Reader::new(&[0x04, 0x02, 7, 8, 0x05]).any().unwrap();
        assert_eq!((t.tag, t.content, t.whole), (0x04, &[7u8, 8][..], &[0x04u8, 0x02, 7, 8][..]));
    }

    #[test]
    fn lengths_round_trip() {
        for len in [0usize, 1, 127, 128, 255, 256, 65_535, 65_536] {
            let content = vec![0xabu8; len];
            let enc = tlv(TAG_OCTET_STRING, &content);
            let mut r = Reader::new(&enc);
            assert_eq!(r.expect(TAG_OCTET_STRING).unwrap().len(), len);
            assert!(r.is_empty());
        }
    }

    #[test]
    fn ecdsa_conversions_round_trip() {
        let mut fixed = vec![0u8; 64];
        fixed[0] = 0x80; // r with the high bit set: needs a zero pad in DER
        fixed[31] = 1;
        fixed[63] = 5; // s = 5: leading zeros stripped in DER
        let der = ecdsa_fixed_to_der(&fixed, 32).unwrap();
        assert_eq!(ecdsa_der_to_fixed(&der, 32).unwrap(), fixed);
        assert!(ecdsa_fixed_to_der(&fixed, 48).is_none());
        assert!(ecdsa_der_to_fixed(&der, 16).is_none());
        let mut trailing = der.clone();
        trailing.push(0);
        assert!(ecdsa_der_to_fixed(&trailing, 32).is_none());
    }

    #[test]
    fn oids_and_integers() {
        assert_eq!(oid_to_dotted(OID_RSA_ENCRYPTION).unwrap(), "1.2.840.113549.1.1.1");
        assert_eq!(oid_to_dotted(OID_P384).unwrap(), "1.3.132.0.34");
        assert_eq!(oid_to_dotted(&[0x55, 0x04, 0x03]).unwrap(), "2.5.4.3");
        assert!(oid_to_dotted(&[0x2a, 0x86]).is_none());
        assert!(oid_to_dotted(&[0x80, 0x01]).is_none());
        assert_eq!(positive_integer(&[0x00, 0x80]), Some(&[0x80u8][..]));
        assert_eq!(positive_integer(&[0x80]), None);
        assert_eq!(positive_integer(&[0x00]), None);
        assert_eq!(hex(&[0x00, 0xff, 0x1a]), "00ff1a");
    }
}
