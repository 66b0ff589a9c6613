//! Facts about one request that every layer needs: its id, where it came from, how it arrived.

use crate::config::IpRange;
use std::net::{IpAddr, Ipv4Addr};

/// The longest `X-Request-Id` accepted from a client; longer or odd ones are replaced by a generated id.
pub(crate) const MAX_REQUEST_ID_LEN: usize = 64;
/// The longest `X-Forwarded-For` kept for the audit record.
const MAX_FORWARDED_FOR_LEN: usize = 512;
/// The most `X-Forwarded-For` entries examined (right to left).
const MAX_FORWARDED_HOPS: usize = 16;

/// Per-request facts, stored in the request's extensions by the edge middleware.
#[derive(Clone, Debug)]
pub struct RequestInfo {
    /// The request id (from a well-formed `X-Request-Id`, or generated).
    pub id: String,
    /// The client address: the TCP peer, or what trusted proxies reported.
    pub client_ip: IpAddr,
    /// The TCP peer.
    pub peer_ip: IpAddr,
    /// The `X-Forwarded-For` header, when the peer is a trusted proxy (bounded).
    pub forwarded_for: Option<String>,
    /// Whether the client's connection is TLS (to sluis, or to a trusted proxy that says so).
    pub tls: bool,
}

/// Accepts a client's request id if it is short and made of `A-Z a-z 0-9 . _ - :` only (so it is safe in headers,
/// logs and XML); otherwise generates one.
pub fn request_id(header: Option<&[u8]>) -> String {
    match header {
        Some(h)
            if !h.is_empty()
                && h.len() <= MAX_REQUEST_ID_LEN
                && h.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b':')) =>
        {
            String::from_utf8_lossy(h).into_owned()
        }
        _ => generate_id(),
    }
}

/// 128 random bits, hex.
fn generate_id() -> String {
    let mut bytes = [0u8; 16];
    if aws_lc_rs::rand::fill(&mut bytes).is_err() {
        // The system RNG does not fail on Linux once seeded; a counter keeps ids unique if it ever did.
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        bytes[..8].copy_from_slice(&n.to_be_bytes());
    }
    crate::trust::hex(&bytes)
}

/// The client address. When the TCP peer is a trusted proxy, `X-Forwarded-For` is read right to left and the first
/// address that is not itself a trusted proxy is the client (RFC 7239 §5.2 reasoning: only the entries appended by
/// proxies we trust are believable). Returns (client, the bounded header for audit).
pub(crate) fn client_ip(
    peer: Option<IpAddr>,
    forwarded_for: &[&str],
    trusted: &[IpRange],
) -> (IpAddr, IpAddr, Option<String>) {
    let peer = peer.map(crate::config::canonical_ip).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    if !trusted.iter().any(|r| r.contains(peer)) || forwarded_for.is_empty() {
        return (peer, peer, None);
    }
    let joined = forwarded_for.join(",");
    let mut client = peer;
    for entry in joined.rsplit(',').take(MAX_FORWARDED_HOPS) {
        let Some(ip) = parse_forwarded_entry(entry.trim()) else { break };
        client = crate::config::canonical_ip(ip);
        if !trusted.iter().any(|r| r.contains(client)) {
            break;
        }
    }
    let mut kept = joined;
    if let Some((cut, _)) = kept.char_indices().nth(MAX_FORWARDED_FOR_LEN) {
        kept.truncate(cut);
    }
    (client, peer, Some(kept))
}

/// An `X-Forwarded-For` entry: an address, optionally with a port (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn parse_forwarded_entry(e: &str) -> Option<IpAddr> {
    if let Ok(ip) = e.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(sa) = e.parse::<std::net::SocketAddr>() {
        return Some(sa.ip());
    }
    e.strip_prefix('[').and_then(|r| r.strip_suffix(']')).and_then(|r| r.parse().ok())
}

/// Makes a value safe for an HTTP header: bytes outside printable ASCII (controls, DEL, non-ASCII) and `%` itself are
/// percent-encoded (UTF-8), so the upstream can always decode with a standard percent-decoder and plain ASCII values
/// stay readable. Values are cut at `max` bytes of output.
pub fn header_safe(value: &str, max: usize) -> String {
    let mut out = String::with_capacity(value.len().min(max));
    for b in value.bytes() {
        let piece = if (0x20..0x7f).contains(&b) && b != b'%' { None } else { Some(format!("%{b:02X}")) };
        let len = piece.as_ref().map_or(1, String::len);
        if out.len() + len > max {
            break;
        }
        match piece {
            Some(p) => out.push_str(&p),
            None => out.push(char::from(b)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids() {
        assert_eq!(request_id(Some(b"abc-123_x.y:z")), "abc-123_x.y:z");
        for bad in [&b""[..], b"a b", b"a\r\nb", b"<x>", &[b'a'; 65][..]] {
            let id = request_id(Some(bad));
            assert_eq!(id.len(), 32, "{bad:?}");
            assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        }
        assert_ne!(request_id(None), request_id(None));
    }

    #[test]
    fn forwarded_for_only_from_trusted_proxies() {
        let trusted = [IpRange::parse("10.0.0.0/8").unwrap()];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // Untrusted peer: its header is ignored.
        assert_eq!(client_ip(Some(ip("192.0.2.9")), &["203.0.113.5"], &trusted).0, ip("192.0.2.9"));
        // Trusted peer: the rightmost untrusted entry.
        let (c, p, f) = client_ip(Some(ip("10.0.0.2")), &["198.51.100.1, 203.0.113.5, 10.0.0.3"], &trusted);
        assert_eq!((c, p), (ip("203.0.113.5"), ip("10.0.0.2")));
        assert_eq!(f.as_deref(), Some("198.51.100.1, 203.0.113.5, 10.0.0.3"));
        assert_eq!(client_ip(Some(ip("10.0.0.2")), &["[2001:db8::1]:443"], &trusted).0, ip("2001:db8::1"));
        // Garbage stops the walk at the last good address.
        assert_eq!(client_ip(Some(ip("10.0.0.2")), &["x, 10.0.0.4"], &trusted).0, ip("10.0.0.4"));
        assert_eq!(client_ip(Some(ip("::ffff:10.0.0.2")), &["192.0.2.1"], &trusted).0, ip("192.0.2.1"));
    }

    #[test]
    fn header_values_are_safe() {
        assert_eq!(header_safe("CN=Alice, O=Org", 100), "CN=Alice, O=Org");
        assert_eq!(header_safe("a\r\nX-Evil: 1", 100), "a%0D%0AX-Evil: 1");
        assert_eq!(header_safe("Jöhn 100%", 100), "J%C3%B6hn 100%25");
        assert_eq!(header_safe("abcdef", 3), "abc");
        assert_eq!(header_safe("ab\n", 4), "ab");
    }
}
