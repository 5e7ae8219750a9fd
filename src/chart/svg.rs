//! Drawing operations in points, emitted as SVG through plotters' SVG
//! backend, then given a root element with a physical size, `<title>` and
//! `<desc>`.
//!
//! Plotters' backend works in whole pixels, so one SVG user unit is 0.1 pt
//! (the viewBox is 10× the size in points): fine enough for print and
//! every coordinate is an integer, which keeps the output byte-stable.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontTransform;

use super::palette::{self, Rgb};
use super::ChartError;

/// The font family of chart text unless the house style names another.
pub(super) const FONT_FAMILY: &str = "Libertinus Serif";

/// SVG user units per point.
const UNITS_PER_PT: f64 = 10.0;

/// Horizontal alignment of a text run at its anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Anchor {
    Start,
    Middle,
    End,
}

/// One drawing operation; all lengths in points, y down.
#[derive(Debug, Clone)]
pub(super) enum Op {
    /// A filled rectangle between two corners.
    Rect {
        x0: f64,
        y0: f64,
        x1: f64,
        y1: f64,
        color: Rgb,
    },
    /// An open polyline.
    Line {
        points: Vec<(f64, f64)>,
        color: Rgb,
        width: f64,
    },
    /// A filled circle.
    Dot {
        cx: f64,
        cy: f64,
        r: f64,
        color: Rgb,
    },
    /// A line of text whose baseline is at `y`.
    Text {
        x: f64,
        y: f64,
        text: String,
        size: f64,
        color: Rgb,
        anchor: Anchor,
    },
    /// Text reading bottom-to-top, centred on `x`, its end at `top`.
    TextUp {
        x: f64,
        top: f64,
        text: String,
        size: f64,
        color: Rgb,
    },
}

/// A chart being drawn.
#[derive(Debug, Clone)]
pub(super) struct Canvas {
    pub width: f64,
    pub height: f64,
    pub ops: Vec<Op>,
}

impl Canvas {
    pub(super) fn new(width: f64, height: f64) -> Canvas {
        Canvas {
            width,
            height,
            ops: Vec::new(),
        }
    }

    pub(super) fn rect(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, color: Rgb) {
        self.ops.push(Op::Rect {
            x0: x0.min(x1),
            y0: y0.min(y1),
            x1: x0.max(x1),
            y1: y0.max(y1),
            color,
        });
    }

    pub(super) fn line(&mut self, points: Vec<(f64, f64)>, color: Rgb, width: f64) {
        self.ops.push(Op::Line {
            points,
            color,
            width,
        });
    }

    pub(super) fn dot(&mut self, cx: f64, cy: f64, r: f64, color: Rgb) {
        self.ops.push(Op::Dot { cx, cy, r, color });
    }

    pub(super) fn text(
        &mut self,
        x: f64,
        y: f64,
        text: &str,
        size: f64,
        color: Rgb,
        anchor: Anchor,
    ) {
        self.ops.push(Op::Text {
            x,
            y,
            // Chart labels come from data: no bidi control may reorder them.
            text: crate::text::strip_bidi_controls(text),
            size,
            color,
            anchor,
        });
    }

    pub(super) fn text_up(&mut self, x: f64, top: f64, text: &str, size: f64, color: Rgb) {
        self.ops.push(Op::TextUp {
            x,
            top,
            text: crate::text::strip_bidi_controls(text),
            size,
            color,
        });
    }
}

/// Points to SVG user units (whole numbers).
fn u(pt: f64) -> i32 {
    let v = (pt * UNITS_PER_PT).round();
    v.clamp(-1e8, 1e8) as i32
}

