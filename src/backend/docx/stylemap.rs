//! Word styles by name.
//!
//! The builder refers to styles by role (`Heading1`, `ListBullet`, …) or,
//! for `{.style="NAME"}` content, by [`custom_id`]. Here each one is looked
//! up **by name** (`w:name`, as Word shows it; case-insensitive, since Word
//! stores its built-ins as "heading 1") in the styles part the document will
//! carry — the reference document's or our own — and the body is rewritten
//! to that part's style ids. A role the part lacks gets our definition; a
//! name the part only knows as a latent style (one Word has not created
//! yet) gets a minimal definition; any other name is an error that lists
//! the styles the part defines.

use std::collections::{BTreeMap, BTreeSet};

use super::xml::{Element, Node};

/// Prefix of the placeholder id the builder writes for a named style.
const CUSTOM_PREFIX: &str = "boardpack-style:";

/// The placeholder style id for content styled `{.style="NAME"}`.
pub(crate) fn custom_id(name: &str) -> String {
    format!("{CUSTOM_PREFIX}{name}")
}

/// A content role: its `[style.word]` key, the id the builder writes (and
/// our own definition's id), Word's name for it and the style type.
struct Role {
    key: &'static str,
    id: &'static str,
    name: &'static str,
    kind: &'static str,
}

const ROLES: &[Role] = &[
    role("title", "Title", "Title", "paragraph"),
    role("heading1", "Heading1", "Heading 1", "paragraph"),
    role("heading2", "Heading2", "Heading 2", "paragraph"),
    role("heading3", "Heading3", "Heading 3", "paragraph"),
    role("list_bullet", "ListBullet", "List Bullet", "paragraph"),
    role("list_number", "ListNumber", "List Number", "paragraph"),
    role("caption", "Caption", "Caption", "paragraph"),
    role("table", "TableGrid", "Table Grid", "table"),
    role("hyperlink", "Hyperlink", "Hyperlink", "character"),
];

const fn role(key: &'static str, id: &'static str, name: &'static str, kind: &'static str) -> Role {
    Role {
        key,
        id,
        name,
        kind,
    }
}

/// A style a styles part defines.
#[derive(Debug, Clone)]
pub(crate) struct Defined {
    /// `w:styleId`.
    pub id: String,
    /// `w:name`, as written.
    pub name: String,
    /// `w:type`: paragraph, character, table or numbering.
    pub kind: String,
    /// Whether it is the default style of its type.
    pub default: bool,
}

/// A name that could not be resolved: what was asked for and as what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Missing {
    /// The style name asked for.
    pub name: String,
    /// Who asked: `[style.word] heading1` or `{.style}` in the content.
    pub asked_by: String,
}

/// The outcome of resolving a body's styles against a styles part.
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    /// Builder id → style id in the styles part.
    pub ids: BTreeMap<String, String>,
    /// Definitions to append to the styles part (not yet renumbered).
    pub added: Vec<Element>,
}

/// Every style a styles part defines, in document order.
pub(crate) fn defined(styles: &Element) -> Vec<Defined> {
    let mut out = Vec::new();
    for node in &styles.children {
        let Node::Element(e) = node else { continue };
        if e.name != "w:style" {
            continue;
        }
        let name = child_val(e, "w:name").unwrap_or_default();
        out.push(Defined {
            id: unescape(e.attr("w:styleId").unwrap_or_default()),
            name: unescape(&name),
            kind: e.attr("w:type").unwrap_or("paragraph").to_string(),
            default: matches!(e.attr("w:default"), Some("1" | "true" | "on")),
        });
    }
    out
}

/// Names the part knows only as latent styles (`w:lsdException`).
fn latent(styles: &Element) -> Vec<String> {
    let mut out = Vec::new();
    for node in &styles.children {
        let Node::Element(e) = node else { continue };
        if e.name != "w:latentStyles" {
            continue;
        }
        for ex in &e.children {
            if let Node::Element(x) = ex {
                if let Some(name) = x.attr("w:name") {
                    out.push(unescape(name));
                }
            }
        }
    }
    out
}

