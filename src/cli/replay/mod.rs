//! `sluis replay DIR --server URL`: send a folder of fixture SOAP envelopes to a running gateway (or any SOAP
//! endpoint) and compare each answer with the outcome the folder's manifest expects.
//!
//! The manifest (`DIR/replay.toml` unless `--manifest` names another) is TOML with unknown keys refused:
//!
//! ```toml
//! [defaults]                               # optional: route, soap_action, soap_version, sign for every case
//! route = "/demo"
//! soap_action = "urn:example:GetPatient"
//!
//! [signer]                                 # optional: who signs `sign = true` cases (paths relative to the manifest)
//! key = "../pki/leaf-rsa2048.key.pem"
//! cert = "../pki/leaf-rsa2048.cert.pem"
//! ttl = 300                                # optional: Timestamp lifetime, seconds
//! reference = "direct"                     # optional: direct | ski | thumbprint | issuer-serial
//!
//! [[case]]
//! file = "unsigned.xml"                    # relative to DIR, and must stay inside it
//! name = "no Security header"              # optional, defaults to file
//! expect = "wsse:InvalidSecurity"          # accepted | http:<status> | wsse:/soap:/env:<Code> | {namespace}Code
//! status = 500                             # optional: also require this HTTP status
//! sign = true                              # optional: add a signed Security header right before sending
//! replace = [["<m:id>42", "<m:id>43"]]     # optional: literal edits after signing, each must apply
//! ```
//!
//! Signing at replay time ([`signer`]) keeps signed cases valid whatever day they run: the template is an envelope
//! without a Security header, and [`crate::wss::secure`] gives it a fresh Timestamp and signature just before it
//! goes out; `replace` then tampers with exactly one thing for a negative case.
//!
//! Four parts, each testable alone: [`parse_manifest`] (TOML text to checked cases, no I/O), [`classify`] (an HTTP
//! status and body to an [`Outcome`], no I/O), [`signer`] (the bytes to send), and the runner (reads the files, sends
//! them with bounded concurrency, reports in manifest order).
//!
//! Outcomes compare by namespace and local name, never by the prefix a server happened to write: `wsse:` is the WSS 1.0
//! secext namespace, `soap:` the SOAP 1.1 and `env:` the SOAP 1.2 envelope namespace.

use super::output::Format;
use super::{EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use crate::soap::{Envelope, SOAP11_NS, SOAP12_NS, SoapVersion};
use crate::wss::WSSE_NS;
use crate::xml::{Document, Limits, Node, XmlError, is_ncname, is_ws};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The manifest's file name inside DIR when `--manifest` is not given.
const MANIFEST_NAME: &str = "replay.toml";
/// The largest manifest read.
const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;
/// The largest envelope file sent (deliberately above the gateway's default body limit, so 413 can be tested).
const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;
/// The most nodes parsed to find a file's SOAP version.
const MAX_DETECT_NODES: usize = 1_000_000;
/// The largest answer read; a longer one is a transport error (fail closed), not an outcome.
const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;
/// The longest fault code namespace, local name or unresolved text reported (the server chooses them).
const MAX_CODE_TEXT: usize = 512;

/// Arguments of `sluis replay`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The folder of SOAP envelopes; the manifest's file names are relative to it.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// The server's base URL (http or https, e.g. http://127.0.0.1:8080); each case's route is appended to it.
    #[arg(long, value_name = "URL")]
    server: String,
    /// The manifest (default: DIR/replay.toml).
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
    /// Output format: one line per case and a summary, or one JSON document.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// How many requests may be in flight at once (1–64). The report keeps the manifest's order.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    jobs: u16,
    /// Seconds each request may take, from connecting to the end of the answer (1–3600).
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..=3600)
    )]
    timeout: u64,
}

mod manifest;
mod outcome;
mod runner;
mod signer;
#[cfg(test)]
mod tests;

pub(crate) use manifest::*;
pub(crate) use outcome::*;
pub(crate) use runner::*;
pub(crate) use signer::*;
