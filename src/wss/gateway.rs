//! The gateway API: one call, [`process`], from the HTTP request's parts to an [`Accepted`] message to forward or a
//! [`Rejected`] one with its SOAP fault.
//!
//! ```text
//! content type, SOAPAction ─► soap::check_http_binding ─► version
//! body ─► xml::Document::parse ─► soap::Envelope::read (version must match) ─► dsig::IdIndex (duplicates refused)
//!      ─► header::locate (actor/role, mustUnderstand) ─► wsu:Timestamp ─► BinarySecurityTokens ─► SAML assertions
//!      ─► every ds:Signature of the header (dsig::verify + STR KeySource) ─► coverage per RoutePolicy
//!      ─► UsernameToken (argon2id / digest, nonce) ─► SAML confirmation ─► Principal ─► policy::decide
//!      ─► forward bytes: the original input, with the Security header's byte range cut out when the route says so
//! ```
//!
//! Nothing is re-serialized: the forwarded message is the client's bytes, spliced.

use super::header::{self, SecurityHeader};
use super::reference::Tokens;
use super::saml;
use super::signatures::{self, Verified};
use super::timestamp::{self, Timestamp};
use super::username::{self, Authenticated, DigestUsers, PasswordType, Users};
use super::{WSU_NS, token};
use crate::clock::DateTime;
use crate::dsig::{DSIG_NS, IdIndex, IdPolicy, VerifyOptions};
use crate::policy::{self, Decision, RoutePolicy};
use crate::principal::{AuthLevel, Principal, TokenType};
use crate::reason::{Reason, WssReason, WsseFault};
use crate::saml::Saml;
use crate::soap::{self, Envelope, FaultResponse, SoapVersion};
use crate::store::{ReplayCache, ReplayError};
use crate::trust::{Certificate, TrustPath, TrustStore};
use crate::xml::{Document, Limits, decode_base64_binary};
use base64::Engine;
use serde::Serialize;

/// Default clock skew tolerated on `wsu:Timestamp` and UsernameToken `Created`, in seconds (WSS4J's default).
pub const DEFAULT_CLOCK_SKEW_SECONDS: u32 = 300;
/// Default UsernameToken freshness window, in seconds: how old `Created` may be (UsernameToken Profile 1.1 §3.1
/// leaves it to the receiver; WSS4J uses 300).
pub const DEFAULT_USERNAME_TOKEN_WINDOW_SECONDS: u32 = 300;
/// Default nonce cache size: nonces live a few minutes, so this covers several hundred authenticated requests per
/// second; beyond it sluis refuses rather than forgets.
pub const DEFAULT_NONCE_CACHE_CAPACITY: usize = 100_000;

/// How the request reached sluis, as the HTTP layer knows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Transport {
    /// The connection is TLS.
    pub tls: bool,
    /// The peer is a loopback address.
    pub loopback: bool,
}

/// Everything the gateway needs that outlives one request: trust, users, replay caches and clock tolerances.
/// `Send + Sync`; build once and share (e.g. in an `Arc`). Build it with [`SecurityContext::builder`] or from
/// configuration with [`SecurityContext::from_config`].
pub struct SecurityContext {
    pub(super) trust: TrustStore,
    pub(super) known_certificates: Vec<Certificate>,
    pub(super) users: Users,
    pub(super) digest_users: DigestUsers,
    pub(super) saml: Option<Saml>,
    pub(super) nonces: ReplayCache,
    pub(super) limits: Limits,
    pub(super) clock_skew_seconds: i64,
    pub(super) username_token_window_seconds: i64,
    pub(super) actor: Option<String>,
    pub(super) reject_replayed_messages: bool,
}

impl std::fmt::Debug for SecurityContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecurityContext")
            .field("trust", &self.trust)
            .field("known_certificates", &self.known_certificates.len())
            .field("users", &self.users.len())
            .field("digest_users", &self.digest_users.len())
            .field("saml", &self.saml.is_some())
            .field("actor", &self.actor)
            .finish()
    }
}

/// Builds a [`SecurityContext`].
pub struct SecurityContextBuilder {
    ctx: SecurityContext,
    nonce_capacity: usize,
}

