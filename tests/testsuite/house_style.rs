//! The house style (`[style]`) in the PDF: the protective marking at the top
//! and bottom of every page and in the metadata, "Page X of Y", a cover page,
//! an accessible table of contents, landscape pages that keep the running
//! header and footer, and charts in the body font and accent colour.

use crate::pdf::{info, page_sizes, pages, structure, xmp};
use crate::support::Project;

/// The marking is the first and the last word on the page (printed top
/// and bottom) and appears nowhere else.
fn assert_marked(page: &str, marking: &str, number: usize) {
    let words: Vec<&str> = page.split_whitespace().collect();
    let at: Vec<usize> = (0..words.len()).filter(|&i| words[i] == marking).collect();
    assert_eq!(at, [0, words.len() - 1], "page {number}:\n{page}");
}

#[test]
fn the_marking_is_on_every_page_top_and_bottom_and_in_the_metadata() {
    let p = Project::example();
    let (pdf, _) = p.build_example(&[]);
    let pages = pages(&pdf);
    let n = pages.len();
    assert!(n >= 5, "{n} pages");
    for (i, page) in pages.iter().enumerate() {
        assert_marked(page, "OFFICIAL", i + 1);
        let flat = crate::support::flat(page);
        assert!(
            flat.contains(&format!("Page {} of {n}", i + 1)),
            "page {}:\n{flat}",
            i + 1
        );
        assert!(
            flat.contains("Victim and Offender Needs Assessment"),
            "page {}",
            i + 1
        );
        assert!(
            flat.contains("Office of the Police and Crime Commissioner"),
            "page {}",
            i + 1
        );
    }
    assert_eq!(info(&pdf, "Keywords").as_deref(), Some("OFFICIAL"));
    assert!(
        xmp(&pdf).contains("OFFICIAL"),
        "the XMP packet records the marking"
    );
}

#[test]
fn cover_contents_and_a_landscape_table_keep_the_running_header_and_footer() {
    let p = Project::fixture("board-paper");
    p.set_toml(
        "report.toml",
        "[style]\nmarking = \"OFFICIAL-SENSITIVE\"\ncover = true\ntoc = true\n\
         [tables.robbery_by_age]\nlandscape = true",
    );
    p.run(&["build", "report.toml"]).success();
    let pdf = std::fs::read(p.path("out/paper.pdf")).unwrap();
    let (pages, sizes) = (pages(&pdf), page_sizes(&pdf));
    let n = pages.len();
    for (i, page) in pages.iter().enumerate() {
        assert_marked(page, "OFFICIAL-SENSITIVE", i + 1);
    }
    let flat: Vec<String> = pages.iter().map(|t| crate::support::flat(t)).collect();
    // The cover: the title and the front block, nothing of the body.
    assert!(flat[0].contains("Community Safety Paper"), "{}", flat[0]);
    assert!(
        flat[0].contains("To: Business Coordination Board"),
        "{}",
        flat[0]
    );
    assert!(!flat[0].contains("1.1"), "{}", flat[0]);
    // The contents list the numbered sections and the appendix.
    assert!(flat[1].contains("CONTENTS"), "{}", flat[1]);
    assert!(flat[1].contains("Appendix 1"), "{}", flat[1]);
    let tree = structure(&pdf);
    let tags: Vec<&str> = tree.iter().map(|(k, _)| k.as_str()).collect();
    assert!(tags.contains(&"TOC") && tags.contains(&"TOCI"), "{tags:?}");
    // Exactly the table's page is landscape, and it keeps the running
    // header, the footer, the page number and the marking.
    let wide: Vec<usize> = (0..n).filter(|&i| sizes[i].0 > sizes[i].1).collect();
    assert_eq!(wide.len(), 1, "{sizes:?}");
    let w = wide[0];
    assert!(
        flat[w].contains("Resident victims of robbery by district and age band"),
        "{}",
        flat[w]
    );
    assert!(
        flat[w].contains(&format!("Page {} of {n}", w + 1)),
        "{}",
        flat[w]
    );
    assert!(flat[w].contains("Community Safety Paper"), "{}", flat[w]);
    assert!(
        flat[w].contains("Office of the Commissioner"),
        "{}",
        flat[w]
    );
    for (i, (width, height)) in sizes.iter().enumerate().filter(|(i, _)| *i != w) {
        assert!(width < height, "page {} is {width}×{height}", i + 1);
    }
}

#[test]
fn charts_are_drawn_in_the_body_font_and_accent() {
    let p = Project::fixture("board-paper");
    let spec = "report.toml";
    p.set_toml(
        spec,
        "[style]\naccent = \"#7A1F3D\"\nbody_font = \"New Computer Modern\"",
    );
    // The charts' SVGs are the ones the PDF embeds and the PNGs in Word are
    // rendered from; the library's build keeps them.
    let build = boardpack::build(&boardpack::BuildOptions {
        spec: p.path(spec),
        ..Default::default()
    })
    .expect("builds");
    let svgs: Vec<std::sync::Arc<str>> = boardpack::doc::flow(&build.rendered().document.summary)
        .into_iter()
        .filter_map(|b| match b {
            boardpack::doc::Block::Figure(f) => Some(f.svg.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(svgs.len(), 3, "the fixture's three charts");
    for svg in &svgs {
        assert!(svg.contains("font-family=\"New Computer Modern\""), "{svg}");
        assert!(!svg.contains("Libertinus"), "{svg}");
        assert!(svg.contains("#7A1F3D"), "{svg}");
    }
    assert_eq!(build.style().body_font, "New Computer Modern");
}
