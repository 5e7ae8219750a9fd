//! The generator of `templates/house.docx`, the bundled office template:
//! a header with the office's name, a logo and the protective marking (a
//! `DOCPROPERTY Classification` field), a footer with "Page X of Y" and the
//! marking, 2 cm margins, its own paragraph styles ("OPCC Recommendation",
//! "OPCC Heading 1"), a list of its own in `numbering.xml`, a custom
//! document property and "List Bullet"/"List Number"/"Quote" left latent.
//!
//! The test `house_docx_is_current` checks the committed file equals what
//! this writes; `BOARDPACK_BLESS=1` rewrites it.

use super::package::Package;
use crate::chart::{svg_to_png, Fonts};

/// Where the bundled template lives, relative to the crate root.
pub(crate) const PATH: &str = "templates/house.docx";

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const DECL: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
const NAVY: &str = "1F3864";

/// The template's bytes (a fixed timestamp: same code, same bytes).
pub(crate) fn house_docx() -> Vec<u8> {
    let mut p = Package::default();
    for (name, text) in parts() {
        p.put(&name, text.into_bytes());
    }
    p.put("word/media/logo.png", logo());
    let ts: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().expect("fixed timestamp");
    p.write(ts).expect("the template packs")
}

/// The logo: a navy shield with a gold chevron, drawn without text so it
/// needs no font.
fn logo() -> Vec<u8> {
    let svg = concat!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="48pt" height="54pt" viewBox="0 0 48 54">"#,
        r##"<path d="M24 2 L44 9 V26 C44 40 35 48 24 52 C13 48 4 40 4 26 V9 Z" fill="#1F3864"/>"##,
        r##"<path d="M12 22 L24 32 L36 22 L36 29 L24 39 L12 29 Z" fill="#C9A227"/>"##,
        r#"</svg>"#
    );
    svg_to_png(svg, 150.0, &Fonts::new(&[])).expect("the logo renders")
}

fn parts() -> Vec<(String, String)> {
    vec![
        ("[Content_Types].xml".into(), content_types()),
        ("_rels/.rels".into(), package_rels()),
        ("docProps/core.xml".into(), core()),
        ("docProps/app.xml".into(), app()),
        ("docProps/custom.xml".into(), custom()),
        ("word/document.xml".into(), document()),
        ("word/_rels/document.xml.rels".into(), document_rels()),
        ("word/styles.xml".into(), styles()),
        ("word/numbering.xml".into(), numbering()),
        ("word/settings.xml".into(), settings()),
        ("word/fontTable.xml".into(), font_table()),
        (
            "word/theme/theme1.xml".into(),
            super::parts::THEME_XML.to_string(),
        ),
        ("word/header1.xml".into(), header()),
        ("word/_rels/header1.xml.rels".into(), header_rels()),
        ("word/footer1.xml".into(), footer()),
    ]
}

fn content_types() -> String {
    let ct = "application/vnd.openxmlformats-officedocument";
    format!(
        concat!(
            "{d}",
            r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
            r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
            r#"<Default Extension="xml" ContentType="application/xml"/>"#,
            r#"<Default Extension="png" ContentType="image/png"/>"#,
            r#"<Override PartName="/word/document.xml" ContentType="{ct}.wordprocessingml.document.main+xml"/>"#,
            r#"<Override PartName="/word/styles.xml" ContentType="{ct}.wordprocessingml.styles+xml"/>"#,
            r#"<Override PartName="/word/numbering.xml" ContentType="{ct}.wordprocessingml.numbering+xml"/>"#,
            r#"<Override PartName="/word/settings.xml" ContentType="{ct}.wordprocessingml.settings+xml"/>"#,
            r#"<Override PartName="/word/fontTable.xml" ContentType="{ct}.wordprocessingml.fontTable+xml"/>"#,
            r#"<Override PartName="/word/theme/theme1.xml" ContentType="{ct}.theme+xml"/>"#,
            r#"<Override PartName="/word/header1.xml" ContentType="{ct}.wordprocessingml.header+xml"/>"#,
            r#"<Override PartName="/word/footer1.xml" ContentType="{ct}.wordprocessingml.footer+xml"/>"#,
            r#"<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>"#,
            r#"<Override PartName="/docProps/app.xml" ContentType="{ct}.extended-properties+xml"/>"#,
            r#"<Override PartName="/docProps/custom.xml" ContentType="{ct}.custom-properties+xml"/>"#,
            r#"</Types>"#
        ),
        d = DECL,
        ct = ct
    )
}

