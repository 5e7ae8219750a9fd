use super::*;
use crate::backend::docx::styles::STYLES_XML;
use crate::backend::docx::xml::parse;

fn ours() -> Element {
    parse(STYLES_XML.as_bytes()).unwrap()
}

/// A template with a differently-id'd heading, a custom style and a latent
/// "Quote".
fn template() -> Element {
    parse(
        concat!(
            r#"<w:styles xmlns:w="w"><w:latentStyles><w:lsdException w:name="Quote"/></w:latentStyles>"#,
            r#"<w:style w:type="paragraph" w:default="1" w:styleId="Standard"><w:name w:val="Normal"/></w:style>"#,
            r#"<w:style w:type="paragraph" w:styleId="berschrift1"><w:name w:val="heading 1"/></w:style>"#,
            r#"<w:style w:type="paragraph" w:styleId="OPCCRec"><w:name w:val="OPCC Recommendation"/></w:style>"#,
            r#"<w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="Something else"/></w:style>"#,
            r#"</w:styles>"#
        )
        .as_bytes(),
    )
    .unwrap()
}

fn used(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn every_role_has_our_definition_and_a_spec_key() {
    let defined = defined(&ours());
    for role in ROLES {
        assert!(
            defined
                .iter()
                .any(|d| d.id == role.id && d.name.eq_ignore_ascii_case(role.name)),
            "{}",
            role.id
        );
    }
    let keys: Vec<&str> = ROLES.iter().map(|r| r.key).collect();
    assert_eq!(keys, crate::spec::WORD_ROLES);
}

#[test]
fn roles_resolve_by_name_not_id() {
    let r = resolve(
        &template(),
        &ours(),
        &used(&["Heading1", "ListBullet"]),
        &BTreeMap::new(),
    )
    .unwrap();
    assert_eq!(r.ids["Heading1"], "berschrift1");
    // The template's `ListBullet` id is another style: ours is added under a fresh id.
    assert_eq!(r.ids["ListBullet"], "ListBullet2");
    assert_eq!(r.added.len(), 1);
    let added = &r.added[0];
    assert_eq!(added.attr("w:styleId"), Some("ListBullet2"));
    // Based on the template's default paragraph style, whatever its id.
    let xml = String::from_utf8(crate::backend::docx::xml::write(added)).unwrap();
    assert!(xml.contains(r#"<w:basedOn w:val="Standard"/>"#), "{xml}");
}

#[test]
fn custom_and_latent_names_resolve_and_overrides_apply() {
    let mut names = BTreeMap::new();
    names.insert("heading1".to_string(), "OPCC Recommendation".to_string());
    let wanted = used(&[
        &custom_id("opcc recommendation"),
        &custom_id("Quote"),
        "Heading1",
    ]);
    let r = resolve(&template(), &ours(), &wanted, &names).unwrap();
    assert_eq!(r.ids[&custom_id("opcc recommendation")], "OPCCRec");
    assert_eq!(r.ids["Heading1"], "OPCCRec");
    assert_eq!(r.ids[&custom_id("Quote")], "Quote");
    assert_eq!(r.added.len(), 1, "only the latent style is defined");
}

#[test]
fn unknown_names_are_all_reported() {
    let mut names = BTreeMap::new();
    names.insert("caption".to_string(), "OPCC Caption".to_string());
    let wanted = used(&[&custom_id("OPCC Recomendation"), "Caption"]);
    let missing = resolve(&template(), &ours(), &wanted, &names).unwrap_err();
    assert_eq!(
        missing,
        vec![
            Missing {
                name: "OPCC Caption".into(),
                asked_by: "`[style.word] caption`".into()
            },
            Missing {
                name: "OPCC Recomendation".into(),
                asked_by: "`{.style}` in the content".into()
            },
        ]
    );
    assert_eq!(
        listed_names(&template()),
        vec![
            "heading 1",
            "Normal",
            "OPCC Recommendation",
            "Something else"
        ]
    );
}

#[test]
fn rename_rewrites_every_style_reference() {
    let mut body = parse(br#"<w:body xmlns:w="w"><w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr></w:p><w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/></w:tblPr></w:tbl></w:body>"#).unwrap();
    assert_eq!(used_ids(&body), used(&["Heading1", "TableGrid"]));
    let ids = BTreeMap::from([("Heading1".to_string(), "berschrift1".to_string())]);
    rename(&mut body, &ids);
    assert_eq!(used_ids(&body), used(&["TableGrid", "berschrift1"]));
}
