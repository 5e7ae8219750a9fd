//! The OPC package as a map of part names to bytes: read from docx-rs's zip,
//! edited (parts added, replaced or removed together with their content
//! types and relationships), and written back as a deterministic zip.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use jiff::tz::TimeZone;
use jiff::Timestamp;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipArchive, ZipWriter};

use super::xml::{self, Element, Node};
use crate::error::{Error, ErrorKind, Result};

/// The most entries an untrusted package may have.
const MAX_PARTS: usize = 10_000;
/// The most bytes an untrusted package may unpack to (256 MB).
const MAX_UNPACKED: u64 = 256 << 20;

/// The content types part; always the first zip entry.
pub(crate) const CONTENT_TYPES: &str = "[Content_Types].xml";

/// Deflate level for every entry: fixed, so the bytes only depend on input.
const DEFLATE_LEVEL: i64 = 6;

/// A part to add with [`Package::add_part`]: where it lives and how the
/// package points at it.
pub(crate) struct NewPart<'a> {
    /// Part name without a leading slash, e.g. `word/theme/theme1.xml`.
    pub name: &'a str,
    /// Its content type, registered as an `Override`.
    pub content_type: &'a str,
    /// The relationships part of its source, e.g. `word/_rels/document.xml.rels`.
    pub rels: &'a str,
    /// Relationship id; must be unused in `rels`.
    pub id: &'a str,
    /// Relationship type URI.
    pub rel_type: &'a str,
    /// Target relative to the source part's folder, e.g. `theme/theme1.xml`.
    pub target: &'a str,
}

/// All parts of a package, sorted by name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Package {
    parts: BTreeMap<String, Vec<u8>>,
}

impl Package {
    /// Reads every file entry of a zip (directory entries are dropped).
    pub(super) fn read(bytes: &[u8]) -> Result<Self> {
        Self::read_bounded(bytes).map_err(docx_error)
    }

    /// [`Package::read`] for an untrusted file: at most [`MAX_PARTS`]
    /// entries and [`MAX_UNPACKED`] bytes unpacked (a zip bomb stops there,
    /// whatever its headers claim), and no two entries of one name (which
    /// of them a reader takes is not defined).
    pub(super) fn read_bounded(bytes: &[u8]) -> std::result::Result<Self, String> {
        let not_zip = |e: zip::result::ZipError| {
            format!("it is not a zip package (every .docx file is one): {e}")
        };
        let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(not_zip)?;
        if archive.len() > MAX_PARTS {
            return Err(format!(
                "it has {} entries; a Word package has far fewer than {MAX_PARTS}",
                archive.len()
            ));
        }
        let mut parts = BTreeMap::new();
        let mut unpacked = 0u64;
        for i in 0..archive.len() {
            let file = archive.by_index(i).map_err(not_zip)?;
            if file.is_dir() {
                continue;
            }
            let name = file.name().to_string();
            let mut data = Vec::new();
            let left = MAX_UNPACKED - unpacked;
            file.take(left + 1)
                .read_to_end(&mut data)
                .map_err(|e| format!("cannot read `{name}`: {e}"))?;
            unpacked += data.len() as u64;
            if unpacked > MAX_UNPACKED {
                return Err(format!("it unpacks to more than {} MB", MAX_UNPACKED >> 20));
            }
            if parts.insert(name.clone(), data).is_some() {
                return Err(format!("it has two entries named `{name}`"));
            }
        }
        Ok(Package { parts })
    }

    /// Part names in zip order.
    pub(super) fn names(&self) -> impl Iterator<Item = &str> {
        self.parts.keys().map(String::as_str)
    }

    /// The names of the relationship parts (`*.rels`), in zip order and
    /// owned, so that each can be edited while going through them.
    pub(super) fn rels_names(&self) -> Vec<String> {
        self.names()
            .filter(|n| n.ends_with(".rels"))
            .map(str::to_string)
            .collect()
    }

    /// The bytes of a part.
    pub(super) fn get(&self, name: &str) -> Option<&[u8]> {
        self.parts.get(name).map(Vec::as_slice)
    }

    /// Inserts or replaces a part's bytes (content type and relationships
    /// are left as they are).
    pub(super) fn put(&mut self, name: &str, bytes: Vec<u8>) {
        self.parts.insert(name.to_string(), bytes);
    }

    /// Parses an XML part, lets `edit` change it, and stores the result.
    pub(super) fn edit_xml(&mut self, name: &str, edit: impl FnOnce(&mut Element)) -> Result<()> {
        let bytes = self
            .get(name)
            .ok_or_else(|| docx_error(format!("docx-rs wrote no `{name}`")))?;
        let mut root = xml::parse(bytes)
            .map_err(|e| docx_error(format!("cannot parse `{name}` from docx-rs: {e}")))?;
        edit(&mut root);
        self.put(name, xml::write(&root));
        Ok(())
    }

    /// Adds a part with its content type override and a relationship from
    /// its source part.
    pub(super) fn add_part(&mut self, part: &NewPart<'_>, bytes: Vec<u8>) -> Result<()> {
        self.put(part.name, bytes);
        let override_ = Element::new("Override")
            .with_attr("PartName", &format!("/{}", part.name))
            .with_attr("ContentType", part.content_type);
        self.edit_xml(CONTENT_TYPES, |types| {
            types.children.push(Node::Element(override_));
        })?;
        let rel = Element::new("Relationship")
            .with_attr("Id", part.id)
            .with_attr("Type", part.rel_type)
            .with_attr("Target", part.target);
        self.edit_xml(part.rels, |rels| rels.children.push(Node::Element(rel)))
    }

