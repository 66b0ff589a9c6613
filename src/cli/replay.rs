//! `sluis replay DIR --server URL`: send a folder of fixture SOAP envelopes to a running gateway (or any SOAP
//! endpoint) and compare each answer with the outcome the folder's manifest expects.
//!
//! The manifest (`DIR/replay.toml` unless `--manifest` names another) is TOML with unknown keys refused:
//!
//! ```toml
//! [defaults]                               # optional: route, soap_action, soap_version for every case
//! route = "/demo"
//! soap_action = "urn:example:GetPatient"
//!
//! [[case]]
//! file = "unsigned.xml"                    # relative to DIR, and must stay inside it
//! name = "no Security header"              # optional, defaults to file
//! expect = "wsse:InvalidSecurity"          # accepted | http:<status> | wsse:/soap:/env:<Code> | {namespace}Code
//! status = 500                             # optional: also require this HTTP status
//! ```
//!
//! Three parts, each testable alone: [`parse_manifest`] (TOML text to checked cases, no I/O), [`classify`] (an HTTP
//! status and body to an [`Outcome`], no I/O), and the runner (reads the files, sends them with bounded concurrency,
//! reports in manifest order).
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

// ---------------------------------------------------------------------------------------------------------------
// Outcomes
// ---------------------------------------------------------------------------------------------------------------

/// A fault code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FaultCode {
    /// A QName resolved against the namespaces in scope: what expectations compare with.
    Resolved {
        /// The namespace URI.
        namespace: String,
        /// The local name.
        local: String,
    },
    /// Code text that is not a QName whose prefix is declared (as written); matches no expectation.
    Unresolved(String),
    /// A Fault without a readable code; matches no expectation.
    Missing,
}

impl FaultCode {
    fn new(namespace: &str, local: &str) -> Self {
        FaultCode::Resolved { namespace: namespace.to_owned(), local: local.to_owned() }
    }
}

impl fmt::Display for FaultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultCode::Resolved { namespace, local } => match namespace.as_str() {
                WSSE_NS => write!(f, "wsse:{local}"),
                SOAP11_NS => write!(f, "soap:{local}"),
                SOAP12_NS => write!(f, "env:{local}"),
                ns => write!(f, "{{{ns}}}{local}"),
            },
            FaultCode::Unresolved(text) => write!(f, "{text:?} (a fault code whose prefix is not declared)"),
            FaultCode::Missing => f.write_str("a fault without a code"),
        }
    }
}

/// What a server did with one envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// HTTP 2xx and not a SOAP Fault.
    Accepted,
    /// A SOAP Fault: SOAP 1.1 `faultcode`; SOAP 1.2 the innermost `Subcode/Value`, else `Code/Value`.
    Fault(FaultCode),
    /// Neither: an answer that is not a SOAP envelope (or a SOAP envelope without a Fault) with a non-2xx status.
    Http(u16),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Accepted => f.write_str("accepted"),
            Outcome::Fault(code) => code.fmt(f),
            Outcome::Http(status) => write!(f, "http:{status}"),
        }
    }
}

/// Why an `expect` value was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ExpectProblem {
    /// Not `accepted`, `http:<status>`, `prefix:Code` or `{namespace}Code`.
    Form,
    /// A prefix other than `wsse`, `soap`, `env` and `http`.
    UnknownPrefix(String),
    /// `http:` with something other than a status 100–599.
    Status,
    /// The local part is not an XML NCName.
    LocalName,
}

impl fmt::Display for ExpectProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectProblem::Form => f.write_str(
                "must be \"accepted\", \"http:<status>\", a fault code \"wsse:<Code>\" / \"soap:<Code>\" / \
                 \"env:<Code>\", or \"{namespace}Code\"",
            ),
            ExpectProblem::UnknownPrefix(p) => {
                write!(f, "unknown prefix {p:?} (use wsse, soap, env or http, or write {{namespace}}Code)")
            }
            ExpectProblem::Status => f.write_str("http: must be followed by an HTTP status 100-599"),
            ExpectProblem::LocalName => f.write_str("the code's local part is not an XML name"),
        }
    }
}

/// Parses an `expect` value.
pub(crate) fn parse_expectation(s: &str) -> Result<Outcome, ExpectProblem> {
    if s == "accepted" {
        return Ok(Outcome::Accepted);
    }
    let (namespace, local) = if let Some(rest) = s.strip_prefix('{') {
        let (ns, local) = rest.split_once('}').ok_or(ExpectProblem::Form)?;
        if ns.is_empty() || ns.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ExpectProblem::Form);
        }
        (ns, local)
    } else {
        let (prefix, local) = s.split_once(':').ok_or(ExpectProblem::Form)?;
        let ns = match prefix {
            "http" => {
                let status = local
                    .parse::<u16>()
                    .ok()
                    .filter(|s| (100..=599).contains(s) && local.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or(ExpectProblem::Status)?;
                return Ok(Outcome::Http(status));
            }
            "wsse" => WSSE_NS,
            "soap" => SOAP11_NS,
            "env" => SOAP12_NS,
            other => return Err(ExpectProblem::UnknownPrefix(other.to_owned())),
        };
        (ns, local)
    };
    if !is_ncname(local) {
        return Err(ExpectProblem::LocalName);
    }
    Ok(Outcome::Fault(FaultCode::new(namespace, local)))
}

/// Classifies an answer: a SOAP Fault (whatever the status) is its code; otherwise 2xx is accepted and anything else
/// is `http:<status>`. The body is parsed with the hardened parser; a body it refuses is simply not a Fault.
pub(crate) fn classify(status: u16, body: &[u8]) -> Outcome {
    if let Some(code) = fault_code(body) {
        return Outcome::Fault(code);
    }
    if (200..300).contains(&status) { Outcome::Accepted } else { Outcome::Http(status) }
}

