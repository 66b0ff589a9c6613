//! The trust store: which keys may sign, decided from configuration only.
//!
//! A key is trusted in exactly three ways ([`TrustPath`]):
//!
//! 1. it is a **pinned key** (configured as a bare public key);
//! 2. it is the key of a **pinned certificate** (configured as a certificate); a presented certificate that is
//!    DER-equal to a pinned one, or carries the same key, is trusted as that pinned certificate. With
//!    [`TrustStoreBuilder::check_pinned_validity`] (the default) the pinned certificate must be valid at the
//!    verification time;
//! 3. its certificate **chains to a configured CA**: rustls-webpki builds a path through the configured and presented
//!    intermediates at the verification time (validity of every certificate, basicConstraints, pathLen and name
//!    constraints, signatures with webpki's aws-lc-rs algorithms, the EKU rule of [`super::chain`]), with CRL checks when
//!    CRLs are configured; then the end entity's keyUsage must allow signing.
//!
//! webpki does not accept a certificate with basicConstraints cA=TRUE as the end entity of a CA path
//! (`ChainInvalid("CA certificate used as end entity")`); OpenSSL's default `req` profile makes such leaves, so pin
//! them instead. webpki also verifies no SHA-1 or sub-2048-bit RSA certificate signatures: a CA path through such
//! certificates is `ChainInvalid("unsupported certificate signature algorithm")`.
//!
//! A certificate that is none of these is [`TrustReason::UntrustedKey`], whatever it says about itself: an embedded
//! self-signed certificate is never trusted on its own. A presented certificate carrying a pinned *bare* key is trusted
//! as the pinned key, and its own fields are ignored (anyone can wrap a public key in a certificate with any subject).
//! keyUsage is checked on CA-chained certificates only: a pinned certificate was chosen by the operator for its key.
//! Trust anchors' own validity is not checked (RFC 5280 §6.1.1 treats the anchor as input, as webpki and Java's PKIX
//! do); a configured CA certificate that says it is *not* a CA (basicConstraints cA=FALSE) is refused at configuration.
//!
//! **Revocation.** When CRLs are configured, every certificate of the path below the anchor is checked against the CRL
//! of its issuer. A certificate whose issuer has no configured CRL has unknown status, which is allowed unless
//! [`TrustStoreBuilder::require_crl`] is set (then it is [`TrustReason::RevocationStatusUnknown`]). A CRL past its
//! nextUpdate is still used unless [`TrustStoreBuilder::enforce_crl_next_update`] is set: CRLs come from configuration
//! here, and refusing all traffic because a file was not refreshed is the operator's choice to make.
//!
//! **Key policy.** Every trusted key must satisfy the store's [`KeyPolicy`] ([`TrustReason::KeyTooSmall`]); pinned
//! keys and certificates are checked when they are added, so a bad configuration fails at startup.
//!
//! **Cache.** WS-Security clients send the same BinarySecurityToken on every call, so successful CA-chain results are
//! cached by the SHA-256 of the certificate DER, with the interval in which every certificate of the validated path is
//! valid (capped by the CRLs' nextUpdate when that is enforced). A cached result is used only when the verification
//! time falls inside that interval; failures are never cached (a request with a bad chain must not evict or poison a
//! good one). The cache holds at most [`DEFAULT_CACHE_CAPACITY`] entries by default; when full, entries not valid at the
//! current verification time are dropped, and if that frees nothing the cache is cleared.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rustls_pki_types::{CertificateDer, TrustAnchor};
use webpki::{CertRevocationList, EndEntityCert, OwnedCertRevocationList, RevocationOptionsBuilder};

use super::certificate::Certificate;
use super::chain;
use super::key::{KeyPolicy, PublicKey};
use crate::clock::DateTime;
use crate::reason::TrustReason;

/// Default number of cached path-validation results.
pub const DEFAULT_CACHE_CAPACITY: usize = 1024;

/// The most intermediates a message may present: real chains have one or two, and each extra one multiplies path
/// building work an attacker can cause.
pub const MAX_PRESENTED_INTERMEDIATES: usize = 8;

/// How a key came to be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrustPath {
    /// The key is configured as a bare public key.
    PinnedKey,
    /// The key is that of a configured certificate.
    PinnedCertificate,
    /// The key's certificate chains to a configured CA.
    CaChain,
}