impl SecurityContext {
    /// Starts a context whose signatures are trusted through `trust`.
    pub fn builder(trust: TrustStore) -> SecurityContextBuilder {
        SecurityContextBuilder {
            ctx: SecurityContext {
                trust,
                known_certificates: Vec::new(),
                users: Users::default(),
                digest_users: DigestUsers::default(),
                saml: None,
                nonces: ReplayCache::new(1),
                limits: Limits::soap(),
                clock_skew_seconds: i64::from(DEFAULT_CLOCK_SKEW_SECONDS),
                username_token_window_seconds: i64::from(DEFAULT_USERNAME_TOKEN_WINDOW_SECONDS),
                actor: None,
                reject_replayed_messages: true,
            },
            nonce_capacity: DEFAULT_NONCE_CACHE_CAPACITY,
        }
    }

    /// The trust store signatures are checked against.
    pub fn trust(&self) -> &TrustStore {
        &self.trust
    }
}

impl SecurityContextBuilder {
    /// Makes `cert` findable by `KeyIdentifier` (SubjectKeyIdentifier, ThumbprintSHA1) and `X509IssuerSerial`
    /// references when the message does not carry it. Listing it does not trust it: the trust store decides.
    pub fn known_certificate(&mut self, cert: Certificate) -> &mut Self {
        if !self.ctx.known_certificates.contains(&cert) {
            self.ctx.known_certificates.push(cert);
        }
        self
    }

    /// Adds a `PasswordText` user with an argon2id PHC hash (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`). `level` is at most
    /// 2: a password cannot authenticate above "credentials".
    pub fn user(
        &mut self,
        name: &str,
        argon2id_phc: &str,
        level: AuthLevel,
    ) -> Result<&mut Self, &'static str> {
        if level > AuthLevel::CREDENTIALS {
            return Err("a password authenticates at level 2 at most");
        }
        self.ctx.users.add(name, argon2id_phc, level)?;
        Ok(self)
    }

    /// Adds a `PasswordDigest` user with its clear secret (keep these in a separate secrets file). `level` ≤ 2.
    pub fn digest_user(
        &mut self,
        name: &str,
        secret: &str,
        level: AuthLevel,
    ) -> Result<&mut Self, &'static str> {
        if level > AuthLevel::CREDENTIALS {
            return Err("a password authenticates at level 2 at most");
        }
        self.ctx.digest_users.add(name, secret, level)?;
        Ok(self)
    }

    /// The actor (SOAP 1.1) / role (SOAP 1.2) URI sluis plays besides "next" and the ultimate receiver's delegate.
    pub fn actor(&mut self, uri: impl Into<String>) -> &mut Self {
        self.ctx.actor = Some(uri.into());
        self
    }

    /// Clock skew tolerated on Timestamps and UsernameToken `Created` (default [`DEFAULT_CLOCK_SKEW_SECONDS`]).
    pub fn clock_skew_seconds(&mut self, seconds: u32) -> &mut Self {
        self.ctx.clock_skew_seconds = i64::from(seconds);
        self
    }

    /// How old a UsernameToken `Created` may be (default [`DEFAULT_USERNAME_TOKEN_WINDOW_SECONDS`]).
    pub fn username_token_window_seconds(&mut self, seconds: u32) -> &mut Self {
        self.ctx.username_token_window_seconds = i64::from(seconds);
        self
    }

    /// Capacity of the UsernameToken nonce cache (default [`DEFAULT_NONCE_CACHE_CAPACITY`]).
    pub fn nonce_cache_capacity(&mut self, entries: usize) -> &mut Self {
        self.nonce_capacity = entries;
        self
    }

    /// Refuse a signed message seen before within its Timestamp's lifetime (default on; see [`process`]). Turn it off
    /// only for clients that legitimately resend byte-identical signed messages.
    pub fn reject_replayed_messages(&mut self, on: bool) -> &mut Self {
        self.ctx.reject_replayed_messages = on;
        self
    }

    /// Validates SAML assertion tokens with `saml` (its issuers, audiences and recipients, replay cache). Without it,
    /// a Security header carrying an assertion is refused ([`WssReason::SamlNotAvailable`]).
    pub fn saml(&mut self, saml: Saml) -> &mut Self {
        self.ctx.saml = Some(saml);
        self
    }

    /// Parser limits for messages (default [`Limits::soap`]).
    pub fn limits(&mut self, limits: Limits) -> &mut Self {
        self.ctx.limits = limits;
        self
    }

    /// The finished context.
    pub fn build(self) -> SecurityContext {
        let mut ctx = self.ctx;
        ctx.nonces = ReplayCache::new(self.nonce_capacity);
        ctx
    }
}

