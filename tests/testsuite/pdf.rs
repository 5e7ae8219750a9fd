//! Reads the text of the PDFs boardpack writes, for assertions.
//!
//! lopdf parses the file and content streams, but its own text extraction
//! rejects the (valid) ToUnicode CMaps Typst writes, so this small reader maps
//! glyph ids through each font's `beginbfchar`/`beginbfrange` sections itself.
//! It starts a new line whenever the text position moves vertically, and a
//! new word when a run is placed explicitly on the same line.

use std::collections::HashMap;

use lopdf::{Dictionary, Document, Object};

type ToUnicode = HashMap<u32, String>;

/// The text of every page, in page order.
pub(crate) fn text(pdf: &[u8]) -> String {
    pages(pdf).into_iter().map(|p| p + "\n").collect()
}

/// The text of each page, in page order.
pub(crate) fn pages(pdf: &[u8]) -> Vec<String> {
    let doc = Document::load_mem(pdf).expect("PDF parses");
    doc.get_pages()
        .into_values()
        .map(|page| {
            let fonts: HashMap<Vec<u8>, ToUnicode> = doc
                .get_page_fonts(page)
                .expect("page fonts")
                .into_iter()
                .map(|(name, font)| (name, to_unicode(&doc, font)))
                .collect();
            let content = doc.get_and_decode_page_content(page).expect("page content");
            let mut out = String::new();
            page_text(&content.operations, &fonts, &mut out);
            out
        })
        .collect()
}

/// Each page's MediaBox as (width, height) in points.
pub(crate) fn page_sizes(pdf: &[u8]) -> Vec<(f32, f32)> {
    let doc = Document::load_mem(pdf).expect("PDF parses");
    doc.get_pages()
        .into_values()
        .map(|page| {
            let dict = doc.get_dictionary(page).expect("page dictionary");
            let b = dict
                .get(b"MediaBox")
                .and_then(Object::as_array)
                .expect("every Typst page has its own MediaBox");
            let n: Vec<f32> = b.iter().map(|o| o.as_float().expect("number")).collect();
            (n[2] - n[0], n[3] - n[1])
        })
        .collect()
}

/// A text entry of the document information dictionary (`/Title`,
/// `/Keywords`…).
pub(crate) fn info(pdf: &[u8], key: &str) -> Option<String> {
    let doc = Document::load_mem(pdf).expect("PDF parses");
    let info = match doc.trailer.get(b"Info").ok()? {
        Object::Reference(id) => doc.get_dictionary(*id).ok()?,
        Object::Dictionary(d) => d,
        _ => return None,
    };
    match info.get(key.as_bytes()).ok()? {
        Object::String(bytes, _) => Some(pdf_string(bytes)),
        _ => None,
    }
}

fn page_text(
    ops: &[lopdf::content::Operation],
    fonts: &HashMap<Vec<u8>, ToUnicode>,
    out: &mut String,
) {
    let mut font: Option<&ToUnicode> = None;
    let (mut y, mut last_y) = (0.0f32, f32::NAN);
    // A run placed explicitly on the same line is a separate word (e.g. a
    // paragraph number and its text), unless a space is already there.
    let mut moved = false;
    for op in ops {
        let num = |i: usize| {
            op.operands
                .get(i)
                .and_then(|o| o.as_float().ok())
                .unwrap_or(0.0)
        };
        match op.operator.as_str() {
            "Tf" => {
                font = op
                    .operands
                    .first()
                    .and_then(|n| n.as_name().ok())
                    .and_then(|n| fonts.get(n))
            }
            "Tm" => (y, moved) = (num(5), true),
            "Td" | "TD" => (y, moved) = (y + num(1), true),
            "T*" => y -= 1.0,
            "Tj" | "TJ" | "'" | "\"" => {
                if (y - last_y).abs() > 0.01 && !last_y.is_nan() {
                    out.push('\n');
                } else if moved && !out.ends_with(char::is_whitespace) {
                    out.push(' ');
                }
                (last_y, moved) = (y, false);
                for operand in &op.operands {
                    show(operand, font, out);
                }
            }
            _ => {}
        }
    }
}