/// Resolves every style id `used` in the body against `styles` (the part
/// the document will carry). `ours` is our own styles part, the source of
/// role definitions the part lacks; `names` maps `[style.word]` keys to
/// style names. Returns the id map and the definitions to add, or every
/// name that could not be found.
pub(crate) fn resolve(
    styles: &Element,
    ours: &Element,
    used: &BTreeSet<String>,
    names: &BTreeMap<String, String>,
) -> Result<Resolved, Vec<Missing>> {
    let defined = defined(styles);
    let latent = latent(styles);
    let mut taken: BTreeSet<String> = defined.iter().map(|d| d.id.clone()).collect();
    let bases = Bases::of(&defined);
    let mut out = Resolved::default();
    let mut missing = Vec::new();
    for id in used {
        let (name, kind, asked_by, role) = match id.strip_prefix(CUSTOM_PREFIX) {
            Some(name) => (name.to_string(), "paragraph", content_asker(), None),
            None => {
                let Some(role) = ROLES.iter().find(|r| r.id == id) else {
                    continue;
                };
                match names.get(role.key) {
                    Some(n) => (
                        n.clone(),
                        role.kind,
                        format!("`[style.word] {}`", role.key),
                        None,
                    ),
                    None => (role.name.to_string(), role.kind, String::new(), Some(role)),
                }
            }
        };
        if let Some(found) = find(&defined, &name, kind) {
            out.ids.insert(id.clone(), found.id.clone());
            continue;
        }
        let definition = match role {
            Some(role) => our_definition(ours, role, &bases),
            None => latent
                .iter()
                .find(|l| l.eq_ignore_ascii_case(&name))
                .filter(|_| kind == "paragraph")
                .map(|l| latent_definition(l, &bases)),
        };
        match definition {
            Some(mut def) => {
                let new_id = fresh_id(def.attr("w:styleId").unwrap_or("Style"), &taken);
                def.set_attr("w:styleId", &new_id);
                taken.insert(new_id.clone());
                out.ids.insert(id.clone(), new_id);
                out.added.push(def);
            }
            None => missing.push(Missing { name, asked_by }),
        }
    }
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing)
    }
}

fn content_asker() -> String {
    "`{.style}` in the content".to_string()
}

/// The style called `name` (ignoring case) of type `kind`.
fn find<'a>(defined: &'a [Defined], name: &str, kind: &str) -> Option<&'a Defined> {
    defined
        .iter()
        .find(|d| d.kind == kind && d.name.eq_ignore_ascii_case(name))
}

/// The part's default styles, which added definitions are based on.
struct Bases {
    paragraph: Option<String>,
    character: Option<String>,
    table: Option<String>,
}

impl Bases {
    fn of(defined: &[Defined]) -> Bases {
        let default = |kind: &str| {
            defined
                .iter()
                .find(|d| d.kind == kind && d.default)
                .map(|d| d.id.clone())
        };
        Bases {
            paragraph: default("paragraph"),
            character: default("character"),
            table: default("table"),
        }
    }

    /// The part's id for one of our base style ids.
    fn map(&self, ours: &str) -> Option<&str> {
        match ours {
            "Normal" => self.paragraph.as_deref(),
            "DefaultParagraphFont" => self.character.as_deref(),
            "TableNormal" => self.table.as_deref(),
            _ => None,
        }
    }
}

/// Our definition of `role`, its `basedOn`/`next` pointing at the part's
/// defaults (dropped where the part has none).
fn our_definition(ours: &Element, role: &Role, bases: &Bases) -> Option<Element> {
    let mut def = ours.children.iter().find_map(|n| match n {
        Node::Element(e) if e.attr("w:styleId") == Some(role.id) => Some(e.clone()),
        _ => None,
    })?;
    def.children.retain(|n| {
        let Node::Element(e) = n else { return true };
        !matches!(e.name.as_str(), "w:basedOn" | "w:next" | "w:link")
            || e.attr("w:val").is_some_and(|v| bases.map(v).is_some())
    });
    for child in def.elements_mut() {
        if matches!(child.name.as_str(), "w:basedOn" | "w:next") {
            let ours = child.attr("w:val").unwrap_or_default().to_string();
            if let Some(theirs) = bases.map(&ours) {
                child.set_attr("w:val", theirs);
            }
        }
    }
    Some(def)
}

