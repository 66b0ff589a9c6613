//! Character escaping of Canonical XML 1.0 §2.3 (shared by Exclusive C14N).
//!
//! Runs of characters that need no escaping are written to the sink as one slice; every byte looked for is ASCII, so
//! scanning bytes is safe on UTF-8.

use super::Sink;

/// Text nodes: `&` `<` `>` and CR (`&#xD;`, the only way a CR can reach the tree is a character reference).
pub(super) fn text<S: Sink + ?Sized>(out: &mut S, s: &str) {
    escape(out, s, |b| match b {
        b'&' => Some(b"&amp;"),
        b'<' => Some(b"&lt;"),
        b'>' => Some(b"&gt;"),
        b'\r' => Some(b"&#xD;"),
        _ => None,
    })
}

/// Attribute values (and namespace URIs, which §2.3 processes like attributes): `&` `<` `"` and the white space
/// characters that attribute-value normalization would otherwise turn into spaces on re-parsing: TAB, LF, CR.
pub(super) fn attribute<S: Sink + ?Sized>(out: &mut S, s: &str) {
    escape(out, s, |b| match b {
        b'&' => Some(b"&amp;"),
        b'<' => Some(b"&lt;"),
        b'"' => Some(b"&quot;"),
        b'\t' => Some(b"&#x9;"),
        b'\n' => Some(b"&#xA;"),
        b'\r' => Some(b"&#xD;"),
        _ => None,
    })
}

fn escape<S: Sink + ?Sized>(out: &mut S, s: &str, replace: impl Fn(u8) -> Option<&'static [u8]>) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if let Some(rep) = replace(b) {
            if start < i {
                out.write(&bytes[start..i]);
            }
            out.write(rep);
            start = i + 1;
        }
    }
    if start < bytes.len() {
        out.write(&bytes[start..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> String {
        let mut v = Vec::new();
        text(&mut v, s);
        String::from_utf8(v).unwrap()
    }

    fn a(s: &str) -> String {
        let mut v = Vec::new();
        attribute(&mut v, s);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn text_escapes_amp_lt_gt_cr_only() {
        assert_eq!(t(""), "");
        assert_eq!(t("plain é 中"), "plain é 中");
        assert_eq!(t("a&b<c>d\re\"f'g\th\ni"), "a&amp;b&lt;c&gt;d&#xD;e\"f'g\th\ni");
        assert_eq!(t("&&"), "&amp;&amp;");
    }

    #[test]
    fn attribute_escapes_amp_lt_quot_and_white_space() {
        assert_eq!(a("x>y'z"), "x>y'z");
        assert_eq!(a("a&b<c\"d\te\nf\rg"), "a&amp;b&lt;c&quot;d&#x9;e&#xA;f&#xD;g");
        assert_eq!(a("\"é\""), "&quot;é&quot;");
    }
}
