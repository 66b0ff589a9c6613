//! The envelope: version and structure (SOAP 1.1 §4, SOAP 1.2 Part 1 §5), as positions in the one tree.

use super::{
    SOAP11_ACTOR_NEXT, SOAP12_ROLE_NEXT, SOAP12_ROLE_NONE, SOAP12_ROLE_ULTIMATE_RECEIVER, SoapVersion,
};
use crate::reason::SoapReason;
use crate::xml::{Document, Node, NodeId, NodeType, is_ws};

/// Whom a header block is for (SOAP 1.1 §4.2.2 `actor`, SOAP 1.2 Part 1 §5.2.2 `role`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// No actor/role (or SOAP 1.2's `ultimateReceiver`): the ultimate receiver. sluis processes the `wsse:Security`
    /// header in this role on behalf of the service behind it.
    UltimateReceiver,
    /// The "next" actor/role: every SOAP node that receives the message, sluis included.
    Next,
    /// SOAP 1.2's `none`: no node processes the block.
    None,
    /// Any other URI, as written (after XML Schema `anyURI` whitespace collapsing).
    Other(String),
}

/// One header block: an element child of the `Header`, with its targeting attributes read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderBlock {
    /// The header block element.
    pub node: NodeId,
    /// Its actor/role.
    pub role: Role,
    /// Its `mustUnderstand` flag.
    pub must_understand: bool,
}

/// A structurally valid SOAP envelope: the version and where its parts are. Holds positions only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    version: SoapVersion,
    envelope: NodeId,
    header: Option<NodeId>,
    body: NodeId,
    blocks: Vec<HeaderBlock>,
}

fn malformed(what: &'static str) -> SoapReason {
    SoapReason::MalformedEnvelope(what)
}

/// The element children of `node`, refusing character data other than white space (comments are allowed).
fn element_children<'d, 'a>(node: Node<'d, 'a>, what: &'static str) -> Result<Vec<Node<'d, 'a>>, SoapReason> {
    let mut out = Vec::new();
    for child in node.children() {
        match child.node_type() {
            NodeType::Element => out.push(child),
            NodeType::Text if child.text().unwrap_or_default().bytes().all(is_ws) => {}
            NodeType::Text => return Err(malformed(what)),
            _ => {}
        }
    }
    Ok(out)
}

impl Envelope {
    /// Reads the envelope of `doc`, checking the structure the module documentation lists.
    pub fn read(doc: &Document<'_>) -> Result<Envelope, SoapReason> {
        let root = doc.root_element();
        let Some(version) = root.namespace().and_then(SoapVersion::from_namespace) else {
            return Err(if root.is_element() && root.local_name() == "Envelope" {
                SoapReason::VersionMismatch
            } else {
                SoapReason::NotAnEnvelope
            });
        };
        if root.local_name() != "Envelope" {
            return Err(SoapReason::NotAnEnvelope);
        }
        // SOAP 1.2 Part 1 §5: a receiver SHOULD fault on a processing instruction; WS-I BP 1.1 R1009 forbids them in
        // SOAP 1.1 too. They carry nothing a gateway needs and are one more place for parsers to disagree.
        if doc.descendants().any(|n| n.node_type() == NodeType::ProcessingInstruction) {
            return Err(malformed("processing instruction"));
        }
        let ns = version.namespace();
        let mut children = element_children(root, "character data in Envelope")?.into_iter().peekable();
        let header = children.next_if(|c| c.is(ns, "Header"));
        let body =
            children.next().filter(|c| c.is(ns, "Body")).ok_or(malformed("Body must follow the Header"))?;
        if children.next().is_some() {
            return Err(malformed("element after Body"));
        }
        let mut blocks = Vec::new();
        if let Some(header) = header {
            for block in element_children(header, "character data in Header")? {
                if block.namespace().is_none() {
                    return Err(malformed("unqualified header block"));
                }
                blocks.push(HeaderBlock {
                    node: block.id(),
                    role: role(version, block),
                    must_understand: must_understand(version, block)?,
                });
            }
        }
        Ok(Envelope { version, envelope: root.id(), header: header.map(|h| h.id()), body: body.id(), blocks })
    }

    /// The SOAP version (from the envelope namespace).
    pub fn version(&self) -> SoapVersion {
        self.version
    }

    /// The `Envelope` element.
    pub fn envelope(&self) -> NodeId {
        self.envelope
    }

    /// The `Header` element, if present.
    pub fn header(&self) -> Option<NodeId> {
        self.header
    }

    /// The `Body` element: *the* Body child of *the* Envelope.
    pub fn body(&self) -> NodeId {
        self.body
    }

    /// The header blocks in document order.
    pub fn header_blocks(&self) -> &[HeaderBlock] {
        &self.blocks
    }
}

