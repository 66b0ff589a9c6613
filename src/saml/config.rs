//! The `[saml]` table of the gateway configuration: which issuers may vouch for callers in WS-Security SAML tokens,
//! and the acceptance rules of the gateway as a relying party.
//!
//! ```toml
//! [saml]
//! audiences  = ["https://sluis.example.org"]                     # AudienceRestriction must name one of these
//! recipients = ["https://sluis.example.org/services/Patient"]   # bearer SubjectConfirmationData/@Recipient
//! clock_skew_seconds   = 60
//! max_lifetime_seconds = 3600
//! accept_saml11        = true
//! want_assertions_signed = false
//! replay_cache_capacity  = 100000
//! decryption_key = "sp-encryption.key.pem"   # for EncryptedAssertion (RSA-OAEP + AES-GCM)
//!
//! [[saml.issuers]]
//! entity_id    = "https://idp.example.org/saml2"
//! certificates = ["idp-signing.pem"]   # pinned signing certificates (several for rollover)
//! keys         = []                    # or pinned bare public keys
//! ca           = []                    # or CAs that KeyInfo certificates must chain to
//!
//! [[saml.metadata]]
//! file = "federation-metadata.xml"     # EntityDescriptor(s): every KeyDescriptor use="signing"
//! ```
//!
//! Everything is loaded and checked when the configuration is loaded; an issuer with no key is refused then, not at
//! the first message. The OAuth token endpoint has its own issuer list (`[[oauth.issuers]]`), with scope mappings.

use super::{IssuerRegistry, IssuerTrust, MetadataOptions, Saml, SamlPolicy};
use crate::clock::DateTime;
use crate::store::ReplayCache;
use crate::trust::{KeyPolicy, pem};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `[saml]`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SamlConfig {
    /// Our audience URIs.
    pub audiences: Vec<String>,
    /// The URLs bearer assertions are presented at (`Recipient`).
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Allowed clock skew (default 60 s).
    #[serde(default = "default_skew")]
    pub clock_skew_seconds: u32,
    /// Longest accepted assertion lifetime (default 1 h).
    #[serde(default = "default_lifetime")]
    pub max_lifetime_seconds: u32,
    /// Accept SAML 1.1 assertions (default on: WSS SAML Token Profile 1.1 peers).
    #[serde(default = "yes")]
    pub accept_saml11: bool,
    /// Require the assertion itself to be signed, not only an enclosing Response.
    #[serde(default)]
    pub want_assertions_signed: bool,
    /// Bounded replay cache for one-time-use assertions.
    #[serde(default = "default_replay_capacity")]
    pub replay_cache_capacity: usize,
    /// Our RSA private key (PEM) for `EncryptedAssertion`s.
    #[serde(default)]
    pub decryption_key: Option<PathBuf>,
    /// Issuers with pinned keys or CAs.
    #[serde(default)]
    pub issuers: Vec<SamlIssuerConfig>,
    /// SAML metadata files.
    #[serde(default)]
    pub metadata: Vec<SamlMetadataConfig>,
}

/// `[[saml.issuers]]`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SamlIssuerConfig {
    /// The issuer's entity ID (the assertion's `Issuer`).
    pub entity_id: String,
    /// Pinned signing certificates (PEM or DER).
    #[serde(default)]
    pub certificates: Vec<PathBuf>,
    /// Pinned public keys (PEM or DER).
    #[serde(default)]
    pub keys: Vec<PathBuf>,
    /// CA certificates a `KeyInfo` certificate of this issuer must chain to.
    #[serde(default)]
    pub ca: Vec<PathBuf>,
}

/// `[[saml.metadata]]`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SamlMetadataConfig {
    /// The metadata file.
    pub file: PathBuf,
}

fn default_skew() -> u32 {
    super::policy::DEFAULT_CLOCK_SKEW_SECONDS as u32
}

fn default_lifetime() -> u32 {
    super::policy::DEFAULT_MAX_LIFETIME_SECONDS as u32
}

fn default_replay_capacity() -> usize {
    100_000
}

fn yes() -> bool {
    true
}