/// A minimal paragraph style for a latent name, based on the part's default
/// paragraph style; "heading N" keeps its outline level.
fn latent_definition(name: &str, bases: &Bases) -> Element {
    let mut def = Element::new("w:style")
        .with_attr("w:type", "paragraph")
        .with_attr("w:styleId", &id_from_name(name));
    def.children.push(Node::Element(
        Element::new("w:name").with_attr("w:val", name),
    ));
    if let Some(base) = &bases.paragraph {
        def.children.push(Node::Element(
            Element::new("w:basedOn").with_attr("w:val", base),
        ));
    }
    def.children.push(Node::Element(Element::new("w:qFormat")));
    let level = name
        .to_ascii_lowercase()
        .strip_prefix("heading ")
        .and_then(|n| n.parse::<u8>().ok())
        .filter(|n| (1..=9).contains(n));
    if let Some(level) = level {
        let mut ppr = Element::new("w:pPr");
        ppr.children.push(Node::Element(Element::new("w:keepNext")));
        ppr.children.push(Node::Element(
            Element::new("w:outlineLvl").with_attr("w:val", &(level - 1).to_string()),
        ));
        def.children.push(Node::Element(ppr));
    }
    def
}

/// A style id for a name: its letters and digits.
fn id_from_name(name: &str) -> String {
    let id: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    if id.is_empty() {
        "Style".to_string()
    } else {
        id
    }
}

/// `wanted`, or `wanted` with the smallest numeric suffix not yet taken.
fn fresh_id(wanted: &str, taken: &BTreeSet<String>) -> String {
    if !taken.contains(wanted) {
        return wanted.to_string();
    }
    (2..)
        .map(|n| format!("{wanted}{n}"))
        .find(|id| !taken.contains(id))
        .expect("an unbounded range has a free id")
}

/// Every style id the body refers to (`w:pStyle`, `w:rStyle`, `w:tblStyle`).
pub(crate) fn used_ids(body: &Element) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut body = body.clone();
    body.walk_mut(&mut |e| {
        if matches!(e.name.as_str(), "w:pStyle" | "w:rStyle" | "w:tblStyle") {
            out.extend(e.attr("w:val").map(unescape));
        }
    });
    out
}

/// Rewrites the body's style references through `ids`.
pub(crate) fn rename(body: &mut Element, ids: &BTreeMap<String, String>) {
    body.walk_mut(&mut |e| {
        if matches!(e.name.as_str(), "w:pStyle" | "w:rStyle" | "w:tblStyle") {
            let current = e.attr("w:val").map(unescape).unwrap_or_default();
            if let Some(new) = ids.get(&current) {
                e.set_attr("w:val", new);
            }
        }
    });
}

/// The style names a part defines, for messages: paragraph styles first
/// (what content can name), sorted, without Word's hidden plumbing.
pub(crate) fn listed_names(styles: &Element) -> Vec<String> {
    let mut names: Vec<String> = defined(styles)
        .into_iter()
        .filter(|d| d.kind == "paragraph" && !d.name.is_empty())
        .map(|d| d.name)
        .collect();
    names.sort_by_key(|n| n.to_lowercase());
    names.dedup();
    names
}

fn child_val(e: &Element, name: &str) -> Option<String> {
    e.children.iter().find_map(|n| match n {
        Node::Element(c) if c.name == name => c.attr("w:val").map(str::to_string),
        _ => None,
    })
}

/// Attribute values are kept escaped by the XML layer; names are compared
/// and shown unescaped.
fn unescape(raw: &str) -> String {
    quick_xml::escape::unescape(raw)
        .map(|c| c.into_owned())
        .unwrap_or_else(|_| raw.to_string())
}

#[cfg(test)]
#[path = "stylemap_tests.rs"]
mod tests;
