//! `EncryptedAssertion` (SAML 2.0 Core §2.3.4, §6): XML Encryption 1.1 `EncryptedData` of type `Element`, its content
//! key carried in an `xenc:EncryptedKey` (inside `EncryptedData/ds:KeyInfo`, or as a sibling in the
//! `EncryptedAssertion`, which is where a `RetrievalMethod` would point — sluis never follows the pointer itself).
//!
//! Accepted algorithms (XML Encryption 1.1 §5):
//!
//! | slot | accepted | refused ([`SamlReason::EncryptionAlgorithmNotAllowed`]) |
//! |---|---|---|
//! | key transport | `xmlenc#rsa-oaep-mgf1p` (MGF1-SHA-1; digest SHA-1, the default), `xmlenc11#rsa-oaep` with DigestMethod and `xenc11:MGF` of the same SHA-1/256/384/512 (defaults SHA-1), optional `OAEPparams` | `xmlenc#rsa-1_5` (Bleichenbacher; Jager, Schinzel, Somorovsky 2012), OAEP with digest and MGF hashes that differ (aws-lc-rs has no such mode), anything else |
//! | content | `xmlenc11#aes128-gcm`, `aes192-gcm`, `aes256-gcm` | AES-CBC (`xmlenc#aes128-cbc` …) unless [`super::SamlDanger::allow_aes_cbc`]; 3DES; anything else |
//!
//! Failures do not leak which step failed: an `EncryptedKey` no configured key opens is replaced by a random content
//! key and decryption proceeds, so a bad RSA-OAEP block, a wrong key, a bad GCM tag and (with CBC) bad padding all end
//! as [`SamlReason::DecryptionFailed`] after the same work (no Manger / padding oracle).

use super::policy::SamlPolicy;
use crate::dsig::{DSIG_NS, XENC_NS};
use crate::reason::{Reason, SamlReason, TrustReason};
use crate::xml::{Node, NodeType, decode_base64_binary, is_ws};
use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OAEP_SHA384_MGF1SHA384, OAEP_SHA512_MGF1SHA512,
    OaepAlgorithm, OaepPrivateDecryptingKey, PrivateDecryptingKey,
};

/// The XML Encryption 1.1 namespace (`xenc11:MGF`, the 1.1 algorithm URIs).
pub const XENC11_NS: &str = "http://www.w3.org/2009/xmlenc11#";

const ELEMENT_TYPE: &str = "http://www.w3.org/2001/04/xmlenc#Element";
const RSA_OAEP_MGF1P: &str = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
const RSA_OAEP_11: &str = "http://www.w3.org/2009/xmlenc11#rsa-oaep";

/// The most `EncryptedKey`s tried for one assertion (one per recipient; a few is plenty, each costs an RSA operation
/// per configured key).
const MAX_ENCRYPTED_KEYS: usize = 4;
/// The smallest RSA key accepted for decryption (NIST SP 800-131A).
const MIN_RSA_BITS: usize = 2048;

/// An RSA private key that `EncryptedKey`s are encrypted to (the relying party's encryption key).
pub struct DecryptionKey {
    key: OaepPrivateDecryptingKey,
}

impl std::fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DecryptionKey(RSA-{})", self.key.key_size_bits())
    }
}

impl DecryptionKey {
    /// Loads an unencrypted PKCS#8 RSA private key (at least 2048 bits).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, TrustReason> {
        let key = PrivateDecryptingKey::from_pkcs8(der).map_err(|_| TrustReason::MalformedKey)?;
        if key.key_size_bits() < MIN_RSA_BITS {
            return Err(TrustReason::KeyTooSmall);
        }
        Ok(DecryptionKey { key: OaepPrivateDecryptingKey::new(key).map_err(|_| TrustReason::MalformedKey)? })
    }

    /// Loads the first `PRIVATE KEY` (PKCS#8) block of PEM text.
    pub fn from_pem(pem: &[u8]) -> Result<Self, TrustReason> {
        let blocks = crate::trust::pem::parse(pem).map_err(|_| TrustReason::MalformedKey)?;
        let block = blocks.iter().find(|b| b.label == "PRIVATE KEY").ok_or(TrustReason::MalformedKey)?;
        Self::from_pkcs8_der(&block.der)
    }
}

/// A content-encryption algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Content {
    Gcm { key_len: usize },
    Cbc { key_len: usize },
}

