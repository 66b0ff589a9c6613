//! A seeded generator of random namespace-heavy documents for the canonicalization differential and idempotence
//! tests. Every document is well-formed and namespace-well-formed, uses no DTD and only UTF-8, so both sluis and
//! libxml2 accept it. A failure names its seed; `document(seed)` regenerates it exactly.
//!
//! What it mixes in, at random: prefixes and default namespaces declared at random levels, undeclared defaults
//! (`xmlns=""`), redundant redeclarations, two prefixes bound to one URI, `xml:lang`/`xml:space`/`xml:base`/`xml:id`,
//! attributes in random namespaces whose values contain `& < > " '` TAB LF CR literally and as references, text with CR
//! LF / CR / `&#xD;`, non-ASCII, CDATA sections, comments and PIs inside and outside the document element, an XML
//! declaration or none.

// Helpers outside `#[test]` functions unwrap and panic too; clippy's allow-*-in-tests does not reach them.
#![allow(clippy::unwrap_used, clippy::panic)]

/// splitmix64: small, good enough, and the same on every platform.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Namespace URIs: sorted differently from their prefixes, one upper-case, two sharing a prefix of their text. None
/// contains a character that needs escaping (libxml2 does not escape namespace values; see `sluis::c14n`).
const URIS: &[&str] = &[
    "http://a.example/",
    "http://b.example/ns",
    "urn:x:c",
    "urn:x:c2",
    "http://A.example/",
    "https://z.example/",
    "urn:oasis:names:tc:SAML:2.0:assertion",
];
/// Prefixes: `zz` sorts after `a` but may be bound to a URI that sorts first.
pub(crate) const PREFIXES: &[&str] = &["a", "b", "p", "zz", "ns1", "soap"];
const LOCALS: &[&str] = &["e", "f", "Body", "x", "item", "Ü"];
const ATTR_LOCALS: &[&str] = &["id", "x", "y", "a", "Z", "at"];

/// Pieces of attribute values, as written between the quotes (the delimiter is always `"`).
const VALUE_PIECES: &[&str] = &[
    "v", "1", " ", "&amp;", "&lt;", "&gt;", ">", "'", "&quot;", "&apos;", "\t", "\n", "\r\n", "\r", "&#9;",
    "&#10;", "&#13;", "&#xD;", "&#xA;", "é", "中", "😀", "  ",
];
/// Pieces of character data (no `]`, so never `]]>`).
const TEXT_PIECES: &[&str] = &[
    "t",
    "word",
    " ",
    "\n",
    "\r\n",
    "\r",
    "&#13;",
    "&#xD;",
    "&amp;",
    "&lt;",
    "&gt;",
    ">",
    "\"",
    "'",
    "\t",
    "é",
    "&#x1F600;",
    "中",
    "  \n  ",
];
const CDATA_PIECES: &[&str] = &["c", "<", "&", ">", "]]", "]", "\r\n", "\r", "&amp;", " ", "<![CDATA["];
const COMMENT_PIECES: &[&str] = &["c", " ", "-x", "\r\n", "<&>", "é", "\t"];
const PI_TARGETS: &[&str] = &["pi", "p-i", "target", "xml-stylesheet", "Ünï"];
const PI_PIECES: &[&str] = &["d", " ", "  ", "a=\"1\"", "\r\n", "?", ">", "&amp;", "é"];

/// The document for `seed`.
pub(crate) fn document(seed: u64) -> String {
    let mut g = Gen { rng: Rng::new(seed), out: String::new(), scope: Vec::new(), elements: 0 };
    match g.rng.below(4) {
        0 => g.out.push_str("<?xml version=\"1.0\"?>"),
        1 => g.out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"),
        _ => {}
    }
    g.misc();
    g.element(0);
    g.misc();
    g.out
}

struct Gen {
    rng: Rng,
    out: String,
    /// Bindings in scope, innermost last; `""` prefix = default, `""` URI = undeclared default.
    scope: Vec<(&'static str, &'static str)>,
    elements: usize,
}

