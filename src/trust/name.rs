//! Distinguished names as RFC 4514 strings.
//!
//! RFC 4514 §2.1 writes the RDNs of a `Name` last to first, separated by `,`; the attributes of a multi-valued RDN are
//! joined with `+`. Only the attribute types of RFC 4514 §3 get their short names (`CN`, `L`, `ST`, `O`, `OU`, `C`,
//! `STREET`, `DC`, `UID`); every other type is written as its dotted OID with the value as `#` and the hex of its BER
//! encoding (§2.4), which is also what Java's `X500Principal.getName(RFC2253)` produces, so names compare equal with
//! what WSS4J/Santuario peers put in `X509IssuerName`. Values are escaped per §2.4, and control characters are
//! additionally written as `\XX` so a name can never break a log line.

use super::der::{self, Reader};

/// Formats a DER `Name` (RFC 5280 §4.1.2.4). `None` if it is not a well-formed `RDNSequence`.
pub(crate) fn rfc4514(name_der: &[u8]) -> Option<String> {
    let mut outer = Reader::new(name_der);
    let rdns = outer.expect(der::TAG_SEQUENCE)?;
    if !outer.is_empty() {
        return None;
    }
    let mut parts: Vec<String> = Vec::new();
    let mut rdn_reader = Reader::new(rdns);
    while !rdn_reader.is_empty() {
        let set = rdn_reader.expect(der::TAG_SET)?;
        let mut attrs = Vec::new();
        let mut attr_reader = Reader::new(set);
        while !attr_reader.is_empty() {
            let atv = attr_reader.expect(der::TAG_SEQUENCE)?;
            let mut fields = Reader::new(atv);
            let oid = fields.expect(der::TAG_OID)?;
            let value = fields.any()?;
            if !fields.is_empty() {
                return None;
            }
            attrs.push(attribute(oid, value)?);
        }
        if attrs.is_empty() {
            return None; // RelativeDistinguishedName is SET SIZE (1..MAX)
        }
        parts.push(attrs.join("+"));
    }
    parts.reverse();
    Some(parts.join(","))
}

fn attribute(oid: &[u8], value: der::Tlv<'_>) -> Option<String> {
    let short = match oid {
        [0x55, 0x04, 0x03] => Some("CN"),
        [0x55, 0x04, 0x07] => Some("L"),
        [0x55, 0x04, 0x08] => Some("ST"),
        [0x55, 0x04, 0x0a] => Some("O"),
        [0x55, 0x04, 0x0b] => Some("OU"),
        [0x55, 0x04, 0x06] => Some("C"),
        [0x55, 0x04, 0x09] => Some("STREET"),
        [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19] => Some("DC"),
        [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01] => Some("UID"),
        _ => None,
    };
    match (short, decode_string(value)) {
        (Some(ty), Some(text)) => Some(format!("{ty}={}", escape(&text))),
        (Some(ty), None) => Some(format!("{ty}=#{}", der::hex(value.whole))),
        (None, _) => Some(format!("{}=#{}", der::oid_to_dotted(oid)?, der::hex(value.whole))),
    }
}

/// The text of a directory string value, or `None` for non-string types and undecodable content.
fn decode_string(value: der::Tlv<'_>) -> Option<String> {
    let c = value.content;
    match value.tag {
        // UTF8String, NumericString, PrintableString, IA5String, VisibleString
        0x0c | 0x12 | 0x13 | 0x16 | 0x1a => std::str::from_utf8(c).ok().map(str::to_owned),
        // TeletexString: in practice Latin-1 (as OpenSSL reads it)
        0x14 => Some(c.iter().map(|&b| char::from(b)).collect()),
        // BMPString: UCS-2 big-endian
        0x1e => {
            if !c.len().is_multiple_of(2) {
                return None;
            }
            let units = c.chunks_exact(2).map(|p| p.iter().fold(0u16, |acc, &b| (acc << 8) | u16::from(b)));
            char::decode_utf16(units).collect::<Result<String, _>>().ok()
        }
        // UniversalString: UCS-4 big-endian
        0x1c => {
            if !c.len().is_multiple_of(4) {
                return None;
            }
            c.chunks_exact(4)
                .map(|p| char::from_u32(p.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b))))
                .collect()
        }
        _ => None,
    }
}

/// RFC 4514 §2.4 escaping, plus `\XX` for control characters.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    let last = text.chars().count().saturating_sub(1);
    for (i, ch) in text.chars().enumerate() {
        match ch {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            '#' if i == 0 => out.push_str("\\#"),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push('\\');
                    out.push_str(&der::hex(&[b]).to_uppercase());
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atv(oid: &[u8], tag: u8, value: &[u8]) -> Vec<u8> {
        let mut body = der::tlv(der::TAG_OID, oid);
        body.extend(der::tlv(tag, value));
        der::tlv(der::TAG_SET, &der::tlv(der::TAG_SEQUENCE, &body))
    }

    #[test]
    fn reverses_rdns_and_escapes() {
        let mut rdns = atv(&[0x55, 4, 6], 0x13, b"NL");
        rdns.extend(atv(&[0x55, 4, 10], 0x0c, b"Example, Inc."));
        rdns.extend(atv(&[0x55, 4, 3], 0x0c, b" #lead+trail "));
        rdns.extend(atv(&[0x55, 4, 11], 0x0c, b"#x"));
        let name = der::tlv(der::TAG_SEQUENCE, &rdns);
        assert_eq!(rfc4514(&name).unwrap(), r"OU=\#x,CN=\ #lead\+trail\ ,O=Example\, Inc.,C=NL");
    }

    #[test]
    fn unknown_types_are_hex_and_controls_escaped() {
        let email = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01];
        let mut rdns = atv(&email, 0x16, b"a@b");
        rdns.extend(atv(&[0x55, 4, 3], 0x0c, b"x\ny"));
        let name = der::tlv(der::TAG_SEQUENCE, &rdns);
        assert_eq!(rfc4514(&name).unwrap(), r"CN=x\0Ay,1.2.840.113549.1.9.1=#1603614062");
    }

    #[test]
    fn bmp_and_multi_valued() {
        let mut set_body = der::tlv(der::TAG_SEQUENCE, &{
            let mut b = der::tlv(der::TAG_OID, &[0x55, 4, 11]);
            b.extend(der::tlv(0x1e, &[0, b'A', 0, b'B']));
            b
        });
        set_body.extend(der::tlv(der::TAG_SEQUENCE, &{
            let mut b = der::tlv(der::TAG_OID, &[0x55, 4, 3]);
            b.extend(der::tlv(0x13, b"C"));
            b
        }));
        let name = der::tlv(der::TAG_SEQUENCE, &der::tlv(der::TAG_SET, &set_body));
        assert_eq!(rfc4514(&name).unwrap(), "OU=AB+CN=C");
        assert_eq!(rfc4514(&der::tlv(der::TAG_SEQUENCE, &[])).unwrap(), "");
        assert!(rfc4514(&der::tlv(der::TAG_SEQUENCE, &der::tlv(der::TAG_SET, &[]))).is_none());
    }
}
