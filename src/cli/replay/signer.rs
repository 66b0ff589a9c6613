//! Signing at replay time: a case with `sign = true` is a SOAP envelope template that gets a fresh WS-Security header
//! ([`crate::wss::secure`]) right before it is sent, so signed cases hold whatever day the replay runs; `replace` edits
//! then tamper with exactly what a negative case is about.

use super::*;
use crate::clock::{Clock, SystemClock};
use crate::dsig::DigestMethod;
use crate::trust::{Certificate, SigningKey, pem};
use crate::wss::secure::{SecureSpec, TokenFormat, secure};

/// `[signer]`, loaded.
#[derive(Debug)]
pub(crate) struct Signer {
    key: SigningKey,
    certificates: Vec<Certificate>,
    config: SignerConfig,
}

/// Why a case's body could not be made.
#[derive(Debug)]
pub(crate) enum BodyProblem {
    /// The template could not be secured.
    Sign(crate::wss::secure::SecureError),
    /// The body is not UTF-8, so it cannot be signed or edited as text.
    NotUtf8,
    /// A `replace` text does not occur in the (signed) body.
    ReplaceNotFound(String),
}

impl fmt::Display for BodyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyProblem::Sign(e) => write!(f, "cannot sign: {e}"),
            BodyProblem::NotUtf8 => f.write_str("not UTF-8 text (needed to sign or edit it)"),
            BodyProblem::ReplaceNotFound(t) => write!(f, "replace: {t:?} does not occur in the message"),
        }
    }
}

impl Signer {
    /// Loads the key and certificates of `config`, relative to `base` (the manifest's folder).
    pub(crate) fn load(config: &SignerConfig, base: &Path) -> Result<Signer, UsageError> {
        let key_path = base.join(&config.key);
        let cert_path = base.join(&config.cert);
        let problem = |path: &Path, e: String| UsageError::Signer { path: path.to_path_buf(), problem: e };
        let key = pem::load_signing_key(&key_path).map_err(|e| problem(&key_path, e.to_string()))?;
        let bytes = pem::read_file(&cert_path).map_err(|e| problem(&cert_path, e.to_string()))?;
        let certificates =
            Certificate::all_from_pem(&bytes).map_err(|e| problem(&cert_path, e.to_string()))?;
        let leaf = certificates.first().ok_or_else(|| problem(&cert_path, "no certificate".into()))?;
        let matches = leaf.public_key().is_ok_and(|k| k.spki_der() == key.public_key().spki_der());
        if !matches {
            return Err(problem(&key_path, format!("not the private key of {}", cert_path.display())));
        }
        Ok(Signer { key, certificates, config: config.clone() })
    }

    fn secure(&self, template: &str) -> Result<String, BodyProblem> {
        let spec = SecureSpec {
            key: &self.key,
            certificates: self.certificates.clone(),
            created: SystemClock.now(),
            ttl_seconds: self.config.ttl,
            reference: self.config.reference,
            format: TokenFormat::X509v3,
            digest: DigestMethod::Sha256,
            method: None,
            username: None,
            saml: None,
        };
        secure(template, &spec).map_err(BodyProblem::Sign)
    }
}

/// The bytes to send for `case`: the file as is, or signed now; then the `replace` edits, each of which must apply
/// (the first occurrence is replaced).
pub(crate) fn body(case: &Case, file: &[u8], signer: Option<&Signer>) -> Result<Vec<u8>, BodyProblem> {
    if !case.sign && case.replace.is_empty() {
        return Ok(file.to_vec());
    }
    let text = std::str::from_utf8(file).map_err(|_| BodyProblem::NotUtf8)?;
    let mut text = match (case.sign, signer) {
        (true, Some(s)) => s.secure(text)?,
        _ => text.to_owned(),
    };
    for (from, to) in &case.replace {
        if !text.contains(from.as_str()) {
            return Err(BodyProblem::ReplaceNotFound(from.clone()));
        }
        text = text.replacen(from.as_str(), to, 1);
    }
    Ok(text.into_bytes())
}