/// The code of the SOAP Fault `body` carries, if it is a SOAP envelope whose Body holds a Fault.
fn fault_code(body: &[u8]) -> Option<FaultCode> {
    let limits = Limits { max_bytes: MAX_RESPONSE_BYTES, ..Limits::soap() };
    let doc = Document::parse(body, &limits).ok()?;
    let envelope = Envelope::read(&doc).ok()?;
    let version = envelope.version();
    let ns = version.namespace();
    let fault = doc.node(envelope.body()).element_children().next().filter(|n| n.is(ns, "Fault"))?;
    let code = match version {
        // SOAP 1.1 §4.4: `faultcode` is unqualified.
        SoapVersion::Soap11 => {
            fault.element_children().find(|c| c.namespace().is_none() && c.local_name() == "faultcode")
        }
        SoapVersion::Soap12 => child(fault, ns, "Code").and_then(|code| {
            let mut value = child(code, ns, "Value");
            let mut level = code;
            while let Some(sub) = child(level, ns, "Subcode") {
                value = child(sub, ns, "Value").or(value);
                level = sub;
            }
            value
        }),
    };
    Some(match code {
        Some(node) => resolve_qname(node),
        None => FaultCode::Missing,
    })
}

/// The first element child of `node` named `{ns}local`.
fn child<'d, 'a>(node: Node<'d, 'a>, ns: &str, local: &str) -> Option<Node<'d, 'a>> {
    node.element_children().find(|c| c.is(ns, local))
}

/// Resolves the `xs:QName` text of `node` against the namespaces in scope there.
fn resolve_qname(node: Node<'_, '_>) -> FaultCode {
    let text = node.text_content();
    let text = text.trim_matches(|c: char| c.is_ascii() && is_ws(c as u8));
    let (prefix, local) = match text.split_once(':') {
        Some((p, l)) => (Some(p), l),
        None => (None, text),
    };
    match node.lookup_namespace(prefix) {
        Some(ns) if is_ncname(local) && ns.len() <= MAX_CODE_TEXT && local.len() <= MAX_CODE_TEXT => {
            FaultCode::new(ns, local)
        }
        _ => FaultCode::Unresolved(text.chars().take(MAX_CODE_TEXT).collect()),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The manifest
// ---------------------------------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    route: Option<String>,
    soap_action: Option<String>,
    soap_version: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(default)]
    defaults: RawDefaults,
    #[serde(default, rename = "case")]
    cases: Vec<RawCase>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    file: String,
    name: Option<String>,
    route: Option<String>,
    soap_action: Option<String>,
    soap_version: Option<String>,
    expect: String,
    status: Option<u16>,
}

/// One checked case of a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Case {
    /// The name reported (the file name unless the manifest gives one).
    pub name: String,
    /// The file, relative to DIR, as written (checked to have no `..`, root or prefix component).
    pub file: String,
    /// The path appended to the server URL; starts with `/`.
    pub route: String,
    /// The action sent (`SOAPAction` for SOAP 1.1, the `action` parameter for SOAP 1.2).
    pub soap_action: Option<String>,
    /// The SOAP version to send as, when the manifest says; otherwise it is read from the file's envelope.
    pub soap_version: Option<SoapVersion>,
    /// The outcome expected.
    pub expect: Outcome,
    /// The HTTP status expected too, if any.
    pub status: Option<u16>,
}

/// What is wrong with one manifest value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FieldProblem {
    /// `file = ""`.
    EmptyPath,
    /// An absolute path (or a Windows prefix).
    AbsolutePath,
    /// A `..` component.
    ParentDirectory,
    /// The file resolves (through a symbolic link) to somewhere outside DIR.
    OutsideFolder,
    /// Neither the case nor `[defaults]` has a route.
    RouteMissing,
    /// A route that does not start with `/`, or holds white space, control characters or `#`.
    BadRoute,
    /// A `soap_action` with characters that cannot go into the header (only printable ASCII without `"` and `\`).
    BadAction,
    /// A `soap_version` other than "1.1" and "1.2".
    BadSoapVersion,
    /// An `expect` value that is not an outcome.
    BadExpectation(ExpectProblem),
    /// A `status` outside 100–599.
    BadStatus,
    /// A `name` that is empty or holds control characters.
    BadName,
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldProblem::EmptyPath => f.write_str("empty file name"),
            FieldProblem::AbsolutePath => f.write_str("must be relative to the folder, not absolute"),
            FieldProblem::ParentDirectory => f.write_str("must stay inside the folder (no `..`)"),
            FieldProblem::OutsideFolder => {
                f.write_str("resolves (through a link) to a file outside the folder")
            }
            FieldProblem::RouteMissing => f.write_str("no route: set it on the case or in [defaults]"),
            FieldProblem::BadRoute => {
                f.write_str("must start with '/' and hold no white space, control characters or '#'")
            }
            FieldProblem::BadAction => {
                f.write_str("must be printable ASCII without '\"' or '\\' (it goes into an HTTP header)")
            }
            FieldProblem::BadSoapVersion => f.write_str("must be \"1.1\" or \"1.2\""),
            FieldProblem::BadExpectation(p) => p.fmt(f),
            FieldProblem::BadStatus => f.write_str("must be an HTTP status 100-599"),
            FieldProblem::BadName => f.write_str("must be non-empty text without control characters"),
        }
    }
}

