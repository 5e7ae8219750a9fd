//! Rendering, determinism and validation tests.

use super::build::PNG_DPI;
use super::*;

fn one(cats: &[&str], values: &[Option<f64>]) -> ChartData {
    ChartData {
        categories: cats.iter().map(|s| s.to_string()).collect(),
        series: vec![Series {
            name: "Rate".to_string(),
            values: values.to_vec(),
        }],
    }
}

fn districts() -> ChartData {
    one(
        &[
            "Cambridge",
            "East Cambridgeshire",
            "Fenland",
            "Huntingdonshire",
            "Peterborough",
            "South Cambridgeshire",
        ],
        &[24.9, 12.1, 21.3, 13.8, 31.2, 10.4].map(Some),
    )
}

fn two_series() -> ChartData {
    let mut d = districts();
    d.series[0].name = "2019/20".into();
    d.series.insert(
        0,
        Series {
            name: "2018/19".into(),
            values: [23.1, 11.8, 20.2, 13.9, 29.7, 10.9].map(Some).to_vec(),
        },
    );
    d
}

fn spec(kind: ChartKind) -> ChartSpec {
    let mut s = ChartSpec::new(kind, "Victims per 1,000 population by district");
    s.format = Format::Decimal(1);
    s.value_labels = true;
    s.x_label = Some("District".into());
    s.y_label = Some("Victims per 1,000".into());
    s
}

fn all_kinds() -> Vec<(ChartSpec, ChartData)> {
    vec![
        (spec(ChartKind::Bar), districts()),
        (spec(ChartKind::HorizontalBar), districts()),
        (spec(ChartKind::GroupedBar), two_series()),
        (spec(ChartKind::Line), two_series()),
        (spec(ChartKind::TableBars), districts()),
    ]
}

/// A float printed in exponent form, like "1e3" or "2.5e-7" (colours such
/// as "#D55E00" aside).
fn has_exponent(s: &str) -> bool {
    let cleaned: String = s
        .split('#')
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part
            } else {
                part.get(6..).unwrap_or("")
            }
        })
        .collect();
    let b = cleaned.as_bytes();
    b.windows(3).any(|w| {
        w[0].is_ascii_digit()
            && (w[1] == b'e' || w[1] == b'E')
            && (w[2].is_ascii_digit() || w[2] == b'-' || w[2] == b'+')
    })
}

fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
    (w, h)
}

#[test]
fn every_kind_renders_valid_svg() {
    let fonts = Fonts::default();
    for (spec, data) in all_kinds() {
        let svg = render_svg(&spec, &data).unwrap_or_else(|e| panic!("{:?}: {e}", spec.kind));
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"440pt\""));
        assert!(svg.contains("<title>Victims per 1,000 population by district</title>"));
        assert!(svg.contains("<desc>"));
        assert!(svg.contains("Peterborough"), "{:?}", spec.kind);
        assert!(svg.trim_end().ends_with("</svg>"));
        // One font everywhere, no float noise or exponents in coordinates.
        for family in svg.split("font-family=\"").skip(1) {
            assert!(family.starts_with("Libertinus Serif\""), "{:?}", spec.kind);
        }
        assert!(!has_exponent(&svg), "{:?}", spec.kind);
        assert!(!svg.contains("00000"), "float noise in {:?}", spec.kind);
        let png = svg_to_png(&svg, 72.0, &fonts).unwrap();
        assert_eq!(png_size(&png), (440, 260));
    }
}

#[test]
fn svg_is_deterministic() {
    for (spec, data) in all_kinds() {
        let a = render_svg(&spec, &data).unwrap();
        let b = render_svg(&spec, &data.clone()).unwrap();
        assert_eq!(a, b, "{:?}", spec.kind);
    }
}

#[test]
fn png_is_deterministic() {
    let svg = render_svg(&spec(ChartKind::GroupedBar), &two_series()).unwrap();
    let a = svg_to_png(&svg, 150.0, &Fonts::new(&[])).unwrap();
    let b = svg_to_png(&svg, 150.0, &Fonts::new(&[])).unwrap();
    assert_eq!(a, b);
}