/// One verified `ds:Signature` of the header, for audit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignatureFact {
    /// Subject of the signing key (certificate subject, or `pinned key sha256:…`).
    pub key_subject: String,
    /// How the key is trusted: `pinned-key`, `pinned-certificate` or `ca-chain`.
    pub trusted_by: &'static str,
    /// The kind of token the key came from (`x509`, `saml11`, `saml20`).
    pub token_type: TokenType,
    /// How `KeyInfo` referred to it: `direct`, `ski`, `thumbprint-sha1`, `issuer-serial`, `saml-id`, `key-info`.
    pub reference: &'static str,
    /// The `wsu:Id` (BST) or assertion ID of the token, when the key came from one.
    pub token_id: Option<String>,
    /// The Reference URIs it covers.
    pub covered: Vec<String>,
}

/// The fine-grained facts of an accepted message, for the audit record (never sent to the client).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SecurityFacts {
    /// The parts the route required signed, all of which were: `body`, `timestamp`, `{ns}local`.
    pub signed_parts: Vec<String>,
    /// Every verified signature of the header.
    pub signatures: Vec<SignatureFact>,
    /// The `wsu:Id`/assertion IDs of the tokens in the header.
    pub token_ids: Vec<String>,
    /// The subject of the key whose signature covers the Body, if any.
    pub key_subject: Option<String>,
    /// The UsernameToken user, when one authenticated (also when another token is the principal).
    pub username: Option<String>,
    /// How the UsernameToken carried its password.
    pub password_type: Option<PasswordType>,
    /// The Timestamp's `Created`, RFC 3339.
    pub timestamp_created: Option<String>,
    /// The Timestamp's `Expires`, RFC 3339.
    pub timestamp_expires: Option<String>,
    /// The SAML assertion's ID, when a SAML token authenticated.
    pub saml_assertion_id: Option<String>,
    /// Its confirmation method: `bearer`, `sender-vouches`, `holder-of-key`.
    pub saml_confirmation: Option<&'static str>,
    /// The byte range of the input removed before forwarding (the Security header), if any.
    pub removed: Option<(usize, usize)>,
}

/// A message sluis accepted: who sent it, what the policy decided, and the bytes to forward.
#[derive(Clone, Debug)]
pub struct Accepted {
    principal: Principal,
    decision: Decision,
    version: SoapVersion,
    action: Option<String>,
    forward: Vec<u8>,
    facts: SecurityFacts,
}

impl Accepted {
    /// The authenticated caller.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The route policy's decision.
    pub fn decision(&self) -> &Decision {
        &self.decision
    }

    /// The SOAP version (answer faults from the upstream in the same version).
    pub fn version(&self) -> SoapVersion {
        self.version
    }

    /// The SOAP action from the HTTP headers (`SOAPAction`, or the 1.2 `action` parameter), if any.
    pub fn action(&self) -> Option<&str> {
        self.action.as_deref()
    }

    /// The bytes to forward: the request body as received, minus the Security header when the route strips it.
    pub fn forward_body(&self) -> &[u8] {
        &self.forward
    }

    /// The bytes to forward, by value.
    pub fn into_forward_body(self) -> Vec<u8> {
        self.forward
    }

    /// Facts for the audit record.
    pub fn facts(&self) -> &SecurityFacts {
        &self.facts
    }
}

/// A refused message: the reason (for audit) and the SOAP version to answer in (`None` when the request was not
/// recognisably SOAP 1.1 or 1.2; [`Rejected::fault`] then answers in SOAP 1.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// Why.
    pub reason: Reason,
    /// The version of the request, as far as it was known.
    pub version: Option<SoapVersion>,
    not_understood: Option<(String, String)>,
}

impl Rejected {
    /// A refusal (for callers that refuse before [`process`], e.g. on an oversized body).
    pub fn new(reason: Reason, version: Option<SoapVersion>) -> Self {
        Rejected { reason, version, not_understood: None }
    }

    /// The WS-Security fault code the client is told (None for internal errors: a server fault).
    pub fn wsse_fault(&self) -> Option<WsseFault> {
        self.reason.wsse_fault()
    }

    /// The SOAP fault to send: HTTP status, content type and envelope (see [`crate::soap::render_fault`]).
    pub fn fault(&self) -> FaultResponse {
        let nu = self.not_understood.as_ref().map(|(ns, l)| (ns.as_str(), l.as_str()));
        soap::fault::render_fault_for(self.version.unwrap_or(SoapVersion::Soap11), &self.reason, nu)
    }
}

