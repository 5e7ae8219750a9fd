//! The example report, built by the real CLI and read back.

use crate::support::{
    assert_valid_docx, docx_part, docx_text, pdf_text, replace_docx_part, validate_docx, Project,
    EXAMPLE,
};

#[test]
fn build_writes_both_outputs_and_says_so() {
    let p = Project::example();
    let stdout = p.run(&["build", EXAMPLE]).success();
    assert_eq!(
        stdout,
        "wrote reports/needs-assessment/out/needs-assessment.pdf\n\
         wrote reports/needs-assessment/out/needs-assessment-summary.docx\n\
         wrote reports/needs-assessment/out/needs-assessment.html\n\
         wrote reports/needs-assessment/out/needs-assessment.manifest.json\n\
         wrote reports/needs-assessment/out.private/needs-assessment.manifest.private.json\n"
    );
}

#[test]
fn pdf_carries_the_computed_2019_20_findings() {
    let p = Project::example();
    let (pdf, _) = p.build_example(&[]);
    let text = pdf_text(&pdf);
    let flat = crate::support::flat(&text);
    for expected in [
        "VICTIM AND OFFENDER NEEDS ASSESSMENT",
        "36,845 in 19/20 (resident in county)",
        "more like 120,000",
        "Peterborough and Cambridge",
        "25-29 age group at highest risk",
        "Those aged 18-39",
        "British, Polish, Lithuanian, Romanian and Portuguese",
        "16.4% of all victims",
        "more likely to be repeat victims",
        "more likely to be female",
        "aged 30-39",
        "Accommodation remains a key need",
        "Education, training and employment, mental health and substance misuse remain",
        "continued reducing trend",
        "BIBLIOGRAPHY",
        "Contact Officer",
        "Appendix 1",
    ] {
        assert!(flat.contains(expected), "PDF lacks `{expected}`:\n{flat}");
    }
}

#[test]
fn pdf_paragraphs_are_numbered_once_each_in_order() {
    let p = Project::example();
    let (pdf, _) = p.build_example(&[]);
    let text = pdf_text(&pdf);
    let numbers: Vec<&str> = text
        .split_whitespace()
        .filter(|w| {
            let parts: Vec<&str> = w.split('.').collect();
            // Section numbers start at 1; "0.6" is a figure ("up 0.6 percentage points").
            parts.len() == 2
                && parts[0] != "0"
                && parts
                    .iter()
                    .all(|p| p.len() == 1 && p.chars().all(|c| c.is_ascii_digit()))
        })
        .collect();
    assert_eq!(
        numbers,
        ["1.1", "2.1", "3.1", "3.2", "3.3", "3.4", "4.1", "4.2", "4.3", "5.1"],
        "paragraph numbers as extracted from the PDF"
    );
}

#[test]
fn pdf_metadata_names_title_author_language_and_is_tagged() {
    let p = Project::example();
    let (pdf, _) = p.build_example(&[]);
    let doc = lopdf::Document::load_mem(&pdf).expect("PDF parses");
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(|o| o.as_reference())
        .expect("Info dict");
    let info = doc.get_dictionary(info).expect("Info");
    let string = |d: &lopdf::Dictionary, k: &[u8]| {
        let raw = d.get(k).and_then(|o| o.as_str()).expect("string entry");
        lopdf::decode_text_string(&lopdf::Object::String(
            raw.to_vec(),
            lopdf::StringFormat::Literal,
        ))
        .expect("text")
    };
    assert_eq!(
        string(info, b"Title"),
        "Victim and Offender Needs Assessment"
    );
    assert_eq!(string(info, b"Author"), "Acting Chief Executive");
    let catalog = doc.catalog().expect("catalog");
    assert_eq!(string(catalog, b"Lang"), "en-GB");
    assert!(catalog.get(b"StructTreeRoot").is_ok(), "PDF is tagged");
}

#[test]
fn docx_has_real_styles_lists_and_a_table_with_header_row() {
    let p = Project::example();
    let (_, docx) = p.build_example(&[]);
    let doc = docx_part(&docx, "word/document.xml");
    let styles = docx_part(&docx, "word/styles.xml");
    for style in ["Title", "Heading1", "Heading2", "ListBullet", "ListNumber"] {
        assert!(
            doc.contains(&format!("w:pStyle w:val=\"{style}\"")),
            "document uses {style}"
        );
        assert!(
            styles.contains(&format!("w:styleId=\"{style}\"")),
            "styles.xml defines {style}"
        );
    }
    assert!(doc.contains("<w:tblHeader"), "table header row repeats");
    assert!(doc.contains("<w:numPr>"), "lists use Word numbering");
    assert!(styles.contains("w:val=\"en-GB\""), "en-GB language");
    let text = docx_text(&docx);
    for expected in [
        "36,845",
        "120,000",
        "16.4%",
        "Peterborough",
        "British, Polish, Lithuanian, Romanian and Portuguese",
    ] {
        assert!(text.contains(expected), "DOCX lacks `{expected}`:\n{text}");
    }
    assert!(!text.contains("{{"), "no template syntax left");
}