fn package_rels() -> String {
    relationships(&[
        office_rel("rId1", "officeDocument", "word/document.xml"),
        rel(
            "rId2",
            "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
            "docProps/core.xml",
        ),
        office_rel("rId3", "extended-properties", "docProps/app.xml"),
        office_rel("rId4", "custom-properties", "docProps/custom.xml"),
    ])
}

fn core() -> String {
    format!(
        concat!(
            "{d}",
            r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
            r#"<dc:title>OPCC house template</dc:title><dc:creator>boardpack</dc:creator>"#,
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:created>"#,
            r#"<dcterms:modified xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:modified>"#,
            r#"</cp:coreProperties>"#
        ),
        d = DECL
    )
}

fn app() -> String {
    format!(
        r#"{DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>boardpack</Application></Properties>"#
    )
}

fn custom() -> String {
    format!(
        concat!(
            "{d}",
            r#"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">"#,
            r#"<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="Department"><vt:lpwstr>Office of the Police and Crime Commissioner</vt:lpwstr></property>"#,
            r#"<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="3" name="Classification"><vt:lpwstr>OFFICIAL</vt:lpwstr></property>"#,
            r#"</Properties>"#
        ),
        d = DECL
    )
}

/// A sample body (replaced by every build) and the section: A4, 2 cm
/// margins, the header and footer.
fn document() -> String {
    format!(
        concat!(
            "{d}",
            r#"<w:document xmlns:w="{w}" xmlns:r="{r}"><w:body>"#,
            r#"<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>Paper title</w:t></w:r></w:p>"#,
            r#"<w:p><w:pPr><w:pStyle w:val="OPCCRecommendation"/></w:pPr><w:r><w:t>The Board is recommended to note this template.</w:t></w:r></w:p>"#,
            r#"<w:sectPr><w:headerReference w:type="default" r:id="rId6"/><w:footerReference w:type="default" r:id="rId7"/>"#,
            r#"<w:pgSz w:w="11906" w:h="16838"/>"#,
            r#"<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="567" w:footer="567" w:gutter="0"/>"#,
            r#"<w:cols w:space="708"/></w:sectPr></w:body></w:document>"#
        ),
        d = DECL,
        w = W,
        r = R
    )
}

fn document_rels() -> String {
    relationships(&[
        office_rel("rId1", "styles", "styles.xml"),
        office_rel("rId2", "numbering", "numbering.xml"),
        office_rel("rId3", "settings", "settings.xml"),
        office_rel("rId4", "fontTable", "fontTable.xml"),
        office_rel("rId5", "theme", "theme/theme1.xml"),
        office_rel("rId6", "header", "header1.xml"),
        office_rel("rId7", "footer", "footer1.xml"),
    ])
}

/// A relationships part holding `rels`.
fn relationships(rels: &[String]) -> String {
    format!(
        r#"{DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{}</Relationships>"#,
        rels.concat()
    )
}

