//! Reading a SAML 2.0 `Assertion` (SAML 2.0 Core §2.3.3) through its verified view.
//!
//! The schema's order is enforced — `Issuer`, `ds:Signature?`, `Subject?`, `Conditions?`, `Advice?`, statements — and
//! anything else is refused, so a second `Subject`, a stray `Assertion` or text between elements never reaches a
//! reader. `Advice` is not read at all: assertions nested there are evidence about this one, not claims sluis acts
//! on. `AuthzDecisionStatement`, extension `Statement`s and `EncryptedAttribute`s are skipped (sluis makes no
//! authorization decision from them and holds no attribute-decryption key).

use super::assertion::{Attribute, AuthnStatement, NameId, Parsed, SamlVersion};
use super::confirmation::{ConfirmationData, ConfirmationMethod, RawConfirmation, read_key_info};
use super::read::{
    attr, element_children, is_signature, required_time, simple_text, time_attr, trim_ws, uri_text,
};
use crate::dsig::{DSIG_NS, SAML2_NS, SignedNode, VerifiedView};
use crate::reason::{Reason, SamlReason};

/// The only `Issuer` format SAML Profiles §4.1.4.2 allows for an assertion's issuer (or none).
const ENTITY_FORMAT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity";

/// The position of each child kind in the schema's sequence.
fn rank(n: &SignedNode<'_, '_, '_>) -> Option<u8> {
    let node = n.node();
    if node.is(SAML2_NS, "Issuer") {
        Some(0)
    } else if is_signature(&node) {
        Some(1)
    } else if node.is(SAML2_NS, "Subject") {
        Some(2)
    } else if node.is(SAML2_NS, "Conditions") {
        Some(3)
    } else if node.is(SAML2_NS, "Advice") {
        Some(4)
    } else if ["AuthnStatement", "AttributeStatement", "AuthzDecisionStatement", "Statement"]
        .iter()
        .any(|s| node.is(SAML2_NS, s))
    {
        Some(5)
    } else {
        None
    }
}

/// Reads the SAML 2.0 assertion `node` (its `Version` was checked by the caller).
pub(crate) fn read(view: &VerifiedView<'_, '_>, node: &SignedNode<'_, '_, '_>) -> Result<Parsed, Reason> {
    let id = attr(node, "ID").ok_or(SamlReason::MalformedAssertion("Assertion/@ID"))?;
    let issue_instant = required_time(node, "IssueInstant", "Assertion/@IssueInstant")?;
    let mut issuer = None;
    let mut subject: Result<NameId, SamlReason> = Err(SamlReason::SubjectMissing);
    let mut confirmations = Vec::new();
    let mut conditions = None;
    let mut authn_statements = Vec::new();
    let mut attributes = Vec::new();
    let mut last = None::<u8>;
    for child in element_children(view, node, "Assertion")? {
        let r = rank(&child).ok_or(SamlReason::MalformedAssertion("unexpected element in Assertion"))?;
        // Strictly increasing, except that statements repeat.
        if last.is_some_and(|l| r < l || (r == l && r != 5)) {
            return Err(SamlReason::MalformedAssertion("Assertion children out of order").into());
        }
        if last.is_none() && r != 0 {
            return Err(SamlReason::IssuerMissing.into());
        }
        last = Some(r);
        let n = child.node();
        match r {
            0 => issuer = Some(read_issuer(&child)?),
            1 => {} // the signature, verified by the caller
            2 => subject = read_subject(view, &child, &mut confirmations)?,
            3 => conditions = Some(super::conditions::read_saml2(view, &child)?),
            4 => {} // Advice: never read
            _ if n.is(SAML2_NS, "AuthnStatement") => authn_statements.push(read_authn(view, &child)?),
            _ if n.is(SAML2_NS, "AttributeStatement") => read_attributes(view, &child, &mut attributes)?,
            _ => {} // AuthzDecisionStatement, Statement: not used
        }
    }
    Ok(Parsed {
        version: SamlVersion::V2_0,
        id,
        issuer: issuer.ok_or(SamlReason::IssuerMissing)?,
        issue_instant,
        subject,
        confirmations,
        conditions: conditions.unwrap_or_default(),
        authn_statements,
        attributes,
    })
}

/// `Issuer`: its text (an entity ID; surrounding white space is not part of it), in the entity format or none.
pub(crate) fn read_issuer(node: &SignedNode<'_, '_, '_>) -> Result<String, SamlReason> {
    check_issuer(node.attribute(None, "Format"), &simple_text(node, "Issuer")?)
}

/// The rules for an `Issuer` value with format `format` and text `text`.
pub(crate) fn check_issuer(format: Option<&str>, text: &str) -> Result<String, SamlReason> {
    if format.is_some_and(|f| trim_ws(f) != ENTITY_FORMAT) {
        return Err(SamlReason::IssuerFormatInvalid);
    }
    let value = trim_ws(text);
    if value.is_empty() {
        return Err(SamlReason::IssuerMissing);
    }
    Ok(value.to_owned())
}

fn read_name_id(node: &SignedNode<'_, '_, '_>) -> Result<NameId, SamlReason> {
    Ok(NameId {
        value: simple_text(node, "NameID")?,
        format: attr(node, "Format"),
        name_qualifier: attr(node, "NameQualifier"),
        sp_name_qualifier: attr(node, "SPNameQualifier"),
        sp_provided_id: attr(node, "SPProvidedID"),
    })
}

