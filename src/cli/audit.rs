//! `sluis audit verify FILE…`: check the hash chain of audit trails.

use super::{EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use crate::audit::chain::{self, ChainError};
use std::path::PathBuf;

/// Arguments of `sluis audit`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Verify the hash chain of audit files (JSON lines written by `sluis serve`).
    Verify {
        /// Accept files that continue an earlier file (after rotation) instead of requiring the chain's first record.
        #[arg(long)]
        continued: bool,
        /// The audit files, in order: each must continue the one before it.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

/// Runs `sluis audit`.
pub(crate) fn run(args: &Args) -> u8 {
    match &args.command {
        Command::Verify { continued, files } => verify(files, *continued),
    }
}

fn verify(files: &[PathBuf], continued: bool) -> u8 {
    let mut previous_head: Option<String> = None;
    for (i, path) in files.iter().enumerate() {
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("sluis audit verify: {}: {e}", path.display());
                return EXIT_USAGE;
            }
        };
        let expect_genesis = i == 0 && !continued;
        match chain::verify(std::io::BufReader::new(file), expect_genesis) {
            Ok(s) => {
                if let (Some(head), Some(first_prev)) = (&previous_head, &s.first_prev)
                    && head != first_prev
                {
                    println!(
                        "{}: BROKEN: first record's prev {first_prev} does not match the previous file's head {head}",
                        path.display()
                    );
                    return EXIT_INVALID;
                }
                match (s.first_seq, s.last_seq) {
                    (Some(first), Some(last)) => println!(
                        "{}: OK: {} records (seq {first}..={last}), head {}",
                        path.display(),
                        s.records,
                        s.head
                    ),
                    _ => println!("{}: OK: empty", path.display()),
                }
                if s.records > 0 {
                    previous_head = Some(s.head);
                }
            }
            Err(ChainError::Io(e)) => {
                eprintln!("sluis audit verify: {}: {e}", path.display());
                return EXIT_USAGE;
            }
            Err(e) => {
                println!("{}: BROKEN: {e}", path.display());
                return EXIT_INVALID;
            }
        }
    }
    EXIT_OK
}
