//! `boardpack diff --docx` and `refresh --redline`: the redline of the
//! 2019/20 paper against the 2020/21 one. The oracle: accepting every
//! tracked change gives the newer paper's text, rejecting every change the
//! older one's, both read from the manifests' recorded content by a walk of
//! its own here.

use std::path::Path;

use crate::support::{assert_valid_docx, docx_part, Project, EXAMPLE};

const OUT: &str = "reports/needs-assessment/out";
const MANIFEST: &str = "needs-assessment.manifest.json";

/// Builds the example for 2019/20 into `y1/` and 2020/21 into `y2/`.
fn two_years(p: &Project) {
    p.run(&["build", EXAMPLE, "--out", "y1"]).success();
    p.run(&["build", EXAMPLE, "--set", "period=2020/21", "--out", "y2"])
        .success();
}

#[test]
fn accepting_every_change_gives_this_years_text_and_rejecting_last_years() {
    let p = Project::example();
    two_years(&p);
    let (a, b) = (format!("y1/{MANIFEST}"), format!("y2/{MANIFEST}"));
    let out = p
        .run(&["diff", "--docx", &a, &b, "-o", "redline.docx"])
        .success();
    assert!(out.contains("redline 2019/20 → 2020/21:"), "{out}");
    assert!(out.contains("wrote redline.docx"), "{out}");
    let docx = std::fs::read(p.path("redline.docx")).expect("redline written");
    let xml = docx_part(&docx, "word/document.xml");
    let (accepted, rejected) = (view(&xml, true), view(&xml, false));
    let (old, new) = (content_lines(&p, &a), content_lines(&p, &b));
    assert!(!old.is_empty() && old != new, "the two papers differ");
    assert_eq!(accepted, new, "accept all = the 2020/21 paper");
    assert_eq!(rejected, old, "reject all = the 2019/20 paper");
    // Independently of the manifests: the executive summary each year's
    // own Word file shows is the tail of the accepted and rejected text
    // (where the redline states a chart's alternative text as a paragraph,
    // the Word file has it on the picture).
    for (year, lines) in [("y1", &rejected), ("y2", &accepted)] {
        let own = std::fs::read(p.path(&format!("{year}/needs-assessment-summary.docx")))
            .expect("the year's Word file");
        let own = docx_part(&own, "word/document.xml");
        let alts = pictures_descriptions(&own);
        assert_eq!(alts.len(), 4, "{alts:?}");
        let own = view(&own, true);
        assert!(own.len() > 50, "{own:?}");
        let tail = &lines[lines.len() - own.len() - alts.len()..];
        let tail: Vec<&String> = tail.iter().filter(|l| !alts.contains(l)).collect();
        assert_eq!(
            tail,
            own.iter().collect::<Vec<_>>(),
            "{year}'s Word summary"
        );
    }

    // A changed figure is one small deletion and insertion of the number.
    let (deleted, inserted) = (changes(&xml, "w:del"), changes(&xml, "w:ins"));
    assert!(deleted.iter().any(|d| d == "36,845"), "{deleted:?}");
    assert!(inserted.iter().any(|i| i == "34,296"), "{inserted:?}");
    // Most changes are a few words: nothing was rewritten wholesale.
    let long = deleted.iter().filter(|d| d.split(' ').count() > 8).count();
    assert!(
        long * 10 < deleted.len(),
        "{long} of {} deletions are long: {deleted:?}",
        deleted.len()
    );
    // Table 5 lost its first year and gained a new one: tracked rows.
    assert!(
        xml.contains(r#"<w:trPr><w:cantSplit/><w:del w:id="#),
        "a deleted row"
    );
    assert!(
        xml.contains(r#"<w:trPr><w:cantSplit/><w:ins w:id="#),
        "an inserted row"
    );
    // Author from the spec, date from the later paper, never the clock.
    assert!(xml.contains(r#"w:author="Acting Chief Executive" w:date="2020-11-26T00:00:00Z""#));
    let dates = xml.matches("w:date=\"").count();
    assert_eq!(
        dates,
        xml.matches("w:date=\"2020-11-26T00:00:00Z\"").count()
    );
    assert!(dates > 20, "{dates} changes");
    assert_unique_ids(&xml);

    // The same manifests give the same bytes.
    p.run(&["diff", "--docx", &a, &b, "-o", "again.docx"])
        .success();
    assert_eq!(std::fs::read(p.path("again.docx")).unwrap(), docx);

    let path = p.path("redline.docx");
    assert_valid_docx(&path);
    // Numbers only last year's paper had, and only this year's.
    // The paper's protective marking, on the page as in the properties.
    assert!(docx_part(&docx, "docProps/custom.xml").contains(">OFFICIAL<"));
    libreoffice_shows(&path, &["OFFICIAL", "1,040", "2015/16", "619", "2020/21"]);
}

#[test]
fn moved_removed_and_new_paragraphs_are_moves_deletions_and_insertions() {
    let p = Project::example();
    p.run(&["build", EXAMPLE, "--out", "y1"]).success();
    let paper = "reports/needs-assessment/paper.md";
    let text = p.read(paper);
    let moved = "A range of data sources have been utilised.";
    let para = |start: &str| {
        let i = text.find(start).expect("paragraph in the example");
        let n = text[i..].find("\n\n").expect("paragraph ends");
        text[i..i + n + 2].to_string()
    };
    let (moving, removed) = (para(moved), para("The Office of the Police and Crime"));
    let added = "This year the assessment adds a chapter on fraud against older people.\n\n";
    let edited = text
        .replacen(&moving, "", 1)
        .replacen(&removed, added, 1)
        .replacen(
            "# Recommendation\n",
            &format!("{moving}# Recommendation\n"),
            1,
        );
    assert_ne!(edited, text);
    p.write(paper, &edited);
    p.run(&["build", EXAMPLE, "--set", "period=2020/21", "--out", "y2"])
        .success();
    let (a, b) = (format!("y1/{MANIFEST}"), format!("y2/{MANIFEST}"));
    let out = p
        .run(&["diff", "--docx", &a, &b, "-o", "redline.docx"])
        .success();
    assert!(
        out.contains(", 1 moved, 1 only in 2019/20 (deleted), 1 only in 2020/21 (inserted)"),
        "{out}"
    );
    assert!(
        out.contains("only in 2019/20: The Office of the Police and Crime"),
        "{out}"
    );
    assert!(
        out.contains("only in 2020/21: This year the assessment adds"),
        "{out}"
    );
    let docx = std::fs::read(p.path("redline.docx")).expect("redline written");
    let xml = docx_part(&docx, "word/document.xml");
    assert_eq!(view(&xml, true), content_lines(&p, &b));
    assert_eq!(view(&xml, false), content_lines(&p, &a));
    // The moved paragraph is in a move range at each place, named alike,
    // with its text once as moved-from and once as moved-to.
    for kind in ["moveFrom", "moveTo"] {
        let start = format!(r#"<w:{kind}RangeStart w:id=""#);
        assert_eq!(xml.matches(&start).count(), 1, "{kind}: {xml}");
        let id = xml.split(&start).nth(1).unwrap().split('"').next().unwrap();
        let tail = &xml[xml.find(&start).unwrap()..];
        assert!(tail.contains(r#"w:name="move1"/>"#), "{kind} named");
        let end = format!(r#"<w:{kind}RangeEnd w:id="{id}"/>"#);
        let inside = &tail[..tail.find(&end).unwrap_or_else(|| panic!("{end} missing"))];
        assert!(inside.contains(&format!("<w:{kind} w:id=")), "{inside}");
        assert!(
            inside.contains(moved),
            "{kind} holds the moved text: {inside}"
        );
    }
    assert!(
        xml.contains("<w:rPr><w:moveFrom w:id="),
        "the old mark moved"
    );
    assert_unique_ids(&xml);
    let path = p.path("redline.docx");
    assert_valid_docx(&path);
    libreoffice_shows(
        &path,
        &["fraud against older people", "The Office of the Police"],
    );
}

#[test]
fn the_recorded_content_is_the_published_one_with_suppressed_cells_as_markers() {
    let p = Project::example();
    p.run(&["build", EXAMPLE, "--out", "y1"]).success();
    let private = MANIFEST.replace(".json", ".private.json");
    let private: serde_json::Value =
        serde_json::from_str(&p.read(&format!("y1.private/{private}"))).expect("private manifest");
    let public: serde_json::Value =
        serde_json::from_str(&p.read(&format!("y1/{MANIFEST}"))).expect("manifest");
    assert_eq!(public["content"], private["content"]);
    let suppressed = private["private"]["suppressed"]["robbery_by_age"]
        .as_array()
        .expect("suppressed robbery cells");
    assert!(suppressed.len() > 3, "{suppressed:?}");
    let table = public["content"]["summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| {
            b["caption"]["text"]
                .as_str()
                .is_some_and(|t| t.contains("robbery"))
        })
        .expect("the robbery table");
    let columns = table["columns"].as_array().unwrap();
    for cell in suppressed {
        let k = columns
            .iter()
            .position(|c| *c == cell["column"])
            .expect("column");
        let rows = table["rows"].as_array().unwrap();
        let row = rows.iter().find(|r| r[0] == cell["row"]).expect("row");
        assert_eq!(
            row[k], "[c]",
            "{cell} is published as its marker, not {}",
            cell["value"]
        );
    }
}

#[test]
fn refresh_writes_the_redline_with_the_outputs() {
    let p = Project::example();
    p.run(&["build", EXAMPLE]).success();
    let old = content_lines(&p, &format!("{OUT}/{MANIFEST}"));
    let dry = p
        .run(&["refresh", EXAMPLE, "--redline", "--dry-run"])
        .success();
    assert!(dry.contains("redline 2019/20 → 2020/21:"), "{dry}");
    assert!(!p
        .path(&format!("{OUT}/needs-assessment-redline.docx"))
        .exists());
    let out = p.run(&["refresh", EXAMPLE, "--redline"]).success();
    assert!(out.contains("redline 2019/20 → 2020/21:"), "{out}");
    assert!(
        out.contains(&format!(
            "last year's paper for the redline: `{OUT}/{MANIFEST}` as published"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("wrote {OUT}/needs-assessment-redline.docx")),
        "{out}"
    );
    let docx = std::fs::read(p.path(&format!("{OUT}/needs-assessment-redline.docx")))
        .expect("redline beside the outputs");
    let xml = docx_part(&docx, "word/document.xml");
    // Refresh moved the date on a year: the changes carry the new date.
    assert!(xml.contains(r#"w:date="2021-11-26T00:00:00Z""#));
    assert!(
        xml.contains("<w:delText xml:space=\"preserve\">26 November 2020</w:delText>")
            || changes(&xml, "w:del").iter().any(|d| d.contains("2020"))
    );
    let new = content_lines(&p, &format!("{OUT}/{MANIFEST}"));
    assert_ne!(old, new);
    assert_eq!(view(&xml, true), new);
    assert_eq!(view(&xml, false), old);
}

#[test]
fn refresh_without_last_years_manifest_builds_the_old_spec_again_and_says_so() {
    let p = Project::example();
    p.run(&["build", EXAMPLE, "--out", "y1"]).success();
    let out = p.run(&["refresh", EXAMPLE, "--redline"]).success();
    assert!(
        out.contains(
            "last year's paper for the redline: the spec as it was, built again with today's data"
        ),
        "{out}"
    );
    let docx = std::fs::read(p.path(&format!("{OUT}/needs-assessment-redline.docx")))
        .expect("redline beside the outputs");
    let xml = docx_part(&docx, "word/document.xml");
    assert_eq!(
        view(&xml, false),
        content_lines(&p, &format!("y1/{MANIFEST}"))
    );
    assert_eq!(
        view(&xml, true),
        content_lines(&p, &format!("{OUT}/{MANIFEST}"))
    );
}

#[test]
fn unusable_inputs_are_refused_naming_each_file_and_what_to_do() {
    let p = Project::example();
    two_years(&p);
    for year in ["y1", "y2"] {
        let path = p.path(&format!("{year}/{MANIFEST}"));
        let mut json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        json.as_object_mut().unwrap().remove("content");
        std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    }
    let (a, b) = (format!("y1/{MANIFEST}"), format!("y2/{MANIFEST}"));
    let err = p
        .run(&["diff", "--docx", &a, &b, "-o", "redline.docx"])
        .failure(1);
    // Both files at once, each with what to do.
    assert!(err.contains(&a) && err.contains(&b), "{err}");
    assert_eq!(err.matches("records no content").count(), 2, "{err}");
    assert!(
        err.contains("build that paper again with this boardpack"),
        "{err}"
    );
    insta::assert_snapshot!("manifests_without_content", err);
    assert!(!p.path("redline.docx").exists());

    let err = p
        .run(&[
            "diff",
            "--docx",
            "y1/missing.json",
            &b,
            "-o",
            "redline.docx",
        ])
        .failure(1);
    assert!(
        err.contains("y1/missing.json") && err.contains("cannot read the manifest"),
        "{err}"
    );
    assert!(
        err.contains(&b) && err.contains("records no content"),
        "{err}"
    );

    let err = p.run(&["diff", "--docx", &a, &b]).failure(2);
    assert!(err.contains("`diff --docx` needs `-o PATH`"), "{err}");
    insta::assert_snapshot!("docx_without_output", err);
    assert!(!p.path("redline.docx").exists());
    // Without --docx, diff still compares the manifests' figures.
    p.run(&["diff", &a, &b]).success();
}

/// The text of the paper a manifest records, one line per paragraph or
/// table cell, in reading order (empty ones left out).
fn content_lines(p: &Project, manifest: &str) -> Vec<String> {
    let m: serde_json::Value = serde_json::from_str(&p.read(manifest)).expect("manifest");
    let c = &m["content"];
    let meta = &c["meta"];
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let mut out = vec![
        s(&meta["title"]),
        format!("To: {}", s(&meta["to"])),
        format!("From: {}", s(&meta["from"])),
        format!("Date: {}", s(&meta["date"])),
    ];
    blocks(&c["body"], &mut out);
    out.push(s(&meta["summary_title"]));
    blocks(&c["summary"], &mut out);
    out.retain(|l| !l.is_empty());
    out
}

fn blocks(v: &serde_json::Value, out: &mut Vec<String>) {
    let runs = |v: &serde_json::Value| -> String {
        v.as_array()
            .into_iter()
            .flatten()
            .map(|r| r["text"].as_str().unwrap_or_default())
            .collect()
    };
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let caption = |c: &serde_json::Value| format!("{}: {}", s(&c["label"]), s(&c["text"]));
    for b in v.as_array().into_iter().flatten() {
        match b["kind"].as_str().unwrap_or_default() {
            "heading" | "paragraph" => out.push(runs(&b["text"])),
            "list" => {
                for item in b["items"].as_array().into_iter().flatten() {
                    blocks(item, out);
                }
            }
            "table" => {
                if !b["caption"].is_null() {
                    out.push(caption(&b["caption"]));
                }
                let rows = std::iter::once(&b["columns"])
                    .chain(b["rows"].as_array().into_iter().flatten())
                    .chain(b.get("totals").filter(|t| !t.is_null()));
                for row in rows {
                    out.extend(row.as_array().into_iter().flatten().map(s));
                }
            }
            "figure" => {
                out.push(s(&b["alt"]));
                out.push(caption(&b["caption"]));
            }
            "definitions" => {
                for d in b["items"].as_array().into_iter().flatten() {
                    out.push(runs(&d["term"]));
                    for e in d["entries"].as_array().into_iter().flatten() {
                        out.push(runs(e));
                    }
                }
            }
            other => panic!("unknown block kind {other:?}"),
        }
    }
}

/// The document's text with every change accepted (`accept`) or rejected,
/// one line per paragraph (empty ones left out): deleted text, moved-from
/// text and rows deleted go when accepting, inserted and moved-to ones when
/// rejecting; a paragraph whose mark goes joins the next one.
fn view(xml: &str, accept: bool) -> Vec<String> {
    use quick_xml::events::Event;
    let gone = if accept {
        ["w:del", "w:moveFrom"]
    } else {
        ["w:ins", "w:moveTo"]
    };
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let (mut lines, mut pending, mut text) = (Vec::new(), String::new(), String::new());
    let (mut mark_gone, mut row_gone, mut hidden) = (false, false, 0usize);
    let mut in_t = false;
    loop {
        let event = reader.read_event().expect("XML parses");
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if gone.contains(&name.as_str()) {
                    hidden += 1;
                }
                in_t = name == "w:t" || name == "w:delText";
                if name == "w:p" {
                    (text, mark_gone) = (String::new(), false);
                }
                path.push(name);
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let parent = path.last().map(String::as_str);
                if gone.contains(&name.as_str()) && parent == Some("w:rPr") {
                    mark_gone = true;
                }
                if gone.contains(&name.as_str()) && parent == Some("w:trPr") {
                    row_gone = true;
                }
                if hidden == 0 && !row_gone {
                    match name.as_str() {
                        "w:br" => text.push('\n'),
                        "w:tab" => text.push('\t'),
                        _ => {}
                    }
                }
            }
            Event::End(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                path.pop();
                if gone.contains(&name.as_str()) {
                    hidden -= 1;
                }
                in_t = false;
                if name == "w:tr" {
                    row_gone = false;
                }
                if name == "w:p" && !row_gone {
                    pending.push_str(&text);
                    if !mark_gone {
                        lines.push(std::mem::take(&mut pending));
                    }
                }
            }
            Event::Text(t) if in_t && hidden == 0 => text.push_str(&t.xml_content().expect("text")),
            Event::GeneralRef(r) if in_t && hidden == 0 => {
                let name = String::from_utf8_lossy(&r).into_owned();
                let c = crate::support::xml_entity(&name);
                text.push_str(c.unwrap_or_else(|| panic!("unexpected entity {name}")));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    lines.push(pending);
    lines.retain(|l| !l.is_empty());
    lines
}

/// The pictures' alternative texts (`wp:docPr/@descr`) of a Word body.
fn pictures_descriptions(xml: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("XML parses") {
            quick_xml::events::Event::Empty(e) | quick_xml::events::Event::Start(e)
                if e.name().as_ref() == b"wp:docPr" =>
            {
                if let Some(a) = e.try_get_attribute("descr").expect("attribute") {
                    out.push(a.unescape_value().expect("descr").into_owned());
                }
            }
            quick_xml::events::Event::Eof => return out,
            _ => {}
        }
    }
}

/// Every change and move range has its own id (`w:id` of `w:ins`, `w:del`,
/// `w:moveFrom`, `w:moveTo` and the range starts; a range end repeats its
/// start's).
fn assert_unique_ids(xml: &str) {
    let mut seen = std::collections::BTreeSet::new();
    for tag in [
        "w:ins",
        "w:del",
        "w:moveFrom",
        "w:moveTo",
        "w:moveFromRangeStart",
        "w:moveToRangeStart",
    ] {
        for part in xml.split(&format!("<{tag} w:id=\"")).skip(1) {
            let id = part.split('"').next().unwrap();
            assert!(seen.insert(id.to_string()), "id {id} used twice ({tag})");
        }
    }
    assert!(!seen.is_empty());
}

/// The text inside each `tag` (`w:del`, `w:ins`) element that holds runs.
fn changes(xml: &str, tag: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = xml;
    let open = format!("<{tag} ");
    while let Some(i) = rest.find(&open) {
        rest = &rest[i..];
        let head_end = rest.find('>').expect("tag ends");
        if rest[..head_end].ends_with('/') {
            rest = &rest[head_end..];
            continue;
        }
        let close = format!("</{tag}>");
        let end = rest.find(&close).expect("closed");
        let inner = &rest[head_end + 1..end];
        let mut text = String::new();
        let mut r = inner;
        while let Some(s) = r.find("xml:space=\"preserve\">") {
            r = &r[s + "xml:space=\"preserve\">".len()..];
            let e = r.find('<').expect("text ends");
            text.push_str(&r[..e].replace("&amp;", "&"));
        }
        out.push(text);
        rest = &rest[end..];
    }
    out
}

/// Converts `docx` to PDF with LibreOffice (headless) and asserts its text
/// has each of `wanted` (LibreOffice prints tracked changes: deleted text
/// struck through, inserted underlined). Without LibreOffice the test fails
/// (a redline no client opened is not a passing one): `.ci/run` installs it.
fn libreoffice_shows(docx: &Path, wanted: &[&str]) {
    let text = crate::support::libreoffice_text(docx);
    for w in wanted {
        assert!(text.contains(w), "LibreOffice's PDF lacks {w:?}:\n{text}");
    }
}