impl SamlConfig {
    /// Loads every issuer's keys (paths relative to `base_dir`) and builds the validator. `at` is the load time
    /// (metadata `validUntil`); `key_policy` the gateway's.
    pub fn build(&self, base_dir: &Path, key_policy: KeyPolicy, at: DateTime) -> Result<Saml, String> {
        if self.audiences.is_empty() {
            return Err("saml.audiences: at least one audience is required".into());
        }
        if self.issuers.is_empty() && self.metadata.is_empty() {
            return Err("saml: no issuers and no metadata".into());
        }
        let mut registry = IssuerRegistry::new();
        for (i, issuer) in self.issuers.iter().enumerate() {
            let field = format!("saml.issuers[{i}]");
            let mut b = IssuerTrust::builder(issuer.entity_id.clone(), key_policy);
            for p in &issuer.certificates {
                for c in pem::load_certificates(&base_dir.join(p))
                    .map_err(|e| format!("{field}.certificates: {e}"))?
                {
                    b.pin_certificate(c).map_err(|e| format!("{field}.certificates: {e}"))?;
                }
            }
            for p in &issuer.keys {
                let key =
                    pem::load_public_key(&base_dir.join(p)).map_err(|e| format!("{field}.keys: {e}"))?;
                b.pin_key(key).map_err(|e| format!("{field}.keys: {e}"))?;
            }
            for p in &issuer.ca {
                for c in pem::load_certificates(&base_dir.join(p)).map_err(|e| format!("{field}.ca: {e}"))? {
                    b.add_ca(&c).map_err(|e| format!("{field}.ca: {e}"))?;
                }
            }
            if issuer.certificates.is_empty() && issuer.keys.is_empty() && issuer.ca.is_empty() {
                return Err(format!("{field}: no certificates, keys or CAs"));
            }
            registry.add(b.build()).map_err(|e| format!("{field}: {e}"))?;
        }
        for (i, m) in self.metadata.iter().enumerate() {
            let field = format!("saml.metadata[{i}]");
            let bytes = pem::read_file(&base_dir.join(&m.file)).map_err(|e| format!("{field}.file: {e}"))?;
            let options = MetadataOptions::new(at);
            registry.add_metadata(&bytes, &options).map_err(|e| format!("{field}.file: {e}"))?;
        }
        let mut policy = SamlPolicy::new(self.audiences.clone(), self.recipients.clone());
        policy.clock_skew_seconds = i64::from(self.clock_skew_seconds);
        policy.max_lifetime_seconds = i64::from(self.max_lifetime_seconds);
        policy.accept_saml11 = self.accept_saml11;
        policy.want_assertions_signed = self.want_assertions_signed;
        let replay = Arc::new(ReplayCache::new(self.replay_cache_capacity));
        let mut saml = Saml::new(Arc::new(registry), policy, replay);
        if let Some(p) = &self.decryption_key {
            let pem = pem::read_file(&base_dir.join(p)).map_err(|e| format!("saml.decryption_key: {e}"))?;
            let key =
                super::DecryptionKey::from_pem(&pem).map_err(|e| format!("saml.decryption_key: {e}"))?;
            saml = saml.with_decryption_key(key);
        }
        Ok(saml)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn parse(s: &str) -> SamlConfig {
        toml::from_str(s).unwrap()
    }

    #[test]
    fn builds_from_pinned_certificates() {
        let c = parse(
            r#"
            audiences = ["https://sluis.example.org"]
            recipients = ["https://sluis.example.org/x"]
            [[issuers]]
            entity_id = "https://idp.example.org/saml2"
            certificates = ["testdata/pki/leaf-rsa2048.cert.pem"]
            "#,
        );
        assert_eq!(c.clock_skew_seconds, 60);
        assert!(c.build(&root(), KeyPolicy::default(), DateTime::from_unix_seconds(1_795_608_000)).is_ok());
    }

    #[test]
    fn refuses_empty_or_wrong_configuration() {
        let at = DateTime::from_unix_seconds(1_795_608_000);
        let no_issuer = parse(r#"audiences = ["a"]"#);
        assert!(no_issuer.build(&root(), KeyPolicy::default(), at).unwrap_err().contains("no issuers"));
        let no_key = parse("audiences = [\"a\"]\n[[issuers]]\nentity_id = \"x\"\n");
        assert!(no_key.build(&root(), KeyPolicy::default(), at).unwrap_err().contains("no certificates"));
        let small = parse(
            "audiences = [\"a\"]\n[[issuers]]\nentity_id = \"x\"\nkeys = [\"testdata/pki/leaf-rsa1024.pubkey.pem\"]\n",
        );
        assert!(small.build(&root(), KeyPolicy::default(), at).unwrap_err().contains("key_too_small"));
        assert!(toml::from_str::<SamlConfig>("audiences = [\"a\"]\nbogus = 1\n").is_err());
    }
}
