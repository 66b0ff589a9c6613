//! Reading a SAML 1.1 `Assertion` (SAML 1.1 Core §2.3.2) through its verified view.
//!
//! In 1.1 the issuer is an attribute, the signature comes *last* (`Conditions?`, `Advice?`, statements, `ds:Signature?`),
//! and every subject statement (`AuthenticationStatement`, `AttributeStatement`, `AuthorizationDecisionStatement`)
//! carries its own `Subject`. sluis requires every statement to name the same `NameIdentifier`
//! ([`SamlReason::SubjectMismatch`] otherwise) and collects the confirmations of all of them. `Advice`,
//! `AuthorizationDecisionStatement` contents and extension statements are not read.

use super::assertion::{Attribute, AuthnStatement, NameId, Parsed, SamlVersion};
use super::confirmation::{ConfirmationData, ConfirmationMethod, RawConfirmation, read_key_info};
use super::read::{attr, element_children, is_signature, required_time, simple_text, trim_ws, uri_text};
use crate::dsig::{DSIG_NS, SAML1_NS, SignedNode, VerifiedView};
use crate::reason::{Reason, SamlReason};

/// The statements whose content sluis reads or tolerates.
const STATEMENTS: [&str; 5] = [
    "AuthenticationStatement",
    "AttributeStatement",
    "AuthorizationDecisionStatement",
    "SubjectStatement",
    "Statement",
];

/// Reads the SAML 1.1 assertion `node` (its versions were checked by the caller).
pub(crate) fn read(view: &VerifiedView<'_, '_>, node: &SignedNode<'_, '_, '_>) -> Result<Parsed, Reason> {
    let id = attr(node, "AssertionID").ok_or(SamlReason::MalformedAssertion("Assertion/@AssertionID"))?;
    let issuer = node.attribute(None, "Issuer").map(|i| trim_ws(i).to_owned()).unwrap_or_default();
    if issuer.is_empty() {
        return Err(SamlReason::IssuerMissing.into());
    }
    let issue_instant = required_time(node, "IssueInstant", "Assertion/@IssueInstant")?;
    let mut subject: Option<Result<NameId, SamlReason>> = None;
    let mut confirmations = Vec::new();
    let mut conditions = None;
    let mut authn_statements = Vec::new();
    let mut attributes = Vec::new();
    let mut last = 0u8;
    for child in element_children(view, node, "Assertion")? {
        let n = child.node();
        let r = if n.is(SAML1_NS, "Conditions") {
            1
        } else if n.is(SAML1_NS, "Advice") {
            2
        } else if STATEMENTS.iter().any(|s| n.is(SAML1_NS, s)) {
            3
        } else if is_signature(&n) {
            4
        } else {
            return Err(SamlReason::MalformedAssertion("unexpected element in Assertion").into());
        };
        if r < last || (r == last && r != 3) {
            return Err(SamlReason::MalformedAssertion("Assertion children out of order").into());
        }
        last = r;
        match r {
            1 => conditions = Some(super::conditions::read_saml1(view, &child)?),
            3 => {
                let statement_subject = match child.child(SAML1_NS, "Subject") {
                    Some(s) => Some(read_subject(view, &s, &mut confirmations)?),
                    None if n.is(SAML1_NS, "SubjectStatement") || n.is(SAML1_NS, "Statement") => None,
                    None => return Err(SamlReason::MalformedAssertion("statement without Subject").into()),
                };
                match (&subject, statement_subject) {
                    (_, None) => {}
                    (None, Some(s)) => subject = Some(s),
                    (Some(a), Some(b)) if *a == b => {}
                    (Some(_), Some(_)) => return Err(SamlReason::SubjectMismatch.into()),
                }
                if n.is(SAML1_NS, "AuthenticationStatement") {
                    authn_statements.push(AuthnStatement {
                        instant: required_time(&child, "AuthenticationInstant", "AuthenticationInstant")?,
                        context_class_ref: attr(&child, "AuthenticationMethod")
                            .map(|m| trim_ws(&m).to_owned()),
                        session_index: None,
                        session_not_on_or_after: None,
                    });
                } else if n.is(SAML1_NS, "AttributeStatement") {
                    read_attributes(view, &child, &mut attributes)?;
                }
            }
            _ => {} // Advice: never read; the signature: verified by the caller
        }
    }
    if last < 3 {
        return Err(SamlReason::MalformedAssertion("Assertion without statement").into());
    }
    Ok(Parsed {
        version: SamlVersion::V1_1,
        id,
        issuer,
        issue_instant,
        subject: subject.unwrap_or(Err(SamlReason::SubjectMissing)),
        confirmations,
        conditions: conditions.unwrap_or_default(),
        authn_statements,
        attributes,
    })
}

