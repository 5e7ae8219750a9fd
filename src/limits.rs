//! `[limits]`: the bounds on what one build may consume, and each key's
//! safe range.
//!
//! A ground module (it imports nothing of the crate): the spec reads the
//! section and reports out-of-range keys, the input registry takes its
//! image limit, the stages their own bounds.

use serde::Deserialize;
use toml::Spanned;

/// `[limits]`: bounds on what one build may consume, so a runaway template
/// or layout stops with an error instead of exhausting the machine. Each key
/// has a safe range ([`LIMIT_RANGES`]): no value can turn a guard off or let
/// the build crash; a value outside it is a spec error, reported by the loader.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "LimitsDecl")]
pub struct Limits {
    /// How deeply Markdown may nest (quotes, lists, emphasis), counted in
    /// container levels.
    pub markdown_depth: usize,
    /// The most text one content template may produce, in megabytes.
    pub template_output_mb: u64,
    /// MiniJinja instructions one template render may execute.
    pub template_fuel: u64,
    /// Seconds the Typst layout may run.
    pub layout_seconds: u64,
    /// The most cells (rows × columns, within `range` if given) an Excel
    /// sheet may declare or hold; checked before any cell is stored.
    pub sheet_cells: u64,
    /// The most resident memory the build may use, in megabytes (enforced
    /// by the command-line program; see `guard`).
    pub memory_mb: u64,
    /// The most files and folders one source's glob pattern may look at
    /// (a `**` over a huge or looping tree stops with an error).
    pub glob_entries: u64,
    /// The most pixels (width × height, as the file's header claims) an
    /// image the build reads may have; checked before it is decoded.
    pub image_pixels: u64,
    /// Keys written outside their safe range (their fields keep the
    /// default); the spec loader refuses the spec naming each.
    pub(crate) out_of_range: Vec<OutOfRange>,
}

/// A `[limits]` key written outside its safe range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutOfRange {
    /// The key under `[limits]`.
    pub(crate) key: &'static str,
    /// The value written.
    pub(crate) value: i64,
    /// Where, in the spec's text.
    pub(crate) span: std::ops::Range<usize>,
}

/// `[limits]` as written: integers with their place, any sign, so that every
/// out-of-range key (a negative one too) is reported at once by the loader
/// rather than the first alone by the TOML reader.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsDecl {
    #[serde(default)]
    markdown_depth: Option<Spanned<i64>>,
    #[serde(default)]
    template_output_mb: Option<Spanned<i64>>,
    #[serde(default)]
    template_fuel: Option<Spanned<i64>>,
    #[serde(default)]
    layout_seconds: Option<Spanned<i64>>,
    #[serde(default)]
    sheet_cells: Option<Spanned<i64>>,
    #[serde(default)]
    memory_mb: Option<Spanned<i64>>,
    #[serde(default)]
    glob_entries: Option<Spanned<i64>>,
    #[serde(default)]
    image_pixels: Option<Spanned<i64>>,
}

/// One `[limits]` key's safe range (inclusive) and why it ends where it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LimitRange {
    /// The key under `[limits]`.
    pub(crate) key: &'static str,
    /// The least safe value.
    pub(crate) min: u64,
    /// The greatest safe value.
    pub(crate) max: u64,
    /// The value without the key (as [`Limits::default`] has it).
    pub(crate) default: u64,
    /// The unit, for messages (`MB`, `seconds`).
    pub(crate) unit: &'static str,
    /// Why a smaller value is refused.
    pub(crate) below: &'static str,
    /// Why a larger value is refused.
    pub(crate) above: &'static str,
}