/// Why a file's SOAP version could not be read from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum VersionProblem {
    /// The parser refused the file.
    NotXml(XmlError),
    /// The document element is not in a SOAP envelope namespace.
    NotSoap(Option<String>),
}

impl fmt::Display for VersionProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionProblem::NotXml(e) => write!(f, "not well-formed XML ({e})"),
            VersionProblem::NotSoap(Some(ns)) => write!(f, "the document element is in namespace {ns}"),
            VersionProblem::NotSoap(None) => f.write_str("the document element has no namespace"),
        }
    }
}

/// Why the run could not start (exit code 2).
#[derive(Debug)]
pub(crate) enum UsageError {
    /// A file or the folder could not be read.
    Read { path: PathBuf, error: std::io::Error },
    /// A file is over its limit.
    TooLarge { path: PathBuf, limit: u64 },
    /// The manifest is not UTF-8.
    NotUtf8 { path: PathBuf },
    /// The manifest is not TOML, or has an unknown or missing key, or a value of the wrong type.
    Syntax { path: PathBuf, line: usize, column: usize, message: String },
    /// A value of the manifest is not acceptable.
    Field { path: PathBuf, field: String, value: String, problem: FieldProblem },
    /// The manifest has no `[[case]]`.
    NoCases { path: PathBuf },
    /// A case's SOAP version cannot be read from its file (and the manifest does not give it).
    Version { path: PathBuf, problem: VersionProblem },
    /// `--server` is not an http(s) base URL.
    Server { url: String, problem: ServerProblem },
    /// The HTTP client or the runtime could not be set up.
    Setup(String),
}

/// What is wrong with `--server`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ServerProblem {
    /// Not a URL.
    NotUrl(String),
    /// Not http or https.
    Scheme(String),
    /// A query or fragment (routes are appended to the path).
    QueryOrFragment,
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UsageError::Read { path, error } => write!(f, "{}: {error}", path.display()),
            UsageError::TooLarge { path, limit } => {
                write!(f, "{}: larger than the {limit} bytes replay reads", path.display())
            }
            UsageError::NotUtf8 { path } => write!(f, "{}: not UTF-8", path.display()),
            UsageError::Syntax { path, line, column, message } => {
                write!(f, "{}: line {line}, column {column}: {message}", path.display())
            }
            UsageError::Field { path, field, value, problem } => {
                write!(f, "{}: {field}: {value:?} {problem}", path.display())
            }
            UsageError::NoCases { path } => write!(f, "{}: no [[case]] entries", path.display()),
            UsageError::Version { path, problem } => write!(
                f,
                "{}: cannot tell the SOAP version: {problem}; set soap_version = \"1.1\" or \"1.2\" for the case",
                path.display()
            ),
            UsageError::Server { url, problem } => match problem {
                ServerProblem::NotUrl(e) => write!(f, "--server {url:?}: not a URL: {e}"),
                ServerProblem::Scheme(s) => {
                    write!(f, "--server {url:?}: scheme {s:?}, expected http or https")
                }
                ServerProblem::QueryOrFragment => {
                    write!(f, "--server {url:?}: no query or fragment allowed (routes are appended)")
                }
            },
            UsageError::Setup(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for UsageError {}

fn field_error(path: &Path, field: String, value: &str, problem: FieldProblem) -> UsageError {
    UsageError::Field { path: path.to_path_buf(), field, value: value.to_owned(), problem }
}

fn parse_version(s: &str) -> Option<SoapVersion> {
    match s {
        "1.1" => Some(SoapVersion::Soap11),
        "1.2" => Some(SoapVersion::Soap12),
        _ => None,
    }
}

/// A route: starts with `/`; non-ASCII characters are fine (the URL parser percent-encodes them), white space,
/// control characters and fragments are not.
fn route_ok(route: &str) -> bool {
    route.starts_with('/') && !route.chars().any(|c| c.is_whitespace() || c.is_control() || c == '#')
}

fn action_ok(action: &str) -> bool {
    action.bytes().all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
}

/// A lexical check of a case's file name: relative, without `..`.
fn check_relative(file: &str) -> Result<(), FieldProblem> {
    if file.is_empty() {
        return Err(FieldProblem::EmptyPath);
    }
    for c in Path::new(file).components() {
        match c {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => return Err(FieldProblem::ParentDirectory),
            Component::RootDir | Component::Prefix(_) => return Err(FieldProblem::AbsolutePath),
        }
    }
    Ok(())
}

/// Parses and checks a manifest's text (`path` is for messages only). Touches no file.
pub(crate) fn parse_manifest(text: &str, path: &Path) -> Result<Vec<Case>, UsageError> {
    let raw: RawManifest = toml::from_str(text).map_err(|e| {
        let (line, column) = match e.span() {
            Some(span) => {
                let upto = text.get(..span.start.min(text.len())).unwrap_or_default();
                let line = upto.matches('\n').count() + 1;
                let column = upto.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                (line, column)
            }
            None => (1, 1),
        };
        UsageError::Syntax {
            path: path.to_path_buf(),
            line,
            column,
            message: e.message().trim_end().to_owned(),
        }
    })?;
    let d = &raw.defaults;
    if let Some(r) = &d.route
        && !route_ok(r)
    {
        return Err(field_error(path, "defaults.route".into(), r, FieldProblem::BadRoute));
    }
    if let Some(a) = &d.soap_action
        && !action_ok(a)
    {
        return Err(field_error(path, "defaults.soap_action".into(), a, FieldProblem::BadAction));
    }
    let default_version = match &d.soap_version {
        Some(v) => Some(parse_version(v).ok_or_else(|| {
            field_error(path, "defaults.soap_version".into(), v, FieldProblem::BadSoapVersion)
        })?),
        None => None,
    };
    if raw.cases.is_empty() {
        return Err(UsageError::NoCases { path: path.to_path_buf() });
    }
    let mut cases = Vec::with_capacity(raw.cases.len());
    for (i, c) in raw.cases.into_iter().enumerate() {
        let field = |name: &str| format!("case[{i}].{name}");
        check_relative(&c.file).map_err(|p| field_error(path, field("file"), &c.file, p))?;
        let name = c.name.unwrap_or_else(|| c.file.clone());
        if name.is_empty() || name.chars().any(char::is_control) {
            return Err(field_error(path, field("name"), &name, FieldProblem::BadName));
        }
        let route = c
            .route
            .or_else(|| d.route.clone())
            .ok_or_else(|| field_error(path, field("route"), "", FieldProblem::RouteMissing))?;
        if !route_ok(&route) {
            return Err(field_error(path, field("route"), &route, FieldProblem::BadRoute));
        }
        let soap_action = c.soap_action.or_else(|| d.soap_action.clone());
        if let Some(a) = &soap_action
            && !action_ok(a)
        {
            return Err(field_error(path, field("soap_action"), a, FieldProblem::BadAction));
        }
        let soap_version =
            match &c.soap_version {
                Some(v) => Some(parse_version(v).ok_or_else(|| {
                    field_error(path, field("soap_version"), v, FieldProblem::BadSoapVersion)
                })?),
                None => default_version,
            };
        let expect = parse_expectation(&c.expect)
            .map_err(|p| field_error(path, field("expect"), &c.expect, FieldProblem::BadExpectation(p)))?;
        if let Some(s) = c.status
            && !(100..=599).contains(&s)
        {
            return Err(field_error(path, field("status"), &s.to_string(), FieldProblem::BadStatus));
        }
        cases.push(Case { name, file: c.file, route, soap_action, soap_version, expect, status: c.status });
    }
    Ok(cases)
}

/// The SOAP version of an envelope file, from its document element's namespace.
pub(crate) fn detect_version(bytes: &[u8]) -> Result<SoapVersion, VersionProblem> {
    let limits = Limits {
        max_bytes: usize::try_from(MAX_FILE_BYTES).unwrap_or(usize::MAX),
        max_nodes: MAX_DETECT_NODES,
        ..Limits::soap()
    };
    let doc = Document::parse(bytes, &limits).map_err(VersionProblem::NotXml)?;
    let root = doc.root_element();
    root.namespace()
        .and_then(SoapVersion::from_namespace)
        .ok_or_else(|| VersionProblem::NotSoap(root.namespace().map(str::to_owned)))
}

// ---------------------------------------------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------------------------------------------

/// A case ready to send.
#[derive(Debug)]
struct Prepared {
    case: Case,
    url: reqwest::Url,
    version: SoapVersion,
    body: Vec<u8>,
}

/// Reads at most `limit` bytes of `path`.
fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, UsageError> {
    let read_error = |error| UsageError::Read { path: path.to_path_buf(), error };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(read_error)?;
    if bytes.len() as u64 > limit {
        return Err(UsageError::TooLarge { path: path.to_path_buf(), limit });
    }
    Ok(bytes)
}

/// Checks `--server`: an http(s) URL without query or fragment.
fn parse_server(url: &str) -> Result<reqwest::Url, UsageError> {
    let error = |problem| UsageError::Server { url: url.to_owned(), problem };
    let u = reqwest::Url::parse(url).map_err(|e| error(ServerProblem::NotUrl(e.to_string())))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(error(ServerProblem::Scheme(u.scheme().to_owned())));
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err(error(ServerProblem::QueryOrFragment));
    }
    Ok(u)
}