impl Content {
    fn from_uri(uri: &str, policy: &SamlPolicy) -> Result<Self, SamlReason> {
        let c = match uri {
            "http://www.w3.org/2009/xmlenc11#aes128-gcm" => Content::Gcm { key_len: 16 },
            "http://www.w3.org/2009/xmlenc11#aes192-gcm" => Content::Gcm { key_len: 24 },
            "http://www.w3.org/2009/xmlenc11#aes256-gcm" => Content::Gcm { key_len: 32 },
            "http://www.w3.org/2001/04/xmlenc#aes128-cbc" => Content::Cbc { key_len: 16 },
            "http://www.w3.org/2001/04/xmlenc#aes192-cbc" => Content::Cbc { key_len: 24 },
            "http://www.w3.org/2001/04/xmlenc#aes256-cbc" => Content::Cbc { key_len: 32 },
            _ => return Err(SamlReason::EncryptionAlgorithmNotAllowed),
        };
        if matches!(c, Content::Cbc { .. }) && !policy.danger.allow_aes_cbc {
            return Err(SamlReason::EncryptionAlgorithmNotAllowed);
        }
        Ok(c)
    }

    fn key_len(self) -> usize {
        match self {
            Content::Gcm { key_len } | Content::Cbc { key_len } => key_len,
        }
    }
}

fn malformed(what: &'static str) -> SamlReason {
    SamlReason::MalformedEncryptedData(what)
}

/// Element children, refusing character data between them.
fn children<'d, 'a>(node: Node<'d, 'a>, what: &'static str) -> Result<Vec<Node<'d, 'a>>, SamlReason> {
    let mut out = Vec::new();
    for c in node.children() {
        match c.node_type() {
            NodeType::Element => out.push(c),
            NodeType::Text if c.text().unwrap_or_default().bytes().all(is_ws) => {}
            NodeType::Text => return Err(malformed(what)),
            _ => {}
        }
    }
    Ok(out)
}

/// Matches `kids` against a schema sequence of `(namespace, local name, required)` entries, each at most once and in
/// order; returns the element found for each entry. Anything else is refused.
fn sequence<'d, 'a, const N: usize>(
    kids: &[Node<'d, 'a>],
    schema: [(&str, &str, bool); N],
    what: &'static str,
) -> Result<[Option<Node<'d, 'a>>; N], SamlReason> {
    let mut found = [None; N];
    let mut next = 0;
    for kid in kids {
        let pos = schema
            .iter()
            .enumerate()
            .skip(next)
            .find(|(_, (ns, local, _))| kid.is(ns, local))
            .map(|(i, _)| i)
            .ok_or(malformed(what))?;
        found[pos] = Some(*kid);
        next = pos + 1;
    }
    if schema.iter().zip(&found).any(|((_, _, required), f)| *required && f.is_none()) {
        return Err(malformed(what));
    }
    Ok(found)
}

fn algorithm<'d>(method: Node<'d, '_>) -> Result<&'d str, SamlReason> {
    method.attribute(None, "Algorithm").ok_or(malformed("EncryptionMethod/@Algorithm"))
}

/// `CipherData/CipherValue`, decoded. `CipherReference` (fetching ciphertext from a URI) is refused.
fn cipher_value(cipher_data: Node<'_, '_>) -> Result<Vec<u8>, SamlReason> {
    let kids = children(cipher_data, "CipherData")?;
    match kids.as_slice() {
        [v] if v.is(XENC_NS, "CipherValue") => {
            let bytes =
                decode_base64_binary(&v.text_content()).ok_or(malformed("CipherValue is not base64"))?;
            if bytes.is_empty() { Err(malformed("empty CipherValue")) } else { Ok(bytes) }
        }
        _ => Err(malformed("CipherData must hold one CipherValue")),
    }
}

/// One `EncryptedKey`: its OAEP parameters and the encrypted key bytes.
struct EncryptedKey {
    algorithm: &'static OaepAlgorithm,
    label: Option<Vec<u8>>,
    cipher: Vec<u8>,
}