impl Gen {
    fn lookup(&self, prefix: &str) -> Option<&'static str> {
        self.scope.iter().rev().find(|(p, _)| *p == prefix).map(|&(_, u)| u)
    }

    fn pieces(&mut self, pieces: &[&str], max: usize) -> String {
        let n = self.rng.below(max + 1);
        (0..n).map(|_| *self.rng.pick(pieces)).collect()
    }

    /// Comments, PIs and white space outside the document element.
    fn misc(&mut self) {
        for _ in 0..self.rng.below(3) {
            match self.rng.below(3) {
                0 => self.comment(),
                1 => self.pi(),
                _ => self.out.push_str(self.rng.pick::<&str>(&["\n", "\r\n", "  ", "\t"])),
            }
        }
    }

    fn comment(&mut self) {
        let body = self.pieces(COMMENT_PIECES, 4);
        self.out.push_str("<!--");
        self.out.push_str(&body);
        self.out.push_str("-->");
    }

    fn pi(&mut self) {
        let target = *self.rng.pick(PI_TARGETS);
        let data = self.pieces(PI_PIECES, 4).replace("?>", "? >");
        self.out.push_str("<?");
        self.out.push_str(target);
        if !data.is_empty() || self.rng.chance(30) {
            self.out.push_str(self.rng.pick::<&str>(&[" ", "  ", "\r\n"]));
        }
        self.out.push_str(&data);
        self.out.push_str("?>");
    }

    fn element(&mut self, depth: usize) {
        self.elements += 1;
        let mark = self.scope.len();
        let mut decls: Vec<(&'static str, &'static str)> = Vec::new();
        if self.rng.chance(30) {
            let uri = if self.rng.chance(30) { "" } else { *self.rng.pick(URIS) };
            decls.push(("", uri));
        }
        for _ in 0..self.rng.below(3) {
            let prefix = *self.rng.pick(PREFIXES);
            if decls.iter().any(|(p, _)| *p == prefix) {
                continue;
            }
            // A third of the time, redeclare what is in scope (superfluous) when there is something.
            let uri = match self.lookup(prefix) {
                Some(u) if self.rng.chance(33) => u,
                _ => *self.rng.pick(URIS),
            };
            decls.push((prefix, uri));
        }
        self.scope.extend(decls.iter().copied());
        let bound: Vec<&'static str> =
            PREFIXES.iter().copied().filter(|p| self.lookup(p).is_some()).collect();
        let prefix =
            if !bound.is_empty() && self.rng.chance(50) { Some(*self.rng.pick(&bound)) } else { None };
        let local = *self.rng.pick(LOCALS);
        let qname = match prefix {
            Some(p) => format!("{p}:{local}"),
            None => local.to_owned(),
        };
        self.out.push('<');
        self.out.push_str(&qname);
        // Declarations and attributes interleaved in random order, as written.
        let mut items: Vec<String> = decls
            .iter()
            .map(|(p, u)| if p.is_empty() { format!("xmlns=\"{u}\"") } else { format!("xmlns:{p}=\"{u}\"") })
            .collect();
        let mut names: Vec<(Option<&'static str>, &'static str)> = Vec::new();
        for _ in 0..self.rng.below(5) {
            let (qname, expanded) = match self.rng.below(6) {
                0 | 1 => {
                    let local = *self.rng.pick(ATTR_LOCALS);
                    (local.to_owned(), (None, local))
                }
                2 if !bound.is_empty() => {
                    let p = *self.rng.pick(&bound);
                    let local = *self.rng.pick(ATTR_LOCALS);
                    (format!("{p}:{local}"), (self.lookup(p), local))
                }
                3 => {
                    let local = *self.rng.pick(&["lang", "space", "base", "id"]);
                    (format!("xml:{local}"), (Some("http://www.w3.org/XML/1998/namespace"), local))
                }
                _ => continue,
            };
            if names.contains(&expanded) {
                continue;
            }
            names.push(expanded);
            let value = match qname.as_str() {
                "xml:space" => (*self.rng.pick(&["preserve", "default"])).to_owned(),
                "xml:lang" => (*self.rng.pick(&["en", "nl", "", "fr-CA"])).to_owned(),
                _ => self.pieces(VALUE_PIECES, 5).replace('"', "&quot;"),
            };
            items.push(format!("{qname}=\"{value}\""));
        }
        for i in (1..items.len()).rev() {
            let j = self.rng.below(i + 1);
            items.swap(i, j);
        }
        for item in &items {
            self.out.push_str(self.rng.pick::<&str>(&[" ", "  ", "\n ", "\r\n\t"]));
            self.out.push_str(item);
        }
        if self.rng.chance(20) {
            self.out.push_str("/>");
            self.scope.truncate(mark);
            return;
        }
        self.out.push('>');
        let children = if depth >= 5 || self.elements > 40 { self.rng.below(2) } else { self.rng.below(5) };
        for _ in 0..children {
            match self.rng.below(10) {
                0..=3 if depth < 6 && self.elements < 60 => self.element(depth + 1),
                0..=5 => {
                    let text = self.pieces(TEXT_PIECES, 5);
                    self.out.push_str(&text);
                }
                6 => {
                    let body = self.pieces(CDATA_PIECES, 5).replace("]]>", "]] >");
                    self.out.push_str("<![CDATA[");
                    self.out.push_str(&body);
                    self.out.push_str("]]>");
                }
                7 | 8 => self.comment(),
                _ => self.pi(),
            }
        }
        self.out.push_str("</");
        self.out.push_str(&qname);
        self.out.push('>');
        self.scope.truncate(mark);
    }
}

