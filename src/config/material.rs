//! Files the configuration names: trust material, TLS keys, WSDLs. Relative paths resolve against the configuration
//! file's directory. The embedded demo configuration names `embedded:` files instead — the public test PKI compiled
//! into the binary — and only it may: a production configuration can never trust the test keys by accident.

use super::{Config, ConfigError};
use crate::principal::AuthLevel;
use crate::trust::{Certificate, KeyPolicy, PublicKey, TrustStore, pem};
use crate::wss::SecurityContext;
use crate::xml::Limits;
use std::path::PathBuf;

/// The prefix of an embedded file name.
const EMBEDDED: &str = "embedded:";

/// Files compiled into the binary for the demo configuration: the test PKI's CAs and CRLs (public test material,
/// see `testdata/pki/README.md`).
const EMBEDDED_FILES: &[(&str, &[u8])] = &[
    ("testdata/pki/root-ca.cert.pem", include_bytes!("../../testdata/pki/root-ca.cert.pem")),
    ("testdata/pki/intermediate-ca.cert.pem", include_bytes!("../../testdata/pki/intermediate-ca.cert.pem")),
    ("testdata/pki/root-ca.crl.pem", include_bytes!("../../testdata/pki/root-ca.crl.pem")),
    ("testdata/pki/intermediate-ca.crl.pem", include_bytes!("../../testdata/pki/intermediate-ca.crl.pem")),
];

/// Where a [`Material`] came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MaterialSource {
    /// A file on disk.
    File(PathBuf),
    /// A file compiled into the binary (demo configuration only).
    Embedded(&'static str),
}

/// A file named by the configuration, resolved but not yet read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Material {
    /// The configuration field that named it (for errors).
    pub field: String,
    /// The configuration file's label (for errors).
    pub config: String,
    /// Where it is.
    pub source: MaterialSource,
}

impl Material {
    /// Its bytes (files are read with the trust loader's size bound).
    pub fn read(&self) -> Result<Vec<u8>, ConfigError> {
        match &self.source {
            MaterialSource::File(path) => pem::read_file(path)
                .map_err(|e| ConfigError::new(&self.config, &self.field, format!("{}: {e}", path.display()))),
            MaterialSource::Embedded(name) => {
                EMBEDDED_FILES.iter().find(|(n, _)| n == name).map(|(_, b)| b.to_vec()).ok_or_else(|| {
                    ConfigError::new(&self.config, &self.field, format!("no embedded file {name}"))
                })
            }
        }
    }

    /// The file as a human would name it.
    pub fn display(&self) -> String {
        match &self.source {
            MaterialSource::File(p) => p.display().to_string(),
            MaterialSource::Embedded(n) => format!("{EMBEDDED}{n}"),
        }
    }

    fn error(&self, message: impl std::fmt::Display) -> ConfigError {
        ConfigError::new(&self.config, &self.field, format!("{}: {message}", self.display()))
    }
}

pub(super) fn resolve(config: &Config, field: &str, spec: &str) -> Result<Material, ConfigError> {
    let label = config.label();
    if spec.is_empty() {
        return Err(ConfigError::new(&label, field, "empty path"));
    }
    if let Some(name) = spec.strip_prefix(EMBEDDED) {
        if !config.is_demo() {
            return Err(ConfigError::new(
                &label,
                field,
                "embedded: files (the public test PKI) may only be used by the built-in demo configuration",
            ));
        }
        let (name, _) = EMBEDDED_FILES
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| ConfigError::new(&label, field, format!("no embedded file {name}")))?;
        return Ok(Material {
            field: field.to_owned(),
            config: label,
            source: MaterialSource::Embedded(name),
        });
    }
    let path = PathBuf::from(spec);
    let path = match config.dir() {
        _ if path.is_absolute() => path,
        Some(dir) => dir.join(path),
        None => {
            return Err(ConfigError::new(&label, field, "the demo configuration names embedded: files only"));
        }
    };
    Ok(Material { field: field.to_owned(), config: label, source: MaterialSource::File(path) })
}

/// The PEM blocks of a file, or the whole file as one DER block labelled `der_label` when it is not PEM.
fn blocks(m: &Material, der_label: &str) -> Result<Vec<pem::PemBlock>, ConfigError> {
    let bytes = m.read()?;
    let blocks = pem::parse(&bytes).map_err(|e| m.error(e))?;
    if blocks.is_empty() && bytes.first() == Some(&0x30) {
        return Ok(vec![pem::PemBlock { label: der_label.to_owned(), der: bytes }]);
    }
    Ok(blocks)
}

