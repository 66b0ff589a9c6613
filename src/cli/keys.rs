//! `sluis keys`: make the authorization server's key material.
//!
//! * `sluis keys generate --alg RS256|PS256|ES256|ES384|EdDSA --out DIR [--kid KID] [--bits N]` writes `DIR/KID.pem`, an
//!   unencrypted PKCS#8 private key (mode 0600, refused if it exists), and `DIR/KID.jwk.json`, its public JWK with
//!   `kid`, `alg` and `use: sig`. The default `kid` is the key's RFC 7638 SHA-256 thumbprint. The private key is
//!   written once and never printed.
//! * `sluis keys hash-secret` makes a client secret (256 random bits, base64url) and prints it with its argon2id PHC
//!   hash for `secret_hash` in `[[oauth.clients]]`; `--stdin` hashes a secret read from standard input instead.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::ThumbprintHash;

use super::{EXIT_OK, EXIT_USAGE};
use crate::oauth::alg::JwsAlgorithm;
use crate::oauth::keys::{pem_encode, public_jwk};
use crate::oauth::secret::SecretHash;
use crate::trust::{KeyKind, SigningKey};

/// Arguments of `sluis keys`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Generate a signing key for access tokens: a PKCS#8 PEM private key (0600) and its public JWK.
    Generate(GenerateArgs),
    /// Make a client secret and its argon2id hash (or hash a secret given on standard input).
    HashSecret(HashArgs),
}

#[derive(Debug, clap::Args)]
struct GenerateArgs {
    /// The JWS algorithm the key will sign with.
    #[arg(long, value_parser = parse_alg)]
    alg: JwsAlgorithm,
    /// The directory to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The key id; default: the RFC 7638 thumbprint of the public key.
    #[arg(long)]
    kid: Option<String>,
    /// RSA modulus size in bits (RS*/PS* only).
    #[arg(long, default_value_t = 2048)]
    bits: u32,
}

#[derive(Debug, clap::Args)]
struct HashArgs {
    /// Hash the secret read from standard input (one line, trailing newline removed) instead of making one.
    #[arg(long)]
    stdin: bool,
}

fn parse_alg(s: &str) -> Result<JwsAlgorithm, String> {
    JwsAlgorithm::parse(s)
        .ok_or_else(|| format!("{s:?} is not one of RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 EdDSA"))
}

/// Runs `sluis keys`.
pub(crate) fn run(args: &Args) -> u8 {
    let result = match &args.command {
        Command::Generate(g) => generate(g),
        Command::HashSecret(h) => hash_secret(h),
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("sluis keys: {e}");
            EXIT_USAGE
        }
    }
}

fn generate(args: &GenerateArgs) -> Result<(), String> {
    let kind = match args.alg {
        JwsAlgorithm::ES256 => KeyKind::EcP256,
        JwsAlgorithm::ES384 => KeyKind::EcP384,
        JwsAlgorithm::EdDSA => KeyKind::Ed25519,
        _ if matches!(args.bits, 2048 | 3072 | 4096) => KeyKind::Rsa { bits: args.bits },
        _ => return Err(format!("--bits {}: RSA keys are 2048, 3072 or 4096 bits", args.bits)),
    };
    let key = SigningKey::generate(kind).map_err(|e| format!("generating a {kind} key: {e}"))?;
    let kid = match &args.kid {
        Some(k) if k.is_empty() || k.contains(['/', '\\']) || k.starts_with('.') => {
            return Err(format!(
                "--kid {k:?}: must be non-empty, without path separators, not starting with '.'"
            ));
        }
        Some(k) => k.clone(),
        None => {
            let jwk = public_jwk(&key, "", args.alg)?;
            jwk.thumbprint(ThumbprintHash::SHA256).map_err(|e| e.to_string())?
        }
    };
    let jwk = public_jwk(&key, &kid, args.alg)?;
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let pem_path = args.out.join(format!("{kid}.pem"));
    let jwk_path = args.out.join(format!("{kid}.jwk.json"));
    let der = key.to_pkcs8_der().map_err(|e| e.to_string())?;
    write_private(&pem_path, pem_encode("PRIVATE KEY", &der).as_bytes())?;
    let json = serde_json::to_string_pretty(&jwk).map_err(|e| e.to_string())?;
    std::fs::write(&jwk_path, format!("{json}\n")).map_err(|e| format!("{}: {e}", jwk_path.display()))?;
    println!("kid = {kid:?}");
    println!("alg = {:?}", args.alg.as_str());
    println!("private_key = {:?}", pem_path.display().to_string());
    println!("# public JWK: {}", jwk_path.display());
    Ok(())
}

/// Creates `path` with mode 0600, refusing to overwrite.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn hash_secret(args: &HashArgs) -> Result<(), String> {
    let secret = if args.stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| format!("stdin: {e}"))?;
        let s = s.strip_suffix('\n').unwrap_or(&s);
        let s = s.strip_suffix('\r').unwrap_or(s).to_owned();
        if s.is_empty() {
            return Err("empty secret on stdin".into());
        }
        s
    } else {
        let mut bytes = [0u8; 32];
        aws_lc_rs::rand::fill(&mut bytes).map_err(|_| "no randomness")?;
        let s = URL_SAFE_NO_PAD.encode(bytes);
        println!("client_secret = {s:?}");
        s
    };
    let hash = SecretHash::hash(secret.as_bytes())?;
    println!("secret_hash = {hash:?}");
    Ok(())
}
