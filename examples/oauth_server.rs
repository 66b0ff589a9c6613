//! A stand-alone authorization server: `sluis::oauth::http::configure` mounted on actix-web, for the Python client test
//! and the load benchmark until `sluis serve` mounts it itself.
//!
//! ```text
//! cargo run --release --example oauth_server -- CONFIG.toml [ADDR] [WORKERS]
//! ```
//!
//! `CONFIG.toml` has an `[oauth]` table (see `config/oauth.example.toml`); paths in it are relative to its directory.
//! `ADDR` defaults to `127.0.0.1:8080`. SIGHUP re-reads the file and reloads the configuration. The chosen address is
//! printed as `listening on ADDR` once the socket is bound.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use actix_web::{App, HttpServer};
use sluis::clock::SystemClock;
use sluis::oauth::{AuthorizationServer, ConfigError, OAuthConfig, http};

#[derive(serde::Deserialize)]
struct File {
    oauth: OAuthConfig,
}

fn load(path: &Path) -> Result<OAuthConfig, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError { at: path.display().to_string(), message: e.to_string() })?;
    toml::from_str::<File>(&text)
        .map(|f| f.oauth)
        .map_err(|e| ConfigError { at: path.display().to_string(), message: e.to_string() })
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(config_path) = args.next().map(PathBuf::from) else {
        eprintln!("usage: oauth_server CONFIG.toml [ADDR] [WORKERS]");
        std::process::exit(2);
    };
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let workers: usize = args.next().and_then(|w| w.parse().ok()).unwrap_or(2);
    let base = config_path.parent().map(Path::to_path_buf).unwrap_or_default();
    let config = match load(&config_path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("oauth_server: {e}");
            std::process::exit(2);
        }
    };
    let server = match AuthorizationServer::new(&config, &base, Arc::new(SystemClock)) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("oauth_server: {e}");
            std::process::exit(2);
        }
    };
    actix_web::rt::System::new().block_on(async move {
        let reload_path = config_path.clone();
        http::spawn_reload_on_sighup(
            Arc::clone(&server),
            move || load(&reload_path),
            |outcome| match outcome {
                Ok(()) => eprintln!("oauth_server: configuration reloaded"),
                Err(e) => eprintln!("oauth_server: reload refused, keeping the running configuration: {e}"),
            },
        )?;
        let srv = Arc::clone(&server);
        let http =
            HttpServer::new(move || App::new().configure(|cfg| http::configure(cfg, Arc::clone(&srv))))
                .workers(workers)
                .bind(&addr)?;
        for a in http.addrs() {
            println!("listening on {a}");
        }
        http.run().await
    })
}