/// Processes one SOAP request: checks the HTTP binding, the envelope, sluis's `wsse:Security` header and the route
/// `policy` at the verification time `at`, and returns the message to forward or the refusal.
///
/// **Replay.** Besides UsernameToken nonces and one-time SAML assertions, an accepted message whose Body and
/// Timestamp are covered by one signature is remembered (by the digests its signature covers) until the Timestamp
/// expires, and an identical message within that time is refused ([`WssReason::MessageReplayed`]); see
/// [`SecurityContextBuilder::reject_replayed_messages`]. The digests are the key, not the `SignatureValue`: an ECDSA
/// signature can be re-randomised by anyone, the signed digests cannot.
///
/// # Example
///
/// ```
/// use argon2::password_hash::{PasswordHasher, SaltString};
/// use sluis::clock::DateTime;
/// use sluis::policy::RoutePolicy;
/// use sluis::principal::{AuthLevel, TokenType};
/// use sluis::trust::{KeyPolicy, TrustStore};
/// use sluis::wss::{SecurityContext, Transport, process};
///
/// // Configuration, once: trust (none needed here) and a PasswordText user with an argon2id hash.
/// let params = argon2::Params::new(1024, 1, 1, None).map_err(|e| e.to_string())?;
/// let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
/// let salt = SaltString::from_b64("c2x1aXNkb2NzYWx0").map_err(|e| e.to_string())?;
/// let phc = argon.hash_password(b"correct horse", &salt).map_err(|e| e.to_string())?.to_string();
/// let mut ctx = SecurityContext::builder(TrustStore::builder(KeyPolicy::default()).build());
/// ctx.user("alice", &phc, AuthLevel::CREDENTIALS)?;
/// let ctx = ctx.build();
/// // A route that takes a clear-text password (over TLS) without message signatures.
/// let policy: RoutePolicy =
///     toml::from_str("allow_password_text = true\nsigned_parts = []\nrequire_timestamp = false")?;
///
/// // Per request.
/// let body = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header>
///   <wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
///     <wsse:UsernameToken><wsse:Username>alice</wsse:Username><wsse:Password>correct horse</wsse:Password></wsse:UsernameToken>
///   </wsse:Security></s:Header><s:Body><GetPatient xmlns="urn:example"/></s:Body></s:Envelope>"#;
/// let at = DateTime::parse("2026-11-25T12:00:00Z")?;
/// let tls = Transport { tls: true, loopback: false };
/// let accepted = process(&ctx, &policy, Some("text/xml"), Some("\"urn:GetPatient\""), body.as_bytes(), tls, at)
///     .map_err(|r| r.reason)?;
/// assert_eq!(accepted.principal().subject(), "alice");
/// assert_eq!(accepted.principal().token_type(), TokenType::UsernameToken);
/// assert!(!String::from_utf8_lossy(accepted.forward_body()).contains("Security")); // stripped
///
/// // The same request over plain HTTP from elsewhere is refused, with a SOAP 1.1 fault.
/// let rejected = process(&ctx, &policy, Some("text/xml"), Some(""), body.as_bytes(), Transport::default(), at)
///     .unwrap_err();
/// assert_eq!(rejected.reason.code(), "password_text_not_allowed");
/// let fault = rejected.fault();
/// assert_eq!((fault.status, fault.content_type), (500, "text/xml; charset=utf-8"));
/// assert!(fault.body.contains("<faultcode>wsse:UnsupportedSecurityToken</faultcode>"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// `content_type` and `soap_action` are the HTTP header values as received (`None` when absent); `body` is the whole
/// request body (its size should already be bounded by the HTTP layer; the parser also enforces the context's
/// limits); `transport` says whether the connection is TLS or from loopback (for `PasswordText`).
pub fn process(
    ctx: &SecurityContext,
    policy: &RoutePolicy,
    content_type: Option<&str>,
    soap_action: Option<&str>,
    body: &[u8],
    transport: Transport,
    at: DateTime,
) -> Result<Accepted, Rejected> {
    let hint = soap::binding::media_type_version(content_type).ok();
    let binding =
        soap::check_http_binding(content_type, soap_action).map_err(|r| Rejected::new(r.into(), hint))?;
    let doc = Document::parse(body, &ctx.limits).map_err(|e| Rejected::new(e.into(), hint))?;
    let env = Envelope::read(&doc).map_err(|r| Rejected::new(r.into(), hint))?;
    let version = Some(env.version());
    if env.version() != binding.version {
        return Err(Rejected::new(crate::reason::SoapReason::ContentTypeMismatch.into(), version));
    }
    // Duplicate IDs make the whole document ambiguous: refuse before reading anything by ID.
    let ids = IdIndex::build(&doc, &IdPolicy::wss_saml()).map_err(|r| Rejected::new(r.into(), version))?;
    let header = header::locate(&doc, &env, ctx.actor.as_deref()).map_err(|e| Rejected {
        reason: e.reason,
        version,
        not_understood: e.not_understood,
    })?;
    let (principal, decision, mut facts) =
        authenticate(ctx, policy, &doc, &ids, &env, &header, transport, at)
            .map_err(|r| Rejected::new(r, version))?;

    let offset = body.len().saturating_sub(doc.input().len()); // a byte-order mark, which the tree does not hold
    let forward = match header.node.filter(|_| decision.strip_security_header()) {
        Some(node) => {
            let r = doc.node(node).range();
            let (start, end) = (r.start + offset, r.end + offset);
            facts.removed = Some((start, end));
            let (head, tail) = (body.get(..start), body.get(end..));
            let (Some(head), Some(tail)) = (head, tail) else {
                return Err(Rejected::new(Reason::Internal("splice range"), version));
            };
            [head, tail].concat()
        }
        None => body.to_vec(),
    };
    Ok(Accepted { principal, decision, version: env.version(), action: binding.action, forward, facts })
}

