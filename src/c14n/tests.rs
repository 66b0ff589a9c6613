//! Unit tests of the API surface and of refusals. The specification examples and the output edge cases are in
//! `tests/c14n.rs`, where the libxml2 differential test (`tests/c14n_oracle.rs`) reuses their inputs.

use super::*;
use crate::xml::{Limits, Node};

const INC: Algorithm = Algorithm::C14n10 { with_comments: false };
const INC_C: Algorithm = Algorithm::C14n10 { with_comments: true };

fn exc(list: &str) -> Algorithm {
    Algorithm::ExcC14n10 { with_comments: false, inclusive_prefixes: PrefixList::parse(list).unwrap() }
}

fn exc_c(list: &str) -> Algorithm {
    Algorithm::ExcC14n10 { with_comments: true, inclusive_prefixes: PrefixList::parse(list).unwrap() }
}

fn parse(input: &str) -> Document<'_> {
    Document::parse_str(input, &Limits::default()).unwrap()
}

fn whole(input: &str, alg: &Algorithm) -> String {
    let doc = parse(input);
    String::from_utf8(to_vec(&doc, &NodeSet::document(&doc), alg).unwrap()).unwrap()
}

/// The first element with local name `local`.
fn find<'d, 'a>(doc: &'d Document<'a>, local: &str) -> Node<'d, 'a> {
    doc.descendants().find(|n| n.is_element() && n.local_name() == local).unwrap()
}

/// The subtree of the first element named `apex`, minus the subtree of the first element named `exclude`.
fn sub(input: &str, apex: &str, exclude: Option<&str>, alg: &Algorithm) -> String {
    let doc = parse(input);
    let mut set = NodeSet::subtree(find(&doc, apex).id());
    if let Some(x) = exclude {
        set = set.excluding(find(&doc, x).id());
    }
    String::from_utf8(to_vec(&doc, &set, alg).unwrap()).unwrap()
}

