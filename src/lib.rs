//! # sluis
//!
//! A security gateway for SOAP/WS-Security and SAML in front of OAuth 2.0 / JWT APIs. Like a canal lock it lets
//! traffic pass from one level to another, and only what is proven valid gets through.
//!
//! The library is laid out along the data flow of one request; a module may use the ones above it, never one below:
//!
//! | module | does |
//! |---|---|
//! | [`reason`] | every refusal, with a stable code |
//! | [`clock`] | time, passed in |
//! | [`xml`] | the one hardened parse into an arena tree |
//! | [`c14n`] | Canonical XML 1.0 and Exclusive XML Canonicalization 1.0 |
//! | [`trust`] | keys, pinned certificates, CA path validation (knows no XML) |
//! | [`dsig`] | XML Signature core validation, producing a [`dsig::VerifiedView`] |
//! | [`store`] | bounded state across requests: replay caches |
//! | [`principal`] | who is calling: plain data, built only by the verifying modules below |
//! | [`policy`] | per-route security rules and the decision on a principal (knows no XML) |
//! | [`saml`] | SAML 1.1/2.0 assertion validation, read through the verified view |
//! | [`soap`] | SOAP 1.1/1.2 envelopes and faults |
//! | [`wss`] | the `wsse:Security` header: tokens, timestamps, signature coverage, the gateway decision |
//! | [`oauth`] | the OAuth 2.0 authorization server: grants, client auth, JWT access tokens |
//! | [`audit`] | NEN 7513 audit records |
//! | [`metrics`] | Prometheus counters: the audit trail counted, HTTP requests and latency |
//! | [`config`] | the TOML configuration, turned into the objects above |
//! | [`server`] | actix-web wiring: the SOAP gateway and the OAuth endpoints |
//! | [`cli`] | the `sluis` command line (thin wiring) |
//!
//! Start with `docs/design.md` for why it is built this way.

#![forbid(unsafe_code)]

pub mod reason;

pub mod clock;

pub mod xml;

pub mod c14n;

pub mod trust;

pub mod dsig;

pub mod store;

pub mod principal;

pub mod policy;

pub mod saml;

pub mod soap;

pub mod wss;

pub mod oauth;

pub mod audit;

pub mod metrics;

pub mod config;

pub mod server;

pub mod cli;

#[doc(hidden)]
pub mod fuzzing;
