//! Small, named passes over the XML parts docx-rs generates.
//!
//! docx-rs 0.4 writes some children in an order the ECMA-376 schema forbids
//! (`w:rPr` before `w:pStyle` in `w:pPr`, `w:numId` before `w:ilvl`,
//! `w:tblStyle` last in `w:tblPr`, `w:defaultTabStop` before `w:zoom`), gives
//! every paragraph a counter-based `w14:paraId`, and has no API for table
//! header rows. Each pass fixes one of these on the parsed tree; all are
//! idempotent, so running a pass on already-correct XML changes nothing.

use super::schema::{sequence, RPR, SETTINGS};
use super::xml::{Element, Node};

/// Compatibility flags docx-rs sets for East Asian layout (it was written for
/// Japanese documents); they change character widths and line breaking, so
/// an en-GB document must not carry them.
const EAST_ASIAN_COMPAT: &[&str] = &[
    "w:spaceForUL",
    "w:balanceSingleByteDoubleByteWidth",
    "w:doNotLeaveBackslashAlone",
    "w:ulTrailSpace",
    "w:doNotExpandShiftReturn",
    "w:useFELayout",
];

/// Stably sorts `element`'s children into `order`; children not listed keep
/// their relative order after the listed ones (text nodes too).
pub(crate) fn order_children(element: &mut Element, order: &[&str]) {
    let rank = |node: &Node| match node {
        Node::Element(e) => order
            .iter()
            .position(|n| *n == e.name)
            .unwrap_or(order.len()),
        Node::Text(_) => order.len(),
    };
    element.children.sort_by_key(rank);
}

/// Puts the children of every property container (`w:pPr`, `w:rPr`,
/// `w:sectPr`, `w:tblPr`, `w:tcPr`, `w:numPr`, `w:settings`) in schema order.
pub(crate) fn order_properties(root: &mut Element) {
    root.walk_mut(&mut |e| {
        if let Some(order) = sequence(&e.name) {
            order_children(e, order);
        }
    });
}

/// Removes `w14:paraId` / `w14:textId`: docx-rs numbers paragraphs from a
/// thread-local counter, so the ids depend on what else the thread built.
/// They are optional and only matter for comments, which we never write.
pub(crate) fn strip_para_ids(root: &mut Element) {
    root.walk_mut(&mut |e| {
        if e.name == "w:p" {
            e.remove_attr("w14:paraId");
            e.remove_attr("w14:textId");
        }
    });
}

/// Marks the first row of the n-th `w:tbl` (document order) as a header row
/// that repeats on every page, for each n where `has_header[n]` is true.
/// docx-rs has no API for `w:tblHeader`, so the builder records which tables
/// have a header row and this pass applies it.
pub(crate) fn mark_header_rows(root: &mut Element, has_header: &[bool]) {
    let mut index = 0;
    root.walk_mut(&mut |e| {
        if e.name != "w:tbl" {
            return;
        }
        let wanted = has_header.get(index).copied().unwrap_or(false);
        index += 1;
        if let (true, Some(row)) = (wanted, e.child_mut("w:tr")) {
            let row_pr = ensure_first_child(row, "w:trPr");
            if row_pr.child_mut("w:tblHeader").is_none() {
                row_pr
                    .children
                    .push(Node::Element(Element::new("w:tblHeader")));
            }
        }
    });
}

/// Gives the n-th picture (document order) its alternative text: `descr`
/// and `title` on `wp:docPr` (what Word's "Alt Text" pane and screen
/// readers use) and on `pic:cNvPr`, and unique ids and names. docx-rs writes
/// every picture as `id="1" name="Figure"` with no description.
pub(crate) fn describe_pictures(root: &mut Element, pictures: &[(String, String)]) {
    let (mut doc_pr, mut c_nv_pr) = (0, 0);
    root.walk_mut(&mut |e| {
        let index = match e.name.as_str() {
            "wp:docPr" => &mut doc_pr,
            "pic:cNvPr" => &mut c_nv_pr,
            _ => return,
        };
        *index += 1;
        let n = *index;
        e.set_attr("id", &n.to_string());
        e.set_attr("name", &format!("Chart {n}"));
        if let Some((alt, title)) = pictures.get(n - 1) {
            e.set_attr("descr", alt);
            e.set_attr("title", title);
        }
    });
}

/// The child called `name`, inserted as the first child if missing (for
/// `*Pr` elements, which the schema puts first).
fn ensure_first_child<'a>(parent: &'a mut Element, name: &str) -> &'a mut Element {
    if parent.child_mut(name).is_none() {
        parent.children.insert(0, Node::Element(Element::new(name)));
    }
    parent.child_mut(name).expect("inserted above")
}

/// Sets the document's default language (`w:lang` in the `w:rPrDefault` of
/// `word/styles.xml`): Word and LibreOffice pick the spelling dictionary,
/// hyphenation and quote style from it. docx-rs has no API for it.
pub(crate) fn set_default_language(styles: &mut Element, language: &str) {
    // docDefaults and rPrDefault come first in their parents' sequences.
    let defaults = ensure_first_child(styles, "w:docDefaults");
    let rpr = ensure_first_child(defaults, "w:rPrDefault").child_or_append("w:rPr");
    rpr.child_or_append("w:lang").set_attr("w:val", language);
    order_children(rpr, RPR);
}

/// Fixes `word/settings.xml`: drops docx-rs's East Asian compatibility flags,
/// uses Word's usual 1.27 cm default tab stop instead of docx-rs's 840 twips,
/// and puts the children in schema order (docx-rs writes `w:defaultTabStop`
/// before `w:zoom`).
pub(crate) fn fix_settings(settings: &mut Element) {
    if let Some(compat) = settings.child_mut("w:compat") {
        for flag in EAST_ASIAN_COMPAT {
            compat.remove_children(flag);
        }
    }
    settings
        .child_or_append("w:defaultTabStop")
        .set_attr("w:val", "720");
    order_children(settings, SETTINGS);
}

/// Attributes docx-rs writes that the schema does not declare, by element.
const UNDECLARED_ATTRIBUTES: &[(&str, &str)] = &[
    // docx-rs gives grid columns a width type; CT_TblGridCol only has `w:w`.
    ("w:gridCol", "w:type"),
];

/// Removes the attributes in [`UNDECLARED_ATTRIBUTES`].
pub(crate) fn remove_undeclared_attributes(root: &mut Element) {
    root.walk_mut(&mut |e| {
        for (element, attr) in UNDECLARED_ATTRIBUTES {
            if e.name == *element {
                e.remove_attr(attr);
            }
        }
    });
}

/// Sorts the `Relationship` children of a `.rels` part by id, numbers
/// compared as numbers (`rId2` before `rId10`): docx-rs emits hyperlink
/// relationships in hash-map order, which changes from run to run.
pub(crate) fn sort_relationships(rels: &mut Element) {
    rels.children.sort_by_key(relationship_key);
}

fn relationship_key(node: &Node) -> (String, u64, String) {
    let Node::Element(e) = node else {
        return Default::default();
    };
    let id = e.attr("Id").unwrap_or_default();
    let prefix = id.trim_end_matches(|c: char| c.is_ascii_digit());
    let number = id[prefix.len()..].parse().unwrap_or(0);
    (prefix.to_string(), number, id.to_string())
}

#[cfg(test)]
#[path = "passes_tests.rs"]
mod tests;
