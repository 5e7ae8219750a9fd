//! Fonts for measuring and rasterising chart text: typst-assets' embedded
//! fonts plus a report's own font files, never system fonts.
//!
//! Text is measured with usvg itself (the same shaper that rasterises the
//! PNG and that Typst uses to import the SVG), so label widths in the layout
//! match what is drawn.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use resvg::usvg::{self, fontdb};

use super::palette::Rgb;
use super::svg::FONT_FAMILY;

/// A font database built once per report: typst-assets' fonts plus the
/// report's extra font files, with every generic family mapped to
/// Libertinus Serif; and the house style's chart font and accent.
#[derive(Clone)]
pub struct Fonts {
    db: Arc<fontdb::Database>,
    /// Whether the report added font files (then widths are not shared
    /// across reports).
    custom: bool,
    /// BLAKE3 of the report's font files, in order: what a raster drawn
    /// with these fonts depends on besides the bundled ones.
    files: [u8; 32],
    family: String,
    accent: Option<Rgb>,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fonts")
            .field("faces", &self.db.len())
            .finish()
    }
}

impl Fonts {
    /// typst-assets' fonts (Libertinus Serif, New Computer Modern, DejaVu
    /// Sans Mono) followed by `extra` (whole font files, e.g. a report's
    /// declared fonts). Files that are not fonts are ignored, as Typst does.
    pub fn new(extra: &[Vec<u8>]) -> Fonts {
        let mut db = embedded_db();
        let mut files = blake3::Hasher::new();
        for bytes in extra {
            load(&mut db, bytes.clone());
            files.update(blake3::hash(bytes).as_bytes());
        }
        Fonts {
            db: Arc::new(db),
            custom: !extra.is_empty(),
            files: *files.finalize().as_bytes(),
            family: FONT_FAMILY.to_string(),
            accent: None,
        }
    }

    /// The same fonts, with chart text set in `family` (one of them) and
    /// the first series drawn in `accent`: the house style.
    pub fn styled(mut self, family: &str, accent: Rgb) -> Fonts {
        self.family = family.to_string();
        self.accent = Some(accent);
        self
    }

    /// The chart text's font family.
    pub fn family(&self) -> &str {
        &self.family
    }

    /// The house style's accent, if any (the first series' colour).
    pub fn accent(&self) -> Option<Rgb> {
        self.accent
    }

    /// What text drawn with these fonts depends on (the report's font
    /// files and the default family), as bytes for a cache key.
    pub(crate) fn identity(&self) -> Vec<u8> {
        let mut id = self.files.to_vec();
        id.extend_from_slice(self.family.as_bytes());
        id
    }

    /// Options for parsing an SVG with these fonts and no outside access.
    pub(crate) fn usvg_options(&self) -> usvg::Options<'static> {
        usvg::Options {
            font_family: self.family.clone(),
            fontdb: self.db.clone(),
            // No file access: chart SVGs reference no images, and a stray
            // href must not read the disk.
            image_href_resolver: usvg::ImageHrefResolver {
                resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
                resolve_string: Box::new(|_, _| None),
            },
            ..usvg::Options::default()
        }
    }
}

impl Default for Fonts {
    fn default() -> Self {
        Fonts::new(&[])
    }
}

/// typst-assets' fonts with generic families pointing at Libertinus Serif;
/// read once per process (each report's fonts are then added to a copy,
/// whose faces share the font data).
fn embedded_db() -> fontdb::Database {
    static DB: OnceLock<fontdb::Database> = OnceLock::new();
    DB.get_or_init(read_embedded_db).clone()
}

fn read_embedded_db() -> fontdb::Database {
    let mut db = fontdb::Database::new();
    for bytes in crate::font_files::bundled_fonts() {
        load(&mut db, bytes);
    }
    db.set_serif_family(FONT_FAMILY);
    db.set_sans_serif_family("Liberation Sans");
    db.set_cursive_family(FONT_FAMILY);
    db.set_fantasy_family(FONT_FAMILY);
    db.set_monospace_family("DejaVu Sans Mono");
    db
}

