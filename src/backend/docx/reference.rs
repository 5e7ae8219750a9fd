//! The office's Word template as a sealed package.
//!
//! Every part of the reference document is kept byte for byte — styles,
//! numbering, theme, font table, settings, headers and footers with their
//! images and fields, custom XML — except:
//! - `word/document.xml`: its body is ours; its final `w:sectPr` (page size,
//!   margins, header and footer references) is the template's;
//! - `word/styles.xml` and `word/numbering.xml`: only what our content
//!   needs and the template lacks is appended (numbering ids above the
//!   template's);
//! - the document's relationships and `[Content_Types].xml`: our charts and
//!   links are added under ids that do not collide;
//! - `docProps/core.xml` and `app.xml` describe this document (title,
//!   author, dates); `docProps/custom.xml` keeps the template's properties
//!   and gains the protective marking.

use std::collections::BTreeSet;

use super::package::{resolve, Package, CONTENT_TYPES};
use super::xml::{self, Element, Node};
use super::{DOCUMENT, NUMBERING, STYLES};
use crate::error::{Error, ErrorKind, Result};

mod marking;

pub(crate) use marking::show_marking;

/// Relationships from the main document part.
const DOCUMENT_RELS: &str = "word/_rels/document.xml.rels";
/// The main document's content type (a `.dotx` template's is another).
const MAIN_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";
const NUMBERING_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml";
const REL_NUMBERING: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering";
/// Relationship types of ours that travel with the body.
const BODY_RELS: &[&str] = &[
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
];

/// Opens the reference document, refusing what is not a Word package.
pub(crate) fn open(bytes: &[u8]) -> std::result::Result<Package, String> {
    let package = Package::read_bounded(bytes)?;
    let main = main_part(&package)?;
    if main != DOCUMENT {
        return Err(format!(
            "its main document is `{main}`; only `{DOCUMENT}` is supported"
        ));
    }
    for name in [DOCUMENT, STYLES, DOCUMENT_RELS, CONTENT_TYPES] {
        if package.get(name).is_none() {
            return Err(format!("it has no `{name}` part"));
        }
    }
    let problems: Vec<String> = package.names().filter_map(|n| vet(&package, n)).collect();
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    Ok(package)
}

/// Why part `name` of an untrusted template may not travel into a
/// published file, if it may not: a name that leaves the package, macro
/// or ActiveX content, XML that does not parse by itself (a DTD, an
/// entity only a DTD declared, bytes that are not UTF-8), or a
/// relationship to something outside the package (a remote or `file:`
/// template, a UNC path), which Word would fetch when the file is opened.
fn vet(package: &Package, name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    if name.starts_with('/')
        || name.contains('\\')
        || name.contains(':')
        || name
            .split('/')
            .any(|s| s == ".." || s == "." || s.is_empty())
    {
        return Some(format!("part name `{name}` points outside the package"));
    }
    if [
        "vbaproject",
        "vbadata",
        "activex",
        "oleobject",
        "embeddings/",
    ]
    .iter()
    .any(|m| lower.contains(m))
        || lower.ends_with(".bin")
    {
        return Some(format!(
            "part `{name}` is macro, ActiveX or embedded-object content; save the template as a plain .docx or .dotx (not .docm/.dotm)"
        ));
    }
    if !(lower.ends_with(".xml") || lower.ends_with(".rels")) {
        return None;
    }
    let bytes = package.get(name)?;
    let root = match xml::parse(bytes) {
        Ok(root) => root,
        Err(why) => return Some(format!("part `{name}` is not well-formed XML: {why}")),
    };
    if lower.ends_with("[content_types].xml") {
        let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
        if text.contains("macroenabled") || text.contains("vbaproject") {
            return Some(format!(
                "part `{name}` declares macro content (a .docm/.dotm file renamed)"
            ));
        }
    }
    root.children.iter().find_map(|n| match n {
        Node::Element(e) if external(e) => {
            let target = e.attr("Target").unwrap_or_default();
            Some(format!(
                "part `{name}` links to `{target}` outside the package (an attached template, a linked picture or a link to a file); remove it in Word (Developer > Document Template, or the link) and save again"
            ))
        }
        _ => None,
    })
}

/// Whether a relationship points outside the package at something Word
/// would fetch: anything external but a web or mail hyperlink, which a
/// reader follows only by choice.
fn external(rel: &Element) -> bool {
    if !rel
        .attr("TargetMode")
        .is_some_and(|m| m.eq_ignore_ascii_case("External"))
    {
        return false;
    }
    let target = rel.attr("Target").unwrap_or_default().to_ascii_lowercase();
    let web = ["http://", "https://", "mailto:"]
        .iter()
        .any(|p| target.starts_with(p));
    !(web && rel.attr("Type").is_some_and(|t| t.ends_with("/hyperlink")))
}

