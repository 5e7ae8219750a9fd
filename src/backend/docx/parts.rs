//! Parts we write ourselves: document properties and the theme.
//!
//! docx-rs 0.4 cannot set a title, author or language on its core
//! properties, stamps them 1970, and writes no theme part (Word expects one:
//! the validator reports its relationship as missing).

use crate::escape::xml as escape;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::package::NewPart;
use crate::doc::Meta;

/// `docProps/core.xml`.
pub(crate) const CORE: &str = "docProps/core.xml";
/// `docProps/app.xml`.
pub(crate) const APP: &str = "docProps/app.xml";

/// Where the theme goes and how the document points at it.
pub(crate) const THEME: NewPart<'static> = NewPart {
    name: "word/theme/theme1.xml",
    content_type: "application/vnd.openxmlformats-officedocument.theme+xml",
    rels: "word/_rels/document.xml.rels",
    id: "rIdTheme1",
    rel_type: "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme",
    target: "theme/theme1.xml",
};

const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;

/// The timestamp as W3CDTF in UTC to the second, e.g. `2020-11-26T09:30:00Z`.
pub(crate) fn w3cdtf(timestamp: Timestamp) -> String {
    let t = timestamp.to_zoned(TimeZone::UTC).datetime();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Core properties: the summary's title, the paper's title as subject, the
/// author, the language and both dates set to `timestamp` (never the clock,
/// so a rebuild is byte-identical). Empty fields are left out.
pub(crate) fn core_xml(meta: &Meta, timestamp: Timestamp) -> Vec<u8> {
    let date = w3cdtf(timestamp);
    let mut out = String::from(DECLARATION);
    out += concat!(
        r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties""#,
        r#" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/""#,
        r#" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
    );
    for (tag, value) in [
        ("dc:title", &meta.summary_title),
        ("dc:subject", &meta.title),
        ("dc:creator", &meta.from),
        ("cp:lastModifiedBy", &meta.from),
        ("dc:language", &meta.language),
    ] {
        if !value.is_empty() {
            out += &format!("<{tag}>{}</{tag}>", escape(value.as_str()));
        }
    }
    out += "<cp:revision>1</cp:revision>";
    out += &format!(r#"<dcterms:created xsi:type="dcterms:W3CDTF">{date}</dcterms:created>"#);
    out += &format!(r#"<dcterms:modified xsi:type="dcterms:W3CDTF">{date}</dcterms:modified>"#);
    out += "</cp:coreProperties>";
    out.into_bytes()
}

/// Extended properties: the producing application and the document title
/// as Word records it (one "Title" heading pair naming one part).
pub(crate) fn app_xml(meta: &Meta) -> Vec<u8> {
    let title = escape(meta.summary_title.as_str());
    let mut out = String::from(DECLARATION);
    out += concat!(
        r#"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties""#,
        r#" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">"#,
        "<Application>boardpack</Application><DocSecurity>0</DocSecurity>",
        "<ScaleCrop>false</ScaleCrop><HeadingPairs>",
        r#"<vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Title</vt:lpstr></vt:variant>"#,
        "<vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector></HeadingPairs>",
        r#"<TitlesOfParts><vt:vector size="1" baseType="lpstr">"#,
    );
    out += &format!("<vt:lpstr>{title}</vt:lpstr>");
    out += concat!(
        "</vt:vector></TitlesOfParts><LinksUpToDate>false</LinksUpToDate>",
        "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>",
        "</Properties>",
    );
    out.into_bytes()
}

/// A minimal Office-like theme: Word's default colours (the `Hyperlink`
/// style refers to the `hlink` colour), Arial for headings and body, and
/// the three plain fill/line/effect styles the schema requires at least.
pub(crate) const THEME_XML: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="boardpack">"#,
    r#"<a:themeElements><a:clrScheme name="boardpack">"#,
    r#"<a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1>"#,
    r#"<a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1>"#,
    r#"<a:dk2><a:srgbClr val="44546A"/></a:dk2><a:lt2><a:srgbClr val="E7E6E6"/></a:lt2>"#,
    r#"<a:accent1><a:srgbClr val="4472C4"/></a:accent1><a:accent2><a:srgbClr val="ED7D31"/></a:accent2>"#,
    r#"<a:accent3><a:srgbClr val="A5A5A5"/></a:accent3><a:accent4><a:srgbClr val="FFC000"/></a:accent4>"#,
    r#"<a:accent5><a:srgbClr val="5B9BD5"/></a:accent5><a:accent6><a:srgbClr val="70AD47"/></a:accent6>"#,
    r#"<a:hlink><a:srgbClr val="0563C1"/></a:hlink><a:folHlink><a:srgbClr val="954F72"/></a:folHlink>"#,
    r#"</a:clrScheme><a:fontScheme name="boardpack">"#,
    r#"<a:majorFont><a:latin typeface="Arial"/><a:ea typeface=""/><a:cs typeface=""/></a:majorFont>"#,
    r#"<a:minorFont><a:latin typeface="Arial"/><a:ea typeface=""/><a:cs typeface=""/></a:minorFont>"#,
    r#"</a:fontScheme><a:fmtScheme name="boardpack"><a:fillStyleLst>"#,
    r#"<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>"#,
    r#"<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>"#,
    r#"<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>"#,
    r#"</a:fillStyleLst><a:lnStyleLst>"#,
    r#"<a:ln w="6350"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln>"#,
    r#"<a:ln w="12700"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln>"#,
    r#"<a:ln w="19050"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln>"#,
    r#"</a:lnStyleLst><a:effectStyleLst>"#,
    r#"<a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle>"#,
    r#"<a:effectStyle><a:effectLst/></a:effectStyle></a:effectStyleLst><a:bgFillStyleLst>"#,
    r#"<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>"#,
    r#"<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>"#,
    r#"<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>"#,
    r#"</a:bgFillStyleLst></a:fmtScheme></a:themeElements>"#,
    r#"<a:objectDefaults/><a:extraClrSchemeLst/></a:theme>"#,
);

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Meta {
        Meta {
            title: "Victim & Offender Needs".into(),
            from: "Acting Chief Executive".into(),
            language: "en-GB".into(),
            summary_title: "Executive <Summary>".into(),
            ..Meta::default()
        }
    }

    #[test]
    fn dates_are_utc_to_the_second() {
        let ts: Timestamp = "2020-11-26T09:30:15.75+01:00".parse().unwrap();
        assert_eq!(w3cdtf(ts), "2020-11-26T08:30:15Z");
    }

    #[test]
    fn core_properties_carry_meta_and_the_given_time() {
        let ts: Timestamp = "2020-11-26T00:00:00Z".parse().unwrap();
        let xml = String::from_utf8(core_xml(&meta(), ts)).unwrap();
        for want in [
            "<dc:title>Executive &lt;Summary&gt;</dc:title>",
            "<dc:subject>Victim &amp; Offender Needs</dc:subject>",
            "<dc:creator>Acting Chief Executive</dc:creator>",
            "<dc:language>en-GB</dc:language>",
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">2020-11-26T00:00:00Z</dcterms:created>"#,
            r#"<dcterms:modified xsi:type="dcterms:W3CDTF">2020-11-26T00:00:00Z</dcterms:modified>"#,
        ] {
            assert!(xml.contains(want), "{want} missing from {xml}");
        }
    }

    #[test]
    fn empty_fields_are_omitted() {
        let xml = String::from_utf8(core_xml(&Meta::default(), Timestamp::UNIX_EPOCH)).unwrap();
        assert!(
            !xml.contains("<dc:title>") && !xml.contains("<dc:creator>"),
            "{xml}"
        );
    }

    #[test]
    fn app_properties_name_the_title() {
        let xml = String::from_utf8(app_xml(&meta())).unwrap();
        assert!(
            xml.contains("<vt:lpstr>Executive &lt;Summary&gt;</vt:lpstr>"),
            "{xml}"
        );
    }
}