fn collapse(s: &str) -> &str {
    s.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

fn role(version: SoapVersion, block: Node<'_, '_>) -> Role {
    let ns = Some(version.namespace());
    match version {
        SoapVersion::Soap11 => match block.attribute(ns, "actor").map(collapse) {
            None => Role::UltimateReceiver,
            Some(SOAP11_ACTOR_NEXT) => Role::Next,
            Some(other) => Role::Other(other.to_owned()),
        },
        SoapVersion::Soap12 => match block.attribute(ns, "role").map(collapse) {
            None | Some(SOAP12_ROLE_ULTIMATE_RECEIVER) => Role::UltimateReceiver,
            Some(SOAP12_ROLE_NEXT) => Role::Next,
            Some(SOAP12_ROLE_NONE) => Role::None,
            Some(other) => Role::Other(other.to_owned()),
        },
    }
}

/// SOAP 1.1 §4.2.3: "0" or "1"; SOAP 1.2 Part 1 §5.2.3: `xs:boolean` ("true", "false", "1", "0").
fn must_understand(version: SoapVersion, block: Node<'_, '_>) -> Result<bool, SoapReason> {
    let Some(value) = block.attribute(Some(version.namespace()), "mustUnderstand") else {
        return Ok(false);
    };
    match (version, collapse(value)) {
        (_, "1") => Ok(true),
        (_, "0") => Ok(false),
        (SoapVersion::Soap12, "true") => Ok(true),
        (SoapVersion::Soap12, "false") => Ok(false),
        _ => Err(malformed("mustUnderstand is not a boolean")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::{SOAP11_NS, SOAP12_NS};
    use crate::xml::Limits;

    fn read(src: &str) -> Result<Envelope, SoapReason> {
        let doc = Document::parse_str(src, &Limits::default()).unwrap();
        Envelope::read(&doc)
    }

    #[test]
    fn finds_parts_by_position() {
        let src = format!(
            r#"<s:Envelope xmlns:s="{SOAP11_NS}"><s:Header><h:A xmlns:h="urn:h" s:mustUnderstand="1" s:actor="urn:x"/><h:B xmlns:h="urn:h"/></s:Header><s:Body><p/></s:Body></s:Envelope>"#
        );
        let env = read(&src).unwrap();
        assert_eq!(env.version(), SoapVersion::Soap11);
        assert_eq!(env.header_blocks().len(), 2);
        assert_eq!(env.header_blocks()[0].role, Role::Other("urn:x".into()));
        assert!(env.header_blocks()[0].must_understand);
        assert_eq!(env.header_blocks()[1].role, Role::UltimateReceiver);
    }

    #[test]
    fn refuses_bad_structure() {
        let e11 = |inner: &str| format!(r#"<s:Envelope xmlns:s="{SOAP11_NS}">{inner}</s:Envelope>"#);
        assert!(read(&e11("<s:Body/>")).is_ok());
        assert_eq!(read(&e11("")), Err(malformed("Body must follow the Header")));
        assert_eq!(read(&e11("<s:Body/><s:Body/>")), Err(malformed("element after Body")));
        assert_eq!(read(&e11("<s:Body/><x:T xmlns:x='urn:x'/>")), Err(malformed("element after Body")));
        assert_eq!(read(&e11("<s:Body/><s:Header/>")), Err(malformed("element after Body")));
        assert_eq!(read(&e11("text<s:Body/>")), Err(malformed("character data in Envelope")));
        assert_eq!(
            read(&e11("<s:Header><u/></s:Header><s:Body/>")),
            Err(malformed("unqualified header block"))
        );
        assert_eq!(read(&e11("<s:Body><?pi x?></s:Body>")), Err(malformed("processing instruction")));
        assert_eq!(
            read(&e11("<s:Header><h:A xmlns:h='urn:h' s:mustUnderstand='true'/></s:Header><s:Body/>")),
            Err(malformed("mustUnderstand is not a boolean")),
            "SOAP 1.1 allows only 0 and 1"
        );
        assert_eq!(read("<Envelope xmlns='urn:other'/>"), Err(SoapReason::VersionMismatch));
        assert_eq!(read("<root/>"), Err(SoapReason::NotAnEnvelope));
        let e12 = format!(
            r#"<e:Envelope xmlns:e="{SOAP12_NS}"><e:Header><h:A xmlns:h="urn:h" e:mustUnderstand="true" e:role="{SOAP12_ROLE_NONE}"/></e:Header><e:Body/></e:Envelope>"#
        );
        let env = read(&e12).unwrap();
        assert_eq!(env.version(), SoapVersion::Soap12);
        assert_eq!(env.header_blocks()[0].role, Role::None);
    }
}