/// Everything after the envelope: tokens, signatures, coverage, principal, policy.
#[allow(clippy::too_many_arguments)] // one private step of `process`, called once
fn authenticate(
    ctx: &SecurityContext,
    policy: &RoutePolicy,
    doc: &Document<'_>,
    ids: &IdIndex,
    env: &Envelope,
    header: &SecurityHeader,
    transport: Transport,
    at: DateTime,
) -> Result<(Principal, Decision, SecurityFacts), Reason> {
    let security = header.node.ok_or(Reason::Internal("located header without node"))?;
    let mut facts = SecurityFacts::default();

    let bsts =
        header.binary_tokens.iter().map(|n| token::read(doc.node(*n))).collect::<Result<Vec<_>, _>>()?;
    facts.token_ids.extend(bsts.iter().filter_map(|t| t.id.clone()));
    let pending = saml::prevalidate(doc, ids, &header.assertions, ctx.saml.as_ref(), at)?;
    let holder_of_key = saml::holder_of_key_keys(&pending, ctx.trust.policy());
    let tokens =
        Tokens { security, bsts, assertions: header.assertions.clone(), known: &ctx.known_certificates };
    let options = VerifyOptions { policy: *ctx.trust.policy(), at };
    let sigs = signatures::verify_all(doc, ids, header, &ctx.trust, &tokens, &holder_of_key, &options)?;
    facts.signed_parts = signatures::check_coverage(doc, env, header, &sigs, policy)?;
    for s in &sigs {
        facts.signatures.push(signature_fact(doc, s));
    }
    // The Timestamp's values are read once its coverage is established (or the route does not require it signed).
    let ttl = i64::try_from(policy.max_timestamp_ttl_seconds).unwrap_or(i64::MAX);
    let timestamp: Option<Timestamp> = match header.timestamp {
        Some(ts) => Some(timestamp::check(doc.node(ts), at, ctx.clock_skew_seconds, ttl)?),
        None if policy.require_timestamp => return Err(WssReason::TimestampMissing.into()),
        None => None,
    };
    if let Some(ts) = &timestamp {
        facts.timestamp_created = Some(ts.created.to_rfc3339());
        facts.timestamp_expires = ts.expires.map(|e| e.to_rfc3339());
    }

    let body_signature = sigs.iter().find(|s| s.view.is_signed(env.body()));
    facts.key_subject = body_signature.map(|s| s.view.key().subject().into_owned());

    let user: Option<Authenticated> = match header.username_token {
        Some(ut) => {
            let params = username::Params {
                users: &ctx.users,
                digest_users: &ctx.digest_users,
                nonces: &ctx.nonces,
                skew_seconds: ctx.clock_skew_seconds,
                window_seconds: ctx.username_token_window_seconds,
                password_text_allowed: policy.allow_password_text && (transport.tls || transport.loopback),
            };
            if let Some(id) = doc.node(ut).attribute(Some(WSU_NS), "Id") {
                facts.token_ids.push(id.to_owned());
            }
            Some(username::authenticate(doc.node(ut), &params, at)?)
        }
        None => None,
    };
    if let Some(u) = &user {
        facts.username = Some(u.username.clone());
        facts.password_type = Some(u.password_type);
    }

    let mut confirmed = None;
    for p in pending {
        let c = saml::confirm(doc, ids, env, p, &sigs, ctx.saml.as_ref(), at)?;
        facts.token_ids.push(c.id.clone());
        confirmed = Some(c);
    }
    let principal = if let Some(c) = confirmed {
        facts.saml_assertion_id = Some(c.id);
        facts.saml_confirmation = Some(c.method.as_str());
        c.principal
    } else if let Some(s) = body_signature.filter(|s| s.signer.token_type == TokenType::X509) {
        let key = s.view.key();
        let issuer = key
            .certificate()
            .filter(|_| key.trust_path() != TrustPath::PinnedKey)
            .map(|c| c.issuer().to_owned());
        Principal::assertion(
            key.subject().into_owned(),
            issuer,
            TokenType::X509,
            AuthLevel::PUBLIC_KEY,
            Vec::new(),
        )
    } else if let Some(u) = user {
        Principal::assertion(u.username, None, TokenType::UsernameToken, u.level, Vec::new())
    } else {
        return Err(WssReason::AuthenticationTokenMissing.into());
    };
    let decision = policy::decide(&principal, policy)?;
    if let Some(ts) = timestamp.as_ref().filter(|_| ctx.reject_replayed_messages) {
        record_message(ctx, doc, env, ts, &sigs, ttl, at)?;
    }
    Ok((principal, decision, facts))
}