/// A key the store trusts, with how. Cheap to clone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedKey {
    key: Arc<PublicKey>,
    certificate: Option<Arc<Certificate>>,
    path: TrustPath,
}

impl TrustedKey {
    /// The key to verify with.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// The key, shared.
    pub fn public_key_arc(&self) -> &Arc<PublicKey> {
        &self.key
    }

    /// The certificate the trust rests on: the pinned certificate, or the CA-validated end-entity certificate. `None`
    /// for a pinned bare key (even if the message wrapped it in a certificate).
    pub fn certificate(&self) -> Option<&Arc<Certificate>> {
        self.certificate.as_ref()
    }

    /// How the key is trusted.
    pub fn trust_path(&self) -> TrustPath {
        self.path
    }

    /// A human-readable name for audit: the certificate subject, or `pinned key sha256:<first 16 hex digits>`.
    pub fn subject(&self) -> Cow<'_, str> {
        match &self.certificate {
            Some(c) => Cow::Borrowed(c.subject()),
            None => {
                let hex = self.key.fingerprint_hex();
                Cow::Owned(format!("pinned key sha256:{}", hex.get(..16).unwrap_or(&hex)))
            }
        }
    }
}

/// Counters of the path-validation cache, for metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that ran path validation.
    pub misses: u64,
    /// Entries currently held.
    pub entries: usize,
}

struct CacheEntry {
    trusted: TrustedKey,
    /// Unix seconds, inclusive.
    from: i64,
    until: i64,
}

/// Builds a [`TrustStore`]. Adding pinned material checks it against the [`KeyPolicy`] given to
/// [`TrustStore::builder`].
pub struct TrustStoreBuilder {
    store: TrustStore,
}

impl TrustStoreBuilder {
    /// Pins a bare public key. [`TrustReason::KeyTooSmall`] if the policy refuses it.
    pub fn pin_key(&mut self, key: PublicKey) -> Result<&mut Self, TrustReason> {
        self.store.policy.check_key(&key)?;
        if !self.store.pinned_keys.iter().any(|k| **k == key) {
            self.store.pinned_keys.push(Arc::new(key));
        }
        Ok(self)
    }

    /// Pins a certificate (trusts its key; see the module documentation for validity). Its key must be usable
    /// ([`TrustReason::UnsupportedKeyType`]) and satisfy the policy ([`TrustReason::KeyTooSmall`]).
    pub fn pin_certificate(&mut self, cert: Certificate) -> Result<&mut Self, TrustReason> {
        self.store.policy.check_key(cert.public_key()?)?;
        if !self.store.pinned_certs.iter().any(|c| **c == cert) {
            self.store.pinned_certs.push(Arc::new(cert));
        }
        Ok(self)
    }

    /// Adds a CA trust anchor. A certificate whose basicConstraints say it is not a CA is refused with
    /// `ChainInvalid("trust anchor is not a CA")` (pin it instead); v1 certificates without extensions are accepted.
    pub fn add_ca(&mut self, cert: &Certificate) -> Result<&mut Self, TrustReason> {
        let der = CertificateDer::from(cert.der());
        let anchor = webpki::anchor_from_trusted_cert(&der).map_err(|_| TrustReason::MalformedCertificate)?;
        if cert.basic_constraints_ca() == Some(false) {
            return Err(TrustReason::ChainInvalid("trust anchor is not a CA"));
        }
        self.store.anchors.push(anchor.to_owned());
        Ok(self)
    }

    /// Adds an intermediate CA certificate that path building may use (besides those a message presents).
    pub fn add_intermediate(&mut self, cert: Certificate) -> &mut Self {
        self.store.intermediates.push(Arc::new(cert));
        self
    }

    /// Adds a DER CRL (webpki profile: v2, with nextUpdate, no delta or indirect CRLs). [`TrustReason::MalformedCrl`]
    /// otherwise. The CRL's signature is checked during path validation, against its issuer in the path.
    pub fn add_crl_der(&mut self, der: &[u8]) -> Result<&mut Self, TrustReason> {
        use x509_parser::prelude::FromDer;
        let crl = OwnedCertRevocationList::from_der(der).map_err(|_| TrustReason::MalformedCrl)?;
        let (_, parsed) = x509_parser::revocation_list::CertificateRevocationList::from_der(der)
            .map_err(|_| TrustReason::MalformedCrl)?;
        let next_update = parsed.next_update().ok_or(TrustReason::MalformedCrl)?.timestamp();
        self.store.crl_min_next_update =
            Some(self.store.crl_min_next_update.map_or(next_update, |m: i64| m.min(next_update)));
        self.store.crls.push(CertRevocationList::Owned(crl));
        Ok(self)
    }

