//! `sluis verify`: check files offline, at a chosen time, with explicit trust.
//!
//! A file whose document element is a SOAP 1.1/1.2 `Envelope` goes through the whole gateway,
//! [`crate::wss::process`] — the `wsse:Security` header, its tokens and signatures, SAML tokens, the route policy — and
//! the report carries the principal and the fault code a client would get. Any other file has each of its
//! `ds:Signature`s verified with plain XML-DSig rules.
//!
//! Trust comes either from `--config FILE` (the `sluis serve` configuration: its `[wss]` section and, with `--route`,
//! a route's `[routes.policy]`) or from `--trust`/`--ca`/`--intermediate`/`--crl` (then envelopes get the default
//! route policy). Offline there is no HTTP request: the content type is the one the envelope's version requires, the
//! `SOAPAction` is empty, and the transport counts as local (a route that allows `PasswordText` gets it). One run shares
//! one replay cache, so a UsernameToken nonce (or a signed message) repeated across files is a replay. SAML assertion
//! tokens are validated with the `[saml]` section of the configuration, or the issuers, audiences and recipients of
//! `--saml-issuer`/`--saml-audience`/`--saml-recipient`; without either they are `saml_not_available`. With SAML
//! configured, a file whose document element is a SAML `Response` or `Assertion` is validated with every SAML rule
//! (issuer trust, signature placement, conditions, audience, subject confirmation) and the report says what the
//! assertion claims.

