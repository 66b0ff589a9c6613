//! The HTTP binding: which SOAP version a request's `Content-Type` announces, and its action.
//!
//! - SOAP 1.1 (§6.1, WS-I BP 1.1 R1140/R1109): `Content-Type: text/xml`, and a `SOAPAction` header that a client MUST
//!   send (its value may be `""`; BP R2744 wants it quoted).
//! - SOAP 1.2 (Part 2 §7.1.4, RFC 3902): `Content-Type: application/soap+xml` with an optional `action` parameter.
//!   There is no `SOAPAction` header in SOAP 1.2; when a client sends one anyway and it disagrees with `action`, the
//!   request is refused rather than letting two components route on two different actions.
//!
//! A `charset` parameter, if any, must be UTF-8: sluis parses UTF-8 only (the XML parser refuses UTF-16/32).

use super::SoapVersion;
use crate::reason::SoapReason;

/// What the HTTP headers of a SOAP request say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpBinding {
    /// The version the media type announces.
    pub version: SoapVersion,
    /// The action: the unquoted `SOAPAction` (1.1) or the `action` parameter (1.2), if any.
    pub action: Option<String>,
}

/// The longest content type or SOAPAction header read (longer is [`SoapReason::UnsupportedMediaType`]): a URI and a
/// few parameters fit easily.
const MAX_HEADER_LEN: usize = 2048;

/// Reads the `Content-Type` and `SOAPAction` header values of a request (pass them as received, `None` when
/// absent). Fails with [`SoapReason::UnsupportedMediaType`] for anything but the two SOAP media types (or a charset
/// other than UTF-8), [`SoapReason::SoapActionMissing`] for SOAP 1.1 without `SOAPAction`, and
/// [`SoapReason::ActionMismatch`] when a SOAP 1.2 request carries a `SOAPAction` that contradicts its `action`.
///
/// The version found here must then match the envelope's ([`SoapReason::ContentTypeMismatch`] otherwise), which
/// [`crate::wss::process`] checks.
///
/// ```
/// use sluis::soap::{check_http_binding, SoapVersion};
/// let b = check_http_binding(Some("text/xml; charset=utf-8"), Some("\"urn:GetPatient\"")).unwrap();
/// assert_eq!((b.version, b.action.as_deref()), (SoapVersion::Soap11, Some("urn:GetPatient")));
/// let b = check_http_binding(Some("application/soap+xml;action=\"urn:a\""), None).unwrap();
/// assert_eq!((b.version, b.action.as_deref()), (SoapVersion::Soap12, Some("urn:a")));
/// ```
pub fn check_http_binding(
    content_type: Option<&str>,
    soap_action: Option<&str>,
) -> Result<HttpBinding, SoapReason> {
    let version = media_type_version(content_type)?;
    let params = content_type.map(parameters).transpose()?.unwrap_or_default();
    if let Some((_, charset)) = params.iter().find(|(k, _)| k.eq_ignore_ascii_case("charset"))
        && !charset.eq_ignore_ascii_case("utf-8")
    {
        return Err(SoapReason::UnsupportedMediaType);
    }
    let header_action = match soap_action {
        Some(a) if a.len() > MAX_HEADER_LEN => return Err(SoapReason::UnsupportedMediaType),
        Some(a) => Some(unquote(a.trim())?),
        None => None,
    };
    match version {
        SoapVersion::Soap11 => {
            let action = header_action.ok_or(SoapReason::SoapActionMissing)?;
            Ok(HttpBinding { version, action: (!action.is_empty()).then_some(action) })
        }
        SoapVersion::Soap12 => {
            let param = params.into_iter().find(|(k, _)| k.eq_ignore_ascii_case("action")).map(|(_, v)| v);
            match (param, header_action) {
                (Some(p), Some(h)) if !h.is_empty() && p != h => Err(SoapReason::ActionMismatch),
                (Some(p), _) => Ok(HttpBinding { version, action: Some(p) }),
                (None, h) => Ok(HttpBinding { version, action: h.filter(|h| !h.is_empty()) }),
            }
        }
    }
}

