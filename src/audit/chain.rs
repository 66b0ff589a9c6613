//! The hash chain over audit records, and its verification (`sluis audit verify FILE`).
//!
//! A record is one line of **canonical JSON**: an object whose keys are sorted by their bytes at every level, with no
//! insignificant white space, strings escaped as `serde_json` escapes them, and integers only (no floats). Besides the
//! [`Event`](super::Event) fields it carries `v` (format version, 1), `seq` (0, 1, 2, … within a chain) and `prev`,
//! the lowercase hex SHA-256 of the previous record's line (without its newline); the first record of a chain has
//! `prev` = [`GENESIS`] (64 zeros) and `seq` 0.
//!
//! Verification recomputes everything: every line must parse, be canonical (so an edited line cannot keep a valid
//! hash by changing only formatting), carry `seq` one more than its predecessor and `prev` equal to the hash of its
//! predecessor's line. A modified record breaks the `prev` of the next one; a deleted record breaks `seq` and `prev`;
//! a chain that does not start at `seq` 0 is reported unless the caller expected it (rotated files).

use serde_json::Value;
use std::fmt;
use std::io::{BufRead, Read, Seek, SeekFrom};

/// The `prev` of the first record of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The record format version.
pub const FORMAT_VERSION: u64 = 1;

/// The longest line verification accepts (records are bounded to a few KiB by the writer).
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Why a chain does not verify. `line` is 1-based.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainError {
    /// The file could not be read.
    Io(String),
    /// A line is not a JSON object, or is longer than [`MAX_LINE_BYTES`].
    Malformed {
        /// The line number.
        line: usize,
        /// What is wrong.
        detail: String,
    },
    /// A line parses but is not in canonical form (it was edited).
    NotCanonical {
        /// The line number.
        line: usize,
    },
    /// `seq` is not the predecessor's plus one (a record was deleted or inserted), or the first is not 0.
    Sequence {
        /// The line number.
        line: usize,
        /// The `seq` the chain needs here.
        expected: u64,
        /// The `seq` found.
        found: u64,
    },
    /// `prev` does not match the hash of the predecessor (it was modified, deleted or inserted).
    Broken {
        /// The line number.
        line: usize,
        /// The predecessor's hash.
        expected: String,
        /// The `prev` found.
        found: String,
    },
    /// The last line has no newline: a torn write, or an edit.
    Unterminated {
        /// The line number.
        line: usize,
    },
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainError::Io(e) => write!(f, "cannot read: {e}"),
            ChainError::Malformed { line, detail } => write!(f, "line {line}: not an audit record: {detail}"),
            ChainError::NotCanonical { line } => write!(f, "line {line}: not in canonical form (modified)"),
            ChainError::Sequence { line, expected, found } => {
                write!(f, "line {line}: seq {found}, expected {expected} (a record was deleted or inserted)")
            }
            ChainError::Broken { line, expected, found } => write!(
                f,
                "line {line}: prev {found} does not match the previous record's hash {expected} (the previous \
                 record was modified, or records were deleted or inserted)"
            ),
            ChainError::Unterminated { line } => {
                write!(f, "line {line}: no final newline (torn write or edit)")
            }
        }
    }
}

impl std::error::Error for ChainError {}

/// What a verified chain holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainSummary {
    /// Records verified.
    pub records: u64,
    /// `seq` of the first record (0 unless the file continues an earlier one).
    pub first_seq: Option<u64>,
    /// `prev` of the first record ([`GENESIS`] for a chain's first file).
    pub first_prev: Option<String>,
    /// The hash of the last record: the chain's head. Keep it elsewhere to detect truncation later.
    pub head: String,
    /// `seq` of the last record.
    pub last_seq: Option<u64>,
}

/// The state that links the next record to the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainState {
    /// The next record's `seq`.
    pub next_seq: u64,
    /// The hash of the last record written ([`GENESIS`] if none).
    pub head: String,
}

impl Default for ChainState {
    fn default() -> Self {
        ChainState { next_seq: 0, head: GENESIS.to_owned() }
    }
}

