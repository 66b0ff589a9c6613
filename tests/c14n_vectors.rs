//! Third-party canonicalization vectors: every case of `../shared/vectors/c14n/manifest.json` (Apache Santuario's
//! input/expected pairs), compared byte for byte. Skips cleanly when `shared/vectors` is absent, unless
//! `SLUIS_REQUIRE_VECTORS=1`.
//!
//! The node-set is selected as the manifest says: the whole document, or the subtree of the n-th element with a given
//! namespace and local name, as an XML-DSig same-document reference would. Cases sluis cannot run are listed in
//! [`SKIPS`] with the reason; anything else that fails to parse is a failure.

// Helpers outside `#[test]` functions unwrap and panic too; clippy's allow-*-in-tests does not reach them.
#![allow(clippy::unwrap_used, clippy::panic)]

use sluis::c14n::{Algorithm, NodeSet, PrefixList, to_vec};
use sluis::reason::C14nReason;
use sluis::xml::{Document, Limits, Node, XmlError};
use std::path::{Path, PathBuf};

/// Inputs sluis refuses before canonicalization, by design.
const SKIPS: &[(&str, &str)] = &[(
    "c14n/santuario/in/36_input.xml",
    "declared encoding=\"ISO-8859-1\": sluis parses only UTF-8 (tests/c14n.rs runs the same spec example, §3.6, in UTF-8)",
)];

/// What an `expect_error` text in the manifest means as a sluis reason.
const ERRORS: &[(&str, C14nReason)] = &[("relative namespace URI", C14nReason::RelativeNamespaceUri)];

fn vectors() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors");
    dir.join("c14n/manifest.json").exists().then_some(dir)
}

fn algorithm(name: &str, prefixes: Option<&str>) -> Algorithm {
    let inclusive_prefixes = PrefixList::parse(prefixes.unwrap_or("")).unwrap();
    match name {
        "c14n" => Algorithm::C14n10 { with_comments: false },
        "c14n-comments" => Algorithm::C14n10 { with_comments: true },
        "exc-c14n" => Algorithm::ExcC14n10 { with_comments: false, inclusive_prefixes },
        "exc-c14n-comments" => Algorithm::ExcC14n10 { with_comments: true, inclusive_prefixes },
        other => panic!("unknown algorithm {other} in the manifest"),
    }
}

/// The node-set the manifest's `subset` describes.
fn select(doc: &Document<'_>, subset: &serde_json::Value) -> NodeSet {
    if subset.as_str() == Some("document") {
        return NodeSet::document(doc);
    }
    assert_eq!(subset["kind"], "element", "{subset}");
    let ns = subset["namespace"].as_str();
    let local = subset["local_name"].as_str().unwrap();
    let occurrence = subset["occurrence"].as_u64().unwrap() as usize;
    let is_it = |n: &Node<'_, '_>| n.is_element() && n.local_name() == local && n.namespace() == ns;
    let apex = doc.descendants().filter(is_it).nth(occurrence - 1).unwrap_or_else(|| panic!("no {subset}"));
    NodeSet::subtree(apex.id())
}

#[test]
fn santuario_c14n_vectors() {
    let Some(dir) = vectors() else {
        assert!(
            std::env::var("SLUIS_REQUIRE_VECTORS").as_deref() != Ok("1"),
            "SLUIS_REQUIRE_VECTORS=1 but shared/vectors/c14n is absent"
        );
        eprintln!("c14n_vectors: shared/vectors absent: skipping");
        return;
    };
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("c14n/manifest.json")).unwrap()).unwrap();
    let (mut ran, mut skipped) = (0, 0);
    for case in manifest.as_array().unwrap() {
        let input_name = case["input"].as_str().unwrap();
        let what = format!("{input_name} ({})", case["algorithm"]);
        let input = std::fs::read(dir.join(input_name)).unwrap();
        let doc = match Document::parse(&input, &Limits::default()) {
            Ok(doc) => doc,
            Err(XmlError { reason, .. }) => match SKIPS.iter().find(|(name, _)| *name == input_name) {
                Some((_, why)) => {
                    eprintln!("c14n_vectors: skipping {what}: {why} (parser: {reason})");
                    skipped += 1;
                    continue;
                }
                None => panic!("{what}: parse failed: {reason}"),
            },
        };
        let alg = algorithm(case["algorithm"].as_str().unwrap(), case["inclusive_prefixes"].as_str());
        let got = to_vec(&doc, &select(&doc, &case["subset"]), &alg);
        match case["expect_error"].as_str() {
            Some(error) => {
                let want = ERRORS.iter().find(|(text, _)| *text == error).map(|&(_, r)| r);
                assert_eq!(
                    got.err(),
                    Some(want.unwrap_or_else(|| panic!("unmapped expect_error {error}"))),
                    "{what}"
                );
            }
            None => {
                let expected = std::fs::read(dir.join(case["expected"].as_str().unwrap())).unwrap();
                let got = got.unwrap_or_else(|e| panic!("{what}: {e}"));
                assert!(
                    got == expected,
                    "{what}\n--- sluis\n{}\n--- expected\n{}",
                    String::from_utf8_lossy(&got),
                    String::from_utf8_lossy(&expected)
                );
            }
        }
        ran += 1;
    }
    eprintln!("c14n_vectors: {ran} cases passed, {skipped} skipped");
    assert_eq!(skipped, SKIPS.len(), "every listed skip should still be needed");
    assert!(ran >= 10, "only {ran} cases ran: is the manifest still the one these tests were written for?");
}
