//! The modules follow the data flow, and none uses one that comes later (docs/design.md): checked here on the
//! source text, so a shortcut from, say, `wss` into `server` fails the build's tests instead of growing unnoticed.
//! Comments (documentation may point forward) are skipped.

use std::path::{Path, PathBuf};

/// The order of `src/lib.rs`.
const ORDER: &[&str] = &[
    "reason",
    "clock",
    "xml",
    "c14n",
    "trust",
    "dsig",
    "store",
    "principal",
    "policy",
    "saml",
    "soap",
    "wss",
    "oauth",
    "audit",
    "metrics",
    "config",
    "server",
    "cli",
    "fuzzing",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_uses_a_later_one() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod ").and_then(|m| m.strip_suffix(';')))
        .collect();
    assert_eq!(declared, ORDER, "src/lib.rs declares the modules in another order than this test knows");
    let mut violations = Vec::new();
    for (rank, module) in ORDER.iter().enumerate() {
        let mut files = Vec::new();
        let dir = src.join(module);
        if dir.is_dir() {
            rust_files(&dir, &mut files);
        } else {
            files.push(src.join(format!("{module}.rs")));
        }
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for later in &ORDER[rank + 1..] {
                    if code.contains(&format!("crate::{later}::"))
                        || code.contains(&format!("crate::{later};"))
                        || code.contains(&format!("crate::{later}::{{"))
                    {
                        violations.push(format!("{}:{}: {module} uses {later}", file.display(), n + 1));
                    }
                }
            }
        }
    }
    assert!(violations.is_empty(), "modules using later ones:\n{}", violations.join("\n"));
}
