//! X.509 `wsse:BinarySecurityToken` (WSS 1.1 §6.3, X.509 Token Profile 1.1 §3.1).
//!
//! Accepted: `ValueType` `#X509v3` (one DER certificate) and `#X509PKIPathv1` (a DER `PkiPath`, RFC 5280's
//! `SEQUENCE OF Certificate` ordered from the CA side to the end entity: the *last* certificate is the signer's, the
//! others are offered as intermediates), with `EncodingType` `#Base64Binary` (or absent, its default). `#X509v1`,
//! `#PKCS7`, Kerberos and anything else are [`WssReason::UnsupportedToken`].
//!
//! A token is only parsed here; whether it is trusted is decided by [`crate::trust::TrustStore`] at the verification
//! time, when a signature's `SecurityTokenReference` points at it.

use super::{BASE64_BINARY, WSU_NS, X509_PKIPATH_V1, X509V3};
use crate::reason::{Reason, TrustReason, WssReason};
use crate::trust::{Certificate, MAX_PRESENTED_INTERMEDIATES};
use crate::xml::{Node, NodeId, decode_base64_binary};

/// The largest token value read (base64 text): a path of a few certificates. rustls caps one certificate at 64 KiB.
const MAX_TOKEN_TEXT: usize = 96 * 1024;

/// Which X.509 token form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum X509Form {
    V3,
    PkiPath,
}

impl X509Form {
    pub(crate) fn value_type(self) -> &'static str {
        match self {
            X509Form::V3 => X509V3,
            X509Form::PkiPath => X509_PKIPATH_V1,
        }
    }
}

/// A parsed X.509 BinarySecurityToken.
#[derive(Clone, Debug)]
pub(crate) struct X509Token {
    pub node: NodeId,
    pub id: Option<String>,
    pub form: X509Form,
    /// The end-entity (signing) certificate.
    pub leaf: Certificate,
    /// The other certificates of a PkiPath, offered as intermediates.
    pub intermediates: Vec<Certificate>,
}

/// Reads a `BinarySecurityToken` element.
pub(crate) fn read(node: Node<'_, '_>) -> Result<X509Token, Reason> {
    let form = match node.attribute(None, "ValueType") {
        Some(X509V3) => X509Form::V3,
        Some(X509_PKIPATH_V1) => X509Form::PkiPath,
        _ => return Err(WssReason::UnsupportedToken("BinarySecurityToken ValueType").into()),
    };
    match node.attribute(None, "EncodingType") {
        None | Some(BASE64_BINARY) => {}
        Some(_) => return Err(WssReason::UnsupportedToken("BinarySecurityToken EncodingType").into()),
    }
    if node.children().any(|c| c.is_element()) {
        return Err(WssReason::MalformedToken("element inside BinarySecurityToken").into());
    }
    let text = node.text_content();
    if text.len() > MAX_TOKEN_TEXT {
        return Err(WssReason::MalformedToken("BinarySecurityToken too large").into());
    }
    let der = decode_base64_binary(&text).ok_or(WssReason::MalformedToken("BinarySecurityToken base64"))?;
    let id = node.attribute(Some(WSU_NS), "Id").map(str::to_owned);
    match form {
        X509Form::V3 => {
            let leaf = Certificate::from_der(&der)?;
            Ok(X509Token { node: node.id(), id, form, leaf, intermediates: Vec::new() })
        }
        X509Form::PkiPath => {
            let mut certs = Vec::new();
            for item in sequence_items(&der)? {
                if certs.len() > MAX_PRESENTED_INTERMEDIATES {
                    return Err(TrustReason::ChainInvalid("too many intermediate certificates").into());
                }
                certs.push(Certificate::from_der(item)?);
            }
            let leaf = certs.pop().ok_or(WssReason::MalformedToken("empty PkiPath"))?;
            Ok(X509Token { node: node.id(), id, form, leaf, intermediates: certs })
        }
    }
}

/// Splits a DER `SEQUENCE` into the encodings of its elements (each a complete TLV). The whole input must be the
/// sequence: trailing bytes are refused.
fn sequence_items(der: &[u8]) -> Result<Vec<&[u8]>, WssReason> {
    const BAD: WssReason = WssReason::MalformedToken("PkiPath DER");
    let (tag, content, rest) = tlv(der).ok_or(BAD)?;
    if tag != 0x30 || !rest.is_empty() {
        return Err(BAD);
    }
    let mut items = Vec::new();
    let mut cur = content;
    while !cur.is_empty() {
        let (_, _, rest) = tlv(cur).ok_or(BAD)?;
        let len = cur.len() - rest.len();
        items.push(cur.get(..len).ok_or(BAD)?);
        cur = rest;
    }
    Ok(items)
}

/// One DER TLV: (tag, content, the bytes after it). Definite lengths up to four octets only.
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let (bytes, after) = rest.split_at_checked(n)?;
        rest = after;
        bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
    };
    let (content, after) = rest.split_at_checked(len)?;
    Some((tag, content, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_sequence_split() {
        let der = [0x30, 0x06, 0x30, 0x01, 0xAA, 0x30, 0x01, 0xBB];
        assert_eq!(sequence_items(&der).unwrap(), vec![&[0x30, 0x01, 0xAA][..], &[0x30, 0x01, 0xBB][..]]);
        assert!(sequence_items(&[0x30, 0x07, 0x30]).is_err());
        assert!(sequence_items(&[0x30, 0x00, 0x00]).is_err(), "trailing bytes");
        assert!(sequence_items(&[0x30, 0x85, 0, 0, 0, 0, 1]).is_err(), "five length octets");
        assert_eq!(sequence_items(&[0x30, 0x00]).unwrap().len(), 0);
    }
}
