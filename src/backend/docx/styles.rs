//! Our `word/styles.xml` and `word/numbering.xml`.
//!
//! docx-rs 0.4 writes a styles part with only an empty `Normal` and
//! references whatever style ids the caller names, so the package would
//! point at styles that do not exist. We replace the part with real
//! definitions, named as Word's built-ins ("heading 1", "List Bullet", …) so
//! Word treats them as its own: they show in the navigation pane, the style
//! gallery and the table of contents.

/// Numbering instance used by every bulleted list (and by `ListBullet`).
pub(crate) const BULLET_NUM_ID: usize = 1;

/// Numbering instance linked to the `ListNumber` style; numbered lists get
/// fresh instances after it so each one restarts at 1.
pub(crate) const NUMBER_NUM_ID: usize = 2;

/// Every style id defined in [`STYLES_XML`]; the builder may only use these
/// (a test checks both directions).
#[cfg(test)]
pub(crate) const STYLE_IDS: &[&str] = &[
    "Normal",
    "DefaultParagraphFont",
    "TableNormal",
    "NoList",
    "Title",
    "Heading1",
    "Heading2",
    "Heading3",
    "ListBullet",
    "ListNumber",
    "TableGrid",
    "Hyperlink",
    "Caption",
];

/// A heading style: Word's built-in name, kept with the next paragraph,
/// bold, with an outline level so it shows in the navigation pane.
macro_rules! heading {
    ($n:literal, $outline:literal, $before:literal, $size:literal) => {
        concat!(
            r#"<w:style w:type="paragraph" w:styleId="Heading"#,
            $n,
            r#"">"#,
            r#"<w:name w:val="heading "#,
            $n,
            r#""/><w:basedOn w:val="Normal"/>"#,
            r#"<w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:unhideWhenUsed/><w:qFormat/>"#,
            r#"<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before=""#,
            $before,
            r#"" w:after="120"/><w:outlineLvl w:val=""#,
            $outline,
            r#""/></w:pPr>"#,
            r#"<w:rPr><w:b/><w:bCs/><w:sz w:val=""#,
            $size,
            r#""/><w:szCs w:val=""#,
            $size,
            r#""/></w:rPr></w:style>"#,
        )
    };
}

/// A list paragraph style linked to a numbering instance; contextual
/// spacing keeps the items of one list together.
macro_rules! list_style {
    ($id:literal, $name:literal, $num:literal) => {
        concat!(
            r#"<w:style w:type="paragraph" w:styleId=""#,
            $id,
            r#""><w:name w:val=""#,
            $name,
            r#""/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>"#,
            r#"<w:pPr><w:numPr><w:numId w:val=""#,
            $num,
            r#""/></w:numPr>"#,
            r#"<w:spacing w:after="80"/><w:contextualSpacing/></w:pPr></w:style>"#,
        )
    };
}

/// The styles part. Spacing lives in the document defaults rather than in
/// `Normal`, as in Word's own template, so the table style's tighter cell
/// spacing is not overridden by the paragraph style. The language is a
/// placeholder that [`super::passes::set_default_language`] replaces.
pub(crate) const STYLES_XML: &str = concat!(
    r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:docDefaults><w:rPrDefault><w:rPr>"#,
    r#"<w:rFonts w:ascii="Arial" w:eastAsia="Arial" w:hAnsi="Arial" w:cs="Arial"/>"#,
    r#"<w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-GB"/>"#,
    r#"</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>"#,
    r#"<w:spacing w:after="160" w:line="264" w:lineRule="auto"/>"#,
    r#"</w:pPr></w:pPrDefault></w:docDefaults>"#,
    r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal">"#,
    r#"<w:name w:val="Normal"/><w:qFormat/></w:style>"#,
    r#"<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">"#,
    r#"<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/>"#,
    r#"<w:semiHidden/><w:unhideWhenUsed/></w:style>"#,
    r#"<w:style w:type="table" w:default="1" w:styleId="TableNormal">"#,
    r#"<w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/>"#,
    r#"<w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar>"#,
    r#"<w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>"#,
    r#"<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>"#,
    r#"</w:tblCellMar></w:tblPr></w:style>"#,
    r#"<w:style w:type="numbering" w:default="1" w:styleId="NoList">"#,
    r#"<w:name w:val="No List"/><w:uiPriority w:val="99"/><w:semiHidden/>"#,
    r#"<w:unhideWhenUsed/></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/>"#,
    r#"<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="10"/>"#,
    r#"<w:qFormat/><w:pPr><w:keepNext/><w:spacing w:after="320" w:line="240" w:lineRule="auto"/>"#,
    r#"</w:pPr><w:rPr><w:b/><w:bCs/><w:kern w:val="28"/><w:sz w:val="40"/><w:szCs w:val="40"/>"#,
    r#"</w:rPr></w:style>"#,
    heading!(1, 0, 360, 32),
    heading!(2, 1, 280, 28),
    heading!(3, 2, 240, 24),
    list_style!("ListBullet", "List Bullet", 1),
    list_style!("ListNumber", "List Number", 2),
    r#"<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/>"#,
    r#"<w:basedOn w:val="TableNormal"/><w:uiPriority w:val="39"/><w:pPr>"#,
    r#"<w:spacing w:before="40" w:after="40" w:line="240" w:lineRule="auto"/></w:pPr>"#,
    r#"<w:tblPr><w:tblBorders>"#,
    r#"<w:top w:val="single" w:sz="4" w:space="0" w:color="auto"/>"#,
    r#"<w:left w:val="single" w:sz="4" w:space="0" w:color="auto"/>"#,
    r#"<w:bottom w:val="single" w:sz="4" w:space="0" w:color="auto"/>"#,
    r#"<w:right w:val="single" w:sz="4" w:space="0" w:color="auto"/>"#,
    r#"<w:insideH w:val="single" w:sz="4" w:space="0" w:color="auto"/>"#,
    r#"<w:insideV w:val="single" w:sz="4" w:space="0" w:color="auto"/>"#,
    r#"</w:tblBorders></w:tblPr></w:style>"#,
    r#"<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/>"#,
    r#"<w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/>"#,
    r#"<w:unhideWhenUsed/><w:rPr><w:color w:val="0563C1" w:themeColor="hyperlink"/>"#,
    r#"<w:u w:val="single"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/>"#,
    r#"<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="35"/>"#,
    r#"<w:unhideWhenUsed/><w:qFormat/><w:pPr><w:spacing w:before="80" w:after="200"/></w:pPr>"#,
    r#"<w:rPr><w:i/><w:iCs/><w:color w:val="404040"/><w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr></w:style>"#,
    r#"</w:styles>"#,
);