#[test]
fn png_size_follows_dpi() {
    let svg = render_svg(&spec(ChartKind::Bar), &districts()).unwrap();
    let png = svg_to_png(&svg, 200.0, &Fonts::default()).unwrap();
    // 440pt × 200/72 = 1222.2; 260pt → 722.2.
    assert_eq!(png_size(&png), (1222, 722));
    let png = svg_to_png(&svg, 144.0, &Fonts::default()).unwrap();
    assert_eq!(png_size(&png), (880, 520));
}

#[test]
fn png_text_uses_embedded_font_only() {
    // A family nobody has falls back to Libertinus Serif (never a system
    // font): the text still draws, identically to naming it outright; the
    // generic sans-serif is the bundled Liberation Sans.
    let fonts = Fonts::default();
    let svg = |family: &str| {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100pt\" height=\"20pt\">\
             <text x=\"2\" y=\"15\" font-family=\"{family}\" font-size=\"12\">Fenland 21.3</text></svg>"
        )
    };
    let a = svg_to_png(&svg("Libertinus Serif"), 96.0, &fonts).unwrap();
    let b = svg_to_png(&svg("Arial"), 96.0, &fonts).unwrap();
    let c = svg_to_png(&svg("sans-serif"), 96.0, &fonts).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(
        c,
        svg_to_png(&svg("Liberation Sans"), 96.0, &fonts).unwrap()
    );
    let blank = svg_to_png(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100pt\" height=\"20pt\"/>",
        96.0,
        &fonts,
    )
    .unwrap();
    assert_ne!(a, blank, "text was not drawn");
}

#[test]
fn extra_fonts_are_accepted_and_junk_ignored() {
    let fonts = Fonts::new(&[b"not a font".to_vec(), Vec::new()]);
    let svg = render_svg(&spec(ChartKind::Bar), &districts()).unwrap();
    assert_eq!(
        svg_to_png(&svg, 72.0, &fonts).unwrap(),
        svg_to_png(&svg, 72.0, &Fonts::default()).unwrap()
    );
}

#[test]
fn snapshot_small_bar() {
    let mut s = ChartSpec::new(ChartKind::Bar, "Small & <simple>");
    s.width_pt = 200.0;
    s.height_pt = 120.0;
    s.value_labels = true;
    let svg = render_svg(&s, &one(&["A", "B"], &[Some(36_845.0), Some(1_234.0)])).unwrap();
    assert!(svg.contains("<title>Small &amp; &lt;simple&gt;</title>"));
    assert!(svg.contains("36,845"));
    insta::assert_snapshot!(svg);
}

#[test]
fn percent_axis_and_labels() {
    let mut s = spec(ChartKind::HorizontalBar);
    s.format = Format::Percent(1);
    let svg = render_svg(&s, &one(&["Drugs", "Alcohol"], &[Some(0.164), Some(0.5)])).unwrap();
    assert!(svg.contains("16.4%"));
    assert!(svg.contains("0%"));
}

#[test]
fn negative_values_include_zero() {
    let data = one(
        &["Up", "Down", "Flat"],
        &[Some(12.0), Some(-7.5), Some(0.0)],
    );
    for kind in [
        ChartKind::Bar,
        ChartKind::HorizontalBar,
        ChartKind::TableBars,
    ] {
        let svg = render_svg(&spec(kind), &data).unwrap();
        assert!(svg.contains("-7.5"), "{kind:?}");
    }
}

#[test]
fn missing_values_are_marked() {
    let data = one(&["A", "B", "C"], &[Some(3.0), None, Some(5.0)]);
    for kind in [
        ChartKind::Bar,
        ChartKind::HorizontalBar,
        ChartKind::Line,
        ChartKind::TableBars,
    ] {
        let svg = render_svg(&spec(kind), &data).unwrap();
        if kind != ChartKind::Line {
            assert!(svg.contains("n/a"), "{kind:?}");
        }
        assert!(svg.contains("B n/a"), "{kind:?}");
    }
}