/// The main document part named by the package relationships.
fn main_part(package: &Package) -> std::result::Result<String, String> {
    let rels = package
        .get("_rels/.rels")
        .ok_or("it has no package relationships (`_rels/.rels`): is it a .docx file?")?;
    let root = xml::parse(rels).map_err(|e| format!("`_rels/.rels` is not XML: {e}"))?;
    root.children
        .iter()
        .find_map(|n| match n {
            Node::Element(e)
                if e.attr("Type")
                    .is_some_and(|t| t.ends_with("/officeDocument")) =>
            {
                e.attr("Target").map(|t| resolve("_rels/.rels", t))
            }
            _ => None,
        })
        .ok_or_else(|| "it names no main document".to_string())
}

/// What our rendered package contributes to the template.
pub(crate) struct Ours<'a> {
    /// Our package after the passes (body, media, relationships).
    pub package: &'a Package,
    /// Our numbering definitions, numbered from 1.
    pub numbering: Element,
    /// Resolved styles to append to the template's styles part.
    pub styles: Vec<Element>,
}

/// Puts our body into `template` (see the module docs). `ours.package`'s
/// document must already use the template's style ids.
pub(crate) fn merge(template: &mut Package, ours: Ours<'_>) -> Result<()> {
    let mut body_doc = parse(ours.package, DOCUMENT)?;
    let offsets = merge_numbering(template, &ours.numbering)?;
    renumber(&mut body_doc, offsets.1);
    let mut added = ours.styles;
    for def in &mut added {
        renumber(def, offsets.1);
    }
    template.edit_xml(STYLES, |styles| {
        styles.children.extend(added.into_iter().map(Node::Element));
    })?;
    let renamed = merge_relationships(template, ours.package)?;
    rename_relationship_ids(&mut body_doc, &renamed);
    let mut document = parse(template, DOCUMENT)?;
    transplant(&mut document, body_doc);
    template.put(DOCUMENT, xml::write(&document));
    set_main_type(template)
}

fn parse(package: &Package, name: &str) -> Result<Element> {
    let bytes = package
        .get(name)
        .ok_or_else(|| docx_error(format!("the package has no `{name}`")))?;
    xml::parse(bytes).map_err(|e| docx_error(format!("cannot parse `{name}`: {e}")))
}

/// Our body children, then the template's final section properties (ours if
/// it has none), inside the template's `w:document` (its namespace
/// declarations kept, ours added where missing).
fn transplant(document: &mut Element, ours: Element) {
    for (name, value) in &ours.attrs {
        if name.starts_with("xmlns") && document.attr(name).is_none() {
            document.attrs.push((name.clone(), value.clone()));
        }
    }
    let mut our_body = ours
        .children
        .into_iter()
        .find_map(|n| match n {
            Node::Element(e) if e.name == "w:body" => Some(e),
            _ => None,
        })
        .unwrap_or_else(|| Element::new("w:body"));
    let our_sect = take_last_sect_pr(&mut our_body);
    let body = document.child_or_append("w:body");
    let sect = take_last_sect_pr(body).or(our_sect);
    body.children = our_body.children;
    body.children.extend(sect.map(Node::Element));
}

/// Removes and returns the body's final `w:sectPr`.
pub(crate) fn take_last_sect_pr(body: &mut Element) -> Option<Element> {
    let last = body
        .children
        .iter()
        .rposition(|n| matches!(n, Node::Element(_)))?;
    match &body.children[last] {
        Node::Element(e) if e.name == "w:sectPr" => match body.children.remove(last) {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        },
        _ => None,
    }
}