    /// Removes a part, its content type override and every relationship
    /// that targets it.
    pub(super) fn remove_part(&mut self, name: &str) -> Result<()> {
        if self.parts.remove(name).is_none() {
            return Ok(());
        }
        let part_name = format!("/{name}");
        self.edit_xml(CONTENT_TYPES, |types| {
            types.children.retain(
                |n| !matches!(n, Node::Element(e) if e.attr("PartName") == Some(&part_name)),
            );
        })?;
        for rels_name in self.rels_names() {
            self.edit_xml(&rels_name, |root| {
                root.children.retain(|n| !targets(n, &rels_name, name));
            })?;
        }
        Ok(())
    }

    /// Writes the zip: content types first, then every part by name; each
    /// entry deflated at a fixed level, dated `timestamp`, with Unix as the
    /// "made by" system and no extra fields, so equal input gives equal bytes.
    pub(super) fn write(&self, timestamp: Timestamp) -> Result<Vec<u8>> {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(DEFLATE_LEVEL))
            .last_modified_time(zip_time(timestamp))
            .system(System::Unix)
            .unix_permissions(0o644);
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let first = self.parts.get_key_value(CONTENT_TYPES);
        let rest = self.parts.iter().filter(|(name, _)| *name != CONTENT_TYPES);
        // Images are compressed already: deflating them again costs time
        // and saves nothing, so they are stored as they are.
        let stored = options
            .compression_method(CompressionMethod::Stored)
            .compression_level(None);
        for (name, bytes) in first.into_iter().chain(rest) {
            well_formed(name, bytes)?;
            let compressed_already = [".png", ".jpg", ".jpeg", ".gif"]
                .iter()
                .any(|ext| name.to_ascii_lowercase().ends_with(ext));
            let options = if compressed_already { stored } else { options };
            zip.start_file(name.as_str(), options).map_err(zip_error)?;
            zip.write_all(bytes)
                .map_err(|e| docx_error(format!("cannot write `{name}`: {e}")))?;
        }
        Ok(zip.finish().map_err(zip_error)?.into_inner())
    }
}

/// Refuses to write an XML part that does not parse by itself: whatever a
/// template carried in or a pass produced, a published file is never
/// one Word would have to repair.
fn well_formed(name: &str, bytes: &[u8]) -> Result<()> {
    let lower = name.to_ascii_lowercase();
    if !(lower.ends_with(".xml") || lower.ends_with(".rels")) {
        return Ok(());
    }
    xml::parse(bytes).map(|_| ()).map_err(|why| {
        Error::new(
            ErrorKind::Internal,
            format!("the Word file made has a part `{name}` that is not well-formed XML ({why}); nothing was written"),
        )
    })
}

/// Whether a `Relationship` node of `rels_name` points at part `name`.
fn targets(node: &Node, rels_name: &str, name: &str) -> bool {
    let Node::Element(rel) = node else {
        return false;
    };
    let (Some(target), None) = (rel.attr("Target"), rel.attr("TargetMode")) else {
        return false;
    };
    resolve(rels_name, target) == name
}

/// The part name a relationship target refers to. Targets are relative to
/// the folder holding the `_rels` folder (`word/_rels/document.xml.rels` →
/// `word/`), or absolute when they start with `/`.
pub(crate) fn resolve(rels_name: &str, target: &str) -> String {
    if let Some(absolute) = target.strip_prefix('/') {
        return absolute.to_string();
    }
    let base = rels_name
        .rsplit_once("_rels/")
        .map(|(folder, _)| folder)
        .unwrap_or("");
    let mut segments: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for segment in target.split('/') {
        match segment {
            ".." => {
                segments.pop();
            }
            "." | "" => {}
            s => segments.push(s),
        }
    }
    segments.join("/")
}

/// The zip entry time for `timestamp`, as civil date and time in UTC. The
/// zip format can only hold 1980–2107 (in 2-second steps), so earlier or
/// later instants are clamped to those bounds; the document's own dates in
/// `docProps/core.xml` keep the exact value.
pub(crate) fn zip_time(timestamp: Timestamp) -> DateTime {
    let civil = timestamp.to_zoned(TimeZone::UTC).datetime();
    let in_range = (1980..=2107).contains(&civil.year());
    let fields = (
        civil.year() as u16,
        civil.month() as u8,
        civil.day() as u8,
        civil.hour() as u8,
        civil.minute() as u8,
        civil.second() as u8,
    );
    let clamped = match (in_range, civil.year() < 1980) {
        (true, _) => {
            DateTime::from_date_and_time(fields.0, fields.1, fields.2, fields.3, fields.4, fields.5)
        }
        (false, true) => DateTime::from_date_and_time(1980, 1, 1, 0, 0, 0),
        (false, false) => DateTime::from_date_and_time(2107, 12, 31, 23, 59, 58),
    };
    clamped.unwrap_or_default()
}

fn docx_error(message: String) -> Error {
    Error::new(ErrorKind::Docx, message)
}

fn zip_error(e: zip::result::ZipError) -> Error {
    docx_error(format!("cannot build the .docx archive: {e}"))
}

#[cfg(test)]
#[path = "package_tests.rs"]
mod tests;
