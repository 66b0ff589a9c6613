//! The `sluis` command line: argument parsing and output only; every rule lives in the library.
//!
//! Exit codes are shared by all subcommands: 0 success (everything verified), 1 a verdict of "invalid", 2 a usage
//! error (bad arguments, unreadable trust material).

mod audit;
mod keys;
mod output;
mod replay;
mod serve;
mod sign;
mod verify;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// sluis: a security gateway for SOAP/WS-Security and SAML in front of OAuth 2.0 / JWT APIs.
#[derive(Debug, Parser)]
#[command(name = "sluis", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Verify XML Signatures, whole SOAP envelopes (WS-Security, SAML tokens) and SAML assertions offline, at a
    /// chosen time.
    Verify(Box<verify::Args>),
    /// Sign fixtures: a WS-Security header for SOAP envelopes, an enveloped signature for SAML assertions and
    /// responses or any other document.
    Sign(Box<sign::Args>),
    /// Make the OAuth authorization server's keys and client secret hashes.
    Keys(keys::Args),
    /// Run the gateway (with --config FILE, or the built-in demo configuration).
    Serve(serve::Args),
    /// Replay a folder of SOAP envelopes against a running server and compare each outcome with the expected one.
    Replay(replay::Args),
    /// Check audit trails.
    Audit(audit::Args),
}

/// Exit code: everything checked out.
pub const EXIT_OK: u8 = 0;
/// Exit code: at least one input was refused.
pub const EXIT_INVALID: u8 = 1;
/// Exit code: the command could not run as asked.
pub const EXIT_USAGE: u8 = 2;

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { EXIT_OK });
        }
    };
    let code = match cli.command {
        Command::Verify(args) => verify::run(&args),
        Command::Sign(args) => sign::run(&args),
        Command::Keys(args) => keys::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Replay(args) => replay::run(&args),
        Command::Audit(args) => audit::run(&args),
    };
    ExitCode::from(code)
}