fn show(operand: &Object, font: Option<&ToUnicode>, out: &mut String) {
    match operand {
        Object::String(bytes, _) => {
            for code in bytes.chunks(2) {
                let cid = code.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
                match font.and_then(|f| f.get(&cid)) {
                    Some(s) => out.push_str(s),
                    None => out.push('\u{FFFD}'),
                }
            }
        }
        Object::Array(items) => items.iter().for_each(|i| show(i, font, out)),
        _ => {}
    }
}

fn to_unicode(doc: &Document, font: &Dictionary) -> ToUnicode {
    let Ok(reference) = font.get(b"ToUnicode").and_then(Object::as_reference) else {
        return ToUnicode::new();
    };
    let Ok(stream) = doc.get_object(reference).and_then(Object::as_stream) else {
        return ToUnicode::new();
    };
    let data = stream
        .decompressed_content()
        .unwrap_or_else(|_| stream.content.clone());
    parse_cmap(&String::from_utf8_lossy(&data))
}

/// Parses the `bfchar` and `bfrange` sections of a ToUnicode CMap.
fn parse_cmap(cmap: &str) -> ToUnicode {
    let mut map = ToUnicode::new();
    let mut section = "";
    for line in cmap.lines() {
        let line = line.trim();
        if line.ends_with("beginbfchar") || line.ends_with("beginbfrange") {
            section = if line.ends_with("beginbfchar") {
                "char"
            } else {
                "range"
            };
            continue;
        }
        if line.starts_with("end") {
            section = "";
            continue;
        }
        let hex: Vec<&str> = line
            .split(['<', '>'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        match (section, hex.as_slice()) {
            ("char", [code, text]) => {
                map.insert(code_of(code), utf16(text));
            }
            ("range", [lo, hi, text]) => {
                let (lo, hi) = (code_of(lo), code_of(hi));
                let base = utf16(text);
                let first = base.chars().next().map_or(0, u32::from);
                for (i, code) in (lo..=hi).enumerate() {
                    let c = char::from_u32(first + i as u32).unwrap_or('\u{FFFD}');
                    map.insert(code, c.to_string());
                }
            }
            _ => {}
        }
    }
    map
}

fn code_of(hex: &str) -> u32 {
    u32::from_str_radix(hex, 16).unwrap_or(u32::MAX)
}

fn utf16(hex: &str) -> String {
    let units: Vec<u16> = hex
        .as_bytes()
        .chunks(4)
        .filter_map(|c| u16::from_str_radix(std::str::from_utf8(c).ok()?, 16).ok())
        .collect();
    String::from_utf16_lossy(&units)
}

#[test]
fn cmap_sections_parse() {
    let map = parse_cmap("2 beginbfchar\n<0001> <0054>\n<0028> <00660069>\nendbfchar\n1 beginbfrange\n<0010> <0012> <0041>\nendbfrange");
    assert_eq!(map[&1], "T");
    assert_eq!(map[&0x28], "fi");
    assert_eq!(map[&0x12], "C");
}

/// The files embedded in a PDF (`/Names /EmbeddedFiles`), by name.
pub(crate) fn attachments(pdf: &[u8]) -> Vec<(String, Vec<u8>)> {
    let doc = Document::load_mem(pdf).expect("PDF parses");
    let catalog = doc.catalog().expect("catalog");
    let Ok(names) = catalog.get(b"Names").and_then(|n| deref_dict(&doc, n)) else {
        return Vec::new();
    };
    let Ok(tree) = names
        .get(b"EmbeddedFiles")
        .and_then(|t| deref_dict(&doc, t))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    collect_files(&doc, tree, &mut out);
    out
}

fn deref_dict<'a>(doc: &'a Document, obj: &'a Object) -> lopdf::Result<&'a Dictionary> {
    match obj {
        Object::Reference(id) => doc.get_dictionary(*id),
        other => other.as_dict(),
    }
}

fn collect_files(doc: &Document, node: &Dictionary, out: &mut Vec<(String, Vec<u8>)>) {
    if let Ok(kids) = node.get(b"Kids").and_then(Object::as_array) {
        for kid in kids {
            if let Ok(d) = deref_dict(doc, kid) {
                collect_files(doc, d, out);
            }
        }
    }
    let Ok(pairs) = node.get(b"Names").and_then(Object::as_array) else {
        return;
    };
    for pair in pairs.chunks(2) {
        let [name, spec] = pair else { continue };
        let name = match name {
            Object::String(bytes, _) => String::from_utf8_lossy(bytes).into_owned(),
            _ => continue,
        };
        let Ok(spec) = deref_dict(doc, spec) else {
            continue;
        };
        let Ok(ef) = spec.get(b"EF").and_then(|e| deref_dict(doc, e)) else {
            continue;
        };
        let Ok(Object::Reference(id)) = ef.get(b"F") else {
            continue;
        };
        if let Ok(Object::Stream(stream)) = doc.get_object(*id) {
            let data = stream
                .decompressed_content()
                .unwrap_or_else(|_| stream.content.clone());
            out.push((name, data));
        }
    }
}

/// Every structure element of a tagged PDF, depth first: (type, /Alt).
pub(crate) fn structure(pdf: &[u8]) -> Vec<(String, Option<String>)> {
    let doc = Document::load_mem(pdf).expect("PDF parses");
    let catalog = doc.catalog().expect("catalog");
    let mut out = Vec::new();
    if let Ok(root) = catalog
        .get(b"StructTreeRoot")
        .and_then(|r| deref_dict(&doc, r))
    {
        if let Ok(k) = root.get(b"K") {
            walk_structure(&doc, k, &mut out, 0);
        }
    }
    out
}

fn walk_structure(
    doc: &Document,
    k: &Object,
    out: &mut Vec<(String, Option<String>)>,
    depth: usize,
) {
    if depth > 200 {
        return;
    }
    match k {
        Object::Array(items) => {
            for item in items {
                walk_structure(doc, item, out, depth + 1);
            }
        }
        Object::Reference(id) => {
            if let Ok(obj) = doc.get_object(*id) {
                walk_structure(doc, obj, out, depth + 1);
            }
        }
        Object::Dictionary(d) => {
            let Ok(kind) = d.get(b"S").and_then(Object::as_name) else {
                return; // a marked-content or object reference, not an element
            };
            let alt = d.get(b"Alt").ok().and_then(|a| match a {
                Object::String(bytes, _) => Some(pdf_string(bytes)),
                _ => None,
            });
            out.push((String::from_utf8_lossy(kind).into_owned(), alt));
            if let Ok(kids) = d.get(b"K") {
                walk_structure(doc, kids, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// A PDF text string: UTF-16BE with a byte-order mark, or PDFDocEncoding
/// (read as Latin-1, enough for tests).
fn pdf_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        bytes.iter().map(|&b| b as char).collect()
    }
}

/// The document's XMP metadata packet, as text.
pub(crate) fn xmp(pdf: &[u8]) -> String {
    let doc = Document::load_mem(pdf).expect("PDF parses");
    let catalog = doc.catalog().expect("catalog");
    let Ok(Object::Reference(id)) = catalog.get(b"Metadata") else {
        return String::new();
    };
    match doc.get_object(*id) {
        Ok(Object::Stream(s)) => String::from_utf8_lossy(
            &s.decompressed_content()
                .unwrap_or_else(|_| s.content.clone()),
        )
        .into_owned(),
        _ => String::new(),
    }
}