#[test]
fn withheld_values_show_the_disclosure_marker_and_why() {
    let data = one(&["A", "B", "C"], &[Some(3.0), None, None]);
    for kind in [
        ChartKind::Bar,
        ChartKind::HorizontalBar,
        ChartKind::TableBars,
    ] {
        let mut s = spec(kind);
        s.withheld = Some(super::Withheld {
            marker: "[c]".to_string(),
            reason: "suppressed to protect small counts (fewer than 5)".to_string(),
            cells: vec![(0, 1)],
        });
        let svg = render_svg(&s, &data).unwrap();
        // B was withheld, C is simply missing: each keeps its own name.
        // Drawn once at the bar, twice in the description.
        assert_eq!(svg.matches("[c]").count(), 3, "{kind:?}: {svg}");
        assert!(svg.contains("B [c], C n/a."), "{kind:?}");
        assert!(
            svg.contains("[c]: suppressed to protect small counts (fewer than 5)."),
            "{kind:?}"
        );
        assert!(!svg.contains("missing"), "{kind:?}");
    }
}

#[test]
fn errors_name_the_problem() {
    let s = spec(ChartKind::Bar);
    let empty = ChartData {
        categories: vec![],
        series: vec![],
    };
    assert_eq!(render_svg(&s, &empty), Err(ChartError::NoCategories));

    let no_series = ChartData {
        categories: vec!["A".into()],
        series: vec![],
    };
    assert_eq!(render_svg(&s, &no_series), Err(ChartError::NoSeries));

    let short = one(&["A", "B"], &[Some(1.0)]);
    let err = render_svg(&s, &short).unwrap_err();
    assert!(matches!(
        err,
        ChartError::SeriesLength {
            expected: 2,
            found: 1,
            ..
        }
    ));
    assert!(err
        .to_string()
        .contains("`Rate` has 1 values but there are 2 categories"));

    let nan = one(&["Fenland", "Peterborough"], &[Some(1.0), Some(f64::NAN)]);
    let err = render_svg(&s, &nan).unwrap_err();
    assert!(err.to_string().contains("category `Peterborough`"), "{err}");
    let inf = one(&["Fenland"], &[Some(f64::INFINITY)]);
    assert!(matches!(
        render_svg(&s, &inf),
        Err(ChartError::NotFinite { .. })
    ));
    let huge = one(&["Fenland"], &[Some(1e300)]);
    assert!(matches!(
        render_svg(&s, &huge),
        Err(ChartError::TooLarge { .. })
    ));

    let missing = one(&["A", "B"], &[None, None]);
    assert_eq!(render_svg(&s, &missing), Err(ChartError::AllMissing));

    let err = render_svg(&spec(ChartKind::Bar), &two_series()).unwrap_err();
    assert!(matches!(err, ChartError::TooManySeries { found: 2, .. }));

    let mut tiny = spec(ChartKind::Bar);
    tiny.height_pt = f32::NAN;
    assert!(matches!(
        render_svg(&tiny, &districts()),
        Err(ChartError::BadSize { .. })
    ));

    let svg = render_svg(&s, &districts()).unwrap();
    for dpi in [0.0, -1.0, f32::NAN, f32::INFINITY, 1e6] {
        assert!(matches!(
            svg_to_png(&svg, dpi, &Fonts::default()),
            Err(ChartError::BadDpi(_))
        ));
    }
    assert!(matches!(
        svg_to_png("not svg", 96.0, &Fonts::default()),
        Err(ChartError::Svg(_))
    ));
}

