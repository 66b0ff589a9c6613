//! `sluis serve`: load the configuration (or the embedded demo), start the gateway, run until SIGTERM/SIGINT.

use super::{EXIT_OK, EXIT_USAGE};
use crate::config::{Config, LogFormat};
use crate::server::{Options, Server, init_logging};
use std::path::PathBuf;

/// Arguments of `sluis serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The configuration file (TOML). Without it, the embedded demo configuration runs: 127.0.0.1:8080, trusting only
    /// the public test keys.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Log JSON lines instead of text (overrides server.log_format).
    #[arg(long)]
    log_json: bool,
    /// Check the configuration and everything it names (trust material, users, WSDLs, TLS keys), then exit.
    #[arg(long)]
    check: bool,
}

/// The banner printed when the demo configuration runs.
const DEMO_BANNER: &str = "\
*******************************************************************************
* sluis is running the built-in DEMO configuration (no --config given).        *
* It trusts ONLY the public test keys of testdata/pki, whose private keys are  *
* published: anyone can sign a message it accepts. Do not expose it.           *
* Try: GET http://127.0.0.1:8080/demo?wsdl   POST signed SOAP to /demo         *
*******************************************************************************";

/// Runs `sluis serve`.
pub(crate) fn run(args: &Args) -> u8 {
    let config = match &args.config {
        Some(path) => Config::load(path),
        None => Config::demo(),
    };
    let config = match config {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sluis serve: {e}");
            return EXIT_USAGE;
        }
    };
    let format = if args.log_json { LogFormat::Json } else { config.server.log_format };
    init_logging(format, &config.server.log_level);
    if args.check {
        return match crate::server::check(&config) {
            Ok(_) => {
                eprintln!("sluis serve: {}: configuration OK", config.label());
                EXIT_OK
            }
            Err(e) => {
                eprintln!("sluis serve: {e}");
                EXIT_USAGE
            }
        };
    }
    if config.is_demo() {
        eprintln!("{DEMO_BANNER}");
        tracing::warn!(target: "sluis::server", "running the DEMO configuration: trusting test keys only");
    }
    let system = actix_web::rt::System::new();
    let result = system.block_on(async {
        let server = Server::start(&config, Options::default())?;
        server.run().await.map_err(|e| crate::server::StartError::Bind(config.server.listen.clone(), e))
    });
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("sluis serve: {e}");
            EXIT_USAGE
        }
    }
}