/// Appends our abstract lists and instances to the template's numbering
/// (created if it has none), above its highest ids. Returns the offsets
/// added to our abstract and instance ids.
fn merge_numbering(template: &mut Package, ours: &Element) -> Result<(usize, usize)> {
    if template.get(NUMBERING).is_none() {
        let part = super::package::NewPart {
            name: NUMBERING,
            content_type: NUMBERING_TYPE,
            rels: DOCUMENT_RELS,
            id: &fresh_rel_id(template, "rIdNumbering")?,
            rel_type: REL_NUMBERING,
            target: "numbering.xml",
        };
        let empty = Element::new("w:numbering").with_attr(
            "xmlns:w",
            "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        );
        template.add_part(&part, xml::write(&empty))?;
    }
    let numbering = parse(template, NUMBERING)?;
    let max = |element: &str, attr: &str| {
        numbering
            .children
            .iter()
            .filter_map(|n| match n {
                Node::Element(e) if e.name == element => e.attr(attr)?.parse::<usize>().ok(),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    };
    let abstract_offset = max("w:abstractNum", "w:abstractNumId") + 1;
    let num_offset = max("w:num", "w:numId");
    let (mut abstracts, mut nums) = (Vec::new(), Vec::new());
    for node in &ours.children {
        let Node::Element(e) = node else { continue };
        let mut e = e.clone();
        // Our lists link to our list styles; the template's may differ.
        e.walk_mut(&mut |x| x.remove_children("w:pStyle"));
        shift(&mut e, "w:abstractNumId", abstract_offset);
        e.walk_mut(&mut |x| {
            if x.name == "w:abstractNumId" {
                shift(x, "w:val", abstract_offset);
            }
        });
        shift(&mut e, "w:numId", num_offset);
        match e.name.as_str() {
            "w:abstractNum" => abstracts.push(Node::Element(e)),
            _ => nums.push(Node::Element(e)),
        }
    }
    template.edit_xml(NUMBERING, |root| {
        // CT_Numbering: picture bullets, abstract lists, instances, cleanup.
        let first_num = root
            .children
            .iter()
            .position(|n| matches!(n, Node::Element(e) if e.name == "w:num" || e.name == "w:numIdMacAtCleanup"))
            .unwrap_or(root.children.len());
        let tail = root.children.split_off(first_num);
        let (mut theirs_nums, cleanup): (Vec<Node>, Vec<Node>) = tail
            .into_iter()
            .partition(|n| !matches!(n, Node::Element(e) if e.name == "w:numIdMacAtCleanup"));
        root.children.extend(abstracts);
        root.children.append(&mut theirs_nums);
        root.children.extend(nums);
        root.children.extend(cleanup);
    })?;
    Ok((abstract_offset, num_offset))
}

/// Adds `offset` to a numeric attribute, if present.
fn shift(e: &mut Element, attr: &str, offset: usize) {
    if let Some(n) = e.attr(attr).and_then(|v| v.parse::<usize>().ok()) {
        e.set_attr(attr, &(n + offset).to_string());
    }
}

/// Moves every numbering reference (`w:numPr/w:numId`) up by `offset`.
fn renumber(root: &mut Element, offset: usize) {
    root.walk_mut(&mut |e| {
        if e.name == "w:numId" {
            shift(e, "w:val", offset);
        }
    });
}

/// Copies our images and links into the template: media parts (renamed if
/// the template has a part of that name), relationships (ids renamed if
/// taken) and the image content type. Returns (old id, new id) pairs.
fn merge_relationships(template: &mut Package, ours: &Package) -> Result<Vec<(String, String)>> {
    let our_rels = parse(ours, DOCUMENT_RELS)?;
    let mut rels = parse(template, DOCUMENT_RELS)?;
    let mut taken: BTreeSet<String> = ids(&rels);
    let mut renamed = Vec::new();
    for node in &our_rels.children {
        let Node::Element(rel) = node else { continue };
        if !rel.attr("Type").is_some_and(|t| BODY_RELS.contains(&t)) {
            continue;
        }
        let mut rel = rel.clone();
        let id = rel.attr("Id").unwrap_or_default().to_string();
        if taken.contains(&id) {
            let new = (2..)
                .map(|n| format!("{id}b{n}"))
                .find(|c| !taken.contains(c))
                .expect("an unbounded range has a free id");
            rel.set_attr("Id", &new);
            renamed.push((id, new.clone()));
            taken.insert(new);
        } else {
            taken.insert(id);
        }
        if rel.attr("TargetMode") != Some("External") {
            copy_media(template, ours, &mut rel)?;
        }
        rels.children.push(Node::Element(rel));
    }
    template.put(DOCUMENT_RELS, xml::write(&rels));
    ensure_default(template, "png", "image/png")?;
    Ok(renamed)
}

/// Copies the part `rel` targets into the template, under a new name if the
/// template already has one of that name.
fn copy_media(template: &mut Package, ours: &Package, rel: &mut Element) -> Result<()> {
    let name = resolve(DOCUMENT_RELS, rel.attr("Target").unwrap_or_default());
    let bytes = ours
        .get(&name)
        .ok_or_else(|| docx_error(format!("our package has no `{name}`")))?
        .to_vec();
    let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, "bin"));
    let mut part = name.clone();
    let mut n = 1;
    while template.get(&part).is_some() {
        n += 1;
        part = format!("{stem}-{n}.{ext}");
    }
    if part != name {
        // An absolute target names the renamed part unambiguously.
        rel.set_attr("Target", &format!("/{part}"));
    }
    template.put(&part, bytes);
    Ok(())
}

fn ids(rels: &Element) -> BTreeSet<String> {
    rels.children
        .iter()
        .filter_map(|n| match n {
            Node::Element(e) => e.attr("Id").map(str::to_string),
            Node::Text(_) => None,
        })
        .collect()
}

/// A relationship id of `rels` not yet used in the document's relationships.
pub(crate) fn fresh_rel_id(package: &Package, wanted: &str) -> Result<String> {
    let taken = ids(&parse(package, DOCUMENT_RELS)?);
    Ok(std::iter::once(wanted.to_string())
        .chain((2..).map(|n| format!("{wanted}{n}")))
        .find(|c| !taken.contains(c))
        .expect("an unbounded range has a free id"))
}

/// Rewrites `r:id`/`r:embed`/`r:link` attributes after relationship renames.
fn rename_relationship_ids(root: &mut Element, renamed: &[(String, String)]) {
    if renamed.is_empty() {
        return;
    }
    root.walk_mut(&mut |e| {
        for (name, value) in &mut e.attrs {
            if matches!(name.as_str(), "r:id" | "r:embed" | "r:link") {
                if let Some((_, new)) = renamed.iter().find(|(old, _)| old == value) {
                    *value = new.clone();
                }
            }
        }
    });
}

/// Adds a `Default` content type for an extension if the package has none.
pub(crate) fn ensure_default(
    package: &mut Package,
    extension: &str,
    content_type: &str,
) -> Result<()> {
    package.edit_xml(CONTENT_TYPES, |types| {
        let present = types.children.iter().any(|n| {
            matches!(n, Node::Element(e) if e.name == "Default"
                && e.attr("Extension").is_some_and(|x| x.eq_ignore_ascii_case(extension)))
        });
        if !present {
            let default = Element::new("Default")
                .with_attr("Extension", extension)
                .with_attr("ContentType", content_type);
            // Defaults come before overrides.
            types.children.insert(0, Node::Element(default));
        }
    })
}

/// A template (`.dotx`) declares its main part as a template; the result
/// is a document.
fn set_main_type(package: &mut Package) -> Result<()> {
    let part_name = format!("/{DOCUMENT}");
    package.edit_xml(CONTENT_TYPES, |types| {
        for e in types.elements_mut() {
            if e.name == "Override" && e.attr("PartName") == Some(part_name.as_str()) {
                e.set_attr("ContentType", MAIN_TYPE);
            }
        }
    })
}

fn docx_error(message: String) -> Error {
    Error::new(ErrorKind::Docx, message)
}

/// Document property parts that describe this document, not the template:
/// (part, content type, package relationship type).
pub(crate) const PROPERTY_PARTS: [(&str, &str, &str); 2] = [
    (
        "docProps/core.xml",
        "application/vnd.openxmlformats-package.core-properties+xml",
        "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
    ),
    (
        "docProps/app.xml",
        "application/vnd.openxmlformats-officedocument.extended-properties+xml",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties",
    ),
];

/// Puts a package-level part (related from `_rels/.rels`): where the
/// template already relates one of that type, its bytes are replaced;
/// otherwise the part, its relationship and content type are added.
pub(crate) fn put_package_part(
    template: &mut Package,
    name: &str,
    content_type: &str,
    rel_type: &str,
    bytes: Vec<u8>,
) -> Result<()> {
    let rels = parse(template, "_rels/.rels")?;
    let existing = rels.children.iter().find_map(|n| match n {
        Node::Element(e) if e.attr("Type") == Some(rel_type) => {
            e.attr("Target").map(|t| resolve("_rels/.rels", t))
        }
        _ => None,
    });
    if let Some(existing) = existing {
        template.put(&existing, bytes);
        return Ok(());
    }
    let taken = ids(&rels);
    let id = (1..)
        .map(|n| format!("rIdProps{n}"))
        .find(|c| !taken.contains(c))
        .expect("an unbounded range has a free id");
    let part = super::package::NewPart {
        name,
        content_type,
        rels: "_rels/.rels",
        id: &id,
        rel_type,
        target: name,
    };
    template.add_part(&part, bytes)
}