/// Remembers an accepted message whose Body and Timestamp one signature covers, until the Timestamp expires (plus
/// skew), keyed by the Reference URIs and digests of that signature; a second arrival is a replay.
#[allow(clippy::too_many_arguments)] // a private step of `process`
fn record_message(
    ctx: &SecurityContext,
    doc: &Document<'_>,
    env: &Envelope,
    ts: &Timestamp,
    sigs: &[Verified<'_, '_>],
    ttl: i64,
    at: DateTime,
) -> Result<(), Reason> {
    let Some(sig) = sigs.iter().find(|s| s.view.is_signed(env.body()) && s.view.is_signed(ts.node)) else {
        return Ok(());
    };
    let signed_info = doc.node(sig.view.signature()).element_children().next();
    let mut key = String::new();
    for r in signed_info.iter().flat_map(|si| si.element_children()).filter(|r| r.is(DSIG_NS, "Reference")) {
        let digest = r.element_children().find(|c| c.is(DSIG_NS, "DigestValue")).map(|d| d.text_content());
        let digest = digest.as_deref().and_then(decode_base64_binary).unwrap_or_default();
        key.push_str(r.attribute(None, "URI").unwrap_or_default());
        key.push(' ');
        key.push_str(&base64::engine::general_purpose::STANDARD.encode(&digest));
        key.push('\n');
    }
    let until = ts.expires.unwrap_or(ts.created.plus_seconds(ttl)).plus_seconds(ctx.clock_skew_seconds);
    match ctx.nonces.check_and_insert("wss-signed-message", &key, until, at) {
        Ok(()) => Ok(()),
        Err(ReplayError::Replayed) => Err(WssReason::MessageReplayed.into()),
        Err(ReplayError::Full) => Err(WssReason::ReplayCacheFull.into()),
    }
}

fn signature_fact(doc: &Document<'_>, s: &Verified<'_, '_>) -> SignatureFact {
    let key = s.view.key();
    let token_id = s.signer.token.and_then(|t| {
        let n = doc.node(t);
        n.attribute(Some(WSU_NS), "Id")
            .or_else(|| n.attribute(None, "ID"))
            .or_else(|| n.attribute(None, "AssertionID"))
            .map(str::to_owned)
    });
    SignatureFact {
        key_subject: key.subject().into_owned(),
        trusted_by: match key.trust_path() {
            TrustPath::PinnedKey => "pinned-key",
            TrustPath::PinnedCertificate => "pinned-certificate",
            TrustPath::CaChain => "ca-chain",
        },
        token_type: s.signer.token_type,
        reference: s.signer.reference,
        token_id,
        covered: s.view.references().iter().map(|r| r.uri.clone()).collect(),
    }
}