#[test]
fn docx_is_schema_valid() {
    let p = Project::example();
    p.build_example(&[]);
    assert_valid_docx(&p.path("reports/needs-assessment/out/needs-assessment-summary.docx"));
}

#[test]
fn validator_rejects_docx_rs_element_order() {
    // docx-rs writes `w:rPr` before `w:pStyle` inside `w:pPr`; Word may
    // refuse that. Undo our fix in one paragraph and the validator must object.
    let p = Project::example();
    let (_, docx) = p.build_example(&[]);
    let broken = replace_docx_part(&docx, "word/document.xml", |xml| {
        xml.replacen(
            "<w:pPr><w:pStyle w:val=\"Title\"/>",
            "<w:pPr><w:rPr/><w:pStyle w:val=\"Title\"/>",
            1,
        )
    });
    assert_ne!(broken, docx, "the edit applied");
    let path = p.path("broken.docx");
    std::fs::write(&path, broken).unwrap();
    assert!(
        validate_docx(&path).errors > 0,
        "validator accepted a misordered pPr"
    );
}

#[test]
fn pdf_and_docx_agree_on_every_figure() {
    let p = Project::example();
    let (pdf, docx) = p.build_example(&[]);
    let pdf = crate::support::flat(&pdf_text(&pdf));
    let docx = docx_text(&docx);
    // Every number in the Word summary appears in the PDF (its Appendix 1).
    let mut numbers = Vec::new();
    for word in docx.split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ';') {
        let w = word.trim_end_matches(['.', ',', ':']);
        if w.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            assert!(pdf.contains(w), "DOCX figure `{w}` is not in the PDF");
            numbers.push(w.to_string());
        }
    }
    // And there are numbers to compare: a Word file without them (or
    // without text) would pass the loop above.
    assert!(numbers.len() >= 10, "{numbers:?}");
    for figure in ["36,845", "120,000", "16.4%"] {
        assert!(numbers.iter().any(|n| n == figure), "{figure}: {numbers:?}");
    }
}

#[test]
fn two_builds_are_byte_identical() {
    let a = Project::example();
    let b = Project::example();
    assert_eq!(a.build_example(&[]), b.build_example(&[]));
}

#[test]
fn the_periods_one_after_the_other_make_the_same_paper() {
    // Large frames run the previous period's queries after the current
    // period's instead of beside them (to halve the working memory); the
    // test hook takes that way on the example. Every output, byte for byte,
    // and what is printed must be the same, comparisons included.
    let built = |env: &[(&str, &str)]| {
        let p = Project::example();
        let stdout = p.run_with(&["build", EXAMPLE, "--no-cache"], env).success();
        (p.outputs("reports/needs-assessment/out"), stdout)
    };
    let (beside, printed) = built(&[]);
    let (after, printed_after) = built(&[("BOARDPACK_TEST_ONE_PERIOD_AT_A_TIME", "1")]);
    let manifest = beside
        .iter()
        .find(|(name, _)| name.ends_with(".manifest.json"))
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .expect("a manifest");
    assert!(
        manifest.contains("\"previous\": \"30-39\""),
        "the example compares with 2018/19"
    );
    assert_eq!(beside.len(), after.len());
    for ((name, a), (other, b)) in beside.iter().zip(&after) {
        assert_eq!(name, other);
        assert!(
            a == b,
            "{name} differs when the periods run one after the other"
        );
    }
    assert_eq!(printed, printed_after);
}

#[test]
fn timestamps_come_from_the_report_date_or_source_date_epoch() {
    let p = Project::example();
    let (pdf, docx) = p.build_example(&[]);
    let core = docx_part(&docx, "docProps/core.xml");
    assert!(
        core.contains(">2020-11-26T00:00:00Z</dcterms:created>"),
        "{core}"
    );
    assert!(
        core.contains(">2020-11-26T00:00:00Z</dcterms:modified>"),
        "{core}"
    );
    let pdf = String::from_utf8_lossy(&pdf);
    assert!(
        pdf.contains("CreationDate(D:20201126000000Z)"),
        "PDF creation date"
    );

    p.run_with(&["build", EXAMPLE], &[("SOURCE_DATE_EPOCH", "1600000000")])
        .success();
    let docx = std::fs::read(p.path("reports/needs-assessment/out/needs-assessment-summary.docx"))
        .unwrap();
    assert!(
        docx_part(&docx, "docProps/core.xml").contains(">2020-09-13T12:26:40Z</dcterms:created>")
    );
    let bad = p
        .run_with(&["build", EXAMPLE], &[("SOURCE_DATE_EPOCH", "soon")])
        .failure(2);
    assert!(bad.contains("`SOURCE_DATE_EPOCH` is not a number"), "{bad}");
}