/// Reads the manifest and every file it names, so that nothing is sent unless the whole run can go.
fn prepare(args: &Args) -> Result<(reqwest::Url, Vec<Prepared>), UsageError> {
    let server = parse_server(&args.server)?;
    let manifest = args.manifest.clone().unwrap_or_else(|| args.dir.join(MANIFEST_NAME));
    let bytes = read_bounded(&manifest, MAX_MANIFEST_BYTES)?;
    let text = String::from_utf8(bytes).map_err(|_| UsageError::NotUtf8 { path: manifest.clone() })?;
    let cases = parse_manifest(&text, &manifest)?;
    let root = std::fs::canonicalize(&args.dir)
        .map_err(|error| UsageError::Read { path: args.dir.clone(), error })?;
    let base = server.as_str().trim_end_matches('/').to_owned();
    let mut prepared = Vec::with_capacity(cases.len());
    for (i, case) in cases.into_iter().enumerate() {
        let path = args.dir.join(&case.file);
        let real =
            std::fs::canonicalize(&path).map_err(|error| UsageError::Read { path: path.clone(), error })?;
        if !real.starts_with(&root) {
            return Err(field_error(
                &manifest,
                format!("case[{i}].file"),
                &case.file,
                FieldProblem::OutsideFolder,
            ));
        }
        let body = read_bounded(&real, MAX_FILE_BYTES)?;
        let version = match case.soap_version {
            Some(v) => v,
            None => detect_version(&body)
                .map_err(|problem| UsageError::Version { path: path.clone(), problem })?,
        };
        let url = reqwest::Url::parse(&format!("{base}{}", case.route)).map_err(|_| {
            field_error(&manifest, format!("case[{i}].route"), &case.route, FieldProblem::BadRoute)
        })?;
        prepared.push(Prepared { case, url, version, body });
    }
    Ok((server, prepared))
}