#[test]
fn generated_documents_parse_and_are_reproducible() {
    use sluis::xml::{Document, Limits};
    for seed in 0..200 {
        let doc = document(seed);
        assert_eq!(doc, document(seed));
        if let Err(e) = Document::parse_str(&doc, &Limits::default()) {
            panic!("seed {seed}: {e}\n{doc}");
        }
    }
}

/// c14n(parse(c14n(x))) == c14n(x): the canonical form is a fixed point, for every algorithm, over the whole document
/// and over element subsets (an inclusive apex carries everything it inherited, an exclusive one everything it uses).
#[test]
fn canonical_form_is_idempotent_on_random_documents() {
    use sluis::c14n::{Algorithm, NodeSet, PrefixList, to_vec};
    use sluis::xml::{Document, Limits};
    let algorithms = [
        Algorithm::C14n10 { with_comments: false },
        Algorithm::C14n10 { with_comments: true },
        Algorithm::ExcC14n10 { with_comments: false, inclusive_prefixes: PrefixList::default() },
        Algorithm::ExcC14n10 { with_comments: true, inclusive_prefixes: PrefixList::default() },
    ];
    for seed in 0..400 {
        let xml = document(seed);
        let doc = Document::parse_str(&xml, &Limits::default()).unwrap();
        let elements: Vec<_> = doc.descendants().filter(|n| n.is_element()).map(|n| n.id()).collect();
        let mut rng = Rng::new(seed);
        let sets = [NodeSet::document(&doc), NodeSet::subtree(*rng.pick(&elements))];
        for alg in &algorithms {
            for set in &sets {
                let once = to_vec(&doc, set, alg).unwrap();
                let text = String::from_utf8(once.clone()).unwrap();
                let again = Document::parse_str(&text, &Limits::default()).unwrap();
                let twice = to_vec(&again, &NodeSet::document(&again), alg).unwrap();
                assert!(
                    once == twice,
                    "seed {seed} {} {set:?}\n  once:  {text:?}\n  twice: {:?}",
                    alg.uri(),
                    String::from_utf8_lossy(&twice)
                );
            }
        }
    }
}