    /// Adds every `X509 CRL` block of PEM text.
    pub fn add_crl_pem(&mut self, pem: &[u8]) -> Result<&mut Self, TrustReason> {
        let blocks = super::pem::parse(pem).map_err(|_| TrustReason::MalformedCrl)?;
        let mut any = false;
        for block in blocks.iter().filter(|b| b.label == "X509 CRL") {
            self.add_crl_der(&block.der)?;
            any = true;
        }
        if !any {
            return Err(TrustReason::MalformedCrl);
        }
        Ok(self)
    }

    /// Refuse certificates whose issuer has no configured CRL ([`TrustReason::RevocationStatusUnknown`]). Off by
    /// default; has no effect when no CRL is configured at all.
    pub fn require_crl(&mut self, on: bool) -> &mut Self {
        self.store.require_crl = on;
        self
    }

    /// Treat a CRL past its nextUpdate as unknown status ([`TrustReason::RevocationStatusUnknown`]). Off by default.
    pub fn enforce_crl_next_update(&mut self, on: bool) -> &mut Self {
        self.store.enforce_crl_next_update = on;
        self
    }

    /// Refuse a pinned certificate outside its validity at the verification time (default `true`).
    pub fn check_pinned_validity(&mut self, on: bool) -> &mut Self {
        self.store.check_pinned_validity = on;
        self
    }

    /// The number of cached path-validation results (default [`DEFAULT_CACHE_CAPACITY`]; 0 disables the cache).
    pub fn cache_capacity(&mut self, entries: usize) -> &mut Self {
        self.store.cache_capacity = entries;
        self
    }

    /// The finished store.
    pub fn build(self) -> TrustStore {
        self.store
    }
}

/// Trusted keys, certificates, CAs and CRLs, and the rules that apply them. `Send + Sync`; share it in an `Arc`.
pub struct TrustStore {
    policy: KeyPolicy,
    check_pinned_validity: bool,
    require_crl: bool,
    enforce_crl_next_update: bool,
    pinned_keys: Vec<Arc<PublicKey>>,
    pinned_certs: Vec<Arc<Certificate>>,
    anchors: Vec<TrustAnchor<'static>>,
    intermediates: Vec<Arc<Certificate>>,
    crls: Vec<CertRevocationList<'static>>,
    crl_min_next_update: Option<i64>,
    cache_capacity: usize,
    cache: Mutex<HashMap<[u8; 32], CacheEntry>>,
    /// Parsed certificates by DER, so a BinarySecurityToken or X509Certificate sent on every call is parsed once.
    parsed: Mutex<HashMap<Box<[u8]>, Arc<Certificate>>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl TrustStore {
    /// An empty store with `policy`; add material with the builder's methods.
    pub fn builder(policy: KeyPolicy) -> TrustStoreBuilder {
        TrustStoreBuilder {
            store: TrustStore {
                policy,
                check_pinned_validity: true,
                require_crl: false,
                enforce_crl_next_update: false,
                pinned_keys: Vec::new(),
                pinned_certs: Vec::new(),
                anchors: Vec::new(),
                intermediates: Vec::new(),
                crls: Vec::new(),
                crl_min_next_update: None,
                cache_capacity: DEFAULT_CACHE_CAPACITY,
                cache: Mutex::new(HashMap::new()),
                parsed: Mutex::new(HashMap::new()),
                hits: AtomicU64::new(0),
                misses: AtomicU64::new(0),
            },
        }
    }

    /// The key policy every trusted key satisfies.
    pub fn policy(&self) -> &KeyPolicy {
        &self.policy
    }

    /// Whether the store can trust anything at all.
    pub fn is_empty(&self) -> bool {
        self.pinned_keys.is_empty() && self.pinned_certs.is_empty() && self.anchors.is_empty()
    }

    /// Decides whether `cert` (from a message: `BinarySecurityToken`, `X509Data`, `x5c`) is trusted for signing at
    /// `at`, using `presented_intermediates` (at most [`MAX_PRESENTED_INTERMEDIATES`]) for path building.
    pub fn trust_certificate(
        &self,
        cert: &Certificate,
        presented_intermediates: &[Certificate],
        at: DateTime,
    ) -> Result<TrustedKey, TrustReason> {
        if let Some(pinned) = self.pinned_certs.iter().find(|p| ***p == *cert) {
            return self.pinned_certificate(pinned, at);
        }
        let key = cert.public_key()?;
        if let Some(trusted) = self.pinned_by_key(key, at)? {
            return Ok(trusted);
        }
        if self.anchors.is_empty() {
            return Err(TrustReason::UntrustedKey);
        }
        if presented_intermediates.len() > MAX_PRESENTED_INTERMEDIATES {
            return Err(TrustReason::ChainInvalid("too many intermediate certificates"));
        }
        let fingerprint = cert.sha256_fingerprint();
        if let Some(hit) = self.cache_get(&fingerprint, at) {
            return Ok(hit);
        }
        let (from, until) = self.validate_path(cert, presented_intermediates, at)?;
        if !cert.allows_signing() {
            return Err(TrustReason::KeyUsageNotAllowed);
        }
        self.policy.check_key(key)?;
        let trusted = TrustedKey {
            key: Arc::clone(key),
            certificate: Some(Arc::new(cert.clone())),
            path: TrustPath::CaChain,
        };
        self.cache_put(fingerprint, CacheEntry { trusted: trusted.clone(), from, until }, at);
        Ok(trusted)
    }

    /// Decides whether a bare key (XML-DSig `KeyValue`, a JWK) is trusted: only if it is pinned, or is the key of a
    /// pinned certificate valid at `at` (per [`TrustStoreBuilder::check_pinned_validity`]).
    pub fn trust_key(&self, key: &PublicKey, at: DateTime) -> Result<TrustedKey, TrustReason> {
        self.pinned_by_key(key, at)?.ok_or(TrustReason::UntrustedKey)
    }

    /// Every pinned key and pinned certificate usable at `at`, for signatures that do not say which key made them
    /// (the caller tries each). Pinned certificates outside their validity are left out when validity is checked.
    pub fn pinned(&self, at: DateTime) -> impl Iterator<Item = TrustedKey> + '_ {
        let keys = self.pinned_keys.iter().map(|k| TrustedKey {
            key: Arc::clone(k),
            certificate: None,
            path: TrustPath::PinnedKey,
        });
        let certs = self.pinned_certs.iter().filter_map(move |c| self.pinned_certificate(c, at).ok());
        keys.chain(certs)
    }

