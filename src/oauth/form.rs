//! `application/x-www-form-urlencoded` request bodies (RFC 6749 §3.2, WHATWG URL §5.1) and HTTP Basic client
//! credentials (RFC 6749 §2.3.1, RFC 7617), parsed strictly.
//!
//! * The content type must be `application/x-www-form-urlencoded` (parameters such as `charset` are tolerated; the
//!   body must be UTF-8 whatever they say).
//! * The body is bounded ([`super::config::DEFAULT_MAX_REQUEST_BYTES`] by default).
//! * A `%` not followed by two hex digits, and percent-decoded bytes that are not UTF-8, are refused
//!   ([`OAuthReason::RequestMalformed`]) rather than replaced, so a value is exactly what the client sent.
//! * Only recognized parameters are kept; unrecognized ones are ignored (RFC 6749 §3.2: "MUST ignore unrecognized
//!   request parameters"). A recognized parameter that appears twice is refused (RFC 6749 §3.2: "MUST NOT be included
//!   more than once"), except those listed as repeatable (RFC 8707 `resource`).
//! * An empty value is treated as if the parameter were omitted (RFC 6749 §3.2) — but it still counts for duplicates.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::reason::OAuthReason;

/// The parameters of a parsed form, recognized ones only, in order.
#[derive(Debug, Default)]
pub struct Form {
    params: Vec<(&'static str, String)>,
}

impl Form {
    /// Checks the content type and size, then parses `body`, keeping the parameters named in `recognized`;
    /// `repeatable` ones may appear more than once.
    pub fn parse(
        content_type: Option<&str>,
        body: &[u8],
        max_bytes: usize,
        recognized: &[&'static str],
        repeatable: &[&'static str],
    ) -> Result<Form, OAuthReason> {
        if !is_form_content_type(content_type) {
            return Err(OAuthReason::RequestContentType);
        }
        if body.len() > max_bytes {
            return Err(OAuthReason::RequestTooLarge);
        }
        let mut params: Vec<(&'static str, String)> = Vec::new();
        for pair in body.split(|&b| b == b'&') {
            if pair.is_empty() {
                continue;
            }
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            };
            let name = form_decode(name)?;
            let Some(&known) = recognized.iter().find(|r| **r == name) else { continue };
            if !repeatable.contains(&known) && params.iter().any(|(n, _)| *n == known) {
                return Err(OAuthReason::ParameterDuplicated(known));
            }
            params.push((known, form_decode(value)?));
        }
        Ok(Form { params })
    }

    /// The value of a non-repeatable parameter; `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, v)| *n == name && !v.is_empty()).map(|(_, v)| v.as_str())
    }

    /// The value of a required parameter.
    pub fn require(&self, name: &'static str) -> Result<&str, OAuthReason> {
        self.get(name).ok_or(OAuthReason::ParameterMissing(name))
    }

    /// Every non-empty value of a repeatable parameter.
    pub fn all<'f>(&'f self, name: &'f str) -> impl Iterator<Item = &'f str> + 'f {
        self.params.iter().filter(move |(n, v)| *n == name && !v.is_empty()).map(|(_, v)| v.as_str())
    }

