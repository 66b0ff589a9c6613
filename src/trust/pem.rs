//! PEM (RFC 7468) and the file loaders the CLI uses for `--trust`, `--ca`, `--crl` and signing keys.
//!
//! The parser is the lax reader of RFC 7468 §2: text outside `-----BEGIN X-----` / `-----END X-----` lines is ignored
//! (so `openssl x509 -text` output loads), whitespace inside the base64 is ignored, and the END label must match the
//! BEGIN label. RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`) are refused: sluis does not decrypt keys. Files are read
//! whole, up to [`MAX_FILE_BYTES`]; a file that is not PEM is taken as one DER object.
//!
//! The loaders never look at the clock: whether a certificate is valid is decided later, at a verification time.

use std::fmt;
use std::path::Path;

use base64::Engine as _;

use super::certificate::Certificate;
use super::key::PublicKey;
use super::signing::SigningKey;
use crate::reason::TrustReason;

/// The largest file the loaders read. CRLs of large CAs reach several megabytes; nothing legitimate comes near this.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// One PEM block: its label (`CERTIFICATE`, `PUBLIC KEY`, ...) and decoded content.
#[derive(Clone, PartialEq, Eq)]
pub struct PemBlock {
    /// The label between `BEGIN ` and the closing dashes.
    pub label: String,
    /// The base64-decoded content (DER for every label sluis uses).
    pub der: Vec<u8>,
}

impl fmt::Debug for PemBlock {
    // The content may be a private key: show only its label and size.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PemBlock").field("label", &self.label).field("len", &self.der.len()).finish()
    }
}

/// Why PEM text was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PemError {
    /// A BEGIN line without a matching END line.
    Unterminated,
    /// An END label that differs from its BEGIN label.
    LabelMismatch,
    /// RFC 1421 headers, i.e. an encrypted block.
    Encrypted,
    /// The content is not valid base64.
    Base64,
}

impl fmt::Display for PemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PemError::Unterminated => "PEM block without END line",
            PemError::LabelMismatch => "PEM END label does not match BEGIN label",
            PemError::Encrypted => "encrypted PEM block (decrypt it before giving it to sluis)",
            PemError::Base64 => "PEM block is not valid base64",
        })
    }
}

impl std::error::Error for PemError {}

/// Every PEM block in `text`, in order. Text with no BEGIN line gives an empty list.
pub fn parse(text: &[u8]) -> Result<Vec<PemBlock>, PemError> {
    let mut blocks = Vec::new();
    let mut lines = text.split(|&b| b == b'\n').map(|l| l.trim_ascii());
    while let Some(line) = lines.next() {
        let Some(label) = marker(line, b"-----BEGIN ") else { continue };
        let mut b64 = Vec::new();
        let mut closed = false;
        for inner in lines.by_ref() {
            if let Some(end) = marker(inner, b"-----END ") {
                if end != label {
                    return Err(PemError::LabelMismatch);
                }
                closed = true;
                break;
            }
            if inner.contains(&b':') {
                return Err(PemError::Encrypted); // RFC 1421 header line such as "Proc-Type: 4,ENCRYPTED"
            }
            b64.extend(inner.iter().filter(|b| !b.is_ascii_whitespace()));
        }
        if !closed {
            return Err(PemError::Unterminated);
        }
        let der = base64::engine::general_purpose::STANDARD.decode(&b64).map_err(|_| PemError::Base64)?;
        blocks.push(PemBlock { label: String::from_utf8_lossy(label).into_owned(), der });
    }
    Ok(blocks)
}

/// The label of a `-----BEGIN label-----` / `-----END label-----` line.
fn marker<'a>(line: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    line.strip_prefix(prefix)?.strip_suffix(b"-----")
}

/// Why a file could not be loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// The file could not be read.
    Io(std::io::ErrorKind),
    /// The file is larger than [`MAX_FILE_BYTES`].
    TooLarge,
    /// The PEM text is malformed.
    Pem(PemError),
    /// The file holds nothing of the expected kind; the context says what was expected.
    Nothing(&'static str),
    /// An object was found but refused (malformed, unsupported key type, ...).
    Refused(TrustReason),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io(kind) => write!(f, "cannot read file: {kind}"),
            LoadError::TooLarge => write!(f, "file larger than {MAX_FILE_BYTES} bytes"),
            LoadError::Pem(e) => fmt::Display::fmt(e, f),
            LoadError::Nothing(what) => write!(f, "no {what} in file"),
            LoadError::Refused(r) => write!(f, "refused: {r}"),
        }
    }
}

impl std::error::Error for LoadError {}

impl From<TrustReason> for LoadError {
    fn from(r: TrustReason) -> Self {
        LoadError::Refused(r)
    }
}

/// Reads a whole file, refusing anything over [`MAX_FILE_BYTES`].
pub fn read_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| LoadError::Io(e.kind()))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| LoadError::Io(e.kind()))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge);
    }
    Ok(bytes)
}

/// Every PEM block of a file.
pub fn read_pem_file(path: &Path) -> Result<Vec<PemBlock>, LoadError> {
    parse(&read_file(path)?).map_err(LoadError::Pem)
}

/// The file's PEM blocks, or, when it has none, the whole file as one DER block labelled `default_label`.
fn blocks_or_der(path: &Path, default_label: &str) -> Result<Vec<PemBlock>, LoadError> {
    let bytes = read_file(path)?;
    let blocks = parse(&bytes).map_err(LoadError::Pem)?;
    if blocks.is_empty() && bytes.first() == Some(&0x30) {
        return Ok(vec![PemBlock { label: default_label.to_owned(), der: bytes }]);
    }
    Ok(blocks)
}