use super::output::{
    FileReport, Format, SamlReport, SignatureReport, SoapReport, detail, element_path, render_text,
};
use super::{EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use crate::clock::{Clock, DateTime, SystemClock};
use crate::dsig::{self, DSIG_NS, IdIndex, IdPolicy, VerifyOptions};
use crate::policy::RoutePolicy;
use crate::reason::{DsigReason, Reason};
use crate::saml::{DecryptionKey, IssuerRegistry, IssuerTrust, Saml, SamlPolicy};
use crate::soap::SoapVersion;
use crate::store::ReplayCache;
use crate::trust::{KeyPolicy, TrustStore, pem};
use crate::wss::{self, SecurityContext, Transport};
use crate::xml::{Document, Limits};
use std::path::PathBuf;
use std::sync::Arc;

/// Arguments of `sluis verify`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The gateway configuration (as for `sluis serve`): trust, users and secrets from its [wss] section.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["trust", "ca", "intermediate", "crl", "allow_sha1"])]
    config: Option<PathBuf>,
    /// With --config: the route (its `path`) whose policy applies to SOAP envelopes. Default: the only route, or
    /// the default route policy when there are several.
    #[arg(long, value_name = "PATH", requires = "config")]
    route: Option<String>,
    /// SAML issuer for assertion tokens in envelopes: its entity ID and a file with its signing certificates or keys.
    /// Repeatable.
    #[arg(long = "saml-issuer", value_name = "ENTITY_ID=FILE")]
    saml_issuer: Vec<String>,
    /// An audience URI SAML assertions must be restricted to (ours). Repeatable.
    #[arg(long = "saml-audience", value_name = "URI")]
    saml_audience: Vec<String>,
    /// A URL assertions are presented at (bearer `Recipient`). Repeatable.
    #[arg(long = "saml-recipient", value_name = "URL")]
    saml_recipient: Vec<String>,
    /// Our RSA private key (PEM) for `EncryptedAssertion`s (RSA-OAEP key transport, AES-GCM).
    #[arg(long = "saml-decryption-key", value_name = "FILE", requires = "saml_issuer")]
    saml_decryption_key: Option<PathBuf>,
    /// Trust this certificate or public key (PEM or DER). Repeatable.
    #[arg(long = "trust", value_name = "FILE")]
    trust: Vec<PathBuf>,
    /// Trust certificates that chain to the CA certificates in this file. Repeatable.
    #[arg(long = "ca", value_name = "FILE")]
    ca: Vec<PathBuf>,
    /// Extra intermediate CA certificates for path building. Repeatable.
    #[arg(long = "intermediate", value_name = "FILE")]
    intermediate: Vec<PathBuf>,
    /// Check revocation against these CRLs (PEM or DER). Repeatable.
    #[arg(long = "crl", value_name = "FILE")]
    crl: Vec<PathBuf>,
    /// Verify as of this time (RFC 3339, e.g. 2026-11-25T12:00:00Z) instead of now.
    #[arg(long = "at", value_name = "RFC3339")]
    at: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Accept SHA-1 digests and signature methods (legacy peers only).
    #[arg(long)]
    allow_sha1: bool,
    /// Smallest RSA key accepted, in bits.
    #[arg(long, value_name = "BITS", default_value_t = 2048)]
    min_rsa_bits: u32,
    /// Largest input accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::soap().max_bytes)]
    max_bytes: usize,
    /// The files to verify.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// Runs `sluis verify`.
pub(crate) fn run(args: &Args) -> u8 {
    let at = match &args.at {
        Some(s) => match DateTime::parse(s) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("sluis verify: --at {s}: {e}");
                return EXIT_USAGE;
            }
        },
        None => SystemClock.now(),
    };
    let (ctx, route_policy, route) =
        match gateway(args).and_then(|(ctx, p, r)| Ok((with_saml(args, ctx)?, p, r))) {
            Ok(g) => g,
            Err(e) => {
                eprintln!("sluis verify: {e}");
                return EXIT_USAGE;
            }
        };
    let limits = Limits { max_bytes: args.max_bytes, ..Limits::soap() };
    let options = VerifyOptions { policy: *ctx.trust().policy(), at };
    let mut reports = Vec::new();
    for file in &args.files {
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("sluis verify: {}: {e}", file.display());
                return EXIT_USAGE;
            }
        };
        let name = file.display().to_string();
        let report = match (envelope_version(&bytes, &limits), ctx.saml()) {
            (Some(v), _) => process_envelope(&name, &bytes, v, &ctx, &route_policy, route.as_deref(), at),
            (None, Some(saml)) if is_saml_document(&bytes, &limits) => validate_saml(&name, &bytes, saml, at),
            (None, _) => verify_bytes(&name, &bytes, ctx.trust(), &limits, &options),
        };
        reports.push(report);
    }
    match args.format {
        Format::Text => print!("{}", render_text(&reports)),
        Format::Json => {
            let all_valid = reports.iter().all(|r| r.verdict == "valid");
            let doc = serde_json::json!({ "at": at.to_rfc3339(), "valid": all_valid, "files": reports });
            match serde_json::to_string_pretty(&doc) {
                Ok(s) => println!("{s}"),
                Err(e) => {
                    eprintln!("sluis verify: {e}");
                    return EXIT_USAGE;
                }
            }
        }
    }
    if reports.iter().all(|r| r.verdict == "valid") { EXIT_OK } else { EXIT_INVALID }
}

/// The security context and route policy: from `--config` (and `--route`), or from the trust arguments with the
/// default route policy.
fn gateway(args: &Args) -> Result<(SecurityContext, RoutePolicy, Option<String>), String> {
    let Some(path) = &args.config else {
        let policy = KeyPolicy { min_rsa_bits: args.min_rsa_bits, allow_sha1: args.allow_sha1 };
        let mut b = SecurityContext::builder(trust_store(args, policy)?);
        b.limits(Limits { max_bytes: args.max_bytes, ..Limits::soap() });
        return Ok((b.build(), RoutePolicy::default(), None));
    };
    let config = crate::config::Config::load(path).map_err(|e| e.to_string())?;
    let ctx = config.security_context().map_err(|e| e.to_string())?;
    let route = match &args.route {
        Some(p) => Some(
            config
                .routes
                .iter()
                .find(|r| r.path == *p)
                .ok_or_else(|| format!("--route {p}: no such route"))?,
        ),
        None if config.routes.len() == 1 => config.routes.first(),
        None => None,
    };
    Ok((ctx, route.map(|r| r.policy.clone()).unwrap_or_default(), route.map(|r| r.path.clone())))
}