/// `Subject`: an identifier (`BaseID | NameID | EncryptedID`) and/or `SubjectConfirmation`s (Core §2.4.1).
fn read_subject(
    view: &VerifiedView<'_, '_>,
    node: &SignedNode<'_, '_, '_>,
    confirmations: &mut Vec<RawConfirmation>,
) -> Result<Result<NameId, SamlReason>, Reason> {
    let mut subject = Err(SamlReason::SubjectMissing);
    for (i, child) in element_children(view, node, "Subject")?.into_iter().enumerate() {
        let n = child.node();
        if i == 0 && n.is(SAML2_NS, "NameID") {
            subject = Ok(read_name_id(&child)?);
        } else if i == 0 && (n.is(SAML2_NS, "BaseID") || n.is(SAML2_NS, "EncryptedID")) {
            subject = Err(SamlReason::NameIdUnsupported);
        } else if n.is(SAML2_NS, "SubjectConfirmation") {
            confirmations.push(read_confirmation(view, &child)?);
        } else {
            return Err(SamlReason::MalformedAssertion("unexpected element in Subject").into());
        }
    }
    Ok(subject)
}

/// `SubjectConfirmation` (Core §2.4.1.1): `Method`, an optional identifier of the confirming entity (not used), an
/// optional `SubjectConfirmationData` (§2.4.1.2) whose `ds:KeyInfo` children name holder-of-key keys (§2.4.1.3).
fn read_confirmation(
    view: &VerifiedView<'_, '_>,
    node: &SignedNode<'_, '_, '_>,
) -> Result<RawConfirmation, Reason> {
    let method_uri = node
        .attribute(None, "Method")
        .ok_or(SamlReason::MalformedAssertion("SubjectConfirmation/@Method"))?;
    let method = ConfirmationMethod::from_uri(trim_ws(method_uri));
    let mut data = ConfirmationData::default();
    let mut keys = Ok(Vec::new());
    for child in element_children(view, node, "SubjectConfirmation")? {
        let n = child.node();
        if n.is(SAML2_NS, "SubjectConfirmationData") {
            if data.present {
                return Err(SamlReason::MalformedAssertion("more than one SubjectConfirmationData").into());
            }
            data = ConfirmationData {
                present: true,
                not_before: time_attr(&child, "NotBefore", "SubjectConfirmationData/@NotBefore")?,
                not_on_or_after: time_attr(&child, "NotOnOrAfter", "SubjectConfirmationData/@NotOnOrAfter")?,
                recipient: attr(&child, "Recipient").map(|r| trim_ws(&r).to_owned()),
                in_response_to: attr(&child, "InResponseTo"),
                address: attr(&child, "Address"),
            };
            if method == Some(ConfirmationMethod::HolderOfKey) {
                keys = read_confirmation_keys(view, &child);
            }
        } else if ["BaseID", "NameID", "EncryptedID"].iter().any(|l| n.is(SAML2_NS, l)) && !data.present {
            // The confirming entity's identifier: not used.
        } else {
            return Err(SamlReason::MalformedAssertion("unexpected element in SubjectConfirmation").into());
        }
    }
    Ok(RawConfirmation { method, data, keys })
}

fn read_confirmation_keys(
    view: &VerifiedView<'_, '_>,
    data: &SignedNode<'_, '_, '_>,
) -> Result<Vec<super::confirmation::ConfirmationKey>, Reason> {
    let mut keys = Vec::new();
    for key_info in element_children(view, data, "SubjectConfirmationData")? {
        if key_info.node().is(DSIG_NS, "KeyInfo") {
            read_key_info(view, &key_info, &mut keys)?;
        }
    }
    Ok(keys)
}

/// `AuthnStatement` (Core §2.7.2).
fn read_authn(view: &VerifiedView<'_, '_>, node: &SignedNode<'_, '_, '_>) -> Result<AuthnStatement, Reason> {
    let mut class_ref = None;
    for child in element_children(view, node, "AuthnStatement")? {
        if child.node().is(SAML2_NS, "AuthnContext") {
            if let Some(c) = child.child(SAML2_NS, "AuthnContextClassRef") {
                class_ref = Some(uri_text(&c, "AuthnContextClassRef")?);
            }
        } else if !child.node().is(SAML2_NS, "SubjectLocality") {
            return Err(SamlReason::MalformedAssertion("unexpected element in AuthnStatement").into());
        }
    }
    Ok(AuthnStatement {
        instant: required_time(node, "AuthnInstant", "AuthnStatement/@AuthnInstant")?,
        context_class_ref: class_ref,
        session_index: attr(node, "SessionIndex"),
        session_not_on_or_after: time_attr(
            node,
            "SessionNotOnOrAfter",
            "AuthnStatement/@SessionNotOnOrAfter",
        )?,
    })
}

/// `AttributeStatement` (Core §2.7.3): `Attribute`s and `EncryptedAttribute`s (skipped).
fn read_attributes(
    view: &VerifiedView<'_, '_>,
    node: &SignedNode<'_, '_, '_>,
    out: &mut Vec<Attribute>,
) -> Result<(), Reason> {
    for child in element_children(view, node, "AttributeStatement")? {
        let n = child.node();
        if n.is(SAML2_NS, "Attribute") {
            let name = attr(&child, "Name").ok_or(SamlReason::MalformedAssertion("Attribute/@Name"))?;
            let mut values = Vec::new();
            for v in element_children(view, &child, "Attribute")? {
                if !v.node().is(SAML2_NS, "AttributeValue") {
                    return Err(SamlReason::MalformedAssertion("unexpected element in Attribute").into());
                }
                values.push(v.text());
            }
            out.push(Attribute {
                name,
                name_format: attr(&child, "NameFormat"),
                friendly_name: attr(&child, "FriendlyName"),
                values,
            });
        } else if !n.is(SAML2_NS, "EncryptedAttribute") {
            return Err(SamlReason::MalformedAssertion("unexpected element in AttributeStatement").into());
        }
    }
    Ok(())
}
