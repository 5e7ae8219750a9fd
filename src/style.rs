//! The house style, resolved once from `[style]` into a small value that
//! every output takes: the Typst layout, the charts and the Word file.
//!
//! The spec validates `[style]` (see `spec::validate::style`): fonts exist,
//! the accent is `#RRGGBB` and readable, the logo is a readable image
//! inside the project, margins are sane, the marking is one we know. So
//! [`Style::from_spec`] only turns what was written into typed values.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use toml::Spanned;

pub(crate) use crate::colour::Rgb;
use crate::context::BuildContext;
use crate::error::Result;
use crate::spec::StylePart;
// The vocabulary `[style]` is checked with, declared with the spec.
pub(crate) use crate::spec::style::{
    font_families, image_format, parse_hex, stand_in, ImageFormat, DEFAULT_FONT, WORD_CAPTIONS,
};

/// The accent when `[style]` names none: a dark blue (9.6:1 on white).
pub(crate) const DEFAULT_ACCENT: Rgb = Rgb(0x1F, 0x4E, 0x79);
/// Margins when `[style]` names none, in millimetres.
pub(crate) const DEFAULT_MARGINS: Margins = Margins {
    top: 22.0,
    bottom: 25.0,
    left: 25.0,
    right: 25.0,
};
/// Page margins in millimetres.
pub(crate) type Margins = crate::spec::Margins;

/// A house font set in a bundled family, because the report has no file
/// for it: the PDF and the charts use `used`, the Word file names `house`
/// (its readers' machines have it).
#[derive(Debug, Clone, PartialEq)]
pub struct StandIn {
    /// `body_font` or `heading_font`.
    pub key: &'static str,
    /// The family `[style]` names.
    pub house: String,
    /// The bundled family used instead.
    pub used: String,
    /// How close it is.
    pub how: String,
}

impl StandIn {
    /// The note the build prints.
    pub fn note(&self) -> String {
        format!(
            "`style.{}` \"{}\" is not bundled: the PDF and the charts use \"{}\" ({}), the Word file still names \"{}\"; to use the font itself, add its files to `fonts = [\"…\"]` under `[report]`",
            self.key, self.house, self.used, self.how, self.house
        )
    }
}

/// The house style every backend applies.
#[derive(Debug, Clone, PartialEq)]
pub struct Style {
    /// Body text font family (also the charts' font).
    pub body_font: String,
    /// Heading font family.
    pub heading_font: String,
    /// Accent colour: headings, rules, links, the first chart series.
    pub accent: Rgb,
    /// A logo shown in the running header (and on the cover).
    pub logo: Option<Logo>,
    /// Running header text on every page.
    pub header: Option<String>,
    /// Running footer text on every page, beside "Page X of Y".
    pub footer: Option<String>,
    /// Page margins in millimetres.
    pub margins: Margins,
    /// Protective marking (`OFFICIAL`, `OFFICIAL-SENSITIVE`, …): top and
    /// bottom of every page, and in the document properties.
    pub marking: Option<String>,
    /// A cover page before the paper.
    pub cover: bool,
    /// A table of contents after the cover (or the front block).
    pub toc: bool,
    /// The office's Word template (resolved inside the project root).
    pub reference_docx: Option<PathBuf>,
    /// Content role → Word style name, with where each was written.
    pub word: BTreeMap<String, Spanned<String>>,
    /// `[style.word] captions = "as-pdf"`: the Word summary's captions keep
    /// the PDF's numbers (default `own`: numbered from 1).
    pub word_captions_as_pdf: bool,
    /// House fonts set in a bundled family instead (a note each).
    pub stand_ins: Vec<StandIn>,
}

/// A logo image, read through the build's input registry.
#[derive(Debug, Clone, PartialEq)]
pub struct Logo {
    /// The resolved path (inside the project root).
    pub path: PathBuf,
    /// The file's bytes.
    pub bytes: Arc<[u8]>,
    /// What kind of image it is.
    pub format: ImageFormat,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            body_font: DEFAULT_FONT.to_string(),
            heading_font: DEFAULT_FONT.to_string(),
            accent: DEFAULT_ACCENT,
            logo: None,
            header: None,
            footer: None,
            margins: DEFAULT_MARGINS,
            marking: None,
            cover: false,
            toc: false,
            reference_docx: None,
            word: BTreeMap::new(),
            word_captions_as_pdf: false,
            stand_ins: Vec::new(),
        }
    }
}