fn read_encrypted_key(node: Node<'_, '_>) -> Result<EncryptedKey, SamlReason> {
    let kids = children(node, "EncryptedKey")?;
    let [method, _, cipher_data, ..] = sequence(
        &kids,
        [
            (XENC_NS, "EncryptionMethod", true),
            (DSIG_NS, "KeyInfo", false),
            (XENC_NS, "CipherData", true),
            (XENC_NS, "EncryptionProperties", false),
            (XENC_NS, "ReferenceList", false),
            (XENC_NS, "CarriedKeyName", false),
        ],
        "EncryptedKey children",
    )?;
    let (Some(method), Some(cipher_data)) = (method, cipher_data) else {
        return Err(malformed("EncryptedKey children"));
    };
    let uri = algorithm(method)?;
    let mut digest = "http://www.w3.org/2000/09/xmldsig#sha1";
    let mut mgf = "http://www.w3.org/2009/xmlenc11#mgf1sha1";
    let mut label = None;
    for p in children(method, "EncryptionMethod")? {
        if p.is(DSIG_NS, "DigestMethod") {
            digest = algorithm(p)?;
        } else if p.is(XENC11_NS, "MGF") {
            mgf = algorithm(p)?;
        } else if p.is(XENC_NS, "OAEPparams") {
            label =
                Some(decode_base64_binary(&p.text_content()).ok_or(malformed("OAEPparams is not base64"))?);
        } else {
            return Err(malformed("unexpected EncryptionMethod parameter"));
        }
    }
    let algorithm = match uri {
        // rsa-oaep-mgf1p fixes MGF1 with SHA-1; its DigestMethod defaults to SHA-1.
        RSA_OAEP_MGF1P
            if digest == "http://www.w3.org/2000/09/xmldsig#sha1" && mgf.ends_with("#mgf1sha1") =>
        {
            &OAEP_SHA1_MGF1SHA1
        }
        RSA_OAEP_11 => match (digest, mgf) {
            ("http://www.w3.org/2000/09/xmldsig#sha1", "http://www.w3.org/2009/xmlenc11#mgf1sha1") => {
                &OAEP_SHA1_MGF1SHA1
            }
            ("http://www.w3.org/2001/04/xmlenc#sha256", "http://www.w3.org/2009/xmlenc11#mgf1sha256") => {
                &OAEP_SHA256_MGF1SHA256
            }
            (
                "http://www.w3.org/2001/04/xmldsig-more#sha384",
                "http://www.w3.org/2009/xmlenc11#mgf1sha384",
            ) => &OAEP_SHA384_MGF1SHA384,
            ("http://www.w3.org/2001/04/xmlenc#sha512", "http://www.w3.org/2009/xmlenc11#mgf1sha512") => {
                &OAEP_SHA512_MGF1SHA512
            }
            _ => return Err(SamlReason::EncryptionAlgorithmNotAllowed),
        },
        // rsa-1_5 and everything else.
        _ => return Err(SamlReason::EncryptionAlgorithmNotAllowed),
    };
    Ok(EncryptedKey { algorithm, label, cipher: cipher_value(cipher_data)? })
}

/// A decrypted `EncryptedData`.
pub(crate) struct Plaintext {
    /// The serialized element.
    pub bytes: Vec<u8>,
    /// Whether the cipher authenticated it (GCM). With CBC it may be garbage from a wrong key, and the caller must
    /// report a failure to parse it as [`SamlReason::DecryptionFailed`] too, or the parser becomes the oracle.
    pub authenticated: bool,
}

