//! Landscape sections for wide tables.
//!
//! The builder brackets a [`crate::doc::Block::Landscape`] with two marker
//! paragraphs; once the document's final section properties are known (ours
//! or the reference document's, with the header and footer references),
//! each marker becomes a section break: the one before ends a portrait
//! section, the one after a landscape section (page size swapped,
//! `w:orient="landscape"`). Both copy the final section's header and footer
//! references, so the marking and page numbers continue on every page.

use super::house::final_sect_pr;
use super::xml::{Element, Node};

/// Marker style id: the paragraph ends a portrait section.
pub(crate) const PORTRAIT_END: &str = "boardpack-section:portrait";
/// Marker style id: the paragraph ends a landscape section.
pub(crate) const LANDSCAPE_END: &str = "boardpack-section:landscape";

/// Turns every marker paragraph into a section break.
pub(crate) fn apply(root: &mut Element) {
    let Some(last) = final_sect_pr(root).cloned() else {
        return;
    };
    let portrait = oriented(&last, false);
    let landscape = oriented(&last, true);
    let Some(body) = root.child_mut("w:body") else {
        return;
    };
    for p in body.elements_mut() {
        let sect = match marker(p) {
            Some(PORTRAIT_END) => &portrait,
            Some(LANDSCAPE_END) => &landscape,
            _ => continue,
        };
        let mut ppr = Element::new("w:pPr");
        ppr.children.push(Node::Element(sect.clone()));
        p.children = vec![Node::Element(ppr)];
    }
}

/// The marker style of a paragraph, if it is a marker.
fn marker(p: &Element) -> Option<&'static str> {
    if p.name != "w:p" {
        return None;
    }
    let style = p.children.iter().find_map(|n| match n {
        Node::Element(ppr) if ppr.name == "w:pPr" => ppr.children.iter().find_map(|n| match n {
            Node::Element(s) if s.name == "w:pStyle" => s.attr("w:val"),
            _ => None,
        }),
        _ => None,
    })?;
    [PORTRAIT_END, LANDSCAPE_END]
        .into_iter()
        .find(|m| *m == style)
}

/// A copy of the section properties with the page turned to `landscape`
/// (or kept upright): width and height swapped as needed.
fn oriented(sect: &Element, landscape: bool) -> Element {
    let mut sect = sect.clone();
    for e in sect.elements_mut() {
        if e.name != "w:pgSz" {
            continue;
        }
        let w: u32 = e.attr("w:w").and_then(|v| v.parse().ok()).unwrap_or(11906);
        let h: u32 = e.attr("w:h").and_then(|v| v.parse().ok()).unwrap_or(16838);
        let (short, long) = (w.min(h), w.max(h));
        let (w, h) = if landscape {
            (long, short)
        } else {
            (short, long)
        };
        e.set_attr("w:w", &w.to_string());
        e.set_attr("w:h", &h.to_string());
        if landscape {
            e.set_attr("w:orient", "landscape");
        } else {
            e.remove_attr("w:orient");
        }
    }
    sect
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::docx::xml::{parse, write};

    #[test]
    fn markers_become_section_breaks_with_the_running_parts() {
        let xml = concat!(
            r#"<w:document xmlns:w="w" xmlns:r="r"><w:body>"#,
            r#"<w:p><w:pPr><w:pStyle w:val="boardpack-section:portrait"/></w:pPr></w:p>"#,
            r#"<w:tbl/>"#,
            r#"<w:p><w:pPr><w:pStyle w:val="boardpack-section:landscape"/></w:pPr></w:p>"#,
            r#"<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader1"/>"#,
            r#"<w:footerReference w:type="default" r:id="rIdFooter1"/>"#,
            r#"<w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>"#
        );
        let mut root = parse(xml.as_bytes()).unwrap();
        apply(&mut root);
        let out = String::from_utf8(write(&root)).unwrap();
        assert_eq!(out.matches(r#"r:id="rIdFooter1""#).count(), 3, "{out}");
        assert_eq!(out.matches(r#"r:id="rIdHeader1""#).count(), 3, "{out}");
        assert!(
            out.contains(r#"<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>"#),
            "{out}"
        );
        assert_eq!(
            out.matches(r#"<w:pgSz w:w="11906" w:h="16838"/>"#).count(),
            2
        );
        assert!(!out.contains("boardpack-section"), "{out}");
    }
}
