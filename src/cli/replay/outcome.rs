//! Outcomes: what an answer was ([`classify`]) and what a case expects ([`parse_expectation`]).

use super::*;

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
    pub(crate) fn new(namespace: &str, local: &str) -> Self {
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
pub(crate) fn fault_code(body: &[u8]) -> Option<FaultCode> {
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
pub(crate) fn child<'d, 'a>(node: Node<'d, 'a>, ns: &str, local: &str) -> Option<Node<'d, 'a>> {
    node.element_children().find(|c| c.is(ns, local))
}

/// Resolves the `xs:QName` text of `node` against the namespaces in scope there.
pub(crate) fn resolve_qname(node: Node<'_, '_>) -> FaultCode {
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