/// Decrypts the `EncryptedAssertion` element `encrypted`; returns the plaintext (the serialized assertion).
pub(crate) fn decrypt_element(
    encrypted: Node<'_, '_>,
    keys: &[DecryptionKey],
    policy: &SamlPolicy,
) -> Result<Plaintext, Reason> {
    let kids = children(encrypted, "EncryptedAssertion")?;
    let (data, siblings) = match kids.split_first() {
        Some((d, rest)) if d.is(XENC_NS, "EncryptedData") => (*d, rest),
        _ => return Err(malformed("EncryptedAssertion must start with EncryptedData").into()),
    };
    if siblings.iter().any(|s| !s.is(XENC_NS, "EncryptedKey")) {
        return Err(malformed("unexpected element in EncryptedAssertion").into());
    }
    if data.attribute(None, "Type").is_some_and(|t| t != ELEMENT_TYPE) {
        return Err(malformed("EncryptedData/@Type must be Element").into());
    }
    let data_kids = children(data, "EncryptedData")?;
    let [method, key_info, cipher_data, _] = sequence(
        &data_kids,
        [
            (XENC_NS, "EncryptionMethod", true),
            (DSIG_NS, "KeyInfo", false),
            (XENC_NS, "CipherData", true),
            (XENC_NS, "EncryptionProperties", false),
        ],
        "EncryptedData children",
    )?;
    let (Some(method), Some(cipher_data)) = (method, cipher_data) else {
        return Err(malformed("EncryptedData children").into());
    };
    let content = Content::from_uri(algorithm(method)?, policy)?;
    let ciphertext = cipher_value(cipher_data)?;

    // EncryptedKeys inside KeyInfo, else the siblings.
    let mut key_nodes: Vec<Node<'_, '_>> = Vec::new();
    if let Some(ki) = key_info {
        key_nodes.extend(children(ki, "KeyInfo")?.into_iter().filter(|c| c.is(XENC_NS, "EncryptedKey")));
    }
    if key_nodes.is_empty() {
        key_nodes.extend(siblings.iter().copied());
    }
    if key_nodes.is_empty() || keys.is_empty() {
        return Err(SamlReason::DecryptionKeyMissing.into());
    }
    if key_nodes.len() > MAX_ENCRYPTED_KEYS {
        return Err(malformed("too many EncryptedKeys").into());
    }
    let encrypted_keys = key_nodes.into_iter().map(read_encrypted_key).collect::<Result<Vec<_>, _>>()?;
    let cek = content_key(&encrypted_keys, keys, content.key_len())?;
    let bytes = decrypt_content(content, &cek, &ciphertext).ok_or(SamlReason::DecryptionFailed)?;
    Ok(Plaintext { bytes, authenticated: matches!(content, Content::Gcm { .. }) })
}

/// The content key: the first `EncryptedKey` a configured key opens to a key of the right length; otherwise a random
/// key of that length (so that failure shows only after content decryption, the same way as a bad tag).
fn content_key(encrypted: &[EncryptedKey], keys: &[DecryptionKey], len: usize) -> Result<Vec<u8>, Reason> {
    for ek in encrypted {
        for k in keys {
            let mut out = vec![0u8; k.key.min_output_size()];
            if let Ok(cek) = k.key.decrypt(ek.algorithm, &ek.cipher, &mut out, ek.label.as_deref())
                && cek.len() == len
            {
                return Ok(cek.to_vec());
            }
        }
    }
    let mut random = vec![0u8; len];
    aws_lc_rs::rand::fill(&mut random).map_err(|_| Reason::Internal("random content key"))?;
    Ok(random)
}

/// AES-GCM: `IV (12) || ciphertext || tag (16)`, no additional data (XML Encryption 1.1 §5.2.4). AES-CBC:
/// `IV (16) || ciphertext`, the last plaintext octet giving the padding length (§5.2, ISO 10126 style). None on any
/// failure.
fn decrypt_content(content: Content, key: &[u8], value: &[u8]) -> Option<Vec<u8>> {
    match content {
        Content::Gcm { key_len } => {
            use aws_lc_rs::aead::{
                AES_128_GCM, AES_192_GCM, AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey,
            };
            let alg = match key_len {
                16 => &AES_128_GCM,
                24 => &AES_192_GCM,
                _ => &AES_256_GCM,
            };
            let (iv, rest) = value.split_at_checked(12)?;
            if rest.len() < 16 {
                return None;
            }
            let key = LessSafeKey::new(UnboundKey::new(alg, key).ok()?);
            let nonce = Nonce::try_assume_unique_for_key(iv).ok()?;
            let mut buf = rest.to_vec();
            let plain = key.open_in_place(nonce, Aad::empty(), &mut buf).ok()?;
            Some(plain.to_vec())
        }
        Content::Cbc { key_len } => {
            use aws_lc_rs::cipher::{
                AES_128, AES_192, AES_256, DecryptionContext, PaddedBlockDecryptingKey, UnboundCipherKey,
            };
            let alg = match key_len {
                16 => &AES_128,
                24 => &AES_192,
                _ => &AES_256,
            };
            let (iv, rest) = value.split_at_checked(16)?;
            if rest.is_empty() || rest.len() % 16 != 0 {
                return None;
            }
            let iv: [u8; 16] = iv.try_into().ok()?;
            let key = PaddedBlockDecryptingKey::cbc_iso10126(UnboundCipherKey::new(alg, key).ok()?).ok()?;
            let mut buf = rest.to_vec();
            let plain =
                key.decrypt(&mut buf, DecryptionContext::Iv128(aws_lc_rs::iv::FixedLength::from(iv))).ok()?;
            Some(plain.to_vec())
        }
    }
}