/// Why a case got no outcome.
#[derive(Debug)]
pub(crate) enum TransportError {
    /// No complete answer within `--timeout`.
    Timeout(u64),
    /// The connection could not be made.
    Connect(String),
    /// The answer was longer than [`MAX_RESPONSE_BYTES`].
    TooLarge,
    /// Anything else while sending or reading.
    Failed(String),
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Timeout(s) => write!(f, "no complete answer within {s} s"),
            TransportError::Connect(e) => write!(f, "cannot connect: {e}"),
            TransportError::TooLarge => write!(f, "answer longer than {MAX_RESPONSE_BYTES} bytes (not read)"),
            TransportError::Failed(e) => write!(f, "request failed: {e}"),
        }
    }
}

/// The error and its sources, joined (reqwest's own text is only the outermost layer).
fn error_chain(e: &reqwest::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

fn transport_error(e: reqwest::Error, timeout: u64) -> TransportError {
    if e.is_timeout() {
        TransportError::Timeout(timeout)
    } else if e.is_connect() {
        TransportError::Connect(error_chain(&e))
    } else {
        TransportError::Failed(error_chain(&e))
    }
}

/// Sends one envelope and reads the answer (status and at most [`MAX_RESPONSE_BYTES`] of body).
async fn exchange(
    client: &reqwest::Client,
    p: &Prepared,
    timeout: u64,
) -> Result<(u16, Vec<u8>), TransportError> {
    let action = p.case.soap_action.as_deref();
    let mut req = client.post(p.url.clone()).body(p.body.clone());
    req = match p.version {
        SoapVersion::Soap11 => req
            .header(reqwest::header::CONTENT_TYPE, "text/xml; charset=utf-8")
            .header("soapaction", format!("\"{}\"", action.unwrap_or_default())),
        SoapVersion::Soap12 => {
            let action = action.map(|a| format!("; action=\"{a}\"")).unwrap_or_default();
            req.header(reqwest::header::CONTENT_TYPE, format!("application/soap+xml; charset=utf-8{action}"))
        }
    };
    let mut resp = req.send().await.map_err(|e| transport_error(e, timeout))?;
    if resp.content_length().is_some_and(|n| n > MAX_RESPONSE_BYTES as u64) {
        return Err(TransportError::TooLarge);
    }
    let status = resp.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| transport_error(e, timeout))? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(TransportError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, body))
}

/// One case's result.
#[derive(Debug, Serialize)]
pub(crate) struct CaseReport {
    name: String,
    file: String,
    route: String,
    soap_version: SoapVersion,
    expected: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_status: Option<u16>,
    /// The outcome, or `error` when there was none.
    actual: String,
    /// The HTTP status (none on a transport error).
    status: Option<u16>,
    pass: bool,
    /// What did not match: `outcome`, `status` or `transport`.
    #[serde(skip_serializing_if = "Option::is_none")]
    mismatch: Option<&'static str>,
    elapsed_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl CaseReport {
    fn new(
        case: &Case,
        version: SoapVersion,
        result: Result<(u16, Outcome), String>,
        elapsed: Duration,
    ) -> CaseReport {
        let (actual, status, mismatch, error) = match result {
            Ok((status, outcome)) => {
                let mismatch = if outcome != case.expect {
                    Some("outcome")
                } else if case.status.is_some_and(|s| s != status) {
                    Some("status")
                } else {
                    None
                };
                (outcome.to_string(), Some(status), mismatch, None)
            }
            Err(e) => ("error".to_owned(), None, Some("transport"), Some(e)),
        };
        CaseReport {
            name: case.name.clone(),
            file: case.file.clone(),
            route: case.route.clone(),
            soap_version: version,
            expected: case.expect.to_string(),
            expected_status: case.status,
            actual,
            status,
            pass: mismatch.is_none(),
            mismatch,
            elapsed_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            error,
        }
    }

    /// The text line for this case.
    fn line(&self) -> String {
        let verdict = if self.pass { "PASS" } else { "FAIL" };
        let status = self.status.map(|s| format!("HTTP {s}, ")).unwrap_or_default();
        let expected = match self.expected_status {
            Some(s) => format!("{} (HTTP {s})", self.expected),
            None => self.expected.clone(),
        };
        let what = match (&self.error, self.pass) {
            (Some(e), _) => format!("expected {expected}, got error: {e}"),
            (None, true) => self.actual.clone(),
            (None, false) => format!("expected {expected}, got {}", self.actual),
        };
        format!("{verdict} {} [{}]: {what} ({status}{} ms)\n", self.name, self.file, self.elapsed_ms)
    }
}

/// The counts of a run.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub(crate) struct Summary {
    total: usize,
    passed: usize,
    failed: usize,
    /// Of the failed cases, those without an answer.
    transport_errors: usize,
}

impl Summary {
    fn of(reports: &[CaseReport]) -> Summary {
        let passed = reports.iter().filter(|r| r.pass).count();
        Summary {
            total: reports.len(),
            passed,
            failed: reports.len() - passed,
            transport_errors: reports.iter().filter(|r| r.error.is_some()).count(),
        }
    }
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    server: &'a str,
    cases: &'a [CaseReport],
    summary: &'a Summary,
}

