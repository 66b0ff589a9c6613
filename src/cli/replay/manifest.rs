//! The manifest: TOML text to checked cases ([`parse_manifest`], no I/O), and the usage errors of a run.

use super::*;
use crate::wss::secure::TokenReference;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDefaults {
    pub(crate) route: Option<String>,
    pub(crate) soap_action: Option<String>,
    pub(crate) soap_version: Option<String>,
    pub(crate) sign: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSigner {
    pub(crate) key: String,
    pub(crate) cert: String,
    pub(crate) ttl: Option<i64>,
    pub(crate) reference: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawManifest {
    #[serde(default)]
    pub(crate) defaults: RawDefaults,
    pub(crate) signer: Option<RawSigner>,
    #[serde(default, rename = "case")]
    pub(crate) cases: Vec<RawCase>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCase {
    pub(crate) file: String,
    pub(crate) name: Option<String>,
    pub(crate) route: Option<String>,
    pub(crate) soap_action: Option<String>,
    pub(crate) soap_version: Option<String>,
    pub(crate) expect: String,
    pub(crate) status: Option<u16>,
    pub(crate) sign: Option<bool>,
    #[serde(default)]
    pub(crate) replace: Vec<[String; 2]>,
}

/// A checked manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Manifest {
    /// The cases, in order.
    pub cases: Vec<Case>,
    /// Who signs the cases with `sign = true`.
    pub signer: Option<SignerConfig>,
}

/// `[signer]`: the key, certificate and header settings `sign = true` cases are signed with, just before sending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SignerConfig {
    /// The private key (PEM), relative to the manifest's folder.
    pub key: PathBuf,
    /// The certificate (PEM, chain after it), relative to the manifest's folder.
    pub cert: PathBuf,
    /// Seconds from the Timestamp's `Created` to its `Expires`.
    pub ttl: i64,
    /// How `KeyInfo` refers to the certificate.
    pub reference: TokenReference,
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
    /// Sign the file (a SOAP envelope without a Security header) with `[signer]` just before sending it.
    pub sign: bool,
    /// Literal edits (from, to) made after signing, each of which must apply: how a tamper case is written.
    pub replace: Vec<(String, String)>,
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
    /// `sign = true` without a `[signer]`.
    SignerMissing,
    /// A `[signer]` `ttl` outside 1–86400 seconds.
    BadTtl,
    /// A `[signer]` `reference` other than direct, ski, thumbprint, issuer-serial.
    BadReference,
    /// A `replace` pair whose first text is empty.
    EmptyReplace,
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
            FieldProblem::SignerMissing => f.write_str("sign = true needs a [signer] section"),
            FieldProblem::BadTtl => f.write_str("must be 1-86400 seconds"),
            FieldProblem::BadReference => f.write_str("must be direct, ski, thumbprint or issuer-serial"),
            FieldProblem::EmptyReplace => f.write_str("the text to replace must not be empty"),
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
    /// `[signer]` could not be loaded.
    Signer { path: PathBuf, problem: String },
    /// A case's body cannot be made (checked once before anything is sent).
    Body { path: PathBuf, problem: BodyProblem },
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
            UsageError::Signer { path, problem } => write!(f, "[signer]: {}: {problem}", path.display()),
            UsageError::Body { path, problem } => write!(f, "{}: {problem}", path.display()),
            UsageError::Setup(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for UsageError {}

pub(crate) fn field_error(path: &Path, field: String, value: &str, problem: FieldProblem) -> UsageError {
    UsageError::Field { path: path.to_path_buf(), field, value: value.to_owned(), problem }
}

pub(crate) fn parse_version(s: &str) -> Option<SoapVersion> {
    match s {
        "1.1" => Some(SoapVersion::Soap11),
        "1.2" => Some(SoapVersion::Soap12),
        _ => None,
    }
}

/// A route: starts with `/`; non-ASCII characters are fine (the URL parser percent-encodes them), white space,
/// control characters and fragments are not.
pub(crate) fn route_ok(route: &str) -> bool {
    route.starts_with('/') && !route.chars().any(|c| c.is_whitespace() || c.is_control() || c == '#')
}

pub(crate) fn action_ok(action: &str) -> bool {
    action.bytes().all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
}

/// A lexical check of a case's file name: relative, without `..`.
pub(crate) fn check_relative(file: &str) -> Result<(), FieldProblem> {
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
pub(crate) fn parse_manifest(text: &str, path: &Path) -> Result<Manifest, UsageError> {
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
    let signer = match &raw.signer {
        None => None,
        Some(sg) => {
            let ttl = sg.ttl.unwrap_or(300);
            if !(1..=86_400).contains(&ttl) {
                return Err(field_error(path, "signer.ttl".into(), &ttl.to_string(), FieldProblem::BadTtl));
            }
            let reference = match sg.reference.as_deref().unwrap_or("direct") {
                "direct" => TokenReference::Direct,
                "ski" => TokenReference::SubjectKeyIdentifier,
                "thumbprint" => TokenReference::ThumbprintSha1,
                "issuer-serial" => TokenReference::IssuerSerial,
                other => {
                    return Err(field_error(
                        path,
                        "signer.reference".into(),
                        other,
                        FieldProblem::BadReference,
                    ));
                }
            };
            Some(SignerConfig { key: PathBuf::from(&sg.key), cert: PathBuf::from(&sg.cert), ttl, reference })
        }
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
        let sign = c.sign.or(d.sign).unwrap_or(false);
        if sign && signer.is_none() {
            return Err(field_error(path, field("sign"), "true", FieldProblem::SignerMissing));
        }
        if c.replace.iter().any(|[from, _]| from.is_empty()) {
            return Err(field_error(path, field("replace"), "", FieldProblem::EmptyReplace));
        }
        let replace = c.replace.into_iter().map(|[from, to]| (from, to)).collect();
        cases.push(Case {
            name,
            file: c.file,
            route,
            soap_action,
            soap_version,
            expect,
            status: c.status,
            sign,
            replace,
        });
    }
    Ok(Manifest { cases, signer })
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