fn colour(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

/// Plotters' SVG backend writes `font-size = size / 1.24`.
const PLOTTERS_FONT_FACTOR: f64 = 1.24;

/// Emits the canvas as an SVG document, its text in font `family`.
pub(super) fn to_svg(
    canvas: &Canvas,
    title: &str,
    desc: &str,
    family: &str,
) -> Result<String, ChartError> {
    let size = (
        u(canvas.width).max(1) as u32,
        u(canvas.height).max(1) as u32,
    );
    let mut body = String::new();
    {
        let root = SVGBackend::with_string(&mut body, size).into_drawing_area();
        let draw_err = |e: DrawError| ChartError::Draw(e.to_string());
        root.fill(&colour(palette::WHITE)).map_err(draw_err)?;
        for op in &canvas.ops {
            draw_op(&root, op, family).map_err(draw_err)?;
        }
        root.present().map_err(draw_err)?;
    }
    Ok(finish(&body, canvas, title, desc, family))
}

/// What plotters' SVG backend fails with.
type DrawError = plotters::drawing::DrawingAreaErrorKind<std::io::Error>;

/// The drawing area of plotters' SVG backend, in SVG user units.
type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// Draws one operation, converting points to user units.
fn draw_op(root: &Area, op: &Op, family: &str) -> Result<(), DrawError> {
    match op {
        Op::Rect {
            x0,
            y0,
            x1,
            y1,
            color,
        } => root.draw(&Rectangle::new(
            [(u(*x0), u(*y0)), (u(*x1), u(*y1))],
            colour(*color).filled(),
        )),
        Op::Line {
            points,
            color,
            width,
        } => root.draw(&PathElement::new(
            points
                .iter()
                .map(|(x, y)| (u(*x), u(*y)))
                .collect::<Vec<_>>(),
            colour(*color).stroke_width(u(*width).max(1) as u32),
        )),
        Op::Dot { cx, cy, r, color } => root.draw(&Circle::new(
            (u(*cx), u(*cy)),
            u(*r).max(1),
            colour(*color).filled(),
        )),
        Op::Text {
            x,
            y,
            text,
            size,
            color,
            anchor,
        } => draw_text(root, (*x, *y), text, (*size, *color), *anchor, family),
        Op::TextUp {
            x,
            top,
            text,
            size,
            color,
        } => draw_text_up(root, (*x, *top), text, (*size, *color), family),
    }
}

/// A line of text with its baseline at `y`.
fn draw_text(
    root: &Area,
    (x, y): (f64, f64),
    text: &str,
    (size, color): (f64, Rgb),
    anchor: Anchor,
    family: &str,
) -> Result<(), DrawError> {
    let h = match anchor {
        Anchor::Start => HPos::Left,
        Anchor::Middle => HPos::Center,
        Anchor::End => HPos::Right,
    };
    // VPos::Top makes plotters write dy="0.76em"; shift up by as much so
    // the baseline lands on `y`.
    let style = text_style(family, size, color, Pos::new(h, VPos::Top), false);
    root.draw(&Text::new(text, (u(x), u(y - 0.76 * size)), style))
}

/// Text reading bottom-to-top, centred on `x`, its end at `top`.
fn draw_text_up(
    root: &Area,
    (x, top): (f64, f64),
    text: &str,
    (size, color): (f64, Rgb),
    family: &str,
) -> Result<(), DrawError> {
    // Rotated 270°: "end" sits at `top`, dy (0.25em for VPos::Center)
    // moves the baseline right of `x`, and figures then straddle `x`.
    let pos = Pos::new(HPos::Right, VPos::Center);
    let style = text_style(family, size, color, pos, true);
    root.draw(&Text::new(text, (u(x + 0.08 * size), u(top)), style))
}

fn text_style(family: &str, size: f64, color: Rgb, pos: Pos, up: bool) -> TextStyle<'_> {
    let mut font = FontDesc::new(
        FontFamily::Name(family),
        size * UNITS_PER_PT * PLOTTERS_FONT_FACTOR,
        FontStyle::Normal,
    );
    if up {
        font = font.transform(FontTransform::Rotate270);
    }
    TextStyle {
        font,
        color: colour(color).to_backend_color(),
        pos,
    }
}

/// Replaces plotters' root element with one sized in points and carrying
/// `<title>`/`<desc>`, and tidies font sizes (plotters divides by 1.24).
fn finish(body: &str, canvas: &Canvas, title: &str, desc: &str, family: &str) -> String {
    let rest = body
        .find("<svg")
        .and_then(|start| body[start..].find('>').map(|end| &body[start + end + 1..]))
        .unwrap_or(body)
        .trim_start_matches('\n');
    let mut out = String::with_capacity(body.len() + 512);
    out.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}pt\" height=\"{h}pt\" viewBox=\"0 0 {vw} {vh}\" role=\"img\" font-family=\"{f}\">\n",
        f = escape(family),
        w = pt_str(canvas.width),
        h = pt_str(canvas.height),
        vw = u(canvas.width).max(1),
        vh = u(canvas.height).max(1),
    ));
    out.push_str(&format!("<title>{}</title>\n", escape(title)));
    if !desc.is_empty() {
        out.push_str(&format!("<desc>{}</desc>\n", escape(desc)));
    }
    out.push_str(&tidy_font_sizes(rest));
    out
}

/// A length in points with at most two decimals ("440", "262.5").
fn pt_str(pt: f64) -> String {
    let s = format!("{pt:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// Rounds every `font-size="…"` value to 0.1 unit.
fn tidy_font_sizes(s: &str) -> String {
    const KEY: &str = "font-size=\"";
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(KEY) {
        out.push_str(&rest[..i + KEY.len()]);
        rest = &rest[i + KEY.len()..];
        let end = rest.find('"').unwrap_or(rest.len());
        match rest[..end].parse::<f64>() {
            Ok(v) => out.push_str(&pt_str((v * 10.0).round() / 10.0)),
            Err(_) => out.push_str(&rest[..end]),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

pub(super) use crate::escape::xml as escape;
