use super::*;

const MIN: &str = "[[routes]]\npath = \"/svc\"\n";

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::from_toml(text, Path::new("/nonexistent"))
}

fn error(text: &str) -> ConfigError {
    match parse(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e,
    }
}

#[test]
fn minimal_config_takes_defaults() {
    let c = parse(MIN).unwrap();
    assert_eq!(c.server.listen, "127.0.0.1:8080");
    assert_eq!(c.routes[0].upstream, None);
    assert_eq!(c.routes[0].upstream_timeout_secs, 30);
    assert_eq!(c.audit.on_full, OnAuditFull::Refuse);
    assert!(!c.is_demo());
}

#[test]
fn demo_config_loads_and_trusts_the_test_pki() {
    let c = Config::demo().unwrap();
    assert!(c.is_demo());
    assert_eq!(c.server.listen, "127.0.0.1:8080");
    assert_eq!(c.routes.len(), 1);
    assert_eq!(c.routes[0].path, "/demo");
    assert!(c.routes[0].upstream.is_none());
    let ctx = c.security_context().unwrap();
    assert!(!ctx.trust().is_empty());
}

#[test]
fn unknown_keys_are_refused_with_their_position() {
    let e = error("[server]\nlisten = \"127.0.0.1:1\"\nlisen = 1\n[[routes]]\npath = \"/a\"\n");
    assert_eq!(e.field, "line 3, column 1", "{e}");
    assert!(e.message.contains("unknown field `lisen`"), "{e}");
    let e = error("[[routes]]\npath = \"/a\"\n[routes.policy]\nmin_auth_levle = 3\n");
    assert!(e.message.contains("min_auth_levle"), "{e}");
    let e = error("[[routes]]\npath = \"/a\"\nupstream_timeout = 3\n");
    assert!(e.message.contains("upstream_timeout"), "{e}");
}

#[test]
fn semantic_errors_name_the_field() {
    let cases: &[(&str, &str, &str)] = &[
        ("[server]\nlisten = \"localhost\"\n", "server.listen", "not an IP address"),
        ("[server]\nlisten = \"0.0.0.0:8080\"\n", "server.listen", "not a loopback"),
        ("[server]\npublic_url = \"ftp://x\"\n", "server.public_url", "scheme"),
        ("[server]\nmax_body_bytes = 0\n", "server.max_body_bytes", "out of range"),
        ("[server]\ntrusted_proxies = [\"10.0.0.0/40\"]\n", "server.trusted_proxies[0]", "CIDR"),
        ("[server]\nlog_level = \"[[[\"\n", "server.log_level", ""),
        ("[metrics]\nallow = [\"everyone\"]\n", "metrics.allow[0]", "CIDR"),
        ("[cors]\nallowed_origins = [\"*\"]\n", "cors.allowed_origins[0]", "wildcards"),
        ("[cors]\nallowed_origins = [\"https://*.example.nl\"]\n", "cors.allowed_origins[0]", "wildcards"),
        (
            "[cors]\nallowed_origins = [\"https://a.example/path\"]\n",
            "cors.allowed_origins[0]",
            "without a path",
        ),
        ("[cors]\nallowed_origins = [\"null\"]\n", "cors.allowed_origins[0]", "null"),
        ("[audit]\nsink = \"file\"\n", "audit.path", "needs a path"),
        ("[rate_limit]\nper_second = 0.0\n", "rate_limit.per_second", "> 0"),
        ("[wss.trust]\nca = [\"embedded:testdata/pki/root-ca.cert.pem\"]\n", "", ""),
        ("[wss.trust]\nmin_rsa_bits = 512\n", "wss.trust.min_rsa_bits", "out of range"),
    ];
    for (extra, field, msg) in cases {
        let text = format!("{MIN}{extra}");
        let e = match parse(&text) {
            Ok(c) if field.is_empty() => {
                // Parses, but embedded material is refused when loaded outside the demo configuration.
                let e = c.security_context().expect_err("embedded material refused");
                assert_eq!(e.field, "wss.trust.ca[0]");
                assert!(e.message.contains("demo"), "{e}");
                continue;
            }
            Ok(_) => panic!("accepted: {extra}"),
            Err(e) => e,
        };
        assert_eq!(e.field, *field, "{extra} -> {e}");
        assert!(e.message.contains(msg), "{extra} -> {e}");
        assert_eq!(e.file, "/nonexistent/<inline>");
    }
}