/// The relationship `id`, of type `kind` (a URL), to `target`.
fn rel(id: &str, kind: &str, target: &str) -> String {
    format!(r#"<Relationship Id="{id}" Type="{kind}" Target="{target}"/>"#)
}

/// The relationship `id`, of the office document type `kind` ("styles",
/// "header"…), to `target`.
fn office_rel(id: &str, kind: &str, target: &str) -> String {
    rel(id, &format!("{R}/{kind}"), target)
}

/// A paragraph style.
fn pstyle(id: &str, name: &str, extra: &str) -> String {
    format!(
        r#"<w:style w:type="paragraph" w:styleId="{id}"><w:name w:val="{name}"/>{extra}</w:style>"#
    )
}

fn heading(n: u8, size: u8) -> String {
    pstyle(
        &format!("Heading{n}"),
        &format!("heading {n}"),
        &format!(
            concat!(
                r#"<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/>"#,
                r#"<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="{lvl}"/></w:pPr>"#,
                r#"<w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial"/><w:b/><w:bCs/><w:color w:val="{navy}"/><w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>"#
            ),
            lvl = n - 1,
            navy = NAVY,
            size = size
        ),
    )
}

/// `styles.xml`: the defaults (Arial 11 pt, en-GB), Word's default styles,
/// the house's paragraph styles and the table grid and hyperlink styles.
fn styles() -> String {
    let mut out = format!("{DECL}<w:styles xmlns:w=\"{W}\">");
    out += DEFAULT_STYLES;
    out += &house_paragraph_styles();
    out += &page_part_styles();
    out += TABLE_AND_LINK_STYLES;
    out += "</w:styles>";
    out
}

/// The document defaults, the latent styles left to Word ("List Bullet",
/// "List Number", "Quote", "heading 4") and Word's default paragraph,
/// character, table and numbering styles.
const DEFAULT_STYLES: &str = concat!(
    r#"<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Arial" w:eastAsia="Arial" w:hAnsi="Arial" w:cs="Arial"/>"#,
    r#"<w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-GB"/></w:rPr></w:rPrDefault>"#,
    r#"<w:pPrDefault><w:pPr><w:spacing w:after="160" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>"#,
    r#"<w:latentStyles w:defLockedState="0" w:defUIPriority="99" w:defSemiHidden="0" w:defUnhideWhenUsed="0" w:defQFormat="0" w:count="376">"#,
    r#"<w:lsdException w:name="List Bullet" w:uiPriority="99"/><w:lsdException w:name="List Number" w:uiPriority="99"/>"#,
    r#"<w:lsdException w:name="Quote" w:uiPriority="29" w:qFormat="1"/><w:lsdException w:name="heading 4" w:uiPriority="9" w:qFormat="1"/>"#,
    r#"</w:latentStyles>"#,
    r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>"#,
    r#"<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style>"#,
    r#"<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>"#,
    r#"<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>"#,
    r#"<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style>"#
);

/// Title, headings 1–3 and the house's own "OPCC Heading 1" and "OPCC
/// Recommendation", in navy.
fn house_paragraph_styles() -> String {
    let mut out = pstyle(
        "Title",
        "Title",
        &format!(
            concat!(
                r#"<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="10"/><w:qFormat/>"#,
                r#"<w:pPr><w:pBdr><w:bottom w:val="single" w:sz="12" w:space="4" w:color="{navy}"/></w:pBdr><w:spacing w:after="320"/></w:pPr>"#,
                r#"<w:rPr><w:b/><w:bCs/><w:color w:val="{navy}"/><w:sz w:val="44"/><w:szCs w:val="44"/></w:rPr>"#
            ),
            navy = NAVY
        ),
    );
    out += &heading(1, 32);
    out += &heading(2, 26);
    out += &heading(3, 24);
    out += &pstyle(
        "OPCCHeading1",
        "OPCC Heading 1",
        &format!(
            concat!(
                r#"<w:basedOn w:val="Heading1"/><w:next w:val="Normal"/><w:qFormat/>"#,
                r#"<w:pPr><w:shd w:val="clear" w:color="auto" w:fill="{navy}"/></w:pPr><w:rPr><w:color w:val="FFFFFF"/></w:rPr>"#
            ),
            navy = NAVY
        ),
    );
    out += &pstyle(
        "OPCCRecommendation",
        "OPCC Recommendation",
        &format!(
            concat!(
                r#"<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>"#,
                r#"<w:pPr><w:pBdr><w:left w:val="single" w:sz="24" w:space="8" w:color="C9A227"/></w:pBdr>"#,
                r#"<w:shd w:val="clear" w:color="auto" w:fill="EEF1F7"/><w:ind w:left="284"/></w:pPr>"#,
                r#"<w:rPr><w:b/><w:bCs/><w:color w:val="{navy}"/></w:rPr>"#
            ),
            navy = NAVY
        ),
    );
    out
}

/// The caption style and the header and footer styles (alike: 9 pt,
/// centre and right tab stops, no spacing).
fn page_part_styles() -> String {
    const HEADER_FOOTER: &str = r#"<w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:pPr><w:tabs><w:tab w:val="center" w:pos="4819"/><w:tab w:val="right" w:pos="9638"/></w:tabs><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>"#;
    let mut out = pstyle(
        "Caption",
        "caption",
        r#"<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="35"/><w:unhideWhenUsed/><w:qFormat/><w:rPr><w:i/><w:iCs/><w:color w:val="404040"/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>"#,
    );
    out += &pstyle("Header", "header", HEADER_FOOTER);
    out += &pstyle("Footer", "footer", HEADER_FOOTER);
    out
}

/// "Table Grid" (navy single borders) and "Hyperlink".
const TABLE_AND_LINK_STYLES: &str = concat!(
    r#"<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="39"/>"#,
    r#"<w:pPr><w:spacing w:before="40" w:after="40" w:line="240" w:lineRule="auto"/></w:pPr><w:tblPr><w:tblBorders>"#,
    r#"<w:top w:val="single" w:sz="4" w:space="0" w:color="1F3864"/><w:left w:val="single" w:sz="4" w:space="0" w:color="1F3864"/>"#,
    r#"<w:bottom w:val="single" w:sz="4" w:space="0" w:color="1F3864"/><w:right w:val="single" w:sz="4" w:space="0" w:color="1F3864"/>"#,
    r#"<w:insideH w:val="single" w:sz="4" w:space="0" w:color="1F3864"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="1F3864"/>"#,
    r#"</w:tblBorders></w:tblPr></w:style>"#,
    r#"<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>"#,
    r#"<w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr></w:style>"#
);

/// One list of the template's own (a lettered list), so a build's lists
/// must take ids above it.
fn numbering() -> String {
    format!(
        concat!(
            "{d}<w:numbering xmlns:w=\"{w}\">",
            r#"<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="singleLevel"/>"#,
            r#"<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperLetter"/><w:lvlText w:val="%1."/><w:lvlJc w:val="left"/>"#,
            r#"<w:pPr><w:ind w:left="360" w:hanging="360"/></w:pPr></w:lvl></w:abstractNum>"#,
            r#"<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#
        ),
        d = DECL,
        w = W
    )
}

fn settings() -> String {
    format!(
        concat!(
            "{d}<w:settings xmlns:w=\"{w}\"><w:zoom w:percent=\"100\"/><w:defaultTabStop w:val=\"720\"/>",
            r#"<w:characterSpacingControl w:val="doNotCompress"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>"#,
            r#"</w:settings>"#
        ),
        d = DECL,
        w = W
    )
}

fn font_table() -> String {
    format!(
        concat!(
            "{d}<w:fonts xmlns:w=\"{w}\">",
            r#"<w:font w:name="Arial"><w:panose1 w:val="020B0604020202020204"/><w:charset w:val="00"/><w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font>"#,
            r#"</w:fonts>"#
        ),
        d = DECL,
        w = W
    )
}

/// A `DOCPROPERTY Classification` field, marked dirty so Word recomputes it
/// from the document's property on opening.
fn marking_field() -> String {
    concat!(
        r#"<w:r><w:rPr><w:b/><w:bCs/></w:rPr><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>"#,
        r#"<w:r><w:rPr><w:b/><w:bCs/></w:rPr><w:instrText xml:space="preserve"> DOCPROPERTY Classification \* MERGEFORMAT </w:instrText></w:r>"#,
        r#"<w:r><w:rPr><w:b/><w:bCs/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r>"#,
        r#"<w:r><w:rPr><w:b/><w:bCs/></w:rPr><w:t>OFFICIAL</w:t></w:r>"#,
        r#"<w:r><w:rPr><w:b/><w:bCs/></w:rPr><w:fldChar w:fldCharType="end"/></w:r>"#
    )
    .to_string()
}

/// The logo, 1.27 × 1.43 cm, inline.
fn logo_drawing() -> String {
    concat!(
        r#"<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="457200" cy="514350"/>"#,
        r#"<wp:docPr id="100" name="OPCC logo" descr="Office of the Police and Crime Commissioner crest"/>"#,
        r#"<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>"#,
        r#"<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">"#,
        r#"<pic:pic><pic:nvPicPr><pic:cNvPr id="100" name="logo.png"/><pic:cNvPicPr/></pic:nvPicPr>"#,
        r#"<pic:blipFill><a:blip r:embed="rIdLogo"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>"#,
        r#"<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="457200" cy="514350"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>"#,
        r#"</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"#
    )
    .to_string()
}

fn header() -> String {
    format!(
        concat!(
            "{d}<w:hdr xmlns:w=\"{w}\" xmlns:r=\"{r}\"",
            r#" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing""#,
            r#" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main""#,
            r#" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">"#,
            r#"<w:p><w:pPr><w:pStyle w:val="Header"/><w:jc w:val="center"/></w:pPr>{marking}</w:p>"#,
            r#"<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr>{logo}<w:r><w:tab/></w:r><w:r><w:tab/></w:r>"#,
            r#"<w:r><w:rPr><w:color w:val="1F3864"/></w:rPr><w:t>Office of the Police and Crime Commissioner</w:t></w:r></w:p>"#,
            r#"</w:hdr>"#
        ),
        d = DECL,
        w = W,
        r = R,
        marking = marking_field(),
        logo = logo_drawing()
    )
}

fn header_rels() -> String {
    relationships(&[office_rel("rIdLogo", "image", "media/logo.png")])
}

fn page_field(name: &str) -> String {
    format!(
        concat!(
            r#"<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> {n} </w:instrText></w:r>"#,
            r#"<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>"#
        ),
        n = name
    )
}

fn footer() -> String {
    format!(
        concat!(
            "{d}<w:ftr xmlns:w=\"{w}\" xmlns:r=\"{r}\">",
            r#"<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr><w:r><w:t>Police and Crime Commissioner</w:t></w:r><w:r><w:tab/></w:r><w:r><w:tab/></w:r>"#,
            r#"<w:r><w:t xml:space="preserve">Page </w:t></w:r>{page}<w:r><w:t xml:space="preserve"> of </w:t></w:r>{pages}</w:p>"#,
            r#"<w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="center"/></w:pPr>{marking}</w:p>"#,
            r#"</w:ftr>"#
        ),
        d = DECL,
        w = W,
        r = R,
        page = page_field("PAGE"),
        pages = page_field("NUMPAGES"),
        marking = marking_field()
    )
}

#[test]
fn house_docx_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(PATH);
    let bytes = house_docx();
    if std::env::var_os("BOARDPACK_BLESS").is_some() {
        std::fs::write(&path, &bytes).expect("write templates/house.docx");
    }
    let committed = std::fs::read(&path).expect("templates/house.docx exists");
    assert!(
        committed == bytes,
        "templates/house.docx is out of date: run with BOARDPACK_BLESS=1"
    );
}
