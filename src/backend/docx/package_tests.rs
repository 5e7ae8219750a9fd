//! Tests for package editing and the deterministic zip writer.

use super::*;

const TYPES: &str = r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="doc"/><Override PartName="/word/comments.xml" ContentType="comments"/></Types>"#;
const ROOT_RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="officeDocument" Target="word/document.xml"/></Relationships>"#;
const DOC_RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="comments" Target="comments.xml"/><Relationship Id="rId2" Type="hyperlink" Target="comments.xml" TargetMode="External"/></Relationships>"#;

fn sample() -> Package {
    let mut p = Package::default();
    p.put(CONTENT_TYPES, TYPES.into());
    p.put("_rels/.rels", ROOT_RELS.into());
    p.put("word/_rels/document.xml.rels", DOC_RELS.into());
    p.put("word/document.xml", b"<w:document/>".to_vec());
    p.put("word/comments.xml", b"<w:comments/>".to_vec());
    p
}

fn text(p: &Package, name: &str) -> String {
    String::from_utf8(p.get(name).unwrap().to_vec()).unwrap()
}

#[test]
fn resolves_targets_relative_to_the_source_folder() {
    assert_eq!(
        resolve("_rels/.rels", "word/document.xml"),
        "word/document.xml"
    );
    assert_eq!(
        resolve("word/_rels/document.xml.rels", "theme/theme1.xml"),
        "word/theme/theme1.xml"
    );
    assert_eq!(
        resolve("word/_rels/document.xml.rels", "../docProps/x.xml"),
        "docProps/x.xml"
    );
    assert_eq!(
        resolve("word/_rels/document.xml.rels", "/customXml/item1.xml"),
        "customXml/item1.xml"
    );
}

#[test]
fn removing_a_part_removes_its_override_and_internal_relationships() {
    let mut p = sample();
    p.remove_part("word/comments.xml").unwrap();
    assert!(p.get("word/comments.xml").is_none());
    assert!(!text(&p, CONTENT_TYPES).contains("comments"));
    let rels = text(&p, "word/_rels/document.xml.rels");
    // The external hyperlink merely shares the text of the target.
    assert!(!rels.contains("rId1") && rels.contains("rId2"), "{rels}");
}

#[test]
fn adding_a_part_registers_type_and_relationship() {
    let mut p = sample();
    let part = NewPart {
        name: "word/theme/theme1.xml",
        content_type: "theme",
        rels: "word/_rels/document.xml.rels",
        id: "rIdTheme",
        rel_type: "t&heme",
        target: "theme/theme1.xml",
    };
    p.add_part(&part, b"<a:theme/>".to_vec()).unwrap();
    assert_eq!(p.get("word/theme/theme1.xml"), Some(&b"<a:theme/>"[..]));
    assert!(text(&p, CONTENT_TYPES)
        .contains(r#"<Override PartName="/word/theme/theme1.xml" ContentType="theme"/>"#));
    assert!(text(&p, "word/_rels/document.xml.rels")
        .contains(r#"<Relationship Id="rIdTheme" Type="t&amp;heme" Target="theme/theme1.xml"/>"#));
}

#[test]
fn editing_a_missing_or_broken_part_is_a_docx_error() {
    let mut p = sample();
    let err = p.edit_xml("word/nope.xml", |_| {}).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Docx);
    p.put("word/bad.xml", b"<a>".to_vec());
    let err = p.edit_xml("word/bad.xml", |_| {}).unwrap_err();
    assert!(err.message().contains("word/bad.xml"), "{}", err.message());
}

#[test]
fn writes_a_deterministic_zip_with_fixed_order_and_times() {
    let ts: Timestamp = "2020-11-26T09:30:15Z".parse().unwrap();
    let p = sample();
    let bytes = p.write(ts).unwrap();
    assert_eq!(bytes, p.write(ts).unwrap());
    let mut zip = ZipArchive::new(Cursor::new(bytes)).unwrap();
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    let mut in_order = Vec::new();
    for i in 0..zip.len() {
        let file = zip.by_index(i).unwrap();
        in_order.push(file.name().to_string());
        let t = file.last_modified().unwrap();
        assert_eq!((t.year(), t.month(), t.day()), (2020, 11, 26));
        assert_eq!((t.hour(), t.minute(), t.second()), (9, 30, 14));
        assert_eq!(file.compression(), CompressionMethod::Deflated);
        assert!(
            file.extra_data().is_none_or(<[u8]>::is_empty),
            "{}",
            file.name()
        );
    }
    assert_eq!(in_order[0], CONTENT_TYPES);
    assert_eq!(in_order.len(), names.len());
    let mut rest = in_order[1..].to_vec();
    rest.sort();
    assert_eq!(rest, in_order[1..]);
}

#[test]
fn zip_times_are_clamped_to_the_dos_range() {
    let early = zip_time(Timestamp::UNIX_EPOCH);
    assert_eq!((early.year(), early.month(), early.day()), (1980, 1, 1));
    let late = zip_time("2200-01-01T00:00:00Z".parse().unwrap());
    assert_eq!((late.year(), late.month(), late.day()), (2107, 12, 31));
}