#[test]
fn route_errors_name_the_route() {
    let cases: &[(&str, &str, &str)] = &[
        ("path = \"svc\"", "routes[0].path", "start with"),
        ("path = \"/svc/\"", "routes[0].path", "end with"),
        ("path = \"/a/../b\"", "routes[0].path", "'..'"),
        ("path = \"/a?b\"", "routes[0].path", "contains"),
        ("path = \"/healthz\"", "routes[0].path", "reserved"),
        ("path = \"/oauth2/token\"", "routes[0].path", "reserved"),
        ("path = \"/a\"\nupstream = \"http://10.0.0.1/x\"", "routes[0].upstream", "plain HTTP"),
        ("path = \"/a\"\nupstream = \"https://u:p@x.example/\"", "routes[0].upstream", "credentials"),
        ("path = \"/a\"\nupstream = \"not a url\"", "routes[0].upstream", "not a URL"),
        ("path = \"/a\"\nupstream_ca = \"ca.pem\"", "routes[0].upstream_ca", "without an upstream"),
        ("path = \"/a\"\nupstream_timeout_secs = 0", "routes[0].upstream_timeout_secs", "out of range"),
        ("path = \"/a\"\nmax_body_bytes = 100000000000", "routes[0].max_body_bytes", "out of range"),
        ("path = \"/a\"\nrate_limit = { burst = 0 }", "routes[0].rate_limit.burst", "out of range"),
        ("path = \"/a\"\npolicy = { accepted_tokens = [] }", "routes[0].policy.accepted_tokens", "empty"),
    ];
    for (route, field, msg) in cases {
        let e = error(&format!("[[routes]]\n{route}\n"));
        assert_eq!(e.field, *field, "{route} -> {e}");
        assert!(e.message.contains(msg), "{route} -> {e}");
    }
    let e = error("[[routes]]\npath = \"/a\"\n[[routes]]\npath = \"/b\"\n[[routes]]\npath = \"/a\"\n");
    assert_eq!(e.field, "routes[2].path");
    assert!(e.message.contains("routes[0]"), "{e}");
    let e = error("[server]\n");
    assert_eq!(e.field, "routes");
}

#[test]
fn plain_http_needs_loopback_or_an_explicit_opt_in() {
    assert!(parse(&format!("{MIN}[server]\nlisten = \"[::1]:8080\"\n")).is_ok());
    assert!(parse(&format!("{MIN}[server]\nlisten = \"0.0.0.0:8080\"\nallow_plain_http = true\n")).is_ok());
    let tls = "[server]\nlisten = \"0.0.0.0:8443\"\ntls = { cert = \"c.pem\", key = \"k.pem\" }\n";
    assert!(parse(&format!("{MIN}{tls}")).is_ok());
    assert!(parse("[[routes]]\npath = \"/a\"\nupstream = \"http://localhost:9000/x\"\n").is_ok());
    assert!(parse("[[routes]]\npath = \"/a\"\nupstream = \"http://[::1]:9000/x\"\n").is_ok());
}

#[test]
fn relative_paths_resolve_against_the_config_directory() {
    let dir = std::env::temp_dir().join(format!("sluis-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/pki/root-ca.cert.pem");
    std::fs::copy(root, dir.join("ca.pem")).unwrap();
    let file = dir.join("sluis.toml");
    std::fs::write(&file, format!("{MIN}[wss.trust]\nca = [\"ca.pem\"]\n")).unwrap();
    let c = Config::load(&file).unwrap();
    assert!(!c.security_context().unwrap().trust().is_empty());
    std::fs::write(&file, format!("{MIN}[wss.trust]\nca = [\"missing.pem\"]\n")).unwrap();
    let e = Config::load(&file).unwrap().security_context().err().unwrap();
    assert_eq!(e.field, "wss");
    assert!(e.message.contains("missing.pem"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn placeholders_keep_their_tables() {
    // `[saml]` is typed: unknown keys are errors like everywhere else.
    assert!(parse(&format!("{MIN}[saml]\nx = 1\n")).is_err());
    let c = parse(&format!("{MIN}[saml]\naudiences = [\"https://sluis.example.org\"]\n")).unwrap();
    assert!(c.saml.is_some());
    // [oauth] is the OAuth module's own struct, unknown keys refused there too.
    let e = error(&format!("{MIN}[oauth]\nissuer = \"https://x\"\ndefault_audience = \"a\"\nbogus = 1\n"));
    assert!(e.message.contains("bogus"), "{e}");
}

#[test]
fn the_example_configuration_parses() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/example.toml");
    let c = Config::load(&path).unwrap();
    assert_eq!(c.routes.len(), 2);
    assert_eq!(c.audit.sink, AuditSinkKind::File);
    assert_eq!(c.routes[0].rate_limit, Some(BucketConfig { burst: 20, per_second: 10.0 }));
}

#[test]
fn the_bridge_needs_an_upstream_and_oauth() {
    let e = error("[[routes]]\npath = \"/a\"\nupstream = \"http://127.0.0.1:9/x\"\nexchange = true\n");
    assert_eq!(e.field, "routes[0].exchange");
    assert!(e.message.contains("[oauth]"), "{e}");
    let e = error("[[routes]]\npath = \"/a\"\nexchange = true\n");
    assert_eq!(e.field, "routes[0].exchange");
    assert!(e.message.contains("upstream"), "{e}");
}