#[test]
fn awkward_inputs_never_panic() {
    let long = "A very long category label that goes on and on without much point at all";
    let many: Vec<String> = (0..120).map(|i| format!("Category {i}")).collect();
    let many_refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let cases: Vec<ChartData> = vec![
        one(&["Only"], &[Some(5.0)]),
        one(&["Zero", "Zero"], &[Some(0.0), Some(0.0)]),
        one(&["Neg"], &[Some(-3.0)]),
        one(&["Tiny", "Tinier"], &[Some(1e-12), Some(3e-13)]),
        one(&["Big", "Bigger"], &[Some(9e14), Some(-9e14)]),
        one(
            &[long, "x\u{0}y\u{7}", "<&>\"'", ""],
            &[Some(1.0), None, Some(2.0), Some(3.0)],
        ),
        one(
            &many_refs,
            &(0..120).map(|i| Some(f64::from(i))).collect::<Vec<_>>(),
        ),
        one(&["Two\nlines", "Ünïcödé ✓ 漢字"], &[Some(1.0), Some(2.0)]),
    ];
    let fonts = Fonts::default();
    let formats = [Format::Integer, Format::Decimal(255), Format::Percent(0)];
    for kind in [
        ChartKind::Bar,
        ChartKind::HorizontalBar,
        ChartKind::GroupedBar,
        ChartKind::Line,
        ChartKind::TableBars,
    ] {
        for (i, data) in cases.iter().enumerate() {
            // Every case at the usual size; a few at the extremes.
            let mut sizes = vec![(440.0, 260.0)];
            if i % 3 == 0 {
                sizes.push((72.0, 72.0));
            }
            if i == 6 {
                sizes.push((2000.0, 2000.0));
            }
            for (w, h) in sizes {
                let mut s = spec(kind);
                s.format = formats[i % formats.len()];
                s.width_pt = w;
                s.height_pt = h;
                s.y_from_zero = i % 2 == 0;
                match render_svg(&s, data) {
                    Ok(svg) => {
                        svg_to_png(&svg, 10.0, &fonts).unwrap();
                    }
                    Err(ChartError::TooSmall { .. }) => {}
                    Err(e) => panic!("{kind:?} {w}×{h}: {e}"),
                }
            }
        }
    }
}

#[test]
fn the_house_style_sets_the_font_and_first_colour() {
    let accent = super::palette::Rgb(0x7A, 0x1F, 0x3D);
    let fonts = Fonts::new(&[]).styled("DejaVu Sans Mono", accent);
    let svg = super::render_svg_with(&spec(ChartKind::GroupedBar), &two_series(), &fonts).unwrap();
    for family in svg.split("font-family=\"").skip(1) {
        assert!(family.starts_with("DejaVu Sans Mono\""), "{svg}");
    }
    assert!(svg.contains("fill=\"#7A1F3D\""), "{svg}");
    // The second series keeps the palette's second colour.
    assert!(svg.contains("fill=\"#D55E00\""), "{svg}");
    assert!(!svg.contains("#0072B2"), "{svg}");
    // Labels are measured in that font: a monospaced font is wider than
    // Libertinus Serif, so the value axis starts further right.
    let plain = render_svg(&spec(ChartKind::GroupedBar), &two_series()).unwrap();
    assert_ne!(
        svg.replace("DejaVu Sans Mono", "Libertinus Serif")
            .replace("#7A1F3D", "#0072B2"),
        plain
    );
    let png = svg_to_png(&svg, 72.0, &fonts).unwrap();
    assert_eq!(png_size(&png), (440, 260));
}

#[test]
fn the_word_raster_is_the_size_png_pixels_promises() {
    let fonts = Fonts::default();
    for (w, h) in [(440.0, 260.0), (250.0, 180.0), (301.5, 199.3)] {
        let mut s = spec(ChartKind::Bar);
        s.width_pt = w;
        s.height_pt = h;
        let svg = render_svg_with(&s, &districts(), &fonts).unwrap();
        let drawn = png(&svg, &fonts).unwrap();
        assert_eq!(Ok(drawn.size), png_pixels((w, h), PNG_DPI), "{w}×{h}pt");
        // An opaque RGB PNG: the signature, then IHDR's colour type 2.
        assert!(drawn.bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!(drawn.bytes[25], 2, "colour type");
    }
    // The largest chart the spec allows still rasterises; beyond the
    // pixel limit is refused before anything is drawn.
    assert_eq!(png_pixels((2000.0, 2000.0), PNG_DPI), Ok((5556, 5556)));
    assert!(matches!(
        png_pixels((2000.0, 2000.0), 1000.0),
        Err(ChartError::BadDpi(_))
    ));
}
