use super::*;
use crate::soap::SoapVersion;
use std::path::Path;
use std::process::Command;

#[test]
fn options_default_to_the_system_clock_and_signals() {
    let o = Options::default();
    assert!(o.handle_signals);
    assert!(o.audit_sink.is_none());
}

/// The schema inlined in the WSDL is the XSD file's, so clients generated from either agree.
#[test]
fn wsdl_inlines_the_xsd() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let xsd = std::fs::read_to_string(root.join("schemas/sluis-validation.xsd")).unwrap();
    let schema = |text: &str| -> Vec<String> {
        let start = text.find("<xs:schema").unwrap();
        let end = text.find("</xs:schema>").unwrap();
        text[start..end].lines().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect()
    };
    assert_eq!(schema(VALIDATION_WSDL), schema(&xsd));
    assert_eq!(
        std::fs::read_to_string(root.join("wsdl/sluis-validation.wsdl")).unwrap(),
        VALIDATION_WSDL,
        "the embedded copy is the file"
    );
}

/// The validation response (with awkward subjects and attributes) is valid against its schema, per libxml2.
#[test]
fn validation_response_validates_against_the_xsd() {
    if Command::new("xmllint").arg("--version").output().is_err() {
        assert!(std::env::var_os("SLUIS_REQUIRE_ORACLES").is_none(), "xmllint required");
        eprintln!("skipping: xmllint not installed");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("sluis-xsd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for v in [SoapVersion::Soap11, SoapVersion::Soap12] {
        let xml = validation::tests::sample(v);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let resp = doc.descendants().find(|n| n.tag_name().name() == "ValidationResponse").unwrap();
        let file = dir.join(format!("{}.xml", v.as_str()));
        std::fs::write(&file, &xml[resp.range()]).unwrap();
        let out = Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(root.join("schemas/sluis-validation.xsd"))
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
