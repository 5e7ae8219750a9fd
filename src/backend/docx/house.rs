//! The Word side of `[style]`: fonts, accent colour, margins, running
//! header and footer with "Page X of Y", and the protective marking at the
//! top and bottom of every page and in the document properties.

use crate::escape::xml as escape;

use super::package::{NewPart, Package};
use super::passes::order_children;
use super::schema::{RPR, SECT_PR};
use super::xml::{self, Element, Node};
use super::WordStyle;
use crate::error::Result;

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const REL_CUSTOM: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties";
const DOCUMENT_RELS: &str = "word/_rels/document.xml.rels";
/// The custom properties part.
pub(crate) const CUSTOM: &str = "docProps/custom.xml";
/// The custom property holding the protective marking.
pub(crate) const MARKING_PROPERTY: &str = "Classification";
/// Twentieths of a point per millimetre.
const TWIPS_PER_MM: f64 = 1440.0 / 25.4;
/// Running header and footer text: 9pt.
const SMALL: &str = "18";

/// Our header part (marking, then the header text), if there is anything
/// to show.
pub(crate) fn header_xml(style: &WordStyle) -> Option<Vec<u8>> {
    let mut paragraphs = String::new();
    if let Some(m) = &style.marking {
        paragraphs += &marking_paragraph(m);
    }
    if let Some(text) = &style.header {
        paragraphs += &text_paragraph(text, "right");
    }
    (!paragraphs.is_empty()).then(|| part("w:hdr", &paragraphs))
}

/// Our footer part: the footer text, "Page X of Y", then the marking.
pub(crate) fn footer_xml(style: &WordStyle) -> Vec<u8> {
    let mut paragraphs = String::new();
    if let Some(text) = &style.footer {
        paragraphs += &text_paragraph(text, "center");
    }
    paragraphs += &format!(
        r#"<w:p><w:pPr><w:jc w:val="center"/></w:pPr>{}{}{}{}</w:p>"#,
        small_run("Page "),
        field("PAGE", "1"),
        small_run(" of "),
        field("NUMPAGES", "1"),
    );
    if let Some(m) = &style.marking {
        paragraphs += &marking_paragraph(m);
    }
    part("w:ftr", &paragraphs)
}

fn part(root: &str, paragraphs: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><{root} xmlns:w="{W_NS}" xmlns:r="{R_NS}">{paragraphs}</{root}>"#
    )
    .into_bytes()
}

/// `xml` (a header or footer part) with the marking added as its first
/// (header) or last (footer) paragraph.
pub(crate) fn add_marking(xml: &str, marking: &str, header: bool) -> String {
    let paragraph = marking_paragraph(marking);
    let at = if header {
        ["<w:hdr", "<w:ftr"]
            .iter()
            .find_map(|tag| xml.find(tag))
            .and_then(|start| xml[start..].find('>').map(|end| start + end + 1))
    } else {
        xml.rfind("</w:ftr>").or_else(|| xml.rfind("</w:hdr>"))
    };
    match at {
        Some(at) => format!("{}{paragraph}{}", &xml[..at], &xml[at..]),
        None => xml.to_string(),
    }
}

/// The marking, centred and bold, as HMG practice prints it.
fn marking_paragraph(marking: &str) -> String {
    format!(
        r#"<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/><w:bCs/></w:rPr><w:t>{}</w:t></w:r></w:p>"#,
        escape(marking)
    )
}

fn text_paragraph(text: &str, align: &str) -> String {
    format!(
        r#"<w:p><w:pPr><w:jc w:val="{align}"/></w:pPr>{}</w:p>"#,
        small_run(text)
    )
}

fn small_run(text: &str) -> String {
    format!(
        r#"<w:r><w:rPr><w:sz w:val="{SMALL}"/><w:szCs w:val="{SMALL}"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r>"#,
        escape(text)
    )
}

