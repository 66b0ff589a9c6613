//! Where canonical bytes go: a vector, or straight into a digest.

use aws_lc_rs::digest;
use std::fmt;

/// Receives the canonical form piece by piece, in order. Writing cannot fail: a sink that can (a socket) should buffer
/// or record the error itself.
pub trait Sink {
    /// Appends `bytes` to the output.
    fn write(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn write(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// How many bytes [`DigestSink`] collects before updating the digest. Canonicalization writes many small pieces (a
/// `<`, a name, a quote); one `update` per 8 KiB keeps the per-call overhead of the hash out of the profile while the
/// memory stays constant whatever the size of the node-set.
const DIGEST_BUFFER: usize = 8 * 1024;

/// A [`Sink`] that hashes the canonical form as it is produced, so a Reference's digest never needs the whole canonical
/// string in memory.
///
/// ```
/// use sluis::c14n::{DigestSink, Sink};
/// let mut sink = DigestSink::new(&aws_lc_rs::digest::SHA256);
/// sink.write(b"<a>");
/// sink.write(b"</a>");
/// assert_eq!(sink.finish().as_ref(), aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, b"<a></a>").as_ref());
/// ```
pub struct DigestSink {
    ctx: digest::Context,
    buf: Vec<u8>,
    total: u64,
}

impl fmt::Debug for DigestSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestSink")
            .field("algorithm", self.ctx.algorithm())
            .field("bytes", &self.total)
            .finish()
    }
}

impl DigestSink {
    /// A sink hashing with `algorithm`.
    pub fn new(algorithm: &'static digest::Algorithm) -> Self {
        DigestSink { ctx: digest::Context::new(algorithm), buf: Vec::with_capacity(DIGEST_BUFFER), total: 0 }
    }

    /// How many bytes were written so far.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The digest of everything written.
    pub fn finish(mut self) -> digest::Digest {
        self.flush();
        self.ctx.finish()
    }

    fn flush(&mut self) {
        if !self.buf.is_empty() {
            self.ctx.update(&self.buf);
            self.buf.clear();
        }
    }
}

impl Sink for DigestSink {
    fn write(&mut self, bytes: &[u8]) {
        self.total += bytes.len() as u64;
        if self.buf.len() + bytes.len() > DIGEST_BUFFER {
            self.flush();
            if bytes.len() >= DIGEST_BUFFER {
                self.ctx.update(bytes);
                return;
            }
        }
        self.buf.extend_from_slice(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_sink_equals_one_shot_digest_across_buffer_boundaries() {
        let data: Vec<u8> = (0..50_000u32).map(|i| (i * 7 % 251) as u8).collect();
        for chunk in [1, 7, 100, DIGEST_BUFFER - 1, DIGEST_BUFFER, DIGEST_BUFFER + 1, 30_000] {
            let mut sink = DigestSink::new(&digest::SHA256);
            for piece in data.chunks(chunk) {
                sink.write(piece);
            }
            assert_eq!(sink.len(), data.len() as u64);
            let want = digest::digest(&digest::SHA256, &data);
            assert_eq!(sink.finish().as_ref(), want.as_ref(), "chunk {chunk}");
        }
        let empty = DigestSink::new(&digest::SHA384);
        assert!(empty.is_empty());
        assert_eq!(empty.finish().as_ref(), digest::digest(&digest::SHA384, b"").as_ref());
    }
}