/// Adds SAML validation when `--saml-issuer` is given (replacing a `[saml]` section of the configuration).
fn with_saml(args: &Args, ctx: SecurityContext) -> Result<SecurityContext, String> {
    if args.saml_issuer.is_empty() {
        return Ok(ctx);
    }
    let mut registry = IssuerRegistry::new();
    for spec in &args.saml_issuer {
        let (entity, file) =
            spec.rsplit_once('=').ok_or_else(|| format!("--saml-issuer {spec}: expected ENTITY_ID=FILE"))?;
        let mut issuer = IssuerTrust::builder(entity, *ctx.trust().policy());
        let path = PathBuf::from(file);
        for item in pem::load_trust_items(&path).map_err(|e| format!("{file}: {e}"))? {
            match item {
                pem::TrustItem::Key(k) => issuer.pin_key(k).map(|_| ()),
                pem::TrustItem::Certificate(c) => issuer.pin_certificate(c).map(|_| ()),
            }
            .map_err(|e| format!("{file}: {e}"))?;
        }
        registry.add(issuer.build()).map_err(|e| format!("--saml-issuer {entity}: {e}"))?;
    }
    let policy = SamlPolicy::new(args.saml_audience.clone(), args.saml_recipient.clone());
    let mut saml = Saml::new(Arc::new(registry), policy, Arc::new(ReplayCache::new(SAML_REPLAY_CAPACITY)));
    if let Some(path) = &args.saml_decryption_key {
        let pem = pem::read_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let key = DecryptionKey::from_pem(&pem).map_err(|e| format!("{}: {e}", path.display()))?;
        saml = saml.with_decryption_key(key);
    }
    Ok(ctx.with_saml(saml))
}

/// One-time bearer assertions remembered in one run (a run sees a handful of files).
const SAML_REPLAY_CAPACITY: usize = 4096;

/// The SOAP version when the document element is a SOAP 1.1/1.2 `Envelope` (a document that does not parse is
/// reported by the plain path).
fn envelope_version(bytes: &[u8], limits: &Limits) -> Option<SoapVersion> {
    let doc = Document::parse(bytes, limits).ok()?;
    let root = doc.root_element();
    (root.local_name() == "Envelope")
        .then(|| root.namespace().and_then(SoapVersion::from_namespace))
        .flatten()
}

/// Is the document element a SAML 2.0/1.1 `Response` or `Assertion`?
fn is_saml_document(bytes: &[u8], limits: &Limits) -> bool {
    use crate::dsig::{SAML1_NS, SAML1P_NS, SAML2_NS, SAML2P_NS};
    Document::parse(bytes, limits).is_ok_and(|doc| {
        let r = doc.root_element();
        r.is(SAML2P_NS, "Response")
            || r.is(SAML1P_NS, "Response")
            || r.is(SAML2_NS, "Assertion")
            || r.is(SAML1_NS, "Assertion")
    })
}

/// Validates a SAML Response or Assertion with every SAML rule (issuer trust, signature placement, conditions,
/// audience, confirmation), as a relying party with the configured audiences and recipients would.
fn validate_saml(name: &str, bytes: &[u8], saml: &Saml, at: DateTime) -> FileReport {
    let (verdict, reason, report) = match saml.validate_document(bytes, &crate::saml::Context::at(at)) {
        Ok(a) => ("valid", None, Some(SamlReport::new(&a))),
        Err(r) => ("invalid", Some(r), None),
    };
    FileReport {
        file: name.to_owned(),
        verdict,
        reason: reason.map(|r| r.code()),
        detail: reason.as_ref().and_then(detail),
        signatures: Vec::new(),
        soap: None,
        saml: report,
    }
}