/// Loads a font file whose faces also answer to Typst's name for their
/// family (Typst says "New Computer Modern" where the file says
/// "NewComputerModern"): the style names fonts as the documents do, and a
/// chart must find the same font in the PDF and in its PNG.
fn load<T: AsRef<[u8]> + Send + Sync + Clone + 'static>(db: &mut fontdb::Database, data: T) {
    let typst_names: Vec<(u32, String)> =
        typst::text::Font::iter(typst::foundations::Bytes::new(data.clone()))
            .map(|f| (f.index(), f.info().family.clone()))
            .collect();
    for id in db.load_font_source(fontdb::Source::Binary(Arc::new(data))) {
        let Some(mut info) = db.face(id).cloned() else {
            continue;
        };
        let Some((_, name)) = typst_names.iter().find(|(i, _)| *i == info.index) else {
            continue;
        };
        if !info.families.iter().any(|(n, _)| n == name) {
            info.families
                .push((name.clone(), fontdb::Language::English_UnitedStates));
            db.remove_face(id);
            db.push_face_info(info);
        }
    }
}

/// The embedded fonts, shared by every measurement.
pub(crate) fn measuring_fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| Fonts::new(&[]))
}

/// Measures text widths in one family of a [`Fonts`]. With the embedded
/// fonts only, widths are a pure function of family and text, so they are
/// memoised process-wide (bounded) without affecting output.
pub(crate) struct Measurer {
    cache: HashMap<String, f64>,
    fonts: Fonts,
    family: String,
}

impl Default for Measurer {
    fn default() -> Self {
        Measurer::new(measuring_fonts(), FONT_FAMILY)
    }
}

/// Shared memo of probe widths; cleared when it grows past `SHARED_MAX`.
fn shared_cache() -> &'static Mutex<HashMap<String, f64>> {
    static CACHE: OnceLock<Mutex<HashMap<String, f64>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

const SHARED_MAX: usize = 20_000;

/// Size at which text is measured; widths scale linearly.
const PROBE_SIZE: f64 = 100.0;

impl Measurer {
    /// A measurer for text in `family`, one of `fonts`.
    pub(super) fn new(fonts: &Fonts, family: &str) -> Measurer {
        Measurer {
            cache: HashMap::new(),
            fonts: fonts.clone(),
            family: family.to_string(),
        }
    }

    /// Width in pt of `text` set at `size` pt (ink extent, including kerning).
    pub(super) fn width(&mut self, text: &str, size: f64) -> f64 {
        if text.trim().is_empty() {
            return 0.0;
        }
        let per_probe = match self.cache.get(text) {
            Some(w) => *w,
            None => {
                let w = self.shared_width(text);
                self.cache.insert(text.to_string(), w);
                w
            }
        };
        per_probe * size / PROBE_SIZE
    }

    /// The probe width from the process-wide memo, measuring on a miss
    /// (a report's own fonts are never shared).
    fn shared_width(&self, text: &str) -> f64 {
        if self.fonts.custom {
            return probe_width(text, &self.family, &self.fonts);
        }
        let key = format!("{}\u{0}{text}", self.family);
        let shared = shared_cache()
            .lock()
            .ok()
            .and_then(|c| c.get(&key).copied());
        shared.unwrap_or_else(|| {
            let w = probe_width(text, &self.family, &self.fonts);
            if let Ok(mut c) = shared_cache().lock() {
                if c.len() >= SHARED_MAX {
                    c.clear();
                }
                c.insert(key, w);
            }
            w
        })
    }
}

/// Width of `text` in `family` at `PROBE_SIZE`, measured by laying it out
/// with usvg. Falls back to a generous estimate if layout fails (it should
/// not).
fn probe_width(text: &str, family: &str, fonts: &Fonts) -> f64 {
    let chars = text.chars().count() as f64;
    let fallback = chars * PROBE_SIZE * 0.6;
    let width = PROBE_SIZE * (chars + 4.0) * 2.0;
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{h}\">\
         <text x=\"{x}\" y=\"{y}\" font-family=\"{f}\" font-size=\"{PROBE_SIZE}\">{t}</text></svg>",
        h = PROBE_SIZE * 3.0,
        x = PROBE_SIZE,
        y = PROBE_SIZE * 2.0,
        t = super::svg::escape(text),
        f = super::svg::escape(family),
    );
    let opts = fonts.usvg_options();
    match usvg::Tree::from_str(&svg, &opts) {
        Ok(tree) => {
            let bbox = tree.root().abs_bounding_box();
            let w = f64::from(bbox.width());
            if w.is_finite() && w > 0.0 {
                w
            } else {
                fallback
            }
        }
        Err(_) => fallback,
    }
}