fn certificates(m: &Material) -> Result<Vec<Certificate>, ConfigError> {
    let certs = blocks(m, "CERTIFICATE")?
        .iter()
        .filter(|b| b.label == "CERTIFICATE")
        .map(|b| Certificate::from_der(&b.der).map_err(|e| m.error(e)))
        .collect::<Result<Vec<_>, _>>()?;
    if certs.is_empty() {
        return Err(m.error("no certificate in file"));
    }
    Ok(certs)
}

/// Certificates and public keys of a file, for pinning.
fn trust_items(m: &Material) -> Result<Vec<pem::TrustItem>, ConfigError> {
    let mut items = Vec::new();
    for b in blocks(m, "DER")? {
        let item = match b.label.as_str() {
            "CERTIFICATE" => {
                pem::TrustItem::Certificate(Certificate::from_der(&b.der).map_err(|e| m.error(e))?)
            }
            "PUBLIC KEY" => pem::TrustItem::Key(PublicKey::from_spki_der(&b.der).map_err(|e| m.error(e))?),
            "RSA PUBLIC KEY" => {
                pem::TrustItem::Key(PublicKey::from_pkcs1_der(&b.der).map_err(|e| m.error(e))?)
            }
            "DER" => match Certificate::from_der(&b.der) {
                Ok(c) => pem::TrustItem::Certificate(c),
                Err(_) => pem::TrustItem::Key(PublicKey::from_spki_der(&b.der).map_err(|e| m.error(e))?),
            },
            _ => continue,
        };
        items.push(item);
    }
    if items.is_empty() {
        return Err(m.error("no certificate or public key in file"));
    }
    Ok(items)
}

fn crls(m: &Material) -> Result<Vec<Vec<u8>>, ConfigError> {
    let crls: Vec<Vec<u8>> =
        blocks(m, "X509 CRL")?.into_iter().filter(|b| b.label == "X509 CRL").map(|b| b.der).collect();
    if crls.is_empty() {
        return Err(m.error("no CRL in file"));
    }
    Ok(crls)
}

fn path_spec(p: &std::path::Path) -> String {
    p.to_string_lossy().into_owned()
}

impl Config {
    /// Builds the WS-Security processor's context from `[wss]`: every trust file, user and secret loaded and checked
    /// now. A configuration file goes through [`SecurityContext::from_config`]; the demo configuration, whose trust
    /// material is compiled in, through `Config::demo_security_context`.
    pub fn security_context(&self) -> Result<SecurityContext, ConfigError> {
        match self.dir() {
            Some(dir) => {
                self.reject_embedded()?;
                let mut ctx = SecurityContext::from_config(&self.wss, dir)
                    .map_err(|e| ConfigError::new(&self.label(), "wss", e.to_string()))?;
                let shared = self.replay_store()?;
                if let Some(cache) = &shared {
                    ctx = ctx.with_replay_cache(cache.clone());
                }
                match &self.saml {
                    None => Ok(ctx),
                    Some(saml) => {
                        // Loading configuration is an edge of the system: the load time decides whether SAML
                        // metadata is still within its validUntil.
                        let at = crate::clock::Clock::now(&crate::clock::SystemClock);
                        let mut validator = saml
                            .build(dir, *ctx.trust().policy(), at)
                            .map_err(|e| ConfigError::new(&self.label(), "saml", e))?;
                        if let Some(cache) = shared {
                            validator = validator.with_replay_cache(std::sync::Arc::new(cache));
                        }
                        Ok(ctx.with_saml(validator))
                    }
                }
            }
            None if self.saml.is_some() => {
                Err(ConfigError::new(&self.label(), "saml", "not available in the demo configuration"))
            }
            None => self.demo_security_context(),
        }
    }

    /// The shared replay store of `[replay_store]`, connected (a wrong address or password stops startup), or `None`.
    fn replay_store(&self) -> Result<Option<crate::store::ReplayCache>, ConfigError> {
        let Some(r) = &self.replay_store else { return Ok(None) };
        let url = match (&r.url, &r.url_env) {
            (Some(url), _) => url.clone(),
            (None, Some(var)) => std::env::var(var).map_err(|_| {
                ConfigError::new(
                    &self.label(),
                    "replay_store.url_env",
                    format!("environment variable {var} is not set"),
                )
            })?,
            (None, None) => return Err(ConfigError::new(&self.label(), "replay_store", "no url")),
        };
        let root_ca_pem = match (&r.ca_file, self.dir()) {
            (Some(file), Some(dir)) => Some(std::fs::read(dir.join(file)).map_err(|e| {
                ConfigError::new(&self.label(), "replay_store.ca_file", format!("{file}: {e}"))
            })?),
            _ => None,
        };
        let config = crate::store::SharedStoreConfig {
            url,
            key_prefix: r.key_prefix.clone(),
            timeout: std::time::Duration::from_millis(r.timeout_ms),
            pool_size: r.pool_size,
            root_ca_pem,
        };
        let store = crate::store::SharedStore::connect(config)
            .map_err(|e| ConfigError::new(&self.label(), "replay_store", e.to_string()))?;
        Ok(Some(crate::store::ReplayCache::shared(store)))
    }