/// The SOAP version a content type announces, looking at the media type only.
pub(crate) fn media_type_version(content_type: Option<&str>) -> Result<SoapVersion, SoapReason> {
    let ct = content_type.ok_or(SoapReason::UnsupportedMediaType)?;
    if ct.len() > MAX_HEADER_LEN {
        return Err(SoapReason::UnsupportedMediaType);
    }
    let media = ct.split(';').next().unwrap_or_default().trim();
    if media.eq_ignore_ascii_case("text/xml") {
        Ok(SoapVersion::Soap11)
    } else if media.eq_ignore_ascii_case("application/soap+xml") {
        Ok(SoapVersion::Soap12)
    } else {
        Err(SoapReason::UnsupportedMediaType)
    }
}

/// The `name=value` parameters after the media type (RFC 9110 §5.6.6), values unquoted.
fn parameters(ct: &str) -> Result<Vec<(String, String)>, SoapReason> {
    let mut out = Vec::new();
    let mut rest = ct.split_once(';').map(|(_, r)| r).unwrap_or("");
    while !rest.trim().is_empty() {
        let (name, after) = rest.split_once('=').ok_or(SoapReason::UnsupportedMediaType)?;
        let after = after.trim_start();
        let (value, next) = if after.starts_with('"') {
            // A quoted string runs to the next unescaped quote.
            let mut end = None;
            let mut escaped = false;
            for (i, c) in after.char_indices().skip(1) {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = Some(i);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            let end = end.ok_or(SoapReason::UnsupportedMediaType)?;
            let quoted = after.get(..=end).ok_or(SoapReason::UnsupportedMediaType)?;
            let tail = after.get(end + 1..).unwrap_or("").trim_start();
            let tail = match tail.strip_prefix(';') {
                Some(t) => t,
                None if tail.is_empty() => "",
                None => return Err(SoapReason::UnsupportedMediaType),
            };
            (unquote(quoted)?, tail)
        } else {
            let (v, next) = after.split_once(';').unwrap_or((after, ""));
            (v.trim().to_owned(), next)
        };
        out.push((name.trim().to_owned(), value));
        rest = next;
    }
    Ok(out)
}

/// Removes the quotes of an RFC 9110 quoted-string (and its backslash escapes); an unquoted value is returned as is.
fn unquote(s: &str) -> Result<String, SoapReason> {
    let Some(inner) = s.strip_prefix('"') else {
        return Ok(s.to_owned());
    };
    let inner = inner.strip_suffix('"').ok_or(SoapReason::UnsupportedMediaType)?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next().ok_or(SoapReason::UnsupportedMediaType)?),
            '"' => return Err(SoapReason::UnsupportedMediaType),
            c => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soap11_needs_text_xml_and_soapaction() {
        let b = check_http_binding(Some("text/xml"), Some("")).unwrap();
        assert_eq!(b, HttpBinding { version: SoapVersion::Soap11, action: None });
        assert_eq!(
            check_http_binding(Some("Text/XML; charset=UTF-8"), None),
            Err(SoapReason::SoapActionMissing)
        );
        assert_eq!(
            check_http_binding(Some("text/xml; charset=iso-8859-1"), Some("")),
            Err(SoapReason::UnsupportedMediaType)
        );
        assert_eq!(
            check_http_binding(Some("application/json"), Some("")),
            Err(SoapReason::UnsupportedMediaType)
        );
        assert_eq!(check_http_binding(None, Some("")), Err(SoapReason::UnsupportedMediaType));
    }

    #[test]
    fn soap12_action_parameter() {
        let b = check_http_binding(Some(r#"application/soap+xml; charset=utf-8; action="urn:a;b""#), None)
            .unwrap();
        assert_eq!(b.action.as_deref(), Some("urn:a;b"));
        assert!(
            check_http_binding(Some(r#"application/soap+xml;action="urn:a""#), Some("\"urn:a\"")).is_ok()
        );
        assert_eq!(
            check_http_binding(Some(r#"application/soap+xml;action="urn:a""#), Some("urn:b")),
            Err(SoapReason::ActionMismatch)
        );
        assert_eq!(
            check_http_binding(Some(r#"application/soap+xml;action="urn:a"#), None),
            Err(SoapReason::UnsupportedMediaType)
        );
        let b = check_http_binding(Some("application/soap+xml"), None).unwrap();
        assert_eq!(b, HttpBinding { version: SoapVersion::Soap12, action: None });
    }
}