/// Sends every case, at most `jobs` at a time, and returns the reports in manifest order. `each` sees every report
/// as soon as it and all before it are done.
async fn replay_all(
    cases: Vec<Prepared>,
    client: reqwest::Client,
    jobs: usize,
    timeout: u64,
    mut each: impl FnMut(&CaseReport),
) -> Vec<CaseReport> {
    let permits = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
    let limit = Duration::from_secs(timeout);
    let tasks: Vec<_> = cases
        .into_iter()
        .map(|p| {
            let meta = (p.case.clone(), p.version);
            let client = client.clone();
            let permits = permits.clone();
            let task = tokio::spawn(async move {
                let _permit = permits.acquire_owned().await;
                let start = Instant::now();
                let result = match tokio::time::timeout(limit, exchange(&client, &p, timeout)).await {
                    Ok(Ok((status, body))) => Ok((status, classify(status, &body))),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(_) => Err(TransportError::Timeout(timeout).to_string()),
                };
                CaseReport::new(&p.case, p.version, result, start.elapsed())
            });
            (meta, task)
        })
        .collect();
    let mut reports = Vec::with_capacity(tasks.len());
    for ((case, version), task) in tasks {
        let report = match task.await {
            Ok(r) => r,
            Err(e) => {
                CaseReport::new(&case, version, Err(format!("the request task failed: {e}")), Duration::ZERO)
            }
        };
        each(&report);
        reports.push(report);
    }
    reports
}

/// Runs `sluis replay`.
pub(crate) fn run(args: &Args) -> u8 {
    match try_run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("sluis replay: {e}");
            EXIT_USAGE
        }
    }
}