impl ChainState {
    /// Seals `record` (a JSON object without `v`, `seq`, `prev`) into the next line (without newline) and advances.
    pub fn seal(&mut self, record: Value) -> String {
        let mut obj = match record {
            Value::Object(m) => m,
            other => {
                let mut m = serde_json::Map::new();
                m.insert("value".to_owned(), other);
                m
            }
        };
        obj.insert("v".to_owned(), Value::from(FORMAT_VERSION));
        obj.insert("seq".to_owned(), Value::from(self.next_seq));
        obj.insert("prev".to_owned(), Value::from(self.head.clone()));
        let line = canonical(&Value::Object(obj));
        self.head = sha256_hex(line.as_bytes());
        self.next_seq = self.next_seq.saturating_add(1);
        line
    }

    /// The state after the last record of an existing file, read from its tail (the file is not verified as a whole;
    /// `sluis audit verify` does that). An empty file starts a new chain.
    pub fn resume<F: Read + Seek>(file: &mut F) -> Result<ChainState, ChainError> {
        let len = file.seek(SeekFrom::End(0)).map_err(|e| ChainError::Io(e.to_string()))?;
        if len == 0 {
            return Ok(ChainState::default());
        }
        let window = len.min(MAX_LINE_BYTES as u64 + 1);
        file.seek(SeekFrom::Start(len - window)).map_err(|e| ChainError::Io(e.to_string()))?;
        let mut tail = Vec::with_capacity(window as usize);
        file.take(window).read_to_end(&mut tail).map_err(|e| ChainError::Io(e.to_string()))?;
        let Some(body) = tail.strip_suffix(b"\n") else {
            return Err(ChainError::Unterminated { line: 0 });
        };
        let start = body.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        if start == 0 && window == MAX_LINE_BYTES as u64 + 1 {
            return Err(ChainError::Malformed { line: 0, detail: "last line too long".into() });
        }
        let last = body.get(start..).unwrap_or_default();
        let (seq, _) = parse_record(last, 0)?;
        Ok(ChainState { next_seq: seq.saturating_add(1), head: sha256_hex(last) })
    }
}

/// Verifies a whole chain read from `input`. With `expect_genesis`, the first record must start a chain (`seq` 0,
/// `prev` = [`GENESIS`]); otherwise a file that continues an earlier one (after rotation) is accepted from its first
/// record, whose `prev` is reported in the summary so it can be matched with the previous file's head.
pub fn verify<R: BufRead>(mut input: R, expect_genesis: bool) -> Result<ChainSummary, ChainError> {
    let mut summary = ChainSummary {
        records: 0,
        first_seq: None,
        first_prev: None,
        head: GENESIS.to_owned(),
        last_seq: None,
    };
    let mut line_no = 0usize;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = (&mut input)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| ChainError::Io(e.to_string()))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let Some(line) = buf.strip_suffix(b"\n") else {
            if buf.len() > MAX_LINE_BYTES {
                return Err(ChainError::Malformed { line: line_no, detail: "line too long".into() });
            }
            return Err(ChainError::Unterminated { line: line_no });
        };
        let (seq, prev) = parse_record(line, line_no)?;
        match summary.last_seq {
            None => {
                if expect_genesis && (seq != 0 || prev != GENESIS) {
                    return Err(if seq != 0 {
                        ChainError::Sequence { line: line_no, expected: 0, found: seq }
                    } else {
                        ChainError::Broken { line: line_no, expected: GENESIS.to_owned(), found: prev }
                    });
                }
                summary.first_seq = Some(seq);
                summary.first_prev = Some(prev);
            }
            Some(last) => {
                let expected = last.saturating_add(1);
                if seq != expected {
                    return Err(ChainError::Sequence { line: line_no, expected, found: seq });
                }
                if prev != summary.head {
                    return Err(ChainError::Broken { line: line_no, expected: summary.head, found: prev });
                }
            }
        }
        summary.head = sha256_hex(line);
        summary.last_seq = Some(seq);
        summary.records += 1;
    }
    Ok(summary)
}