#[test]
fn other_periods_give_other_figures_from_the_same_spec() {
    let p = Project::example();
    let (pdf, docx) = p.build_example(&["--set", "period=2020/21"]);
    let text = crate::support::flat(&pdf_text(&pdf));
    assert!(text.contains("34,296 in 20/21"), "{text}");
    assert!(text.contains("18.1%"), "{text}");
    // 2019/20's figure appears only as the comparison (paper and appendix).
    assert_eq!(text.matches("36,845").count(), 2, "{text}");
    assert!(
        text.contains("resident victims fell from 36,845 in 2019/20 (down 6.9%)"),
        "{text}"
    );
    assert!(docx_text(&docx).contains("34,296"));
    let (pdf, _) = p.build_example(&["--set", "period=2018/19", "--set", "area=Norfolk & Suffolk"]);
    let text = crate::support::flat(&pdf_text(&pdf));
    assert!(text.contains("35,912"));
    assert!(
        text.contains("Norfolk & Suffolk Needs Assessment"),
        "string params reach the text"
    );
}

#[test]
fn check_validates_and_writes_nothing() {
    let p = Project::example();
    let stdout = p.run(&["check", EXAMPLE]).success();
    assert!(stdout.starts_with("ok: "), "{stdout}");
    assert!(
        stdout.contains(
            "accessible: PDF/UA-1 and PDF/A-3a export passed, 4 chart(s) with alternative text"
        ),
        "{stdout}"
    );
    assert!(!p.path("reports/needs-assessment/out").exists());
}

#[test]
fn out_flag_chooses_the_folder() {
    let p = Project::example();
    p.run(&["build", EXAMPLE, "--out", "elsewhere"]).success();
    assert!(p.path("elsewhere/needs-assessment.pdf").is_file());
    assert!(p.path("elsewhere/needs-assessment-summary.docx").is_file());
}

#[test]
fn help_lists_the_commands() {
    let p = Project::empty();
    let help = p.run(&["--help"]).success();
    assert!(help.contains("build") && help.contains("check"), "{help}");
    let build = p.run(&["build", "--help"]).success();
    assert!(
        build.contains("--set <NAME=VALUE>") && build.contains("--out <DIR>"),
        "{build}"
    );
}

#[test]
fn timings_go_to_stderr_in_pipeline_order_and_never_into_the_outputs() {
    let p = Project::example();
    let (pdf, docx) = p.build_example(&[]);
    let run = p.run(&["build", EXAMPLE, "--timings"]);
    let stdout = run.success();
    assert!(!stdout.contains("timing:"), "{stdout}");
    let stderr = run.stderr();
    // Every stage named once or more, in the pipeline's order.
    let stages = [
        "timing: read+hash",
        "timing: sources",
        "timing: data checks",
        "timing: period filter source `victims` to 2019/20",
        "timing: query         view `county_victims`",
        "view `county_victims` [previous period]",
        "timing: render",
        "timing: charts",
        "timing: backend       docx",
        "timing: backend       pdf",
        "timing: outputs",
        "timing: total",
    ];
    let at: Vec<usize> = stages
        .iter()
        .map(|s| {
            stderr
                .find(s)
                .unwrap_or_else(|| panic!("no `{s}` in\n{stderr}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{stderr}");
    // The same outputs as a build without timings.
    let out = p.path("reports/needs-assessment/out");
    assert_eq!(
        std::fs::read(out.join("needs-assessment.pdf")).unwrap(),
        pdf
    );
    assert_eq!(
        std::fs::read(out.join("needs-assessment-summary.docx")).unwrap(),
        docx
    );
    // The environment variable still turns them on; without either, none.
    let env = p.run_with(&["build", EXAMPLE], &[("BOARDPACK_TIMINGS", "1")]);
    env.success();
    assert!(env.stderr().contains("timing: total"), "{}", env.stderr());
    let quiet = p.run(&["build", EXAMPLE]);
    quiet.success();
    assert!(!quiet.stderr().contains("timing:"), "{}", quiet.stderr());
}