/// Something `--trust` can pin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrustItem {
    /// A bare public key.
    Key(PublicKey),
    /// A certificate.
    Certificate(Certificate),
}

/// Loads every certificate and public key of a file (`--trust`): PEM `CERTIFICATE`, `PUBLIC KEY` and
/// `RSA PUBLIC KEY` blocks, or one DER certificate, SubjectPublicKeyInfo or PKCS#1 `RSAPublicKey`.
pub fn load_trust_items(path: &Path) -> Result<Vec<TrustItem>, LoadError> {
    let mut items = Vec::new();
    for block in blocks_or_der(path, "DER")? {
        let item = match block.label.as_str() {
            "CERTIFICATE" => TrustItem::Certificate(Certificate::from_der(&block.der)?),
            "PUBLIC KEY" => TrustItem::Key(PublicKey::from_spki_der(&block.der)?),
            "RSA PUBLIC KEY" => TrustItem::Key(PublicKey::from_pkcs1_der(&block.der)?),
            "DER" => der_trust_item(&block.der)?,
            _ => continue,
        };
        items.push(item);
    }
    if items.is_empty() {
        return Err(LoadError::Nothing("certificate or public key"));
    }
    Ok(items)
}

/// A DER object of unknown kind: a certificate, else a SubjectPublicKeyInfo, else a PKCS#1 RSA key.
fn der_trust_item(der: &[u8]) -> Result<TrustItem, TrustReason> {
    if let Ok(cert) = Certificate::from_der(der) {
        return Ok(TrustItem::Certificate(cert));
    }
    match PublicKey::from_spki_der(der) {
        Ok(key) => Ok(TrustItem::Key(key)),
        Err(TrustReason::MalformedKey) => PublicKey::from_pkcs1_der(der).map(TrustItem::Key),
        Err(other) => Err(other),
    }
}

/// Loads the public key of a file: the first item [`load_trust_items`] finds (a certificate's key for a certificate).
pub fn load_public_key(path: &Path) -> Result<PublicKey, LoadError> {
    match load_trust_items(path)?.into_iter().next() {
        Some(TrustItem::Key(k)) => Ok(k),
        Some(TrustItem::Certificate(c)) => Ok(PublicKey::clone(c.public_key()?)),
        None => Err(LoadError::Nothing("public key")),
    }
}

/// Loads every certificate of a file (`--ca`, `--intermediate`): a PEM bundle or one DER certificate.
pub fn load_certificates(path: &Path) -> Result<Vec<Certificate>, LoadError> {
    let certs = blocks_or_der(path, "CERTIFICATE")?
        .iter()
        .filter(|b| b.label == "CERTIFICATE")
        .map(|b| Certificate::from_der(&b.der))
        .collect::<Result<Vec<_>, _>>()?;
    if certs.is_empty() {
        return Err(LoadError::Nothing("certificate"));
    }
    Ok(certs)
}

/// Loads every CRL of a file (`--crl`) as DER: PEM `X509 CRL` blocks or one DER CRL. The CRLs are parsed when they are
/// added to a [`super::TrustStoreBuilder`].
pub fn load_crls(path: &Path) -> Result<Vec<Vec<u8>>, LoadError> {
    let crls: Vec<Vec<u8>> = blocks_or_der(path, "X509 CRL")?
        .into_iter()
        .filter(|b| b.label == "X509 CRL")
        .map(|b| b.der)
        .collect();
    if crls.is_empty() {
        return Err(LoadError::Nothing("CRL"));
    }
    Ok(crls)
}

/// Loads a private key (PEM `PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`, or DER PKCS#8).
pub fn load_signing_key(path: &Path) -> Result<SigningKey, LoadError> {
    let blocks = blocks_or_der(path, "PRIVATE KEY")?;
    for block in blocks {
        let key = match block.label.as_str() {
            "PRIVATE KEY" => SigningKey::from_pkcs8_der(&block.der)?,
            "RSA PRIVATE KEY" => SigningKey::from_pkcs1_der(&block.der)?,
            "EC PRIVATE KEY" => SigningKey::from_sec1_der(&block.der)?,
            "ENCRYPTED PRIVATE KEY" => return Err(LoadError::Pem(PemError::Encrypted)),
            _ => continue,
        };
        return Ok(key);
    }
    Err(LoadError::Nothing("private key"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_blocks_with_surrounding_text() {
        let text = b"Certificate:\n  blah: x\n-----BEGIN FOO-----\r\nAAEC\r\nAw==\n-----END FOO-----\n\
                     junk\n-----BEGIN BAR-----\n-----END BAR-----\n";
        let blocks = parse(text).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!((blocks[0].label.as_str(), &blocks[0].der[..]), ("FOO", &[0u8, 1, 2, 3][..]));
        assert_eq!((blocks[1].label.as_str(), blocks[1].der.len()), ("BAR", 0));
        assert!(parse(b"no pem here").unwrap().is_empty());
    }

    #[test]
    fn refuses_bad_pem() {
        assert_eq!(parse(b"-----BEGIN A-----\nAAAA\n"), Err(PemError::Unterminated));
        assert_eq!(parse(b"-----BEGIN A-----\nAAAA\n-----END B-----\n"), Err(PemError::LabelMismatch));
        assert_eq!(
            parse(b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nAAAA\n-----END RSA PRIVATE KEY-----"),
            Err(PemError::Encrypted)
        );
        assert_eq!(parse(b"-----BEGIN A-----\nA!AA\n-----END A-----"), Err(PemError::Base64));
    }

    #[test]
    fn missing_file_is_io_error() {
        let r = read_file(Path::new("/nonexistent/sluis/trust.pem"));
        assert_eq!(r, Err(LoadError::Io(std::io::ErrorKind::NotFound)));
    }
}