/// Parses one line: a canonical JSON object with integer `seq` and 64-hex `prev`.
fn parse_record(line: &[u8], line_no: usize) -> Result<(u64, String), ChainError> {
    let malformed = |detail: &str| ChainError::Malformed { line: line_no, detail: detail.to_owned() };
    let value: Value = serde_json::from_slice(line).map_err(|e| malformed(&e.to_string()))?;
    if canonical(&value).as_bytes() != line {
        return Err(ChainError::NotCanonical { line: line_no });
    }
    let seq = value.get("seq").and_then(Value::as_u64).ok_or_else(|| malformed("no integer seq"))?;
    let prev = value
        .get("prev")
        .and_then(Value::as_str)
        .filter(|p| p.len() == 64 && p.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .ok_or_else(|| malformed("no 64-hex-digit prev"))?;
    Ok((seq, prev.to_owned()))
}

/// Canonical JSON: keys sorted by bytes at every level, no white space. Independent of whether `serde_json` was
/// built with `preserve_order` (which another crate in the build could turn on).
pub fn canonical(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::from(k.as_str()).to_string());
                out.push(':');
                if let Some(v) = m.get(k) {
                    write_canonical(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    crate::trust::hex(digest.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chain(n: u64) -> String {
        let mut st = ChainState::default();
        (0..n)
            .map(|i| st.seal(json!({"kind": "test", "n": i, "z": {"b": 1, "a": [2, "x"]}})) + "\n")
            .collect()
    }

    #[test]
    fn seals_and_verifies() {
        let text = chain(5);
        let s = verify(text.as_bytes(), true).unwrap();
        assert_eq!((s.records, s.first_seq, s.last_seq), (5, Some(0), Some(4)));
        assert_eq!(s.head, sha256_hex(text.lines().last().unwrap().as_bytes()));
        assert!(text.starts_with("{\"kind\":\"test\",\"n\":0,\"prev\":\"0000"), "{text}");
        assert_eq!(verify(&b""[..], true).unwrap().records, 0);
    }

    #[test]
    fn detects_edits_deletions_insertions() {
        let text = chain(4);
        let lines: Vec<&str> = text.lines().collect();
        let edited = text.replacen("\"n\":1", "\"n\":7", 1);
        assert!(matches!(verify(edited.as_bytes(), true), Err(ChainError::Broken { line: 3, .. })));
        let deleted: String =
            lines.iter().enumerate().filter(|(i, _)| *i != 1).map(|(_, l)| format!("{l}\n")).collect();
        assert!(matches!(verify(deleted.as_bytes(), true), Err(ChainError::Sequence { line: 2, .. })));
        let first_gone: String = lines[1..].iter().map(|l| format!("{l}\n")).collect();
        assert!(matches!(verify(first_gone.as_bytes(), true), Err(ChainError::Sequence { line: 1, .. })));
        assert_eq!(verify(first_gone.as_bytes(), false).unwrap().first_seq, Some(1));
        let spaced = text.replacen("\"n\":1", "\"n\": 1", 1);
        assert!(matches!(verify(spaced.as_bytes(), true), Err(ChainError::NotCanonical { line: 2 })));
        let torn = text.trim_end_matches('\n');
        assert!(matches!(verify(torn.as_bytes(), true), Err(ChainError::Unterminated { line: 4 })));
        assert!(matches!(verify(&b"[1]\n"[..], true), Err(ChainError::Malformed { line: 1, .. })));
    }

    #[test]
    fn resumes_from_the_tail() {
        let text = chain(3);
        let mut st = ChainState::resume(&mut std::io::Cursor::new(text.as_bytes())).unwrap();
        assert_eq!(st.next_seq, 3);
        let more = format!("{text}{}\n", st.seal(json!({"kind": "more"})));
        assert_eq!(verify(more.as_bytes(), true).unwrap().records, 4);
        assert_eq!(ChainState::resume(&mut std::io::Cursor::new(b"")).unwrap(), ChainState::default());
        assert!(ChainState::resume(&mut std::io::Cursor::new(text.trim_end().as_bytes())).is_err());
    }
}
