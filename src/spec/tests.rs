//! The spec loader's own tests: problems reported together, at their
//! places; valid sections taken as written.

use super::outputs::not_a_file_name;
use super::*;
use crate::limits::LIMIT_RANGES;
use crate::paths::Refusal;
use crate::style::Style;

/// The style `build` resolves for `spec`.
fn style_of(spec: &Spec) -> Result<Style> {
    Style::from_spec(spec.style_part(), &crate::build::stage_context(spec, &[])?)
}

fn spec(report_extra: &str, rest: &str) -> Result<Spec> {
    let text = format!(
        "[report]\nname = \"t\"\ntitle = \"T\"\nto = \"B\"\nfrom = \"A\"\ndate = 2020-11-26\n{report_extra}\n[content]\nbody = \"b.md\"\nsummary = \"s.md\"\n{rest}"
    );
    Spec::from_text(Path::new("report.toml"), text)
}

#[test]
fn a_spec_with_three_mistakes_reports_all_three() {
    let e = spec(
        "language = \"fr-FR\"\nlayout = \"../l.typ\"\n[report.outputs]\npdf = \"../paper.md\"",
        "[tables.t]\nsql = \"SELECT 1\"\ncolumns = [{ name = \"a\", format = \"pct\" }]\n",
    )
    .unwrap_err();
    let found: Vec<(&str, usize)> = e
        .all()
        .map(|e| (e.message(), e.line_col().map_or(0, |l| l.0)))
        .collect();
    assert_eq!(
        found,
        [
            ("unsupported language `fr-FR`", 7),
            ("`../l.typ` leaves the project: its `..` goes above the project root", 8),
            ("`report.outputs.pdf` must be a plain file name, but `../paper.md` contains a path separator", 10),
            ("unknown format `pct` in table `t`", 16),
        ]
    );
    assert!(e.all().all(|e| e.kind() == ErrorKind::Spec));
}

#[test]
fn style_mistakes_are_reported_together() {
    let e = spec(
        "layout = \"l.typ\"",
        "[style]\nbody_font = \"Libertinus Sarif\"\naccent = \"#FFEE00\"\nmargins = { top = 0, bottom = 25, left = 25, right = 200 }\nmarking = \"RESTRICTED\"\nheading_font = \"Comic Sans\"\nlogo = \"nope.png\"\n",
    )
    .unwrap_err();
    let found: Vec<(String, usize)> = e
        .all()
        .map(|e| (e.message().to_string(), e.line_col().map_or(0, |l| l.0)))
        .collect();
    let expected = [
        ("`style.body_font`: no font family `Libertinus Sarif`", 12),
        (
            "`style.accent` `#FFEE00` is too light to read on white (1.2:1)",
            13,
        ),
        ("`style.margins`: `top = 0`, `right = 200` out of range", 14),
        ("unknown protective marking `RESTRICTED`", 15),
        ("`style.heading_font`: no font family `Comic Sans`", 16),
        ("`nope.png` does not exist", 17),
    ];
    let expected: Vec<(String, usize)> =
        expected.iter().map(|(m, l)| (m.to_string(), *l)).collect();
    assert_eq!(found, expected);
    let hint = e
        .all()
        .next()
        .and_then(|e| e.hint())
        .unwrap_or_default()
        .to_string();
    assert!(
        hint.starts_with("did you mean `Libertinus Serif`?"),
        "{hint}"
    );
    assert!(hint.contains("`DejaVu Sans Mono`"), "{hint}");
}

#[test]
fn a_valid_style_resolves_once() {
    let s = spec(
        "layout = \"l.typ\"",
        "[style]\nbody_font = \"DejaVu Sans Mono\"\naccent = \"#7a1f3d\"\nmarking = \"OFFICIAL\"\nfooter = \"OPCC\"\nmargins = { top = 20, bottom = 20, left = 18, right = 18 }\ntoc = true\n",
    )
    .unwrap();
    let style = style_of(&s).unwrap();
    assert_eq!(style.body_font, "DejaVu Sans Mono");
    assert_eq!(style.heading_font, "DejaVu Sans Mono");
    assert_eq!(style.accent_hex(), "#7A1F3D");
    assert_eq!(style.marking.as_deref(), Some("OFFICIAL"));
    assert_eq!(style.footer.as_deref(), Some("OPCC"));
    assert_eq!(style.header, None);
    assert_eq!(style.margins.left, 18.0);
    assert!(style.toc && !style.cover);
    let default = spec("layout = \"l.typ\"", "").unwrap();
    assert_eq!(style_of(&default).unwrap(), Style::default());
}