/// Bullet characters by nesting level (all in Arial's WGL4 set).
const BULLETS: [&str; 3] = ["\u{2022}", "\u{25E6}", "\u{25AA}"];

/// Number formats by nesting level: 1. a. i. 1. a. i. …
const NUMBER_FORMATS: [&str; 3] = ["decimal", "lowerLetter", "lowerRoman"];

/// The numbering part: abstract list 0 (bullets) and 1 (numbers), nine
/// levels each, 0.25" indent per level; instance 1 and 2 for the list
/// styles, then one instance per numbered list (`ordered_lists` of them)
/// that restarts every level at 1.
pub(crate) fn numbering_xml(ordered_lists: usize) -> Vec<u8> {
    let mut out = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        r#"<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    ));
    out += &abstract_num(0, "ListBullet", |l| ("bullet", BULLETS[l % 3].to_string()));
    out += &abstract_num(1, "ListNumber", |l| {
        (NUMBER_FORMATS[l % 3], format!("%{}.", l + 1))
    });
    out += &format!(r#"<w:num w:numId="{BULLET_NUM_ID}"><w:abstractNumId w:val="0"/></w:num>"#);
    out += &format!(r#"<w:num w:numId="{NUMBER_NUM_ID}"><w:abstractNumId w:val="1"/></w:num>"#);
    for id in (NUMBER_NUM_ID + 1)..=(NUMBER_NUM_ID + ordered_lists) {
        out += &format!(r#"<w:num w:numId="{id}"><w:abstractNumId w:val="1"/>"#);
        for level in 0..9 {
            out += &format!(
                r#"<w:lvlOverride w:ilvl="{level}"><w:startOverride w:val="1"/></w:lvlOverride>"#
            );
        }
        out += "</w:num>";
    }
    out += "</w:numbering>";
    out.into_bytes()
}

/// One abstract list; `level` gives each level's format and text. Level 0
/// names its paragraph style so Word links the list and the style.
fn abstract_num(id: usize, style: &str, level: impl Fn(usize) -> (&'static str, String)) -> String {
    let mut out = format!(
        r#"<w:abstractNum w:abstractNumId="{id}"><w:multiLevelType w:val="hybridMultilevel"/>"#
    );
    for l in 0..9 {
        let (format, text) = level(l);
        let style = if l == 0 {
            format!(r#"<w:pStyle w:val="{style}"/>"#)
        } else {
            String::new()
        };
        let indent = 360 * (l + 1);
        out += &format!(
            concat!(
                r#"<w:lvl w:ilvl="{l}"><w:start w:val="1"/><w:numFmt w:val="{format}"/>{style}"#,
                r#"<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>"#,
                r#"<w:pPr><w:ind w:left="{indent}" w:hanging="360"/></w:pPr></w:lvl>"#,
            ),
            l = l,
            format = format,
            style = style,
            text = text,
            indent = indent,
        );
    }
    out + "</w:abstractNum>"
}