/// A complex field (`PAGE`, `NUMPAGES`) with a placeholder result that Word
/// and LibreOffice replace when they lay the page out.
fn field(instruction: &str, placeholder: &str) -> String {
    let rpr = format!(r#"<w:rPr><w:sz w:val="{SMALL}"/><w:szCs w:val="{SMALL}"/></w:rPr>"#);
    format!(
        concat!(
            r#"<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>"#,
            r#"<w:r>{rpr}<w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>"#,
            r#"<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>"#,
            r#"<w:r>{rpr}<w:t>{placeholder}</w:t></w:r>"#,
            r#"<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>"#,
        ),
        rpr = rpr,
        instruction = instruction,
        placeholder = placeholder,
    )
}

/// Adds our header and footer parts (named after the first free
/// `headerN.xml`/`footerN.xml`) and points the final section at them.
/// `ids` are the relationship ids to use (unused in the document's rels).
pub(crate) fn add_header_footer(
    package: &mut Package,
    style: &WordStyle,
    ids: (&str, &str),
) -> Result<()> {
    let n = (1..)
        .find(|n| {
            package.get(&format!("word/header{n}.xml")).is_none()
                && package.get(&format!("word/footer{n}.xml")).is_none()
        })
        .expect("an unbounded range has a free name");
    let mut refs = Vec::new();
    if let Some(header) = header_xml(style) {
        add_running(package, "header", n, ids.0, header)?;
        refs.push(("w:headerReference", ids.0));
    }
    add_running(package, "footer", n, ids.1, footer_xml(style))?;
    refs.push(("w:footerReference", ids.1));
    package.edit_xml(super::DOCUMENT, |root| {
        let Some(sect) = final_sect_pr(root) else {
            return;
        };
        for (name, id) in &refs {
            sect.children.retain(|n| {
                !matches!(n, Node::Element(e) if e.name == *name && e.attr("w:type") == Some("default"))
            });
            let reference = Element::new(name)
                .with_attr("w:type", "default")
                .with_attr("r:id", id);
            sect.children.insert(0, Node::Element(reference));
        }
        order_children(sect, SECT_PR);
    })
}

/// Adds `word/{kind}{n}.xml` related from the document as `id`.
fn add_running(
    package: &mut Package,
    kind: &str,
    n: usize,
    id: &str,
    bytes: Vec<u8>,
) -> Result<()> {
    let target = format!("{kind}{n}.xml");
    let name = format!("word/{target}");
    let content_type =
        format!("application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml");
    let rel_type =
        format!("http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}");
    let part = NewPart {
        name: &name,
        content_type: &content_type,
        rels: DOCUMENT_RELS,
        id,
        rel_type: &rel_type,
        target: &target,
    };
    package.add_part(&part, bytes)
}

/// The body's final `w:sectPr`.
pub(crate) fn final_sect_pr(root: &mut Element) -> Option<&mut Element> {
    let body = root.child_mut("w:body")?;
    match body.children.iter_mut().rev().find_map(|n| match n {
        Node::Element(e) => Some(e),
        Node::Text(_) => None,
    }) {
        Some(e) if e.name == "w:sectPr" => Some(e),
        _ => None,
    }
}

/// Sets the page margins (millimetres) on every section of the body.
pub(crate) fn set_margins(root: &mut Element, mm: [f64; 4]) {
    let [top, bottom, left, right] = mm.map(|v| ((v * TWIPS_PER_MM).round() as i64).to_string());
    root.walk_mut(&mut |e| {
        if e.name == "w:pgMar" {
            e.set_attr("w:top", &top);
            e.set_attr("w:bottom", &bottom);
            e.set_attr("w:left", &left);
            e.set_attr("w:right", &right);
        }
    });
}

/// Applies fonts and the accent colour to our styles part: the body font as
/// the document default, the heading font and accent on the title and
/// headings.
pub(crate) fn style_fonts(styles: &mut Element, style: &WordStyle) {
    if let Some(font) = &style.body_font {
        if let Some(rpr) = default_rpr(styles) {
            set_fonts(rpr, font);
        }
    }
    let heading_font = style.heading_font.as_ref().or(style.body_font.as_ref());
    for e in styles.elements_mut() {
        let id = e.attr("w:styleId").unwrap_or_default();
        if !(id == "Title" || id.starts_with("Heading")) {
            continue;
        }
        let rpr = e.child_or_append("w:rPr");
        if let Some(font) = heading_font {
            set_fonts(rpr, font);
        }
        if let Some(accent) = &style.accent {
            rpr.child_or_append("w:color").set_attr("w:val", accent);
        }
        order_children(rpr, RPR);
    }
}

fn default_rpr(styles: &mut Element) -> Option<&mut Element> {
    styles
        .child_mut("w:docDefaults")?
        .child_mut("w:rPrDefault")?
        .child_mut("w:rPr")
}

fn set_fonts(rpr: &mut Element, font: &str) {
    let fonts = rpr.child_or_append("w:rFonts");
    fonts.attrs.clear();
    for attr in ["w:ascii", "w:eastAsia", "w:hAnsi", "w:cs"] {
        fonts.set_attr(attr, font);
    }
    order_children(rpr, RPR);
}

/// Records the marking as the custom property `Classification` (kept with
/// any properties the package already has) and as the core `category`.
pub(crate) fn record_marking(package: &mut Package, marking: &str) -> Result<()> {
    if package.get(CUSTOM).is_none() {
        let empty = Element::new("Properties")
            .with_attr(
                "xmlns",
                "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
            )
            .with_attr(
                "xmlns:vt",
                "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
            );
        let part = NewPart {
            name: CUSTOM,
            content_type: "application/vnd.openxmlformats-officedocument.custom-properties+xml",
            rels: "_rels/.rels",
            id: "rIdCustomProperties",
            rel_type: REL_CUSTOM,
            target: CUSTOM,
        };
        package.add_part(&part, xml::write(&empty))?;
    }
    package.edit_xml(CUSTOM, |root| set_property(root, MARKING_PROPERTY, marking))?;
    package.edit_xml(super::parts::CORE, |root| {
        root.remove_children("cp:category");
        let mut category = Element::new("cp:category");
        category.children.push(Node::Text(escape(marking)));
        root.children.push(Node::Element(category));
    })
}

/// Sets a text custom property, replacing one of the same name.
fn set_property(root: &mut Element, name: &str, value: &str) {
    let escaped_name = escape(name);
    root.children.retain(
        |n| !matches!(n, Node::Element(e) if e.attr("name") == Some(escaped_name.as_str())),
    );
    let pid = root
        .elements_mut()
        .filter_map(|e| e.attr("pid")?.parse::<u32>().ok())
        .max()
        .unwrap_or(1)
        + 1;
    let mut text = Element::new("vt:lpwstr");
    text.children.push(Node::Text(escape(value)));
    let mut property = Element::new("property")
        .with_attr("fmtid", "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}")
        .with_attr("pid", &pid.to_string())
        .with_attr("name", name);
    property.children.push(Node::Element(text));
    root.children.push(Node::Element(property));
}

/// Writes `marking` as the result of every `DOCPROPERTY Classification`
/// field in a header or footer part, changing no other byte: the first
/// `w:t` of each field's result gets the marking, later ones are emptied.
/// Word and LibreOffice show a field's stored result until they update it,
/// so the stored result must be the marking. `None` if the part has no such
/// field with a text result.
pub(crate) fn fill_marking_fields(xml: &str, marking: &str) -> Option<String> {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    let mut filled = false;
    while let Some(at) = find_marking_field(rest) {
        let before = &rest[..at];
        let simple = before.rfind("<w:fldSimple") > before.rfind("<w:instrText");
        let (start, end) = if simple {
            let start = at + rest[at..].find('>')? + 1;
            (start, start + rest[start..].find("</w:fldSimple>")?)
        } else {
            let start = at + rest[at..].find(r#"w:fldCharType="separate""#)?;
            (start, start + rest[start..].find(r#"w:fldCharType="end""#)?)
        };
        out.push_str(&rest[..start]);
        let (region, done) = fill_texts(&rest[start..end], marking);
        filled |= done;
        out.push_str(&region);
        rest = &rest[end..];
    }
    out.push_str(rest);
    filled.then_some(out)
}

/// The offset of the next `DOCPROPERTY Classification` instruction (the
/// property name may be quoted).
fn find_marking_field(xml: &str) -> Option<usize> {
    xml.match_indices("DOCPROPERTY").map(|(i, _)| i).find(|&i| {
        let after = xml[i + "DOCPROPERTY".len()..].trim_start();
        let after = after.strip_prefix("&quot;").unwrap_or(after);
        after.trim_start_matches('"').starts_with(MARKING_PROPERTY)
    })
}

/// Replaces the content of each `<w:t>` in `region`: the first with
/// `marking`, the rest with nothing. Returns the region and whether any
/// text element was found.
fn fill_texts(region: &str, marking: &str) -> (String, bool) {
    let mut out = String::with_capacity(region.len());
    let mut rest = region;
    let mut first = true;
    loop {
        let next = ["<w:t>", "<w:t "]
            .iter()
            .filter_map(|tag| rest.find(tag))
            .min();
        let Some(open) = next else { break };
        let Some(gt) = rest[open..].find('>').map(|g| open + g) else {
            break;
        };
        if rest[..gt].ends_with('/') {
            out.push_str(&rest[..=gt]);
            rest = &rest[gt + 1..];
            continue;
        }
        let Some(close) = rest[gt..].find("</w:t>").map(|c| gt + c) else {
            break;
        };
        out.push_str(&rest[..=gt]);
        if first {
            out.push_str(&escape(marking));
        }
        first = false;
        rest = &rest[close..];
    }
    out.push_str(rest);
    (out, !first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style() -> WordStyle {
        WordStyle {
            marking: Some("OFFICIAL-SENSITIVE".into()),
            header: Some("Office of the PCC & partners".into()),
            footer: Some("Board paper".into()),
            ..WordStyle::default()
        }
    }

    #[test]
    fn header_has_marking_then_text() {
        let xml = String::from_utf8(header_xml(&style()).unwrap()).unwrap();
        let marking = xml.find("OFFICIAL-SENSITIVE").unwrap();
        let text = xml.find("Office of the PCC &amp; partners").unwrap();
        assert!(marking < text, "{xml}");
        assert!(header_xml(&WordStyle::default()).is_none());
    }

    #[test]
    fn footer_has_page_x_of_y_and_marking_last() {
        let xml = String::from_utf8(footer_xml(&style())).unwrap();
        let page = xml.find(" PAGE ").unwrap();
        let pages = xml.find(" NUMPAGES ").unwrap();
        let marking = xml.rfind("OFFICIAL-SENSITIVE").unwrap();
        assert!(page < pages && pages < marking, "{xml}");
        assert!(xml.contains("Board paper"));
    }

    #[test]
    fn marking_field_is_found_in_either_spelling() {
        for xml in [
            r#"<w:instrText> DOCPROPERTY Classification \* MERGEFORMAT </w:instrText>"#,
            r#"<w:fldSimple w:instr=" DOCPROPERTY &quot;Classification&quot; ">"#,
            r#"<w:fldSimple w:instr=' DOCPROPERTY "Classification" '>"#,
        ] {
            assert!(find_marking_field(xml).is_some(), "{xml}");
        }
        assert!(find_marking_field(r#"<w:instrText> DOCPROPERTY Title </w:instrText>"#).is_none());
    }

    #[test]
    fn marking_fields_get_the_marking_and_nothing_else_changes() {
        let complex = concat!(
            r#"<w:p><w:r><w:tab/></w:r><w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>"#,
            r#"<w:r><w:instrText xml:space="preserve"> DOCPROPERTY Classification \* MERGEFORMAT </w:instrText></w:r>"#,
            r#"<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>OFFI</w:t></w:r><w:r><w:t xml:space="preserve">CIAL</w:t></w:r>"#,
            r#"<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>after</w:t></w:r></w:p>"#
        );
        let filled = fill_marking_fields(complex, "OFFICIAL-SENSITIVE").unwrap();
        assert_eq!(
            filled,
            complex
                .replace("<w:t>OFFI</w:t>", "<w:t>OFFICIAL-SENSITIVE</w:t>")
                .replace(">CIAL</w:t>", "></w:t>")
        );
        let simple = r#"<w:fldSimple w:instr=" DOCPROPERTY Classification "><w:r><w:t>x</w:t></w:r></w:fldSimple><w:t>y</w:t>"#;
        assert_eq!(
            fill_marking_fields(simple, "OFFICIAL").unwrap(),
            simple.replace("<w:t>x</w:t>", "<w:t>OFFICIAL</w:t>")
        );
        assert_eq!(fill_marking_fields("<w:t>PAGE</w:t>", "OFFICIAL"), None);
    }

    #[test]
    fn custom_property_replaces_its_old_value() {
        let mut root = Element::new("Properties");
        set_property(&mut root, "Classification", "OFFICIAL");
        set_property(&mut root, "Classification", "OFFICIAL-SENSITIVE");
        let xml = String::from_utf8(xml::write(&root)).unwrap();
        assert_eq!(xml.matches("<property ").count(), 1, "{xml}");
        assert!(
            xml.contains("<vt:lpwstr>OFFICIAL-SENSITIVE</vt:lpwstr>"),
            "{xml}"
        );
    }
}