    /// Parses a certificate presented in a message (DER), through a bounded cache of earlier parses: clients send the
    /// same certificate on every call, and parsing plus fingerprinting costs several times the signature check. Only
    /// successful parses are cached; the cache holds at most the path-cache capacity and is cleared when full.
    pub fn parse_certificate(&self, der: &[u8]) -> Result<Arc<Certificate>, TrustReason> {
        if self.cache_capacity > 0
            && let Some(hit) = self.parsed.lock().ok().and_then(|m| m.get(der).cloned())
        {
            return Ok(hit);
        }
        let cert = Arc::new(Certificate::from_der(der)?);
        if self.cache_capacity > 0 {
            let mut map = self.parsed.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if map.len() >= self.cache_capacity {
                map.clear();
            }
            map.insert(der.into(), Arc::clone(&cert));
        }
        Ok(cert)
    }

    /// Cache counters.
    pub fn cache_stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries: self.cache.lock().map(|c| c.len()).unwrap_or(0),
        }
    }

    fn pinned_certificate(&self, pinned: &Arc<Certificate>, at: DateTime) -> Result<TrustedKey, TrustReason> {
        if self.check_pinned_validity {
            pinned.check_validity(at)?;
        }
        let key = pinned.public_key()?; // checked when pinned; kept for the type
        Ok(TrustedKey {
            key: Arc::clone(key),
            certificate: Some(Arc::clone(pinned)),
            path: TrustPath::PinnedCertificate,
        })
    }

    /// `Some` when `key` is pinned, directly or as a pinned certificate's key; `Err` when it matches a pinned
    /// certificate that is not valid at `at`.
    fn pinned_by_key(&self, key: &PublicKey, at: DateTime) -> Result<Option<TrustedKey>, TrustReason> {
        if let Some(k) = self.pinned_keys.iter().find(|k| ***k == *key) {
            return Ok(Some(TrustedKey {
                key: Arc::clone(k),
                certificate: None,
                path: TrustPath::PinnedKey,
            }));
        }
        let mut refusal = None;
        for pinned in &self.pinned_certs {
            if pinned.public_key().is_ok_and(|k| **k == *key) {
                match self.pinned_certificate(pinned, at) {
                    Ok(t) => return Ok(Some(t)),
                    Err(e) => refusal = Some(e), // another pinned certificate with the same key may still be valid
                }
            }
        }
        refusal.map_or(Ok(None), Err)
    }

    /// Runs webpki; returns the interval (unix seconds, inclusive) in which the validated path stays valid.
    fn validate_path(
        &self,
        cert: &Certificate,
        presented: &[Certificate],
        at: DateTime,
    ) -> Result<(i64, i64), TrustReason> {
        let ee_der = CertificateDer::from(cert.der());
        let ee = EndEntityCert::try_from(&ee_der).map_err(|e| chain::map_error(&e))?;
        let pool: Vec<&Certificate> =
            self.intermediates.iter().map(|c| &**c).chain(presented.iter()).collect();
        let ders: Vec<CertificateDer<'_>> = pool.iter().map(|c| CertificateDer::from(c.der())).collect();
        let crl_refs: Vec<&CertRevocationList<'static>> = self.crls.iter().collect();
        let revocation = match RevocationOptionsBuilder::new(&crl_refs) {
            Ok(builder) => Some(
                builder
                    .with_depth(webpki::RevocationCheckDepth::Chain)
                    .with_status_policy(if self.require_crl {
                        webpki::UnknownStatusPolicy::Deny
                    } else {
                        webpki::UnknownStatusPolicy::Allow
                    })
                    .with_expiration_policy(if self.enforce_crl_next_update {
                        webpki::ExpirationPolicy::Enforce
                    } else {
                        webpki::ExpirationPolicy::Ignore
                    })
                    .build(),
            ),
            Err(_) => None, // no CRLs configured: no revocation checking
        };
        let path = ee
            .verify_for_usage(
                webpki::ALL_VERIFICATION_ALGS,
                &self.anchors,
                &ders,
                at.to_pki_time(),
                chain::SigningEku,
                revocation,
                None,
            )
            .map_err(|e| chain::map_error(&e))?;
        let mut from = cert.not_before().unix_seconds();
        let mut until = cert.not_after().unix_seconds();
        for used in path.intermediate_certificates() {
            let der = used.der();
            // Every certificate webpki used came from `pool`; an unmatched one would only make the interval wider.
            let Some(c) = pool.iter().find(|c| c.der() == der.as_ref()) else {
                return Err(TrustReason::ChainInvalid("internal: path certificate not in pool"));
            };
            from = from.max(c.not_before().unix_seconds());
            until = until.min(c.not_after().unix_seconds());
        }
        if self.enforce_crl_next_update
            && let Some(next) = self.crl_min_next_update
        {
            until = until.min(next.saturating_sub(1)); // webpki: expired once time >= nextUpdate
        }
        Ok((from, until))
    }

    fn cache_get(&self, fingerprint: &[u8; 32], at: DateTime) -> Option<TrustedKey> {
        if self.cache_capacity == 0 {
            return None;
        }
        let t = at.unix_seconds();
        let found = self.cache.lock().ok().and_then(|cache| {
            cache.get(fingerprint).filter(|e| e.from <= t && t <= e.until).map(|e| e.trusted.clone())
        });
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    fn cache_put(&self, fingerprint: [u8; 32], entry: CacheEntry, at: DateTime) {
        if self.cache_capacity == 0 {
            return;
        }
        // A poisoned lock only means another thread panicked mid-insert; the map is still a valid cache.
        let mut cache = self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if cache.len() >= self.cache_capacity && !cache.contains_key(&fingerprint) {
            let t = at.unix_seconds();
            cache.retain(|_, e| e.from <= t && t <= e.until);
            if cache.len() >= self.cache_capacity {
                cache.clear();
            }
        }
        cache.insert(fingerprint, entry);
    }
}

impl std::fmt::Debug for TrustStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustStore")
            .field("policy", &self.policy)
            .field("pinned_keys", &self.pinned_keys.len())
            .field("pinned_certificates", &self.pinned_certs.len())
            .field("anchors", &self.anchors.len())
            .field("intermediates", &self.intermediates.len())
            .field("crls", &self.crls.len())
            .field("require_crl", &self.require_crl)
            .field("check_pinned_validity", &self.check_pinned_validity)
            .finish()
    }
}
