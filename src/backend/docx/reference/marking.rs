//! The protective marking on every page: shown through the template's own
//! `DOCPROPERTY Classification` fields in its headers and footers, or
//! through ours where it has none.

use super::super::package::{resolve, Package};
use super::super::xml::{self, Node};
use super::super::DOCUMENT;
use super::{fresh_rel_id, parse, DOCUMENT_RELS};
use crate::error::{Error, ErrorKind, Result};

/// Makes the marking show at the top and bottom of every page. A template
/// without running headers or footers gets ours; one with them must show
/// the `Classification` property through a `DOCPROPERTY` field in each,
/// whose stored result is set to the marking (Word and LibreOffice show the
/// stored result until fields are updated); no other byte of those parts
/// changes.
pub(crate) fn show_marking(
    template: &mut Package,
    style: &super::super::WordStyle,
    r: &super::super::Reference,
) -> Result<()> {
    let parts = running_parts(template)?;
    if parts.is_empty() {
        let ids = (
            fresh_rel_id(template, "rIdBoardpackHeader")?,
            fresh_rel_id(template, "rIdBoardpackFooter")?,
        );
        return super::super::house::add_header_footer(template, style, (&ids.0, &ids.1));
    }
    let marking = style.marking.as_deref().unwrap_or_default();
    let shown = crate::error::display_path(&r.path);
    let error = |what: String| {
        Error::new(
            ErrorKind::Docx,
            format!("the reference document `{shown}` {what}"),
        )
        .in_file(&r.path)
        .with_hint(MARKING_HINT)
    };
    let mut errors = Vec::new();
    for kind in ["header", "footer"] {
        if !parts.iter().any(|(k, _)| *k == kind) {
            errors.push(error(format!(
                "has no {kind} to show the protective marking in"
            )));
        }
    }
    for (kind, name) in &parts {
        let text = String::from_utf8_lossy(template.get(name).unwrap_or_default()).into_owned();
        // A marking field's stored result becomes the spec's marking; what
        // else the part shows is typed text.
        let fields = super::super::house::fill_marking_fields(&text, marking);
        let filled = fields.as_deref().unwrap_or(&text);
        if let Some(other) = other_marking(filled, marking) {
            errors.push(
                error(format!(
                    "shows the protective marking `{other}` in `{name}`, but the spec's marking is `{marking}`"
                ))
                .with_hint("correct the marking typed in the template's header or footer, or set `[style] marking` to the paper's marking"),
            );
            continue;
        }
        if fields.is_some() || shows_text(filled, marking) {
            template.put(name, filled.as_bytes().to_vec());
        } else {
            // A part that shows no marking gets one.
            let added = super::super::house::add_marking(filled, marking, *kind == "header");
            template.put(name, added.into_bytes());
        }
    }
    Error::collect(errors)
}

/// The text of each paragraph (`w:p`) of a part, its runs joined (Word
/// splits typed text into runs at will: `OFF` + `ICIAL`).
fn paragraph_texts(xml: &str) -> Vec<String> {
    let Ok(root) = xml::parse(xml.as_bytes()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut root = root;
    root.walk_mut(&mut |e| {
        if e.name == "w:p" {
            let mut text = String::new();
            e.walk_mut(&mut |t| {
                if t.name == "w:t" {
                    for n in &t.children {
                        if let Node::Text(s) = n {
                            text.push_str(
                                &quick_xml::escape::unescape(s)
                                    .map_or_else(|_| s.clone(), |c| c.into_owned()),
                            );
                        }
                    }
                }
            });
            out.push(text.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    });
    out
}

/// Whether a paragraph of the part reads exactly `marking`.
fn shows_text(xml: &str, marking: &str) -> bool {
    paragraph_texts(xml).iter().any(|p| p == marking)
}

/// Government Security Classifications and older markings, longest first
/// so `OFFICIAL-SENSITIVE` is not read as `OFFICIAL`.
const KNOWN_MARKINGS: &[&str] = &[
    "OFFICIAL-SENSITIVE",
    "OFFICIAL SENSITIVE",
    "TOP SECRET",
    "SECRET",
    "OFFICIAL",
    "RESTRICTED",
    "CONFIDENTIAL",
    "PROTECT",
    "UNCLASSIFIED",
];

/// A known marking the part shows that is not `marking` (typed text, or a
/// field's stored result), if any.
fn other_marking(xml: &str, marking: &str) -> Option<String> {
    paragraph_texts(xml)
        .into_iter()
        .filter(|p| p != marking)
        .find_map(|p| {
            let mut rest = p.as_str();
            while !rest.is_empty() {
                let found = KNOWN_MARKINGS.iter().find(|m| {
                    rest.starts_with(**m)
                        && !rest[m.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '-')
                });
                if let Some(m) = found {
                    if *m != marking {
                        return Some((*m).to_string());
                    }
                    rest = &rest[m.len()..];
                } else {
                    let skip = rest
                        .find(|c: char| !c.is_alphanumeric() && c != '-')
                        .map_or(rest.len(), |i| i + 1);
                    let skip = if skip == 0 {
                        rest.chars().next().map_or(1, char::len_utf8)
                    } else {
                        skip
                    };
                    rest = &rest[skip..];
                }
            }
            None
        })
}

const MARKING_HINT: &str = "add a `DOCPROPERTY Classification` field to the template's header and footer (Word: Insert › Quick Parts › Field › DocProperty › Classification), or remove its headers and footers and boardpack adds its own";

/// The header and footer parts the final section refers to: (kind, part).
fn running_parts(template: &Package) -> Result<Vec<(&'static str, String)>> {
    let mut document = parse(template, DOCUMENT)?;
    let rels = parse(template, DOCUMENT_RELS)?;
    let Some(sect) = super::super::house::final_sect_pr(&mut document) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for e in sect.elements_mut() {
        let kind = match e.name.as_str() {
            "w:headerReference" => "header",
            "w:footerReference" => "footer",
            _ => continue,
        };
        let id = e.attr("r:id").unwrap_or_default();
        let target = rels.children.iter().find_map(|n| match n {
            Node::Element(rel) if rel.attr("Id") == Some(id) => rel.attr("Target"),
            _ => None,
        });
        if let Some(target) = target {
            out.push((kind, resolve(DOCUMENT_RELS, target)));
        }
    }
    Ok(out)
}
