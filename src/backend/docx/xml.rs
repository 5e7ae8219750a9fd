//! A minimal XML tree over quick-xml, for the package passes.
//!
//! Text and attribute values are kept exactly as written (still escaped), so a
//! pass that only moves or adds elements leaves every character of the
//! content untouched: no unescape/re-escape round trip can alter the text.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// The declaration every part we write starts with.
const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;

/// A child of an element.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// A nested element.
    Element(Element),
    /// Character data, raw (entity references still escaped).
    Text(String),
}

/// An element: qualified name, raw attributes in source order, children.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Element {
    /// Qualified name as written, e.g. `w:pPr`.
    pub name: String,
    /// `(qualified name, raw escaped value)` pairs.
    pub attrs: Vec<(String, String)>,
    /// Child nodes in document order.
    pub children: Vec<Node>,
}

impl Element {
    /// An element with no attributes and no children.
    pub(super) fn new(name: &str) -> Self {
        Element {
            name: name.to_string(),
            attrs: Vec::new(),
            children: Vec::new(),
        }
    }

    /// Adds an attribute; `value` is plain text and is escaped here.
    pub(super) fn with_attr(mut self, name: &str, value: &str) -> Self {
        self.set_attr(name, value);
        self
    }

    /// The raw (escaped) value of an attribute.
    pub(super) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets an attribute from plain text (escaped here), replacing any old value.
    pub(super) fn set_attr(&mut self, name: &str, value: &str) {
        let raw = crate::escape::xml(value);
        match self.attrs.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = raw,
            None => self.attrs.push((name.to_string(), raw)),
        }
    }

    /// Removes an attribute if present.
    pub(super) fn remove_attr(&mut self, name: &str) {
        self.attrs.retain(|(k, _)| k != name);
    }

    /// Child elements, mutably, in order.
    pub(super) fn elements_mut(&mut self) -> impl Iterator<Item = &mut Element> {
        self.children.iter_mut().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first child element called `name`.
    pub(super) fn child_mut(&mut self, name: &str) -> Option<&mut Element> {
        self.elements_mut().find(|e| e.name == name)
    }

    /// The first child element called `name`, appended if missing.
    pub(super) fn child_or_append(&mut self, name: &str) -> &mut Element {
        let index = match self.children.iter().position(|n| is_named(n, name)) {
            Some(i) => i,
            None => {
                self.children.push(Node::Element(Element::new(name)));
                self.children.len() - 1
            }
        };
        match &mut self.children[index] {
            Node::Element(e) => e,
            Node::Text(_) => unreachable!("position() matched an element"),
        }
    }

    /// Removes every child element called `name`.
    pub(super) fn remove_children(&mut self, name: &str) {
        self.children.retain(|n| !is_named(n, name));
    }

    /// Calls `f` on this element and every descendant, parents first.
    pub(super) fn walk_mut(&mut self, f: &mut impl FnMut(&mut Element)) {
        f(self);
        for child in self.elements_mut() {
            child.walk_mut(f);
        }
    }
}

fn is_named(node: &Node, name: &str) -> bool {
    matches!(node, Node::Element(e) if e.name == name)
}

/// Parses a whole XML part into its root element. Comments, processing
/// instructions and the declaration are dropped (we write our own).
pub(crate) fn parse(xml: &[u8]) -> Result<Element, String> {
    // The whole part, declaration and comments included, which the reader
    // below skips without decoding.
    std::str::from_utf8(xml).map_err(|e| format!("it is not UTF-8 text: {e}"))?;
    let mut reader = Reader::from_reader(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        match event {
            Event::Start(start) => stack.push(start_element(&start)?),
            Event::Empty(start) => attach(&mut stack, &mut root, start_element(&start)?),
            Event::End(_) => {
                let done = stack.pop().ok_or("unbalanced end tag")?;
                attach(&mut stack, &mut root, done);
            }
            Event::Text(text) => push_text(&mut stack, &utf8(&text)?),
            Event::GeneralRef(r) => push_text(&mut stack, &entity(&utf8(&r)?)?),
            Event::CData(data) => {
                push_text(&mut stack, &quick_xml::escape::escape(utf8(&data)?));
            }
            Event::Eof => break,
            // A DTD could declare entities (billion laughs) or point outside
            // the package; no Word part has one.
            Event::DocType(_) => return Err("it declares a DTD (`<!DOCTYPE`)".to_string()),
            Event::Decl(decl) => check_decl(&decl)?,
            Event::PI(_) | Event::Comment(_) => {}
        }
    }
    match (root, stack.is_empty()) {
        (Some(root), true) => Ok(root),
        _ => Err("document has no complete root element".to_string()),
    }
}

