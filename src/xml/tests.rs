use super::*;

fn parse(s: &str) -> Result<Document<'_>, XmlError> {
    Document::parse_str(s, &Limits::default())
}

fn reason(s: &str) -> XmlReason {
    match parse(s) {
        Ok(_) => panic!("accepted: {s}"),
        Err(e) => e.reason,
    }
}

#[test]
fn parses_names_namespaces_and_attributes_as_written() {
    let doc = parse(r#"<a:x xmlns:a="urn:u" xmlns:b="urn:u" b:k="1" k='2'><b:y/><z xmlns="urn:d"><w xmlns=""/></z></a:x>"#)
        .unwrap();
    let root = doc.root_element();
    assert!(root.is("urn:u", "x"));
    assert_eq!(root.prefix(), Some("a"));
    let attrs: Vec<_> =
        root.attributes().map(|a| (a.prefix(), a.local_name(), a.namespace(), a.value())).collect();
    assert_eq!(attrs, vec![(Some("b"), "k", Some("urn:u"), "1"), (None, "k", None, "2")]);
    assert_eq!(root.attribute(Some("urn:u"), "k"), Some("1"));
    assert_eq!(root.attribute(None, "k"), Some("2"));
    let decls: Vec<_> = root.namespace_declarations().collect();
    assert_eq!(decls, vec![(Some("a"), "urn:u"), (Some("b"), "urn:u")]);
    let kids: Vec<_> = root.element_children().collect();
    // roxmltree reports `a` here; the prefix as written matters for exclusive C14N.
    assert_eq!(kids[0].prefix(), Some("b"));
    assert!(kids[0].is("urn:u", "y"));
    assert!(kids[1].is("urn:d", "z"));
    let w = kids[1].first_child().unwrap();
    assert_eq!(w.namespace(), None);
    assert_eq!(w.lookup_namespace(None), None);
    assert_eq!(w.lookup_namespace(Some("a")), Some("urn:u"));
    assert_eq!(w.lookup_namespace(Some("xml")), Some(XML_NAMESPACE));
}

#[test]
fn tree_links_and_ranges() {
    let src = "<?xml version=\"1.0\"?>\n<!--c--><r><a>t<b/>u</a><c/></r><?pi x?>";
    let doc = parse(src).unwrap();
    let kinds: Vec<_> = doc.root().children().map(|n| n.node_type()).collect();
    assert_eq!(kinds, vec![NodeType::Comment, NodeType::Element, NodeType::ProcessingInstruction]);
    let r = doc.root_element();
    assert_eq!(&src[r.range()], "<r><a>t<b/>u</a><c/></r>");
    let a = r.first_child().unwrap();
    assert_eq!(&src[a.range()], "<a>t<b/>u</a>");
    assert_eq!(&src[a.start_tag_range()], "<a>");
    assert_eq!(a.text_content(), "tu");
    assert_eq!(a.next_sibling().unwrap().local_name(), "c");
    assert!(r.is_ancestor_of(a.first_child().unwrap().id()));
    assert!(!a.is_ancestor_of(r.id()));
    assert_eq!(r.descendants().count(), 6);
    assert_eq!(a.first_child().unwrap().depth(), 3);
    let pi = doc.root().children().last().unwrap();
    assert_eq!((pi.local_name(), pi.text()), ("pi", Some("x")));
}

#[test]
fn normalizes_line_ends_and_attribute_whitespace() {
    let doc = parse("<r a=\"x\r\ny\tz&#xD;&#xA;&#9;\">l1\r\nl2\rl3&#xD;<![CDATA[c\r\n<&]]></r>").unwrap();
    let r = doc.root_element();
    assert_eq!(r.attribute(None, "a"), Some("x y z\r\n\t"));
    let texts: Vec<_> = r.children().map(|n| (n.text().unwrap().to_string(), n.is_cdata())).collect();
    assert_eq!(texts, vec![("l1\nl2\nl3\r".to_string(), false), ("c\n<&".to_string(), true)]);
}

#[test]
fn expands_predefined_and_character_references() {
    let doc = parse("<r a='&lt;&gt;&amp;&apos;&quot;&#65;&#x1F600;'>&lt;&#x41;&#66;</r>").unwrap();
    assert_eq!(doc.root_element().attribute(None, "a"), Some("<>&'\"A\u{1F600}"));
    assert_eq!(doc.root_element().text_content(), "<AB");
}

#[test]
fn comment_does_not_truncate_text() {
    let doc = parse("<NameID>a@x.com<!---->.evil</NameID>").unwrap();
    assert_eq!(doc.root_element().text_content(), "a@x.com.evil");
}

#[test]
fn utf8_bom_is_skipped() {
    let doc = Document::parse(b"\xEF\xBB\xBF<r/>", &Limits::default()).unwrap();
    assert_eq!(doc.input(), "<r/>");
}

#[test]
fn refuses_dtds_and_entities() {
    assert_eq!(reason("<!DOCTYPE r><r/>"), XmlReason::DtdForbidden);
    assert_eq!(reason("<?xml version='1.0'?><!doctype r><r/>"), XmlReason::DtdForbidden);
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#;
    assert_eq!(reason(xxe), XmlReason::DtdForbidden);
    let laughs = "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><lolz>&lol2;</lolz>";
    assert_eq!(reason(laughs), XmlReason::DtdForbidden);
    assert_eq!(reason("<r>&x;</r>"), XmlReason::EntityForbidden);
    assert_eq!(reason("<r a='&x;'/>"), XmlReason::EntityForbidden);
    assert_eq!(reason("<r><!ENTITY x 'y'></r>"), XmlReason::DtdForbidden);
    assert!(matches!(reason("<r>a & b</r>"), XmlReason::Malformed(_)));
}

#[test]
fn refuses_bad_characters_and_references() {
    assert_eq!(reason("<r>\u{1}</r>"), XmlReason::InvalidChar);
    assert_eq!(reason("<r a='\u{0}'/>"), XmlReason::InvalidChar);
    assert_eq!(reason("<r>\u{FFFE}</r>"), XmlReason::InvalidChar);
    assert_eq!(reason("<r><!-- \u{FFFF} --></r>"), XmlReason::InvalidChar);
    assert_eq!(reason("<r>&#0;</r>"), XmlReason::InvalidCharRef);
    assert_eq!(reason("<r>&#xD800;</r>"), XmlReason::InvalidCharRef);
    assert_eq!(reason("<r>&#x110000;</r>"), XmlReason::InvalidCharRef);
    assert_eq!(reason("<r>&#99999999999;</r>"), XmlReason::InvalidCharRef);
    assert_eq!(reason("<r>&#X41;</r>"), XmlReason::InvalidCharRef);
    assert_eq!(reason("<r>&#;</r>"), XmlReason::InvalidCharRef);
    assert_eq!(reason("<r>&#65</r>"), XmlReason::InvalidCharRef);
    let e = Document::parse(b"<r>\xFF</r>", &Limits::default()).unwrap_err();
    assert_eq!((e.reason, e.offset), (XmlReason::InvalidUtf8, 3));
    let e = Document::parse(b"\xFF\xFE<\x00r\x00/\x00>\x00", &Limits::default()).unwrap_err();
    assert_eq!(e.reason, XmlReason::UnsupportedEncoding);
}

#[test]
fn refuses_structural_errors() {
    assert_eq!(reason("<a/><b/>"), XmlReason::MultipleRoots);
    assert_eq!(reason(""), XmlReason::NoRoot);
    assert_eq!(reason("  <!-- only a comment -->"), XmlReason::NoRoot);
    assert_eq!(reason("<a>"), XmlReason::UnexpectedEof);
    assert_eq!(reason("<a"), XmlReason::UnexpectedEof);
    assert_eq!(reason("<a b='1"), XmlReason::UnexpectedEof);
    assert_eq!(reason("<a><!-- x"), XmlReason::UnexpectedEof);
    assert_eq!(reason("<a></b>"), XmlReason::MismatchedEndTag);
    assert_eq!(reason("<a:b xmlns:a='u'></b>"), XmlReason::MismatchedEndTag);
    assert_eq!(reason("x<a/>"), XmlReason::TextOutsideRoot);
    assert_eq!(reason("<a/>x"), XmlReason::TextOutsideRoot);
    assert_eq!(reason("<![CDATA[x]]><a/>"), XmlReason::TextOutsideRoot);
    assert!(matches!(reason("<a>]]></a>"), XmlReason::Malformed(_)));
    assert!(matches!(reason("<a><!-- a -- b --></a>"), XmlReason::Malformed(_)));
    assert!(matches!(reason("<a><!-- a ---></a>"), XmlReason::Malformed(_)));
    assert!(matches!(reason("<a b='<'/>"), XmlReason::Malformed(_)));
    assert!(matches!(reason("<a b='1'c='2'/>"), XmlReason::Malformed(_)));
    assert!(matches!(reason("<a b=1/>"), XmlReason::Malformed(_)));
    assert!(matches!(reason("</a>"), XmlReason::Malformed(_)));
    assert_eq!(reason("<1a/>"), XmlReason::InvalidName);
    assert_eq!(reason("<a:b:c xmlns:a='u'/>"), XmlReason::InvalidName);
    assert_eq!(reason("<:a/>"), XmlReason::InvalidName);
    assert_eq!(reason("<a: xmlns:a='u'/>"), XmlReason::InvalidName);
    assert_eq!(reason("<a><?a:b c?></a>"), XmlReason::InvalidName);
    assert_eq!(reason(" <?xml version='1.0'?><a/>"), XmlReason::InvalidXmlDecl);
    assert_eq!(reason("<a><?XmL x?></a>"), XmlReason::InvalidXmlDecl);
    assert_eq!(reason("<?xml version='1.1'?><a/>"), XmlReason::InvalidXmlDecl);
    assert_eq!(reason("<?xml encoding='UTF-8'?><a/>"), XmlReason::InvalidXmlDecl);
    assert_eq!(reason("<?xml version='1.0' encoding='ISO-8859-1'?><a/>"), XmlReason::UnsupportedEncoding);
    assert!(parse("<?xml version='1.0' encoding='utf-8' standalone='yes' ?><a/>").is_ok());
    assert!(parse("<?xml-stylesheet href='x'?><a/>").is_ok());
}

#[test]
fn refuses_namespace_errors() {
    assert_eq!(reason("<a:b/>"), XmlReason::UnboundPrefix);
    assert_eq!(reason("<b a:c='1'/>"), XmlReason::UnboundPrefix);
    assert_eq!(reason("<b xmlns:a=''/>"), XmlReason::InvalidNamespaceDecl);
    assert_eq!(reason("<b xmlns:xml='urn:x'/>"), XmlReason::InvalidNamespaceDecl);
    assert_eq!(
        reason("<b xmlns:x='http://www.w3.org/XML/1998/namespace'/>"),
        XmlReason::InvalidNamespaceDecl
    );
    assert_eq!(reason("<b xmlns:xmlns='urn:x'/>"), XmlReason::InvalidNamespaceDecl);
    assert_eq!(reason("<b xmlns='http://www.w3.org/2000/xmlns/'/>"), XmlReason::InvalidNamespaceDecl);
    assert_eq!(reason("<xmlns:b/>"), XmlReason::InvalidNamespaceDecl);
    assert!(parse("<b xmlns:xml='http://www.w3.org/XML/1998/namespace' xml:lang='en'/>").is_ok());
    // The undeclaration takes effect for the prefix lookups below it.
    assert_eq!(reason("<a xmlns:p='u'><b xmlns:p=''><p:c/></b></a>"), XmlReason::InvalidNamespaceDecl);
}

#[test]
fn refuses_duplicate_attributes_by_qname_and_expanded_name() {
    assert_eq!(reason("<a b='1' b='2'/>"), XmlReason::DuplicateAttribute);
    assert_eq!(reason("<a xmlns:p='u' xmlns:p='v'/>"), XmlReason::DuplicateAttribute);
    assert_eq!(reason("<a xmlns:p='u' xmlns:q='u' p:b='1' q:b='2'/>"), XmlReason::DuplicateAttribute);
    assert!(parse("<a xmlns:p='u' xmlns:q='v' p:b='1' q:b='2' b='3'/>").is_ok());
    let many: String = (0..40).map(|i| format!(" a{i}='1'")).collect();
    assert!(parse(&format!("<a{many}/>")).is_ok());
    assert_eq!(reason(&format!("<a{many} a7='2'/>")), XmlReason::DuplicateAttribute);
}

#[test]
fn enforces_limits() {
    let limits = Limits { max_bytes: 10, ..Limits::default() };
    assert_eq!(Document::parse_str("<a>0123456789</a>", &limits).unwrap_err().reason, XmlReason::TooLarge);

    let deep = "<a>".repeat(100_000) + &"</a>".repeat(100_000);
    let e = parse(&deep).unwrap_err();
    assert_eq!((e.reason, e.offset), (XmlReason::DepthExceeded, 64 * 3));
    let ok = "<a>".repeat(64) + &"</a>".repeat(64);
    assert!(parse(&ok).is_ok());

    let limits = Limits { max_nodes: 10, ..Limits::default() };
    let wide = format!("<r>{}</r>", "<a/>".repeat(10));
    assert_eq!(Document::parse_str(&wide, &limits).unwrap_err().reason, XmlReason::NodesExceeded);

    let attrs: String = (0..257).map(|i| format!(" a{i}='1'")).collect();
    assert_eq!(reason(&format!("<a{attrs}/>")), XmlReason::AttributesExceeded);

    let decls: String = (0..200).map(|i| format!(" xmlns:p{i}='u'")).collect();
    let nested = format!("<a{decls}><b{decls}/></a>");
    assert_eq!(reason(&nested), XmlReason::NamespacesExceeded);

    let long = "a".repeat(1001);
    assert_eq!(reason(&format!("<{long}/>")), XmlReason::NameTooLong);
}

#[test]
fn many_attributes_stay_linear() {
    // roxmltree needs 11 s for 80k attributes; sluis refuses past the limit, and with the limit raised stays fast.
    let limits = Limits { max_attributes: 100_000, max_nodes: 200_000, ..Limits::default() };
    let attrs: String = (0..80_000).map(|i| format!(" a{i}='1'")).collect();
    let src = format!("<a{attrs}/>");
    let start = std::time::Instant::now();
    let doc = Document::parse_str(&src, &limits).unwrap();
    assert_eq!(doc.root_element().attributes().len(), 80_000);
    // Generous bound: this is a complexity check (quadratic would take seconds), not a benchmark.
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
}

#[test]
fn error_positions() {
    let src = "<a>\n  <b>&x;</b></a>";
    let e = parse(src).unwrap_err();
    assert_eq!(e.reason, XmlReason::EntityForbidden);
    assert_eq!(e.line_col(src.as_bytes()), (2, 6));
}

/// The tree agrees with roxmltree (an independent parser) on names, namespaces, attributes and text for documents
/// both accept.
#[test]
fn agrees_with_roxmltree() {
    let docs = [
        r#"<a:x xmlns:a="urn:u" xmlns="urn:d" a:k="1"><y k="&amp;&#x41;"> t <![CDATA[c]]> </y><!--c--><?p d?></a:x>"#,
        "<r xml:lang='nl'><s xmlns='urn:1'><t xmlns=''/></s></r>",
        "<r>\r\n a\rb <x a='\t1\r\n2'/></r>",
    ];
    for src in docs {
        let ours = parse(src).unwrap();
        let theirs = roxmltree::Document::parse(src).unwrap();
        compare(&ours, &theirs);
    }
}

pub(crate) fn compare(ours: &Document<'_>, theirs: &roxmltree::Document<'_>) {
    // roxmltree merges CDATA into adjacent text, so compare per element (names, attributes, direct text), then the
    // sequences of comments and PIs.
    let xs: Vec<_> = ours.descendants().filter(|n| n.is_element()).collect();
    let ys: Vec<_> = theirs.descendants().filter(|n| n.is_element()).collect();
    assert_eq!(xs.len(), ys.len());
    for (x, y) in xs.iter().zip(&ys) {
        assert_eq!(x.local_name(), y.tag_name().name());
        // roxmltree reports `xmlns=""` as the empty namespace; it means "no namespace".
        assert_eq!(x.namespace(), y.tag_name().namespace().filter(|n| !n.is_empty()));
        let xa: Vec<_> = x.attributes().map(|a| (a.namespace(), a.local_name(), a.value())).collect();
        let ya: Vec<_> = y.attributes().map(|a| (a.namespace(), a.name(), a.value())).collect();
        assert_eq!(xa, ya);
        let xt: String =
            x.children().filter(|c| c.node_type() == NodeType::Text).filter_map(|c| c.text()).collect();
        let yt: String = y.children().filter(|c| c.is_text()).filter_map(|c| c.text()).collect();
        assert_eq!(xt, yt);
    }
    let xc: Vec<_> =
        ours.descendants().filter(|n| n.node_type() == NodeType::Comment).map(|n| n.text()).collect();
    let yc: Vec<_> = theirs.descendants().filter(|n| n.is_comment()).map(|n| n.text()).collect();
    assert_eq!(xc, yc);
    let xp: Vec<_> = ours
        .descendants()
        .filter(|n| n.node_type() == NodeType::ProcessingInstruction)
        .map(|n| (n.local_name(), n.text().unwrap_or("")))
        .collect();
    let yp: Vec<_> =
        theirs.descendants().filter_map(|n| n.pi()).map(|p| (p.target, p.value.unwrap_or(""))).collect();
    assert_eq!(xp, yp);
}
