//! Input XML → expected XML for each pass.

use super::*;
use crate::backend::docx::xml::{parse, write};

const DECL: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;

/// Parses `input`, applies `pass`, and returns the serialised result
/// without the declaration.
fn apply(input: &str, pass: impl FnOnce(&mut Element)) -> String {
    let mut root = parse(input.as_bytes()).unwrap();
    pass(&mut root);
    let out = String::from_utf8(write(&root)).unwrap();
    out.strip_prefix(DECL).unwrap().to_string()
}

#[test]
fn paragraph_properties_follow_the_schema() {
    let input = r#"<w:p><w:pPr><w:rPr/><w:jc w:val="right"/><w:numPr><w:numId w:val="3"/><w:ilvl w:val="1"/></w:numPr><w:pStyle w:val="ListNumber"/></w:pPr></w:p>"#;
    let expected = r#"<w:p><w:pPr><w:pStyle w:val="ListNumber"/><w:numPr><w:ilvl w:val="1"/><w:numId w:val="3"/></w:numPr><w:jc w:val="right"/><w:rPr/></w:pPr></w:p>"#;
    assert_eq!(apply(input, order_properties), expected);
}

#[test]
fn run_properties_follow_the_schema() {
    let input = r#"<w:r><w:rPr><w:i/><w:rFonts w:ascii="Courier New"/><w:b/><w:rStyle w:val="Hyperlink"/></w:rPr><w:t>x</w:t></w:r>"#;
    let expected = r#"<w:r><w:rPr><w:rStyle w:val="Hyperlink"/><w:rFonts w:ascii="Courier New"/><w:b/><w:i/></w:rPr><w:t>x</w:t></w:r>"#;
    assert_eq!(apply(input, order_properties), expected);
}

#[test]
fn table_and_section_properties_follow_the_schema() {
    let input = r#"<w:body><w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:jc w:val="left"/><w:tblStyle w:val="TableGrid"/></w:tblPr></w:tbl><w:sectPr><w:cols w:space="425"/><w:pgMar w:top="1440"/><w:pgSz w:w="11906"/></w:sectPr></w:body>"#;
    let expected = r#"<w:body><w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/><w:jc w:val="left"/></w:tblPr></w:tbl><w:sectPr><w:pgSz w:w="11906"/><w:pgMar w:top="1440"/><w:cols w:space="425"/></w:sectPr></w:body>"#;
    assert_eq!(apply(input, order_properties), expected);
}

#[test]
fn ordering_keeps_unknown_children_last_and_in_order() {
    let input = r#"<w:pPr><w:x1/><w:jc/><w:x2/><w:pStyle/></w:pPr>"#;
    let expected = r#"<w:pPr><w:pStyle/><w:jc/><w:x1/><w:x2/></w:pPr>"#;
    assert_eq!(apply(input, order_properties), expected);
}

#[test]
fn ordering_is_idempotent_and_leaves_content_alone() {
    let input = r#"<w:p><w:pPr><w:pStyle w:val="Title"/><w:rPr/></w:pPr><w:r><w:t xml:space="preserve">a &amp; b</w:t></w:r></w:p>"#;
    assert_eq!(apply(input, order_properties), input);
}

#[test]
fn para_ids_are_removed() {
    let input = r#"<w:body><w:p w14:paraId="0000002A" w14:textId="1"><w:r/></w:p><w:tbl><w:tr><w:tc><w:p w14:paraId="2B"/></w:tc></w:tr></w:tbl></w:body>"#;
    let expected =
        r#"<w:body><w:p><w:r/></w:p><w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl></w:body>"#;
    assert_eq!(apply(input, strip_para_ids), expected);
}

#[test]
fn header_rows_are_marked_only_where_asked() {
    let input = r#"<w:body><w:tbl><w:tblPr/><w:tr><w:trPr/><w:tc/></w:tr><w:tr><w:tc/></w:tr></w:tbl><w:tbl><w:tr><w:tc/></w:tr></w:tbl><w:tbl><w:tr><w:tc/></w:tr></w:tbl></w:body>"#;
    let expected = r#"<w:body><w:tbl><w:tblPr/><w:tr><w:trPr><w:tblHeader/></w:trPr><w:tc/></w:tr><w:tr><w:tc/></w:tr></w:tbl><w:tbl><w:tr><w:tc/></w:tr></w:tbl><w:tbl><w:tr><w:trPr><w:tblHeader/></w:trPr><w:tc/></w:tr></w:tbl></w:body>"#;
    let out = apply(input, |r| mark_header_rows(r, &[true, false, true]));
    assert_eq!(out, expected);
    assert_eq!(
        apply(&out, |r| mark_header_rows(r, &[true, false, true])),
        expected
    );
}

#[test]
fn default_language_is_set_in_rpr_default() {
    let input = r#"<w:styles><w:docDefaults><w:rPrDefault><w:rPr><w:lang w:val="en-US"/><w:rFonts w:ascii="Arial"/></w:rPr></w:rPrDefault></w:docDefaults></w:styles>"#;
    let expected = r#"<w:styles><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Arial"/><w:lang w:val="en-GB"/></w:rPr></w:rPrDefault></w:docDefaults></w:styles>"#;
    assert_eq!(apply(input, |r| set_default_language(r, "en-GB")), expected);
}

#[test]
fn default_language_creates_missing_defaults() {
    let expected = r#"<w:styles><w:docDefaults><w:rPrDefault><w:rPr><w:lang w:val="he-IL"/></w:rPr></w:rPrDefault></w:docDefaults><w:style/></w:styles>"#;
    let out = apply("<w:styles><w:style/></w:styles>", |r| {
        set_default_language(r, "he-IL")
    });
    assert_eq!(out, expected);
}

#[test]
fn settings_are_cleaned_and_ordered() {
    let input = r#"<w:settings><w:defaultTabStop w:val="840"/><w:zoom w:percent="100"/><w:compat><w:spaceForUL/><w:useFELayout/><w:compatSetting w:name="compatibilityMode" w:val="15"/></w:compat></w:settings>"#;
    let expected = r#"<w:settings><w:zoom w:percent="100"/><w:defaultTabStop w:val="720"/><w:compat><w:compatSetting w:name="compatibilityMode" w:val="15"/></w:compat></w:settings>"#;
    assert_eq!(apply(input, fix_settings), expected);
}

#[test]
fn relationships_are_sorted_by_id_naturally() {
    let input = r#"<Relationships><Relationship Id="rIdLink10"/><Relationship Id="rId2"/><Relationship Id="rIdLink2"/><Relationship Id="rId10"/><Relationship Id="rId1"/></Relationships>"#;
    let expected = r#"<Relationships><Relationship Id="rId1"/><Relationship Id="rId2"/><Relationship Id="rId10"/><Relationship Id="rIdLink2"/><Relationship Id="rIdLink10"/></Relationships>"#;
    assert_eq!(apply(input, sort_relationships), expected);
}

#[test]
fn undeclared_grid_column_types_are_removed() {
    let input = r#"<w:tblGrid><w:gridCol w:w="3008" w:type="dxa"/></w:tblGrid>"#;
    let expected = r#"<w:tblGrid><w:gridCol w:w="3008"/></w:tblGrid>"#;
    assert_eq!(apply(input, remove_undeclared_attributes), expected);
}