    /// Whether the parameter is present with a non-empty value.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// Whether `content_type` is `application/x-www-form-urlencoded`, optionally with parameters.
fn is_form_content_type(content_type: Option<&str>) -> bool {
    let Some(ct) = content_type else { return false };
    let essence = ct.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/x-www-form-urlencoded")
}

/// Decodes one name or value: `+` is a space, `%XX` a byte; the result must be UTF-8.
pub fn form_decode(bytes: &[u8]) -> Result<String, OAuthReason> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.get(i + 1).and_then(|c| hex(*c));
                let lo = bytes.get(i + 2).and_then(|c| hex(*c));
                match (hi, lo) {
                    (Some(h), Some(l)) => out.push(h << 4 | l),
                    _ => return Err(OAuthReason::RequestMalformed),
                }
                i += 2;
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| OAuthReason::RequestMalformed)
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// The client id and secret of an `Authorization: Basic` header value (RFC 6749 §2.3.1: each form-urlencoded, then
/// joined by `:` and base64-encoded). Any other scheme, bad base64, a missing `:` or an empty client id is
/// [`OAuthReason::ClientBasicMalformed`].
pub fn basic_credentials(header: &str) -> Result<(String, String), OAuthReason> {
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ').ok_or(OAuthReason::ClientBasicMalformed)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthReason::ClientBasicMalformed);
    }
    let raw = STANDARD.decode(rest.trim()).map_err(|_| OAuthReason::ClientBasicMalformed)?;
    let colon = raw.iter().position(|&b| b == b':').ok_or(OAuthReason::ClientBasicMalformed)?;
    let id = form_decode(&raw[..colon]).map_err(|_| OAuthReason::ClientBasicMalformed)?;
    let secret = form_decode(&raw[colon + 1..]).map_err(|_| OAuthReason::ClientBasicMalformed)?;
    if id.is_empty() {
        return Err(OAuthReason::ClientBasicMalformed);
    }
    Ok((id, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CT: Option<&str> = Some("application/x-www-form-urlencoded");
    const KNOWN: &[&str] = &["grant_type", "scope", "resource"];

    fn parse(body: &str) -> Result<Form, OAuthReason> {
        Form::parse(CT, body.as_bytes(), 1024, KNOWN, &["resource"])
    }

    #[test]
    fn decodes_and_ignores_unknown() {
        let f =
            parse("grant_type=client_credentials&scope=a+b%20c&x=1&x=2&&resource=r1&resource=r2").unwrap();
        assert_eq!(f.get("grant_type"), Some("client_credentials"));
        assert_eq!(f.get("scope"), Some("a b c"));
        assert_eq!(f.all("resource").collect::<Vec<_>>(), ["r1", "r2"]);
        assert_eq!(f.get("x"), None);
    }

    #[test]
    fn refuses_duplicates_bad_encoding_type_and_size() {
        assert_eq!(parse("scope=a&scope=b").unwrap_err(), OAuthReason::ParameterDuplicated("scope"));
        assert_eq!(parse("scope=&scope=b").unwrap_err(), OAuthReason::ParameterDuplicated("scope"));
        assert_eq!(parse("scope=%zz").unwrap_err(), OAuthReason::RequestMalformed);
        assert_eq!(parse("scope=%e9").unwrap_err(), OAuthReason::RequestMalformed);
        assert_eq!(parse("scope=%4").unwrap_err(), OAuthReason::RequestMalformed);
        assert_eq!(
            Form::parse(Some("application/json"), b"", 10, KNOWN, &[]).unwrap_err(),
            OAuthReason::RequestContentType
        );
        assert_eq!(Form::parse(None, b"", 10, KNOWN, &[]).unwrap_err(), OAuthReason::RequestContentType);
        assert!(
            Form::parse(Some("Application/X-WWW-Form-Urlencoded; charset=UTF-8"), b"", 10, KNOWN, &[])
                .is_ok()
        );
        assert_eq!(Form::parse(CT, &[b'a'; 11], 10, KNOWN, &[]).unwrap_err(), OAuthReason::RequestTooLarge);
    }

    #[test]
    fn empty_value_is_omitted() {
        let f = parse("scope=").unwrap();
        assert_eq!(f.get("scope"), None);
        assert_eq!(f.require("scope").unwrap_err(), OAuthReason::ParameterMissing("scope"));
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let h = format!("Basic {}", STANDARD.encode("my%20client:p%3Ass+word"));
        assert_eq!(basic_credentials(&h).unwrap(), ("my client".to_owned(), "p:ss word".to_owned()));
        assert_eq!(basic_credentials(&format!("basic {}", STANDARD.encode("a:"))).unwrap().1, "");
        for bad in [
            "Bearer abc",
            "Basic !!!",
            &format!("Basic {}", STANDARD.encode("nocolon")),
            &format!("Basic {}", STANDARD.encode(":x")),
        ] {
            assert_eq!(basic_credentials(bad).unwrap_err(), OAuthReason::ClientBasicMalformed, "{bad}");
        }
    }
}
