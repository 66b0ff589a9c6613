//! Canonicalization: the examples of Canonical XML 1.0 §3 and Exclusive C14N §2.2, and hand-written edge cases, each
//! with the exact expected bytes. `c14n_oracle` also runs every input of [`CASES`] against libxml2, with all four
//! algorithms, over the whole document and every element subset.

// Helpers outside `#[test]` functions unwrap and panic too; clippy's allow-*-in-tests does not reach them.
#![allow(clippy::unwrap_used, clippy::panic)]

use sluis::c14n::{Algorithm, NodeSet, PrefixList, to_vec};
use sluis::xml::{Document, Limits, Node};

pub(crate) const INC: Algorithm = Algorithm::C14n10 { with_comments: false };
pub(crate) const INC_C: Algorithm = Algorithm::C14n10 { with_comments: true };

pub(crate) fn exc(list: &str) -> Algorithm {
    Algorithm::ExcC14n10 { with_comments: false, inclusive_prefixes: PrefixList::parse(list).unwrap() }
}

pub(crate) fn exc_c(list: &str) -> Algorithm {
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

/// Every input of this file, by name, for the differential test.
pub(crate) const CASES: &[(&str, &str)] = &[
    ("spec_3_1", SPEC_3_1),
    ("spec_3_2", SPEC_3_2),
    ("spec_3_3", SPEC_3_3),
    ("spec_3_4", SPEC_3_4),
    ("spec_3_5", SPEC_3_5),
    ("spec_3_6", SPEC_3_6),
    ("spec_3_7", SPEC_3_7),
    ("c14n11_spec_3_8", SPEC_11_3_8),
    ("exc_2_2_a", EXC_2_2_A),
    ("exc_2_2_b", EXC_2_2_B),
    ("default_ns", EDGE_DEFAULT_NS),
    ("exc_default", EDGE_EXC_DEFAULT),
    ("xml_attrs", EDGE_XML_ATTRS),
    ("attr_sort", EDGE_ATTR_SORT),
    ("superfluous", EDGE_SUPERFLUOUS),
    ("crlf", EDGE_CRLF),
    ("escaping", EDGE_ESCAPING),
    ("comments", EDGE_COMMENTS),
    ("ancestor_prefix", EDGE_ANCESTOR_PREFIX),
    ("enveloped", EDGE_ENVELOPED),
];

// ---- Canonical XML 1.0 §3 ----

/// §3.1 without its `<!DOCTYPE doc SYSTEM "doc.dtd">` line (the external DTD is not read there either).
const SPEC_3_1: &str = "<?xml version=\"1.0\"?>\n\n<?xml-stylesheet   href=\"doc.xsl\"\n   type=\"text/xsl\"   ?>\n\n<doc>Hello, world!<!-- Comment 1 --></doc>\n\n<?pi-without-data     ?>\n\n<!-- Comment 2 -->\n\n<!-- Comment 3 -->\n";

#[test]
fn spec_3_1_pis_comments_and_outside_of_document_element() {
    assert_eq!(
        whole(SPEC_3_1, &INC),
        "<?xml-stylesheet href=\"doc.xsl\"\n   type=\"text/xsl\"   ?>\n<doc>Hello, world!</doc>\n<?pi-without-data?>"
    );
    assert_eq!(
        whole(SPEC_3_1, &INC_C),
        "<?xml-stylesheet href=\"doc.xsl\"\n   type=\"text/xsl\"   ?>\n<doc>Hello, world!<!-- Comment 1 --></doc>\n<?pi-without-data?>\n<!-- Comment 2 -->\n<!-- Comment 3 -->"
    );
    // Exclusive C14N has the same data model for these nodes.
    assert_eq!(whole(SPEC_3_1, &exc_c("")), whole(SPEC_3_1, &INC_C));
}

const SPEC_3_2: &str = "<doc>\n   <clean>   </clean>\n   <dirty>   A   B   </dirty>\n   <mixed>\n      A\n      <clean>   </clean>\n      B\n      <dirty>   A   B   </dirty>\n      C\n   </mixed>\n</doc>\n";

#[test]
fn spec_3_2_whitespace_in_document_content() {
    assert_eq!(whole(SPEC_3_2, &INC), SPEC_3_2.trim_end());
    assert_eq!(whole(&SPEC_3_2.replace('\n', "\r\n"), &INC), SPEC_3_2.trim_end());
}

/// §3.3 after its DTD: the defaulted `attr="default"` of `e9` written out.
const SPEC_3_3: &str = r#"<doc>
   <e1   />
   <e2   ></e2>
   <e3   name = "elem3"   id="elem3"   />
   <e4   name="elem4"   id="elem4"   ></e4>
   <e5 a:attr="out" b:attr="sorted" attr2="all" attr="I'm"
      xmlns:b="http://www.ietf.org"
      xmlns:a="http://www.w3.org"
      xmlns="http://example.org"/>
   <e6 xmlns="" xmlns:a="http://www.w3.org">
      <e7 xmlns="http://www.ietf.org">
         <e8 xmlns="" xmlns:a="http://www.w3.org">
            <e9 xmlns="" xmlns:a="http://www.ietf.org" attr="default"/>
         </e8>
      </e7>
   </e6>
</doc>"#;

#[test]
fn spec_3_3_start_and_end_tags() {
    let want = r#"<doc>
   <e1></e1>
   <e2></e2>
   <e3 id="elem3" name="elem3"></e3>
   <e4 id="elem4" name="elem4"></e4>
   <e5 xmlns="http://example.org" xmlns:a="http://www.w3.org" xmlns:b="http://www.ietf.org" attr="I'm" attr2="all" b:attr="sorted" a:attr="out"></e5>
   <e6 xmlns:a="http://www.w3.org">
      <e7 xmlns="http://www.ietf.org">
         <e8 xmlns="">
            <e9 xmlns:a="http://www.ietf.org" attr="default"></e9>
         </e8>
      </e7>
   </e6>
</doc>"#;
    assert_eq!(whole(SPEC_3_3, &INC), want);
}

/// §3.4 after its DTD: `normNames` (NMTOKENS) and `normId` (ID) carry the values their declared types normalize to.
const SPEC_3_4: &str = r#"<doc>
   <text>First line&#x0d;&#10;Second line</text>
   <value>&#x32;</value>
   <compute><![CDATA[value>"0" && value<"10" ?"valid":"error"]]></compute>
   <compute expr='value>"0" &amp;&amp; value&lt;"10" ?"valid":"error"'>valid</compute>
   <norm attr=' &apos;   &#x20;&#13;&#xa;&#9;   &apos; '/>
   <normNames attr='A &#13;&#xa;&#9; B'/>
   <normId id='&apos; &#13;&#xa;&#9; &apos;'/>
</doc>"#;

#[test]
fn spec_3_4_character_modifications_and_character_references() {
    let want = r#"<doc>
   <text>First line&#xD;
Second line</text>
   <value>2</value>
   <compute>value&gt;"0" &amp;&amp; value&lt;"10" ?"valid":"error"</compute>
   <compute expr="value>&quot;0&quot; &amp;&amp; value&lt;&quot;10&quot; ?&quot;valid&quot;:&quot;error&quot;">valid</compute>
   <norm attr=" '    &#xD;&#xA;&#x9;   ' "></norm>
   <normNames attr="A &#xD;&#xA;&#x9; B"></normNames>
   <normId id="' &#xD;&#xA;&#x9; '"></normId>
</doc>"#;
    assert_eq!(whole(SPEC_3_4, &INC), want);
}

/// §3.5 after entity expansion (`&ent1;` = "Hello", `&ent2;` = "world").
const SPEC_3_5: &str = "<doc attrExtEnt=\"entExt\">\n   Hello, world!\n</doc>\n\n<!-- Let world.txt contain \"world\" (excluding the quotes) -->\n";

#[test]
fn spec_3_5_entity_references() {
    assert_eq!(whole(SPEC_3_5, &INC), "<doc attrExtEnt=\"entExt\">\n   Hello, world!\n</doc>");
}

/// §3.6 in UTF-8 (sluis accepts only UTF-8 input): the character reference becomes the two UTF-8 bytes of ©.
const SPEC_3_6: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<doc>&#169;</doc>\n";

#[test]
fn spec_3_6_utf8_encoding() {
    assert_eq!(whole(SPEC_3_6, &INC).as_bytes(), b"<doc>\xC2\xA9</doc>");
}

/// §3.7's document after its DTD (`xml:space="preserve"` defaulted onto `e2`). Its XPath node-set is not one sluis
/// supports; the `e3` part of it is a subtree, canonicalized here on its own.
const SPEC_3_7: &str = r#"<doc xmlns="http://www.ietf.org" xmlns:w3c="http://www.w3.org">
   <e1>
      <e2 xmlns="" xml:space="preserve">
         <e3 id="E3"/>
      </e2>
   </e1>
</doc>"#;

#[test]
fn spec_3_7_document_subset_apex_imports_namespaces_and_xml_attributes() {
    // The default namespace is empty at e3 and e3 has no output ancestor: no xmlns="" (the spec's output has one only
    // because e1 is in its node-set). xml:space comes from the omitted e2.
    assert_eq!(
        sub(SPEC_3_7, "e3", None, &INC),
        r#"<e3 xmlns:w3c="http://www.w3.org" id="E3" xml:space="preserve"></e3>"#
    );
    assert_eq!(sub(SPEC_3_7, "e3", None, &exc("")), r#"<e3 id="E3"></e3>"#);
}

/// The document of C14N 1.1 §3.8 ("Document Subsets and XML Attributes") after its DTD, for C14N 1.0's behaviour: 1.0
/// imports every `xml:*` attribute, `xml:base` and `xml:id` included (1.1 changed exactly that).
const SPEC_11_3_8: &str = r#"<doc xmlns="http://www.ietf.org" xmlns:w3c="http://www.w3.org" xml:base="something/else">
   <e1>
      <e2 xmlns="" xml:id="abc" xml:base="bar/" xml:space="preserve">
         <e3 id="E3" xml:base="foo"/>
      </e2>
   </e1>
</doc>"#;

#[test]
fn c14n11_spec_3_8_under_c14n10_rules() {
    assert_eq!(
        sub(SPEC_11_3_8, "e1", None, &INC),
        "<e1 xmlns=\"http://www.ietf.org\" xmlns:w3c=\"http://www.w3.org\" xml:base=\"something/else\">\n      \
         <e2 xmlns=\"\" xml:base=\"bar/\" xml:id=\"abc\" xml:space=\"preserve\">\n         \
         <e3 id=\"E3\" xml:base=\"foo\"></e3>\n      </e2>\n   </e1>"
    );
    assert_eq!(
        sub(SPEC_11_3_8, "e3", None, &INC),
        r#"<e3 xmlns:w3c="http://www.w3.org" id="E3" xml:base="foo" xml:id="abc" xml:space="preserve"></e3>"#
    );
    assert_eq!(sub(SPEC_11_3_8, "e3", None, &exc("")), r#"<e3 id="E3" xml:base="foo"></e3>"#);
}

// ---- Exclusive XML Canonicalization 1.0 §2.2 ----

const EXC_2_2_A: &str = r#"<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org">
   <n1:elem2 xmlns:n1="http://example.net" xml:lang="en">
      <n3:stuff xmlns:n3="ftp://example.org"/>
   </n1:elem2>
</n0:local>"#;

const EXC_2_2_B: &str = r#"<n2:pdu xmlns:n1="http://example.com" xmlns:n2="http://foo.example" xml:lang="fr" xml:space="retain">
   <n1:elem2 xmlns:n1="http://example.net" xml:lang="en">
      <n3:stuff xmlns:n3="ftp://example.org"/>
   </n1:elem2>
</n2:pdu>"#;

#[test]
fn exc_spec_2_2_the_same_bytes_from_both_contexts() {
    let want = "<n1:elem2 xmlns:n1=\"http://example.net\" xml:lang=\"en\">\n      \
                <n3:stuff xmlns:n3=\"ftp://example.org\"></n3:stuff>\n   </n1:elem2>";
    assert_eq!(sub(EXC_2_2_A, "elem2", None, &exc("")), want);
    assert_eq!(sub(EXC_2_2_B, "elem2", None, &exc("")), want);
    // Inclusive C14N differs between the two: it imports the namespaces and xml:* attributes of the context.
    assert_eq!(
        sub(EXC_2_2_A, "elem2", None, &INC),
        "<n1:elem2 xmlns:n0=\"foo:bar\" xmlns:n1=\"http://example.net\" xmlns:n3=\"ftp://example.org\" xml:lang=\"en\">\n      \
         <n3:stuff></n3:stuff>\n   </n1:elem2>"
    );
    assert_eq!(
        sub(EXC_2_2_B, "elem2", None, &INC),
        "<n1:elem2 xmlns:n1=\"http://example.net\" xmlns:n2=\"http://foo.example\" xml:lang=\"en\" xml:space=\"retain\">\n      \
         <n3:stuff xmlns:n3=\"ftp://example.org\"></n3:stuff>\n   </n1:elem2>"
    );
    // With n3 and n0 listed, they are rendered as inclusive C14N would (n3 on the apex, where it is in scope).
    assert_eq!(
        sub(EXC_2_2_A, "elem2", None, &exc("n3 n0")),
        "<n1:elem2 xmlns:n0=\"foo:bar\" xmlns:n1=\"http://example.net\" xmlns:n3=\"ftp://example.org\" xml:lang=\"en\">\n      \
         <n3:stuff></n3:stuff>\n   </n1:elem2>"
    );
}

// ---- Edge cases ----

const EDGE_DEFAULT_NS: &str = r#"<a xmlns="http://a/"><b xmlns=""><c xmlns=""><d xmlns="http://a/"><e xmlns="http://a/"/></d></c></b><f xmlns="http://f/"><g xmlns=""/></f></a>"#;

#[test]
fn default_namespace_undeclaration() {
    // Inclusive: xmlns="" exactly where the parent had a non-empty default; redundant ones dropped.
    assert_eq!(
        whole(EDGE_DEFAULT_NS, &INC),
        r#"<a xmlns="http://a/"><b xmlns=""><c><d xmlns="http://a/"><e></e></d></c></b><f xmlns="http://f/"><g xmlns=""></g></f></a>"#
    );
    // Exclusive: the same here, since every element is unprefixed and so utilizes the default namespace.
    assert_eq!(whole(EDGE_DEFAULT_NS, &exc("")), whole(EDGE_DEFAULT_NS, &INC));
    // A subset whose apex has an empty default namespace under a non-empty one: nothing to undeclare.
    assert_eq!(sub(EDGE_DEFAULT_NS, "c", None, &INC), r#"<c><d xmlns="http://a/"><e></e></d></c>"#);
    assert_eq!(sub(EDGE_DEFAULT_NS, "c", None, &exc("")), r#"<c><d xmlns="http://a/"><e></e></d></c>"#);
    assert_eq!(sub(EDGE_DEFAULT_NS, "e", None, &exc("")), r#"<e xmlns="http://a/"></e>"#);
}

const EDGE_EXC_DEFAULT: &str =
    r#"<p:a xmlns:p="urn:p" xmlns="http://d/"><p:b><c xmlns=""><p:d/></c></p:b><e/></p:a>"#;

#[test]
fn exclusive_default_namespace_only_where_visibly_utilized() {
    // p:a and p:b do not utilize the default namespace; c has none and no ancestor rendered one: no xmlns="".
    assert_eq!(
        whole(EDGE_EXC_DEFAULT, &exc("")),
        r#"<p:a xmlns:p="urn:p"><p:b><c><p:d></p:d></c></p:b><e xmlns="http://d/"></e></p:a>"#
    );
    // #default in the PrefixList: rendered where in scope as inclusive C14N does, and then undeclared on c.
    assert_eq!(
        whole(EDGE_EXC_DEFAULT, &exc("#default")),
        r#"<p:a xmlns="http://d/" xmlns:p="urn:p"><p:b><c xmlns=""><p:d></p:d></c></p:b><e></e></p:a>"#
    );
    assert_eq!(
        sub(EDGE_EXC_DEFAULT, "b", None, &exc("#default")),
        r#"<p:b xmlns="http://d/" xmlns:p="urn:p"><c xmlns=""><p:d></p:d></c></p:b>"#
    );
    assert_eq!(sub(EDGE_EXC_DEFAULT, "c", None, &exc("#default")), r#"<c><p:d xmlns:p="urn:p"></p:d></c>"#);
    assert_eq!(
        whole(EDGE_EXC_DEFAULT, &INC),
        r#"<p:a xmlns="http://d/" xmlns:p="urn:p"><p:b><c xmlns=""><p:d></p:d></c></p:b><e></e></p:a>"#
    );
}

const EDGE_XML_ATTRS: &str = r#"<r xml:lang="nl" xml:space="preserve" xmlns:x="urn:x"><s xml:lang="en" xml:base="http://b/"><t x:k="1" xml:id="t1">t</t></s></r>"#;

#[test]
fn xml_attributes_inherited_by_an_inclusive_apex_only() {
    assert_eq!(
        sub(EDGE_XML_ATTRS, "t", None, &INC),
        r#"<t xmlns:x="urn:x" xml:base="http://b/" xml:id="t1" xml:lang="en" xml:space="preserve" x:k="1">t</t>"#
    );
    assert_eq!(sub(EDGE_XML_ATTRS, "t", None, &exc("")), r#"<t xmlns:x="urn:x" xml:id="t1" x:k="1">t</t>"#);
    // Below the apex nothing is imported: the attributes are in scope through the output ancestors.
    assert_eq!(
        sub(EDGE_XML_ATTRS, "s", None, &INC),
        r#"<s xmlns:x="urn:x" xml:base="http://b/" xml:lang="en" xml:space="preserve"><t xml:id="t1" x:k="1">t</t></s>"#
    );
    // The whole document: the root's parent is the document node, there is nothing to import.
    assert_eq!(
        whole(EDGE_XML_ATTRS, &INC),
        r#"<r xmlns:x="urn:x" xml:lang="nl" xml:space="preserve"><s xml:base="http://b/" xml:lang="en"><t xml:id="t1" x:k="1">t</t></s></r>"#
    );
}

const EDGE_ATTR_SORT: &str = r#"<e xmlns:z="http://a/" xmlns:a="http://z/" xmlns:m="http://m/" a:x="1" z:y="2" z:a="3" b="4" m:b="5" a="6" xml:lang="7"/>"#;

#[test]
fn attributes_sorted_by_namespace_uri_then_local_name_not_by_prefix() {
    assert_eq!(
        whole(EDGE_ATTR_SORT, &INC),
        r#"<e xmlns:a="http://z/" xmlns:m="http://m/" xmlns:z="http://a/" a="6" b="4" z:a="3" z:y="2" m:b="5" xml:lang="7" a:x="1"></e>"#
    );
}

const EDGE_SUPERFLUOUS: &str = r#"<a xmlns:p="urn:p" xmlns:q="urn:q"><p:b xmlns:p="urn:p" xmlns:q="urn:q2"><c xmlns:q="urn:q2" xmlns:p="urn:p"/><p:d xmlns:p="urn:p3"/></p:b></a>"#;

#[test]
fn superfluous_declarations_suppressed() {
    assert_eq!(
        whole(EDGE_SUPERFLUOUS, &INC),
        r#"<a xmlns:p="urn:p" xmlns:q="urn:q"><p:b xmlns:q="urn:q2"><c></c><p:d xmlns:p="urn:p3"></p:d></p:b></a>"#
    );
    assert_eq!(
        whole(EDGE_SUPERFLUOUS, &exc("")),
        r#"<a><p:b xmlns:p="urn:p"><c></c><p:d xmlns:p="urn:p3"></p:d></p:b></a>"#
    );
    assert_eq!(
        whole(EDGE_SUPERFLUOUS, &exc("q")),
        r#"<a xmlns:q="urn:q"><p:b xmlns:p="urn:p" xmlns:q="urn:q2"><c></c><p:d xmlns:p="urn:p3"></p:d></p:b></a>"#
    );
}

const EDGE_CRLF: &str =
    "<a b=\"x\r\ny\tz&#13;&#10;&#9;\">line1\r\nline2\rline3&#xD;&#xd;\n<![CDATA[c\r\nd]]></a>\r\n";

#[test]
fn line_ends_and_character_references() {
    // Literal CR LF / CR in content become LF; literal white space in attributes became spaces when parsing, character
    // references survive and are escaped.
    assert_eq!(
        whole(EDGE_CRLF, &INC),
        "<a b=\"x y z&#xD;&#xA;&#x9;\">line1\nline2\nline3&#xD;&#xD;\nc\nd</a>"
    );
}

const EDGE_ESCAPING: &str = r#"<a t='&lt;&amp;&gt;"&apos;'>&lt;&amp;&gt;"'<![CDATA[<&>]]>&#x3E;</a>"#;

#[test]
fn text_and_attribute_escaping() {
    assert_eq!(
        whole(EDGE_ESCAPING, &INC),
        r#"<a t="&lt;&amp;>&quot;'">&lt;&amp;&gt;"'&lt;&amp;&gt;&gt;</a>"#
    );
}

const EDGE_COMMENTS: &str = "<!--c0--><?p0 d ?><r><!--c1--><x><!-- c2 --></x><?p1?></r><!--c3--><?p2  x y?>";

#[test]
fn comments_with_and_without_and_pis_outside_the_root() {
    assert_eq!(whole(EDGE_COMMENTS, &INC), "<?p0 d ?>\n<r><x></x><?p1?></r>\n<?p2 x y?>");
    assert_eq!(
        whole(EDGE_COMMENTS, &INC_C),
        "<!--c0-->\n<?p0 d ?>\n<r><!--c1--><x><!-- c2 --></x><?p1?></r>\n<!--c3-->\n<?p2 x y?>"
    );
    assert_eq!(whole(EDGE_COMMENTS, &exc_c("")), whole(EDGE_COMMENTS, &INC_C));
    // Inside an element subset there is no document level: no #xA separators.
    assert_eq!(sub(EDGE_COMMENTS, "r", None, &INC_C), "<r><!--c1--><x><!-- c2 --></x><?p1?></r>");
    assert_eq!(sub(EDGE_COMMENTS, "r", None, &INC), "<r><x></x><?p1?></r>");
    // With the document element excluded, what follows it is still after it: document order, not the node-set,
    // decides (libxml2 differs here; see tests/c14n_oracle.rs).
    let doc = parse(EDGE_COMMENTS);
    let without_root = NodeSet::document(&doc).excluding(find(&doc, "r").id());
    assert_eq!(
        to_vec(&doc, &without_root, &INC_C).unwrap(),
        b"<!--c0-->\n<?p0 d ?>\n\n<!--c3-->\n<?p2 x y?>"
    );
}

const EDGE_ANCESTOR_PREFIX: &str = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsu="http://wsu/" xmlns="http://default/"><soap:Body wsu:Id="b"><m:op xmlns:m="urn:m"><arg>1</arg></m:op></soap:Body></soap:Envelope>"#;

#[test]
fn subset_apex_with_a_prefix_declared_on_an_ancestor() {
    assert_eq!(
        sub(EDGE_ANCESTOR_PREFIX, "Body", None, &exc("")),
        r#"<soap:Body xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsu="http://wsu/" wsu:Id="b"><m:op xmlns:m="urn:m"><arg xmlns="http://default/">1</arg></m:op></soap:Body>"#
    );
    assert_eq!(
        sub(EDGE_ANCESTOR_PREFIX, "Body", None, &INC),
        r#"<soap:Body xmlns="http://default/" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsu="http://wsu/" wsu:Id="b"><m:op xmlns:m="urn:m"><arg>1</arg></m:op></soap:Body>"#
    );
    assert_eq!(
        sub(EDGE_ANCESTOR_PREFIX, "op", None, &exc("#default soap")),
        r#"<m:op xmlns="http://default/" xmlns:m="urn:m" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><arg>1</arg></m:op>"#
    );
}

const EDGE_ENVELOPED: &str = r#"<doc xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="d"><a>1</a><ds:Signature><ds:SignedInfo xmlns="urn:x"/></ds:Signature><b>2</b></doc>"#;

#[test]
fn excluded_subtree() {
    let want = r#"<doc xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="d"><a>1</a><b>2</b></doc>"#;
    assert_eq!(sub(EDGE_ENVELOPED, "doc", Some("Signature"), &INC), want);
    assert_eq!(
        sub(EDGE_ENVELOPED, "doc", Some("Signature"), &exc("")),
        r#"<doc Id="d"><a>1</a><b>2</b></doc>"#
    );
    let doc = parse(EDGE_ENVELOPED);
    let sig = find(&doc, "Signature").id();
    assert_eq!(to_vec(&doc, &NodeSet::document(&doc).excluding(sig), &INC).unwrap(), want.as_bytes());
    // Excluding something outside the apex removes nothing; excluding the apex or an ancestor leaves nothing.
    let a = find(&doc, "a").id();
    assert_eq!(to_vec(&doc, &NodeSet::subtree(a).excluding(sig), &exc("")).unwrap(), b"<a>1</a>");
    assert_eq!(to_vec(&doc, &NodeSet::subtree(a).excluding(a), &INC).unwrap(), b"");
    assert_eq!(to_vec(&doc, &NodeSet::subtree(sig).excluding(doc.root().id()), &INC).unwrap(), b"");
}

/// A sanity check on cost, deliberately generous (real numbers belong in benchmarks): documents at the parser's size
/// limit, wide and deep with many namespaces in scope, canonicalize in well under the bound even in a debug build. A
/// per-element walk of ancestors or a quadratic scan would blow through it.
#[test]
fn large_documents_stay_linear() {
    use std::fmt::Write;
    use std::time::Instant;
    // 60 levels, 4 declarations each (240 bindings in scope, under the parser's 256), then 8,000 leaves that utilize
    // prefixes declared at every level.
    let mut xml = String::new();
    for d in 0..60 {
        write!(
            xml,
            "<p{d}:e xmlns:p{d}=\"urn:{d}\" xmlns:q{d}=\"urn:q{d}\" xmlns=\"urn:d{}\" xmlns:r{d}=\"urn:r\">",
            d % 3
        )
        .unwrap();
    }
    for i in 0..8_000 {
        write!(xml, "<p{}:leaf q{}:a=\"{i}\" b=\"&amp;\">x</p{}:leaf>", i % 60, (i * 7) % 60, i % 60)
            .unwrap();
    }
    for d in (0..60).rev() {
        write!(xml, "</p{d}:e>").unwrap();
    }
    // And a flat one: 25,000 siblings, each redeclaring a prefix.
    let mut wide = String::from("<root xmlns:p=\"urn:p\">");
    for i in 0..25_000 {
        write!(wide, "<p:e xmlns:p=\"urn:p{}\" p:a=\"1\">t</p:e>", i % 2).unwrap();
    }
    wide.push_str("</root>");
    let start = Instant::now();
    let mut total = 0;
    for input in [&xml, &wide] {
        let doc = parse(input);
        let deepest =
            doc.descendants().filter(|n| n.is_element()).map(|n| (n.depth(), n.id())).max().unwrap().1;
        let apex = doc.node(deepest).parent().unwrap().id();
        for alg in [INC, INC_C, exc(""), exc("#default p1 q2 r3")] {
            total += to_vec(&doc, &NodeSet::document(&doc), &alg).unwrap().len();
            total += to_vec(&doc, &NodeSet::subtree(apex).excluding(deepest), &alg).unwrap().len();
        }
    }
    let elapsed = start.elapsed();
    eprintln!("large_documents_stay_linear: {total} bytes of output in {elapsed:?}");
    assert!(elapsed.as_secs() < 30, "{elapsed:?}");
}