impl Style {
    /// The style a validated spec's `[style]` describes (defaults for
    /// anything it leaves out). Reads the logo through the registry.
    pub(crate) fn from_spec(spec: StylePart<'_>, ctx: &BuildContext) -> Result<Style> {
        let s = &spec.style;
        let text = |v: &Option<Spanned<String>>| v.as_ref().map(|v| v.get_ref().clone());
        let (body_font, heading_font, stand_ins) = house_fonts(spec, ctx)?;
        let logo = match &s.logo {
            Some(l) => {
                let file = ctx.read(spec.file, l, "logo")?;
                let format = image_format(&file.bytes).ok_or_else(|| {
                    spec.error_at(
                        crate::ErrorKind::Spec,
                        "the logo is not a PNG, JPEG or SVG image",
                        l.span(),
                    )
                })?;
                Some(Logo {
                    path: file.path.clone(),
                    bytes: file.bytes.clone(),
                    format,
                })
            }
            None => None,
        };
        Ok(Style {
            heading_font,
            body_font,
            accent: s
                .accent
                .as_ref()
                .and_then(|a| parse_hex(a.get_ref()))
                .unwrap_or(DEFAULT_ACCENT),
            logo,
            header: text(&s.header),
            footer: text(&s.footer),
            margins: s.margins.as_ref().map_or(DEFAULT_MARGINS, |m| *m.get_ref()),
            marking: text(&s.marking),
            cover: s.cover,
            toc: s.toc,
            reference_docx: match &s.reference_docx {
                Some(r) => Some(ctx.resolve(spec.file, r)?),
                None => None,
            },
            // `captions` is a setting, not a content role.
            word: s
                .word
                .iter()
                .filter(|(k, _)| k.as_str() != WORD_CAPTIONS)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            word_captions_as_pdf: s
                .word
                .get(WORD_CAPTIONS)
                .is_some_and(|v| v.get_ref() == "as-pdf"),
            stand_ins,
        })
    }

    /// The family the Word file names for `key` (`body_font` or
    /// `heading_font`): the house font even where a bundled one stands in.
    pub fn word_font(&self, key: &str) -> String {
        let body = self.stand_ins.iter().find(|s| s.key == "body_font");
        match self.stand_ins.iter().find(|s| s.key == key) {
            Some(s) => s.house.clone(),
            None if key == "heading_font" => match body {
                // The heading font follows the body's stand-in.
                Some(b) if self.heading_font == b.used => b.house.clone(),
                _ => self.heading_font.clone(),
            },
            None => self.body_font.clone(),
        }
    }

    /// The accent as `#RRGGBB`.
    pub fn accent_hex(&self) -> String {
        hex(self.accent)
    }
}

/// The body and heading families the PDF and charts use, with a bundled
/// stand-in for each house font the report has no files for.
fn house_fonts(spec: StylePart<'_>, ctx: &BuildContext) -> Result<(String, String, Vec<StandIn>)> {
    let s = &spec.style;
    let text = |v: &Option<Spanned<String>>| v.as_ref().map(|v| v.get_ref().clone());
    let mut files = Vec::new();
    for f in &spec.report.fonts {
        files.push(ctx.read(spec.file, f, "font")?.bytes.clone());
    }
    let families = font_families(&files);
    let mut stand_ins = Vec::new();
    let mut font = |key: &'static str, family: String| {
        if families.contains(&family) {
            return family;
        }
        match stand_in(&family) {
            Some((used, how)) => {
                stand_ins.push(StandIn {
                    key,
                    house: family,
                    used: used.to_string(),
                    how: how.to_string(),
                });
                used.to_string()
            }
            None => family,
        }
    };
    let body = text(&s.body_font).unwrap_or_else(|| DEFAULT_FONT.to_string());
    let body_font = font("body_font", body);
    // Without its own, the heading font is the body's (one note).
    let heading_font = match text(&s.heading_font) {
        Some(h) => font("heading_font", h),
        None => body_font.clone(),
    };
    Ok((body_font, heading_font, stand_ins))
}

/// `#RRGGBB` (upper case) for a colour.
pub(crate) fn hex(c: Rgb) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::style::MIN_ACCENT_CONTRAST;

    #[test]
    fn hex_colours_parse_and_print() {
        assert_eq!(parse_hex("#1f4E79"), Some(Rgb(0x1F, 0x4E, 0x79)));
        assert_eq!(hex(Rgb(0x1F, 0x4E, 0x79)), "#1F4E79");
        for bad in ["1F4E79", "#1F4E7", "#1F4E79FF", "#GG0000", "", "#"] {
            assert_eq!(parse_hex(bad), None, "{bad}");
        }
    }

    #[test]
    fn image_formats_are_sniffed_from_their_bytes() {
        assert_eq!(
            image_format(b"\x89PNG\r\n\x1a\nrest"),
            Some(ImageFormat::Png)
        );
        assert_eq!(
            image_format(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(ImageFormat::Jpeg)
        );
        assert_eq!(
            image_format(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"x\"/>"),
            Some(ImageFormat::Svg)
        );
        assert_eq!(image_format(b"GIF89a"), None);
    }

    #[test]
    fn bundled_fonts_include_the_default() {
        let families = font_families(&[]);
        assert!(families.iter().any(|f| f == DEFAULT_FONT), "{families:?}");
        // Typst's names, not the files' ("NewComputerModern").
        assert!(
            families.iter().any(|f| f == "New Computer Modern"),
            "{families:?}"
        );
    }

    #[test]
    fn the_default_accent_is_readable_as_text() {
        let c = crate::colour::contrast_ratio(DEFAULT_ACCENT, crate::colour::WHITE);
        assert!(c >= MIN_ACCENT_CONTRAST, "{c}");
    }
}