fn try_run(args: &Args) -> Result<u8, UsageError> {
    let (server, cases) = prepare(args)?;
    let timeout = args.timeout;
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(timeout))
        .timeout(Duration::from_secs(timeout))
        .build()
        .map_err(|e| UsageError::Setup(format!("cannot set up the HTTP client: {}", error_chain(&e))))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| UsageError::Setup(format!("cannot start the runtime: {e}")))?;
    let format = args.format;
    let reports = runtime.block_on(replay_all(cases, client, usize::from(args.jobs), timeout, |r| {
        if format == Format::Text {
            print!("{}", r.line());
        }
    }));
    let summary = Summary::of(&reports);
    match format {
        Format::Text => println!(
            "{} cases: {} passed, {} failed ({} without an answer)",
            summary.total, summary.passed, summary.failed, summary.transport_errors
        ),
        Format::Json => {
            let report = Report { server: server.as_str(), cases: &reports, summary: &summary };
            match serde_json::to_string_pretty(&report) {
                Ok(json) => println!("{json}"),
                Err(e) => return Err(UsageError::Setup(format!("cannot write the report: {e}"))),
            }
        }
    }
    Ok(if summary.failed == 0 { EXIT_OK } else { EXIT_INVALID })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(text: &str) -> Result<Vec<Case>, UsageError> {
        parse_manifest(text, Path::new("replay.toml"))
    }

    fn problem(text: &str) -> (String, FieldProblem) {
        match manifest(text) {
            Err(UsageError::Field { field, problem, .. }) => (field, problem),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    fn wsse(local: &str) -> Outcome {
        Outcome::Fault(FaultCode::new(WSSE_NS, local))
    }

    #[test]
    fn manifest_with_defaults() {
        let cases = manifest(
            r#"
[defaults]
route = "/demo"
soap_action = "urn:example:GetPatient"

[[case]]
file = "a.xml"
expect = "accepted"

[[case]]
file = "sub/b.xml"
name = "signed call"
route = "/other"
soap_action = ""
soap_version = "1.2"
expect = "wsse:FailedCheck"
status = 400
"#,
        )
        .unwrap();
        assert_eq!(
            cases,
            [
                Case {
                    name: "a.xml".into(),
                    file: "a.xml".into(),
                    route: "/demo".into(),
                    soap_action: Some("urn:example:GetPatient".into()),
                    soap_version: None,
                    expect: Outcome::Accepted,
                    status: None,
                },
                Case {
                    name: "signed call".into(),
                    file: "sub/b.xml".into(),
                    route: "/other".into(),
                    soap_action: Some(String::new()),
                    soap_version: Some(SoapVersion::Soap12),
                    expect: wsse("FailedCheck"),
                    status: Some(400),
                },
            ]
        );
    }

    #[test]
    fn manifest_refusals() {
        let unknown =
            manifest("[[case]]\nfile = \"a.xml\"\nexpect = \"accepted\"\nroute = \"/x\"\nbogus = 1\n");
        match unknown {
            Err(e @ UsageError::Syntax { line: 5, .. }) => {
                assert!(e.to_string().contains("unknown field `bogus`"), "{e}")
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(manifest("[defaults]\nroute = \"/x\"\n"), Err(UsageError::NoCases { .. })));
        assert!(matches!(
            manifest("[defaults]\nrout = \"/x\"\n[[case]]\nfile = \"a\"\nexpect = \"accepted\""),
            Err(UsageError::Syntax { line: 2, .. })
        ));
        assert!(
            matches!(manifest("[[case]]\nfile = \"a.xml\"\n"), Err(UsageError::Syntax { .. })),
            "expect needed"
        );
        let case = |body: &str| format!("[defaults]\nroute = \"/d\"\n[[case]]\n{body}\n");
        let ok = "expect = \"accepted\"";
        assert_eq!(problem(&case(&format!("file = \"../x.xml\"\n{ok}"))).1, FieldProblem::ParentDirectory);
        assert_eq!(
            problem(&case(&format!("file = \"a/../../x.xml\"\n{ok}"))).1,
            FieldProblem::ParentDirectory
        );
        assert_eq!(problem(&case(&format!("file = \"/etc/passwd\"\n{ok}"))).1, FieldProblem::AbsolutePath);
        assert_eq!(
            problem(&case(&format!("file = \"\"\n{ok}"))),
            ("case[0].file".into(), FieldProblem::EmptyPath)
        );
        assert!(manifest(&case(&format!("file = \"./a.xml\"\n{ok}"))).is_ok());
        assert_eq!(
            problem(&format!("[[case]]\nfile = \"a\"\n{ok}")),
            ("case[0].route".into(), FieldProblem::RouteMissing)
        );
        assert_eq!(
            problem(&case(&format!("file = \"a\"\nroute = \"demo\"\n{ok}"))).1,
            FieldProblem::BadRoute
        );
        assert_eq!(
            problem(&case(&format!("file = \"a\"\nroute = \"/a b\"\n{ok}"))).1,
            FieldProblem::BadRoute
        );
        assert_eq!(
            problem("[defaults]\nroute = \"x\"\n[[case]]\nfile = \"a\"\nexpect = \"accepted\"").0,
            "defaults.route"
        );
        assert_eq!(
            problem(&case(&format!("file = \"a\"\nsoap_action = \"a\\\"b\"\n{ok}"))).1,
            FieldProblem::BadAction
        );
        assert_eq!(
            problem(&case(&format!("file = \"a\"\nsoap_action = \"a\\nb\"\n{ok}"))).1,
            FieldProblem::BadAction
        );
        assert_eq!(
            problem(&case(&format!("file = \"a\"\nsoap_version = \"1.3\"\n{ok}"))).1,
            FieldProblem::BadSoapVersion
        );
        assert_eq!(
            problem(&case("file = \"a\"\nexpect = \"accepted\"\nstatus = 99")).1,
            FieldProblem::BadStatus
        );
        assert_eq!(
            problem(&case("file = \"a\"\nexpect = \"accepted\"\nname = \"\"")).1,
            FieldProblem::BadName
        );
        let (field, p) = problem(&case("file = \"a\"\nexpect = \"foo:Bar\""));
        assert_eq!(
            (field.as_str(), p),
            ("case[0].expect", FieldProblem::BadExpectation(ExpectProblem::UnknownPrefix("foo".into())))
        );
        let e = manifest(&case("file = \"../a\"\nexpect = \"accepted\"")).unwrap_err().to_string();
        assert_eq!(e, "replay.toml: case[0].file: \"../a\" must stay inside the folder (no `..`)");
    }

    #[test]
    fn expectations() {
        assert_eq!(parse_expectation("accepted"), Ok(Outcome::Accepted));
        assert_eq!(parse_expectation("http:429"), Ok(Outcome::Http(429)));
        assert_eq!(parse_expectation("wsse:MessageExpired"), Ok(wsse("MessageExpired")));
        assert_eq!(parse_expectation("soap:Server"), Ok(Outcome::Fault(FaultCode::new(SOAP11_NS, "Server"))));
        assert_eq!(
            parse_expectation("soap:Client.Auth"),
            Ok(Outcome::Fault(FaultCode::new(SOAP11_NS, "Client.Auth")))
        );
        assert_eq!(parse_expectation("env:Sender"), Ok(Outcome::Fault(FaultCode::new(SOAP12_NS, "Sender"))));
        assert_eq!(parse_expectation("{urn:x}Nope"), Ok(Outcome::Fault(FaultCode::new("urn:x", "Nope"))));
        for (bad, p) in [
            ("", ExpectProblem::Form),
            ("Accepted", ExpectProblem::Form),
            ("InvalidSecurity", ExpectProblem::Form),
            ("{}X", ExpectProblem::Form),
            ("{urn:x", ExpectProblem::Form),
            ("http:abc", ExpectProblem::Status),
            ("http:99", ExpectProblem::Status),
            ("http:+500", ExpectProblem::Status),
            ("http:600", ExpectProblem::Status),
            ("wsse:", ExpectProblem::LocalName),
            ("wsse:a:b", ExpectProblem::LocalName),
            ("wsse: X", ExpectProblem::LocalName),
            ("ds:X", ExpectProblem::UnknownPrefix("ds".into())),
        ] {
            assert_eq!(parse_expectation(bad), Err(p), "{bad:?}");
        }
        for s in ["accepted", "http:413", "wsse:FailedCheck", "soap:Server", "env:Receiver", "{urn:x}Y"] {
            assert_eq!(parse_expectation(s).unwrap().to_string(), s, "round trip");
        }
    }

    const S11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
    const S12: &str = "http://www.w3.org/2003/05/soap-envelope";

    fn fault11(code: &str, decls: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?>\n<s:Envelope xmlns:s=\"{S11}\" {decls}><s:Body><s:Fault><faultcode>{code}</faultcode>\
             <faultstring>x</faultstring></s:Fault></s:Body></s:Envelope>"
        )
    }

    fn fault12(code: &str, decls: &str) -> String {
        format!(
            "<e:Envelope xmlns:e=\"{S12}\" {decls}><e:Body><e:Fault><e:Code>{code}</e:Code>\
             <e:Reason><e:Text xml:lang=\"en\">x</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>"
        )
    }

    #[test]
    fn classifies_soap11_faults_by_namespace() {
        let w = format!("xmlns:wsse=\"{WSSE_NS}\"");
        assert_eq!(classify(500, fault11("wsse:InvalidSecurity", &w).as_bytes()), wsse("InvalidSecurity"));
        // Another prefix bound to the same namespace is the same code; white space around the QName is collapsed.
        let q = format!("xmlns:q=\"{WSSE_NS}\"");
        assert_eq!(classify(500, fault11(" q:FailedCheck\n", &q).as_bytes()), wsse("FailedCheck"));
        assert_eq!(classify(500, fault11("s:Server", "").as_bytes()).to_string(), "soap:Server");
        assert_eq!(
            classify(500, fault11("s:Client", "").as_bytes()),
            parse_expectation("soap:Client").unwrap()
        );
        // The wsse prefix bound to something else is not a WS-Security code.
        let other = classify(500, fault11("wsse:FailedCheck", "xmlns:wsse=\"urn:not-wss\"").as_bytes());
        assert_ne!(other, wsse("FailedCheck"));
        assert_eq!(other.to_string(), "{urn:not-wss}FailedCheck");
        // An undeclared prefix resolves to nothing and matches nothing.
        let unbound = classify(500, fault11("wsse:FailedCheck", "").as_bytes());
        assert_ne!(unbound, wsse("FailedCheck"));
        assert_eq!(unbound.to_string(), "\"wsse:FailedCheck\" (a fault code whose prefix is not declared)");
        // A fault with 200 is still a fault.
        assert_eq!(classify(200, fault11("s:Server", "").as_bytes()).to_string(), "soap:Server");
    }

    #[test]
    fn classifies_soap12_faults_by_innermost_subcode() {
        let w = format!("xmlns:wsse=\"{WSSE_NS}\"");
        let sub =
            "<e:Value>e:Sender</e:Value><e:Subcode><e:Value>wsse:FailedAuthentication</e:Value></e:Subcode>";
        assert_eq!(classify(400, fault12(sub, &w).as_bytes()), wsse("FailedAuthentication"));
        let nested = "<e:Value>e:Sender</e:Value><e:Subcode><e:Value>a:Outer</e:Value>\
                      <e:Subcode><e:Value>a:Inner</e:Value></e:Subcode></e:Subcode>";
        assert_eq!(
            classify(400, fault12(nested, "xmlns:a=\"urn:a\"").as_bytes()).to_string(),
            "{urn:a}Inner"
        );
        assert_eq!(
            classify(500, fault12("<e:Value>e:Receiver</e:Value>", "").as_bytes()),
            parse_expectation("env:Receiver").unwrap()
        );
        assert_eq!(
            classify(400, fault12("<e:Value>e:Sender</e:Value>", "").as_bytes()).to_string(),
            "env:Sender"
        );
    }

    #[test]
    fn classifies_everything_else_by_status() {
        let ok =
            format!("<s:Envelope xmlns:s=\"{S11}\"><s:Body><r:Ok xmlns:r=\"urn:r\"/></s:Body></s:Envelope>");
        assert_eq!(classify(200, ok.as_bytes()), Outcome::Accepted);
        assert_eq!(classify(204, b""), Outcome::Accepted);
        assert_eq!(classify(200, b"{\"json\": true}"), Outcome::Accepted);
        assert_eq!(classify(500, ok.as_bytes()), Outcome::Http(500), "no Fault: only the status says");
        let problem = br#"{"type":"about:blank","title":"Too Many Requests","status":429}"#;
        assert_eq!(classify(429, problem), Outcome::Http(429));
        assert_eq!(classify(413, b""), Outcome::Http(413));
        // Bodies the hardened parser refuses are not faults.
        let dtd = format!("<!DOCTYPE x []>{}", fault11("s:Server", ""));
        assert_eq!(classify(500, dtd.as_bytes()), Outcome::Http(500));
        assert_eq!(classify(502, b"<html><body>Bad gateway</body></html>"), Outcome::Http(502));
        // A Fault without a code is a fault, and matches no expectation.
        let bare = format!("<s:Envelope xmlns:s=\"{S11}\"><s:Body><s:Fault/></s:Body></s:Envelope>");
        assert!(matches!(classify(500, bare.as_bytes()), Outcome::Fault(FaultCode::Missing)));
    }

    #[test]
    fn detects_versions() {
        assert_eq!(detect_version(fault11("s:Server", "").as_bytes()), Ok(SoapVersion::Soap11));
        assert_eq!(detect_version(fault12("", "").as_bytes()), Ok(SoapVersion::Soap12));
        assert_eq!(detect_version(b"<a xmlns='urn:a'/>"), Err(VersionProblem::NotSoap(Some("urn:a".into()))));
        assert_eq!(detect_version(b"<a/>"), Err(VersionProblem::NotSoap(None)));
        assert!(matches!(detect_version(b"<a>"), Err(VersionProblem::NotXml(_))));
    }

    #[test]
    fn reports_name_the_mismatch() {
        let case = manifest(
            "[[case]]\nfile = \"a.xml\"\nroute = \"/d\"\nexpect = \"wsse:FailedCheck\"\nstatus = 500",
        )
        .unwrap()
        .remove(0);
        let v = SoapVersion::Soap11;
        let pass = CaseReport::new(&case, v, Ok((500, wsse("FailedCheck"))), Duration::from_millis(3));
        assert!(pass.pass && pass.mismatch.is_none());
        assert_eq!(pass.line(), "PASS a.xml [a.xml]: wsse:FailedCheck (HTTP 500, 3 ms)\n");
        let wrong = CaseReport::new(&case, v, Ok((500, wsse("InvalidSecurity"))), Duration::ZERO);
        assert_eq!(wrong.mismatch, Some("outcome"));
        assert_eq!(
            wrong.line(),
            "FAIL a.xml [a.xml]: expected wsse:FailedCheck (HTTP 500), got wsse:InvalidSecurity (HTTP 500, 0 ms)\n"
        );
        let status = CaseReport::new(&case, v, Ok((400, wsse("FailedCheck"))), Duration::ZERO);
        assert_eq!(status.mismatch, Some("status"));
        let error = CaseReport::new(&case, v, Err("cannot connect: refused".into()), Duration::ZERO);
        assert_eq!((error.mismatch, error.actual.as_str(), error.status), (Some("transport"), "error", None));
        let summary = Summary::of(&[pass, wrong, status, error]);
        assert_eq!(summary, Summary { total: 4, passed: 1, failed: 3, transport_errors: 1 });
    }
}
