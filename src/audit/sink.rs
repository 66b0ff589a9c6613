//! Where sealed audit lines go.

use super::FsyncPolicy;
use super::chain::{ChainError, ChainState};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A destination for sealed audit lines. The writer thread owns its sink; nothing else touches it.
pub trait Sink: Send {
    /// Writes one line (the newline is added by the sink). An error leaves the sink usable: the writer retries the
    /// same line later.
    fn write_line(&mut self, line: &str) -> io::Result<()>;

    /// Called after a batch of lines: flush and, per policy, make them durable.
    fn end_batch(&mut self) -> io::Result<()>;

    /// Where a chain written to this sink resumes (the tail of an existing file); a fresh chain for streams.
    fn resume(&mut self) -> Result<ChainState, ChainError> {
        Ok(ChainState::default())
    }
}

/// A JSON-lines file opened for appending (created with mode 0600 on Unix if missing).
#[derive(Debug)]
pub struct FileSink {
    path: PathBuf,
    file: File,
    fsync: FsyncPolicy,
    /// Lines written since the last fsync.
    dirty: bool,
    /// A line that was written only in part: its hash and the bytes already in the file.
    partial: Option<(String, usize)>,
}

impl FileSink {
    /// Opens (or creates) `path` for appending.
    pub fn open(path: &Path, fsync: FsyncPolicy) -> io::Result<FileSink> {
        let mut opts = OpenOptions::new();
        opts.read(true).append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            opts.mode(0o600);
        }
        let file = opts.open(path)?;
        Ok(FileSink { path: path.to_path_buf(), file, fsync, dirty: false, partial: None })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Sink for FileSink {
    fn write_line(&mut self, line: &str) -> io::Result<()> {
        let mut buf = Vec::with_capacity(line.len() + 1);
        buf.extend_from_slice(line.as_bytes());
        buf.push(b'\n');
        // A retry of a line that was partly written (disk full) continues where it stopped, so the file never holds a
        // torn record followed by a whole copy of it.
        let mut done = match self.partial.take() {
            Some((hash, n)) if hash == super::chain::sha256_hex(&buf) => n,
            _ => 0,
        };
        while done < buf.len() {
            match self.file.write(buf.get(done..).unwrap_or_default()) {
                Ok(0) => {
                    self.partial = Some((super::chain::sha256_hex(&buf), done));
                    return Err(io::Error::new(io::ErrorKind::WriteZero, "audit file accepts no more bytes"));
                }
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    if done > 0 {
                        self.partial = Some((super::chain::sha256_hex(&buf), done));
                    }
                    return Err(e);
                }
            }
        }
        self.dirty = true;
        if self.fsync == FsyncPolicy::Always {
            self.file.sync_data()?;
            self.dirty = false;
        }
        Ok(())
    }

    fn end_batch(&mut self) -> io::Result<()> {
        if self.dirty && self.fsync == FsyncPolicy::Batch {
            self.file.sync_data()?;
        }
        self.dirty = false;
        Ok(())
    }

    fn resume(&mut self) -> Result<ChainState, ChainError> {
        ChainState::resume(&mut self.file)
    }
}

/// Standard output, one line per record (for a collector that reads the process's output).
#[derive(Debug, Default)]
pub struct StdoutSink;

impl Sink for StdoutSink {
    fn write_line(&mut self, line: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")
    }

    fn end_batch(&mut self) -> io::Result<()> {
        io::stdout().lock().flush()
    }
}