#[test]
fn relative_namespace_uris_are_refused() {
    let rel = r#"<a:x xmlns:a="http://abs/"><r:y xmlns:r="../cheating#away"/><z/></a:x>"#;
    let doc = parse(rel);
    for alg in [INC, INC_C, exc(""), exc_c("#default")] {
        assert_eq!(to_vec(&doc, &NodeSet::document(&doc), &alg), Err(C14nReason::RelativeNamespaceUri));
        assert_eq!(
            to_vec(&doc, &NodeSet::subtree(find(&doc, "y").id()), &alg),
            Err(C14nReason::RelativeNamespaceUri)
        );
        // Outside the node-set it is not looked at.
        let z = to_vec(&doc, &NodeSet::subtree(find(&doc, "z").id()), &alg).unwrap();
        assert!(z == b"<z></z>" || z == br#"<z xmlns:a="http://abs/"></z>"#);
    }
    // In scope at the apex through an ancestor: refused even where exclusive C14N would not render it.
    let doc = parse(r#"<a xmlns="rel"><b xmlns:c="c/d"><c/></b></a>"#);
    assert_eq!(
        to_vec(&doc, &NodeSet::subtree(find(&doc, "c").id()), &exc("")),
        Err(C14nReason::RelativeNamespaceUri)
    );
    // The empty value is an undeclaration, not a relative URI.
    assert_eq!(
        whole(r#"<a xmlns="urn:a"><b xmlns=""/></a>"#, &INC),
        r#"<a xmlns="urn:a"><b xmlns=""></b></a>"#
    );
}

#[test]
fn namespace_values_are_escaped_like_attribute_values() {
    // libxml2 writes these raw (see the module docs); the specification processes namespace nodes as attributes.
    assert_eq!(
        whole("<a xmlns:p='http://x/?a=1&amp;b=&quot;&lt;&#9;' p:q=''/>", &INC),
        r#"<a xmlns:p="http://x/?a=1&amp;b=&quot;&lt;&#x9;" p:q=""></a>"#
    );
}

#[test]
fn xml_prefix_declarations_never_rendered() {
    let input = r#"<xml:a xmlns:xml="http://www.w3.org/XML/1998/namespace" xml:lang="en"><b xmlns:xml="http://www.w3.org/XML/1998/namespace"/></xml:a>"#;
    for alg in [INC, exc(""), exc("xml")] {
        assert_eq!(whole(input, &alg), r#"<xml:a xml:lang="en"><b></b></xml:a>"#);
        let inherited = if alg == INC { r#"<b xml:lang="en"></b>"# } else { "<b></b>" };
        assert_eq!(sub(input, "b", None, &alg), inherited);
    }
}

#[test]
fn xml_declaration_dropped_and_empty_elements_expanded() {
    assert_eq!(
        whole("<?xml version=\"1.0\" standalone=\"yes\"?>\n<a><b/><c></c></a>", &INC),
        "<a><b></b><c></c></a>"
    );
}

#[test]
fn invalid_node_sets_are_refused() {
    let doc = parse("<a>text<!--c--><b/></a>");
    let text = doc.root_element().first_child().unwrap();
    assert_eq!(to_vec(&doc, &NodeSet::subtree(text.id()), &INC), Err(C14nReason::InvalidNodeSet));
    let big = parse("<a><b/><c/><d/><e/><f/><g/></a>");
    let far = big.descendants().last().unwrap().id();
    assert_eq!(to_vec(&doc, &NodeSet::subtree(far), &INC), Err(C14nReason::InvalidNodeSet));
    assert_eq!(to_vec(&doc, &NodeSet::document(&doc).excluding(far), &INC), Err(C14nReason::InvalidNodeSet));
}

#[test]
fn algorithm_uris_and_prefix_lists() {
    for uri in [C14N_10, C14N_10_WITH_COMMENTS, EXC_C14N_10, EXC_C14N_10_WITH_COMMENTS] {
        let alg = Algorithm::from_uri(uri, None).unwrap().unwrap();
        assert_eq!(alg.uri(), uri);
        assert_eq!(alg.with_comments(), uri.ends_with("#WithComments"));
        assert!(!alg.clone().without_comments().with_comments());
    }
    assert_eq!(Algorithm::from_uri("http://www.w3.org/2006/12/xml-c14n11", None), Ok(None));
    assert_eq!(Algorithm::from_uri(C14N_10, Some("a")), Err(C14nReason::InvalidPrefixList));
    assert_eq!(Algorithm::from_uri(EXC_C14N_10, Some("a:b")), Err(C14nReason::InvalidPrefixList));
    assert_eq!(Algorithm::from_uri(EXC_C14N_10, Some("#all")), Err(C14nReason::InvalidPrefixList));
    assert_eq!(Algorithm::from_uri(EXC_C14N_10, Some("")), Ok(Some(exc(""))));
    assert_eq!(Algorithm::from_uri(EXC_C14N_10, Some("\tb a\n#default b ")), Ok(Some(exc("#default a b"))));
    let list = PrefixList::parse("b a #default").unwrap();
    assert_eq!(list.prefixes().collect::<Vec<_>>(), ["a", "b"]);
    assert!(list.contains("") && list.contains_default() && !list.is_empty());
    assert!(PrefixList::parse("  ").unwrap().is_empty());
    assert_eq!(Algorithm::default(), INC);
}

#[test]
fn digest_sink_matches_vector_output() {
    let doc = parse(r#"<a xmlns="urn:a" b="1">&amp;<c xml:lang="x"/><!--c--></a>"#);
    let mut sink = DigestSink::new(&aws_lc_rs::digest::SHA256);
    canonicalize(&doc, &NodeSet::document(&doc), &INC, &mut sink).unwrap();
    let bytes = to_vec(&doc, &NodeSet::document(&doc), &INC).unwrap();
    assert_eq!(
        sink.finish().as_ref(),
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &bytes).as_ref()
    );
}

#[test]
fn deep_documents_do_not_recurse() {
    let depth = 60;
    let input = format!("{}{}", "<a xmlns:p='urn:p'>".repeat(depth), "</a>".repeat(depth));
    let doc = parse(&input);
    let out = to_vec(&doc, &NodeSet::document(&doc), &exc("p")).unwrap();
    assert_eq!(
        out,
        format!("<a xmlns:p=\"urn:p\">{}{}", "<a>".repeat(depth - 1), "</a>".repeat(depth)).as_bytes()
    );
}

#[test]
fn digest_sink_equals_one_shot_digest_across_buffer_boundaries() {
    let data: Vec<u8> = (0..50_000u32).map(|i| (i * 7 % 251) as u8).collect();
    for chunk in [1, 7, 100, DIGEST_BUFFER - 1, DIGEST_BUFFER, DIGEST_BUFFER + 1, 30_000] {
        let mut sink = DigestSink::new(&digest::SHA256);
        for piece in data.chunks(chunk) {
            sink.write(piece);
        }
        assert_eq!(sink.len(), data.len() as u64);
        let want = digest::digest(&digest::SHA256, &data);
        assert_eq!(sink.finish().as_ref(), want.as_ref(), "chunk {chunk}");
    }
    let empty = DigestSink::new(&digest::SHA384);
    assert!(empty.is_empty());
    assert_eq!(empty.finish().as_ref(), digest::digest(&digest::SHA384, b"").as_ref());
}