/// The safe range of every `[limits]` key (the README's Safety table lists
/// the same). The maximum of each is where the guard would stop guarding;
/// `markdown_depth`'s is also far below where the renderer's recursion runs
/// out of stack (about 2,000 levels on a 2 MB thread, measured).
pub(crate) const LIMIT_RANGES: [LimitRange; 8] = [
    LimitRange {
        key: "markdown_depth",
        min: 8,
        max: 64,
        default: 32,
        unit: "levels",
        below: "fewer levels would refuse ordinary papers (a list in a quote, with emphasis)",
        above: "Typst cannot lay out elements nested more than 64 deep, and deeper nesting would exhaust the renderer's stack",
    },
    LimitRange {
        key: "template_output_mb",
        min: 1,
        max: 1024,
        default: 16,
        unit: "MB",
        below: "below 1 MB every template would be refused",
        above: "more text than any paper holds would only fill memory before the cap stops a runaway loop",
    },
    LimitRange {
        key: "template_fuel",
        min: 10_000,
        max: 1_000_000_000,
        default: 50_000_000,
        unit: "steps",
        below: "fewer steps cannot render a template with a table",
        above: "a runaway loop would then run for many minutes before it is stopped",
    },
    LimitRange {
        key: "layout_seconds",
        min: 1,
        max: 3600,
        default: 60,
        unit: "seconds",
        below: "below 1 second every layout would stop before it starts",
        above: "a layout stuck in a loop would then hold the build for hours",
    },
    LimitRange {
        key: "sheet_cells",
        min: 1,
        max: 1_000_000_000,
        default: 100_000_000,
        unit: "cells",
        below: "below 1 cell every sheet would be refused",
        above: "a sheet that size cannot be held in memory; split the data or export it as CSV",
    },
    LimitRange {
        key: "memory_mb",
        min: 256,
        max: 65_536,
        default: 8192,
        unit: "MB",
        below: "0 would turn the memory guard off, and below 256 MB no build can start",
        above: "beyond the memory of the machine the guard could never fire",
    },
    LimitRange {
        key: "glob_entries",
        min: 1,
        max: 10_000_000,
        default: 100_000,
        unit: "entries",
        below: "below 1 entry no glob could look at its folder",
        above: "a `**` over a huge or looping tree would then run for many minutes before it is stopped",
    },
    LimitRange {
        key: "image_pixels",
        min: 1,
        max: 500_000_000,
        default: 50_000_000,
        unit: "pixels",
        below: "below 1 pixel every image would be refused",
        above: "an image that size takes 2 GB to decode; the check before decoding would no longer protect the build",
    },
];

impl Default for Limits {
    fn default() -> Self {
        Limits {
            markdown_depth: 32,
            template_output_mb: 16,
            template_fuel: 50_000_000,
            layout_seconds: 60,
            sheet_cells: 100_000_000,
            memory_mb: 8192,
            glob_entries: 100_000,
            image_pixels: 50_000_000,
            out_of_range: Vec::new(),
        }
    }
}

impl From<LimitsDecl> for Limits {
    fn from(d: LimitsDecl) -> Limits {
        let mut bad = Vec::new();
        let l = Limits::default();
        let mut take = |key: &'static str, v: Option<Spanned<i64>>, default: u64| match v {
            None => default,
            Some(v) => checked_limit(key, &v).unwrap_or_else(|| {
                bad.push(OutOfRange {
                    key,
                    value: *v.get_ref(),
                    span: v.span(),
                });
                default
            }),
        };
        let depth = take("markdown_depth", d.markdown_depth, l.markdown_depth as u64);
        Limits {
            // At most 64: the range check makes the conversion exact.
            markdown_depth: usize::try_from(depth).unwrap_or(l.markdown_depth),
            template_output_mb: take(
                "template_output_mb",
                d.template_output_mb,
                l.template_output_mb,
            ),
            template_fuel: take("template_fuel", d.template_fuel, l.template_fuel),
            layout_seconds: take("layout_seconds", d.layout_seconds, l.layout_seconds),
            sheet_cells: take("sheet_cells", d.sheet_cells, l.sheet_cells),
            memory_mb: take("memory_mb", d.memory_mb, l.memory_mb),
            glob_entries: take("glob_entries", d.glob_entries, l.glob_entries),
            image_pixels: take("image_pixels", d.image_pixels, l.image_pixels),
            out_of_range: bad,
        }
    }
}

/// `key`'s value if it is within its safe range.
fn checked_limit(key: &str, v: &Spanned<i64>) -> Option<u64> {
    let range = limit_range(key);
    u64::try_from(*v.get_ref())
        .ok()
        .filter(|n| (range.min..=range.max).contains(n))
}

pub(crate) fn limit_range(key: &str) -> &'static LimitRange {
    LIMIT_RANGES
        .iter()
        .find(|r| r.key == key)
        .unwrap_or(&LIMIT_RANGES[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_lists_every_limit_with_its_range() {
        let readme = include_str!("../README.md");
        let n = |v: u64| crate::format::format_number(v as f64, 0);
        for r in LIMIT_RANGES {
            let row = format!(
                "| `{}` | {} | {} to {} {} |",
                r.key,
                n(r.default),
                n(r.min),
                n(r.max),
                r.unit
            );
            assert!(readme.contains(&row), "README lacks {row}");
        }
    }
    #[test]
    fn the_deepest_markdown_allowed_renders_on_a_small_stack() {
        // Batch papers and the backends render on 2 MB threads: the most
        // deeply nested Markdown the range allows must convert there.
        let max = LIMIT_RANGES[0].max as usize;
        let md = format!("{}text", "> ".repeat(max - 1));
        let blocks = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                crate::render::markdown::parse_with(&md, &Default::default(), max).map(|b| b.len())
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(blocks, Ok(1));
    }
}