/// A 1.1 `Subject`: `NameIdentifier?`, `SubjectConfirmation?` (at least one of them).
fn read_subject(
    view: &VerifiedView<'_, '_>,
    node: &SignedNode<'_, '_, '_>,
    confirmations: &mut Vec<RawConfirmation>,
) -> Result<Result<NameId, SamlReason>, Reason> {
    let mut subject = Err(SamlReason::SubjectMissing);
    for (i, child) in element_children(view, node, "Subject")?.into_iter().enumerate() {
        let n = child.node();
        if i == 0 && n.is(SAML1_NS, "NameIdentifier") {
            subject = Ok(NameId {
                value: simple_text(&child, "NameIdentifier")?,
                format: attr(&child, "Format"),
                name_qualifier: attr(&child, "NameQualifier"),
                sp_name_qualifier: None,
                sp_provided_id: None,
            });
        } else if n.is(SAML1_NS, "SubjectConfirmation") {
            read_confirmation(view, &child, confirmations)?;
        } else {
            return Err(SamlReason::MalformedAssertion("unexpected element in Subject").into());
        }
    }
    Ok(subject)
}

/// A 1.1 `SubjectConfirmation`: `ConfirmationMethod+`, `SubjectConfirmationData?` (anyType, not used), `ds:KeyInfo?`
/// (the holder-of-key key). One raw confirmation per method.
fn read_confirmation(
    view: &VerifiedView<'_, '_>,
    node: &SignedNode<'_, '_, '_>,
    out: &mut Vec<RawConfirmation>,
) -> Result<(), Reason> {
    let mut methods = Vec::new();
    let mut keys = Vec::new();
    let mut key_error = None;
    for child in element_children(view, node, "SubjectConfirmation")? {
        let n = child.node();
        if n.is(SAML1_NS, "ConfirmationMethod") {
            methods.push(ConfirmationMethod::from_uri(&uri_text(&child, "ConfirmationMethod")?));
        } else if n.is(DSIG_NS, "KeyInfo") {
            if let Err(e) = read_key_info(view, &child, &mut keys) {
                key_error = Some(e);
            }
        } else if !n.is(SAML1_NS, "SubjectConfirmationData") {
            return Err(SamlReason::MalformedAssertion("unexpected element in SubjectConfirmation").into());
        }
    }
    if methods.is_empty() {
        return Err(SamlReason::MalformedAssertion("SubjectConfirmation without ConfirmationMethod").into());
    }
    for method in methods {
        out.push(RawConfirmation {
            method,
            data: ConfirmationData::default(),
            keys: match key_error {
                Some(e) => Err(e),
                None => Ok(keys.clone()),
            },
        });
    }
    Ok(())
}

/// A 1.1 `AttributeStatement`: `Subject`, then `Attribute+` (`AttributeName`, `AttributeNamespace`, `AttributeValue+`).
fn read_attributes(
    view: &VerifiedView<'_, '_>,
    node: &SignedNode<'_, '_, '_>,
    out: &mut Vec<Attribute>,
) -> Result<(), Reason> {
    for child in element_children(view, node, "AttributeStatement")? {
        let n = child.node();
        if n.is(SAML1_NS, "Subject") {
            continue;
        }
        if !n.is(SAML1_NS, "Attribute") {
            return Err(SamlReason::MalformedAssertion("unexpected element in AttributeStatement").into());
        }
        let name = attr(&child, "AttributeName")
            .ok_or(SamlReason::MalformedAssertion("Attribute/@AttributeName"))?;
        let mut values = Vec::new();
        for v in element_children(view, &child, "Attribute")? {
            if !v.node().is(SAML1_NS, "AttributeValue") {
                return Err(SamlReason::MalformedAssertion("unexpected element in Attribute").into());
            }
            values.push(v.text());
        }
        out.push(Attribute {
            name,
            name_format: attr(&child, "AttributeNamespace"),
            friendly_name: None,
            values,
        });
    }
    Ok(())
}
