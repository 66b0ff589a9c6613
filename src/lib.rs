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
//! | [`saml`] | SAML 1.1/2.0 assertion validation, read through the verified view |
//! | [`principal`] | who is calling, built only from verified material |
//! | [`soap`] | SOAP 1.1/1.2 envelopes and faults |
//! | [`wss`] | the `wsse:Security` header: tokens, timestamps, signature coverage |
//! | [`policy`] | per-route security policy and decisions |
//! | [`oauth`] | the OAuth 2.0 authorization server: grants, client auth, JWT access tokens |
//! | [`audit`] | NEN 7513 audit records |
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

pub mod saml;

pub mod principal;

pub mod soap;

pub mod wss;

pub mod policy;

pub mod oauth;

pub mod audit;

pub mod config;

pub mod server;

pub mod cli;

#[doc(hidden)]
pub mod fuzzing;