    /// `embedded:` names outside the demo configuration are an error (see the module documentation).
    fn reject_embedded(&self) -> Result<(), ConfigError> {
        let t = &self.wss.trust;
        let lists: [(&str, &Vec<PathBuf>); 5] = [
            ("wss.trust.pinned", &t.pinned),
            ("wss.trust.ca", &t.ca),
            ("wss.trust.intermediates", &t.intermediates),
            ("wss.trust.crl", &t.crl),
            ("wss.trust.known_certificates", &t.known_certificates),
        ];
        for (field, list) in lists {
            for (i, p) in list.iter().enumerate() {
                self.material(&format!("{field}[{i}]"), &path_spec(p))?;
            }
        }
        Ok(())
    }

    /// The demo configuration's context: the same settings [`SecurityContext::from_config`] applies, with trust
    /// material read from the files compiled into the binary. (The demo has no digest secrets file.)
    fn demo_security_context(&self) -> Result<SecurityContext, ConfigError> {
        let w = &self.wss;
        let t = &w.trust;
        let label = self.label();
        let policy = KeyPolicy { min_rsa_bits: t.min_rsa_bits, allow_sha1: t.allow_sha1 };
        let mut b = TrustStore::builder(policy);
        let mut known = Vec::new();
        for (i, p) in t.pinned.iter().enumerate() {
            let m = self.material(&format!("wss.trust.pinned[{i}]"), &path_spec(p))?;
            for item in trust_items(&m)? {
                match item {
                    pem::TrustItem::Key(k) => b.pin_key(k).map(|_| ()),
                    pem::TrustItem::Certificate(c) => {
                        known.push(c.clone());
                        b.pin_certificate(c).map(|_| ())
                    }
                }
                .map_err(|e| m.error(e))?;
            }
        }
        for (i, p) in t.ca.iter().enumerate() {
            let m = self.material(&format!("wss.trust.ca[{i}]"), &path_spec(p))?;
            for cert in certificates(&m)? {
                b.add_ca(&cert).map_err(|e| m.error(e))?;
            }
        }
        for (i, p) in t.intermediates.iter().enumerate() {
            let m = self.material(&format!("wss.trust.intermediates[{i}]"), &path_spec(p))?;
            for cert in certificates(&m)? {
                b.add_intermediate(cert);
            }
        }
        for (i, p) in t.crl.iter().enumerate() {
            let m = self.material(&format!("wss.trust.crl[{i}]"), &path_spec(p))?;
            for der in crls(&m)? {
                b.add_crl_der(&der).map_err(|e| m.error(e))?;
            }
        }
        for (i, p) in t.known_certificates.iter().enumerate() {
            let m = self.material(&format!("wss.trust.known_certificates[{i}]"), &path_spec(p))?;
            known.extend(certificates(&m)?);
        }
        b.require_crl(t.require_crl);
        let mut ctx = SecurityContext::builder(b.build());
        for c in known {
            ctx.known_certificate(c);
        }
        for (i, u) in w.users.iter().enumerate() {
            ctx.user(&u.name, &u.password_hash, u.auth_level.unwrap_or(AuthLevel::CREDENTIALS))
                .map_err(|e| ConfigError::new(&label, format!("wss.users[{i}]"), e))?;
        }
        if w.digest_secrets_file.is_some() {
            return Err(ConfigError::new(&label, "wss.digest_secrets_file", "not available in the demo"));
        }
        if let Some(actor) = &w.actor {
            ctx.actor(actor.clone());
        }
        ctx.clock_skew_seconds(w.clock_skew_seconds)
            .username_token_window_seconds(w.username_token_window_seconds)
            .nonce_cache_capacity(w.nonce_cache_capacity)
            .limits(Limits { max_bytes: w.max_message_bytes, ..Limits::soap() });
        Ok(ctx.build())
    }
}