/// Runs a SOAP envelope through the gateway, as the server would for a request to the route.
fn process_envelope(
    name: &str,
    bytes: &[u8],
    version: SoapVersion,
    ctx: &SecurityContext,
    policy: &RoutePolicy,
    route: Option<&str>,
    at: DateTime,
) -> FileReport {
    let transport = Transport { tls: true, loopback: true };
    let result = wss::process(ctx, policy, Some(version.media_type()), Some(""), bytes, transport, at);
    let (verdict, reason, soap) = match result {
        Ok(accepted) => ("valid", None, SoapReport::accepted(version, route, &accepted)),
        Err(rejected) => ("invalid", Some(rejected.reason), SoapReport::rejected(version, route, &rejected)),
    };
    FileReport {
        file: name.to_owned(),
        verdict,
        reason: reason.map(|r| r.code()),
        detail: reason.as_ref().and_then(detail),
        signatures: Vec::new(),
        soap: Some(soap),
        saml: None,
    }
}

fn trust_store(args: &Args, policy: KeyPolicy) -> Result<TrustStore, String> {
    let mut b = TrustStore::builder(policy);
    let ctx = |p: &PathBuf, e: &dyn std::fmt::Display| format!("{}: {e}", p.display());
    for p in &args.trust {
        for item in pem::load_trust_items(p).map_err(|e| ctx(p, &e))? {
            match item {
                pem::TrustItem::Key(k) => b.pin_key(k).map(|_| ()),
                pem::TrustItem::Certificate(c) => b.pin_certificate(c).map(|_| ()),
            }
            .map_err(|e| ctx(p, &e))?;
        }
    }
    for p in &args.ca {
        for c in pem::load_certificates(p).map_err(|e| ctx(p, &e))? {
            b.add_ca(&c).map_err(|e| ctx(p, &e))?;
        }
    }
    for p in &args.intermediate {
        for c in pem::load_certificates(p).map_err(|e| ctx(p, &e))? {
            b.add_intermediate(c);
        }
    }
    for p in &args.crl {
        for der in pem::load_crls(p).map_err(|e| ctx(p, &e))? {
            b.add_crl_der(&der).map_err(|e| ctx(p, &e))?;
        }
    }
    Ok(b.build())
}

/// Verifies every `ds:Signature` of one document. The file is valid when it has at least one signature and all of
/// them verify.
fn verify_bytes(
    name: &str,
    bytes: &[u8],
    store: &TrustStore,
    limits: &Limits,
    options: &VerifyOptions,
) -> FileReport {
    let refused = |reason: Reason| FileReport {
        file: name.to_owned(),
        verdict: "invalid",
        reason: Some(reason.code()),
        detail: detail(&reason),
        signatures: Vec::new(),
        soap: None,
        saml: None,
    };
    let doc = match Document::parse(bytes, limits) {
        Ok(d) => d,
        Err(e) => return refused(e.into()),
    };
    let ids = match IdIndex::build(&doc, &IdPolicy::generic()) {
        Ok(i) => i,
        Err(r) => return refused(r.into()),
    };
    let signatures: Vec<_> = doc.descendants().filter(|n| n.is(DSIG_NS, "Signature")).collect();
    if signatures.is_empty() {
        return refused(DsigReason::SignatureMissing.into());
    }
    let mut reports = Vec::new();
    let mut first_refusal = None;
    for sig in signatures {
        let path = element_path(sig);
        match dsig::verify(&doc, &ids, sig.id(), store, options) {
            Ok(view) => reports.push(SignatureReport::valid(path, &view)),
            Err(reason) => {
                first_refusal.get_or_insert(reason);
                reports.push(SignatureReport::refused(path, &reason));
            }
        }
    }
    FileReport {
        file: name.to_owned(),
        verdict: if first_refusal.is_none() { "valid" } else { "invalid" },
        reason: first_refusal.map(|r| r.code()),
        detail: first_refusal.as_ref().and_then(detail),
        signatures: reports,
        soap: None,
        saml: None,
    }
}