#[test]
fn every_limit_out_of_its_safe_range_is_reported_at_its_value() {
    let e = spec(
        "layout = \"l.typ\"",
        "[limits]\nmemory_mb = 0\nmarkdown_depth = 1000000\ntemplate_fuel = -1\nlayout_seconds = 60\n",
    )
    .unwrap_err();
    let found: Vec<(&str, Option<(usize, usize)>)> =
        e.all().map(|e| (e.message(), e.line_col())).collect();
    assert_eq!(
        found,
        [
            (
                "`limits.memory_mb` must be from 256 to 65,536 MB, not 0",
                Some((12, 13))
            ),
            (
                "`limits.markdown_depth` must be from 8 to 64 levels, not 1000000",
                Some((13, 18))
            ),
            (
                "`limits.template_fuel` must be from 10,000 to 1,000,000,000 steps, not -1",
                Some((14, 17))
            ),
        ]
    );
    let hint = e.hint().unwrap();
    assert!(
        hint.contains("turn the memory guard off") && hint.contains("(8,192)"),
        "{hint}"
    );
}

#[test]
fn limits_in_range_are_taken_and_the_defaults_lie_in_their_ranges() {
    let s = spec(
        "layout = \"l.typ\"",
        "[limits]\nmemory_mb = 256\nmarkdown_depth = 64\n",
    )
    .unwrap();
    assert_eq!((s.limits.memory_mb, s.limits.markdown_depth), (256, 64));
    let d = Limits::default();
    let values = [
        d.markdown_depth as u64,
        d.template_output_mb,
        d.template_fuel,
        d.layout_seconds,
        d.sheet_cells,
        d.memory_mb,
        d.glob_entries,
        d.image_pixels,
    ];
    for (r, v) in LIMIT_RANGES.iter().zip(values) {
        assert_eq!(r.default, v, "{}", r.key);
        assert!(r.min <= v && v <= r.max && r.min > 0, "{}", r.key);
    }
}

#[test]
fn output_names_are_plain_file_names() {
    for bad in ["a/b.pdf", "..", "", "/abs.pdf", "c:\\x.pdf"] {
        assert!(not_a_file_name(bad).is_some(), "{bad}");
    }
    assert_eq!(not_a_file_name("paper 2020.pdf"), None);
    let e = spec("layout = \"l.typ\"", "").map(|s| s.output_names().outputs[0].1.clone());
    assert_eq!(e.unwrap(), "t.pdf");
}

/// Files that exist nowhere: the spec is checked with them alone.
struct Nowhere;

impl Files for Nowhere {
    fn locate_path(&self, dir: &Path, written: &str) -> std::result::Result<PathBuf, Refusal> {
        Ok(dir.join(written))
    }

    fn read_bytes(&self, _: &Path, _: &str) -> std::result::Result<Arc<[u8]>, Refusal> {
        Err(Refusal::Missing)
    }

    fn has_read(&self, _: &Path) -> bool {
        false
    }
}

#[test]
fn the_spec_reads_only_through_the_files_it_is_given() {
    let text = SpecBuilder::new()
        .section("[style]\nlogo = \"logo.png\"\nbody_font = \"DejaVu Sans Mono\"")
        .report("fonts = [\"f.ttf\"]")
        .text();
    let parsed = Parsed::new(Path::new("report.toml"), text).unwrap();
    let e = parsed.validate(&Nowhere).unwrap_err();
    let found: Vec<(&str, Option<usize>)> = e
        .all()
        .map(|e| (e.message(), e.line_col().map(|l| l.0)))
        .collect();
    // A font file that cannot be read leaves the families unchecked.
    assert_eq!(found, [("`logo.png` does not exist", Some(13))]);
}
