//! Snapshots of the example's generated text: the rendered Markdown of both
//! content files and the Typst source handed to the layout.

use boardpack::BuildOptions;

fn example() -> boardpack::Build {
    let root = env!("CARGO_MANIFEST_DIR");
    let options = BuildOptions {
        spec: std::path::Path::new(root).join(crate::support::EXAMPLE),
        ..BuildOptions::default()
    };
    boardpack::build(&options).expect("example builds")
}

#[test]
fn rendered_markdown_and_typst_source() {
    let build = example();
    insta::assert_snapshot!("paper_markdown", build.rendered().body_markdown);
    insta::assert_snapshot!("summary_markdown", build.rendered().summary_markdown);
    let pdf = build.output(boardpack::Format::Pdf).expect("a PDF");
    insta::assert_snapshot!("typst_source", pdf.source.as_deref().unwrap_or_default());
}
