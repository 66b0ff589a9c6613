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
use super::context::SecurityContext;
use super::header::{self, SecurityHeader};
use super::outcome::{Accepted, Rejected, SecurityFacts, SignatureFact};
use super::reference::{AssertionKeys, Tokens};
use super::saml;
use super::signatures::{self, Verified};
use super::timestamp::{self, Timestamp};
use super::username::{self, Authenticated};
use super::{Transport, WSU_NS, token};
use crate::clock::DateTime;
use crate::dsig::{DSIG_NS, IdIndex, IdPolicy, VerifyOptions};
use crate::policy::{self, Decision, RoutePolicy};
use crate::principal::{AuthLevel, Principal, TokenType};
use crate::reason::{Reason, WssReason};
use crate::soap::{self, Envelope};
use crate::store::ReplayError;
use crate::trust::TrustPath;
use crate::xml::{Document, NodeId, decode_base64_binary};
use base64::Engine;

/// Processes one SOAP request: checks the HTTP binding, the envelope, sluis's `wsse:Security` header and the route
/// `policy` at the verification time `at`, and returns the message to forward or the refusal.
///
/// **Replay.** Besides UsernameToken nonces and one-time SAML assertions, an accepted message whose Body and
/// Timestamp are covered by one signature is remembered (by the digests its signature covers) until the Timestamp
/// expires, and an identical message within that time is refused ([`WssReason::MessageReplayed`]); see
/// [`super::SecurityContextBuilder::reject_replayed_messages`]. The digests are the key, not the `SignatureValue`: an ECDSA
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
    // A reference to an assertion that did not validate resolves to why it did not, not to "no key".
    let refused: Vec<(NodeId, Reason)> =
        pending.iter().filter_map(|p| p.own.as_ref().err().map(|e| (p.node, *e))).collect();
    let assertions = AssertionKeys { holder_of_key: &holder_of_key, refused: &refused };
    let sigs = signatures::verify_all(doc, ids, header, &ctx.trust, &tokens, assertions, &options)?;
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
    } else if let Some(s) =
        sigs.iter().find(|s| s.signer.token_type == TokenType::X509 && s.view.is_signed(env.body()))
    {
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
        Err(ReplayError::Unavailable) => Err(WssReason::ReplayStoreUnavailable.into()),
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