/// An entity reference kept as written: one of XML's five or a reference
/// to a character XML allows. Anything else would be an entity a dropped
/// DTD declared, which no reader of the output could resolve.
fn entity(name: &str) -> Result<String, String> {
    let ok = match name.strip_prefix('#') {
        Some(num) => {
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse::<u32>().ok(),
            };
            code.and_then(char::from_u32).is_some_and(|c| {
                matches!(c, '\t' | '\n' | '\r')
                    || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
            })
        }
        None => matches!(name, "amp" | "lt" | "gt" | "apos" | "quot"),
    };
    if ok {
        Ok(format!("&{name};"))
    } else {
        Err(format!("it uses the undefined entity reference `&{name};`"))
    }
}

/// The XML declaration as XML 1.0 allows it: version 1.x, an encoding
/// name of letters, digits and `._-` (UTF-8 or UTF-16: the part is read as
/// UTF-8), `standalone` yes or no. quick-xml reads it without checking.
fn check_decl(decl: &quick_xml::events::BytesDecl<'_>) -> Result<(), String> {
    let bad = || "its XML declaration is malformed".to_string();
    let version = decl.version().map_err(|_| bad())?;
    if !matches!(version.as_ref(), b"1.0" | b"1.1") {
        return Err(bad());
    }
    if let Some(encoding) = decl.encoding() {
        let encoding = encoding.map_err(|_| bad())?;
        if !encoding.eq_ignore_ascii_case(b"utf-8") {
            return Err(bad());
        }
    }
    if let Some(standalone) = decl.standalone() {
        let standalone = standalone.map_err(|_| bad())?;
        if !matches!(standalone.as_ref(), b"yes" | b"no") {
            return Err(bad());
        }
    }
    Ok(())
}

fn utf8(bytes: &[u8]) -> Result<String, String> {
    std::str::from_utf8(bytes)
        .map(str::to_string)
        .map_err(|e| e.to_string())
}

fn start_element(start: &BytesStart<'_>) -> Result<Element, String> {
    let mut element = Element::new(&utf8(start.name().as_ref())?);
    for attr in start.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let value = utf8(&attr.value)?;
        quick_xml::escape::unescape(&value)
            .map_err(|e| format!("an attribute value has a bad reference: {e}"))?;
        element
            .attrs
            .push((utf8(attr.key.as_ref())?, value.replace('"', "&quot;")));
    }
    Ok(element)
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(element)),
        None => *root = Some(element),
    }
}

/// Appends text to the open element, merging with a preceding text node (the
/// reader splits text at every entity reference). Text outside the root is
/// only whitespace and is dropped.
fn push_text(stack: &mut [Element], text: &str) {
    let Some(parent) = stack.last_mut() else {
        return;
    };
    match parent.children.last_mut() {
        Some(Node::Text(previous)) => previous.push_str(text),
        _ => parent.children.push(Node::Text(text.to_string())),
    }
}

/// Serialises a root element as a complete part, with our fixed declaration.
pub(crate) fn write(root: &Element) -> Vec<u8> {
    let mut out = String::from(DECLARATION);
    write_element(&mut out, root);
    out.into_bytes()
}

fn write_element(out: &mut String, element: &Element) {
    out.push('<');
    out.push_str(&element.name);
    for (name, value) in &element.attrs {
        out.push_str(&format!(" {name}=\"{value}\""));
    }
    if element.children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for child in &element.children {
        match child {
            Node::Element(e) => write_element(out, e),
            Node::Text(t) => out.push_str(t),
        }
    }
    out.push_str("</");
    out.push_str(&element.name);
    out.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(xml: &str) -> String {
        String::from_utf8(write(&parse(xml.as_bytes()).unwrap())).unwrap()
    }

    #[test]
    fn keeps_escaped_text_and_attributes_verbatim() {
        let xml = r#"<a x="1 &amp; &quot;2&quot;"><b>&lt;c&gt; &amp; 🙂 שלום</b><d /></a>"#;
        assert_eq!(
            round_trip(xml),
            format!(
                r#"{DECLARATION}<a x="1 &amp; &quot;2&quot;"><b>&lt;c&gt; &amp; 🙂 שלום</b><d/></a>"#
            )
        );
    }

    #[test]
    fn replaces_declaration_and_drops_comments() {
        let xml = "<?xml version=\"1.0\"?>\n<!-- c --><a><?pi x?><b/></a>\n";
        assert_eq!(round_trip(xml), format!("{DECLARATION}<a><b/></a>"));
    }

    #[test]
    fn cdata_becomes_escaped_text() {
        assert_eq!(
            round_trip("<a><![CDATA[x < y]]></a>"),
            format!("{DECLARATION}<a>x &lt; y</a>")
        );
    }

    #[test]
    fn rejects_truncated_documents() {
        assert!(parse(b"<a><b></b>").is_err());
        assert!(parse(b"").is_err());
    }

    #[test]
    fn set_attr_escapes_plain_text() {
        let e = Element::new("w:lang").with_attr("w:val", "a\"b&c");
        assert_eq!(e.attr("w:val"), Some("a&quot;b&amp;c"));
    }
}
