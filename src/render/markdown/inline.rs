//! Inline content: text, code, emphasis, links and the marked figures
//! printed in the text ([`Inline::Number`]), read from the events of one
//! paragraph, heading, cell or list item.

use pulldown_cmark::{Event, Tag};

use super::Events;
use crate::doc::Inline;

/// Reads inline content up to (and including) the enclosing end tag.
pub(super) fn inlines(ev: &mut Events) -> Vec<Inline> {
    let mut out = Vec::new();
    while let Some(event) = ev.next() {
        if matches!(event, Event::End(_)) {
            break;
        }
        inline(ev, event, &mut out);
    }
    merge_text(out)
}

/// Reads a run of inline events not wrapped in a paragraph (tight lists).
pub(super) fn inline_run(ev: &mut Events) -> Vec<Inline> {
    let mut out = Vec::new();
    while ev.peek().is_some_and(is_inline) {
        if let Some(event) = ev.next() {
            inline(ev, event, &mut out);
        }
    }
    merge_text(out)
}

/// Adds one inline `event` (and, for a container, what it holds) to `out`.
fn inline(ev: &mut Events, event: Event, out: &mut Vec<Inline>) {
    match event {
        Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => out.push(Inline::Text(clean(&t))),
        Event::Code(t) => out.push(Inline::Code(clean(&t))),
        Event::SoftBreak => out.push(Inline::Text(" ".into())),
        Event::HardBreak => out.push(Inline::LineBreak),
        Event::Start(Tag::Strong) => out.push(Inline::Strong(inlines(ev))),
        Event::Start(Tag::Emphasis) => out.push(Inline::Emph(inlines(ev))),
        Event::Start(Tag::Link { dest_url, .. }) => out.push(Inline::Link {
            url: clean(&dest_url),
            content: inlines(ev),
        }),
        // boardpack's own markers (charts, table captions) are resolved
        // after parsing; other images keep only their text.
        Event::Start(Tag::Image { dest_url, .. }) if dest_url.starts_with("boardpack:") => out
            .push(Inline::Link {
                url: dest_url.to_string(),
                content: inlines(ev),
            }),
        Event::Start(_) => out.extend(inlines(ev)),
        _ => {}
    }
}

/// Whether `event` starts inline content (a tight list item's text).
pub(super) fn is_inline(event: &Event) -> bool {
    match event {
        Event::Text(_)
        | Event::Code(_)
        | Event::SoftBreak
        | Event::HardBreak
        | Event::InlineHtml(_) => true,
        Event::Start(tag) => matches!(
            tag,
            Tag::Emphasis | Tag::Strong | Tag::Link { .. } | Tag::Image { .. } | Tag::Strikethrough
        ),
        _ => false,
    }
}

/// Drops control characters other than tab and newline (they cannot appear
/// in Word XML and have no meaning on a page) and bidirectional formatting
/// controls (they would let text hide or reverse itself; see
/// `text`). Both backends see the result.
pub fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n'))
        .filter(|c| !crate::text::is_bidi_control(*c))
        .collect()
}

/// Joins adjacent texts, then splits out the marked figures ([`numbers`]).
fn merge_text(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for i in inlines {
        match (out.last_mut(), i) {
            (Some(Inline::Text(prev)), Inline::Text(t)) => prev.push_str(&t),
            (_, i) => out.push(i),
        }
    }
    out.into_iter().flat_map(numbers).collect()
}

/// A text's marked figures (see [`crate::render::value::OPEN`]) as
/// [`Inline::Number`]s between the text around them. A mark that is not
/// part of a whole `OPEN name SEP text CLOSE` is dropped.
fn numbers(inline: Inline) -> Vec<Inline> {
    use crate::render::value::{is_mark, CLOSE, OPEN, SEP};
    let text = match inline {
        Inline::Text(t) if t.contains(is_mark) => t,
        Inline::Code(t) if t.contains(is_mark) => {
            return vec![Inline::Code(t.replace(is_mark, ""))]
        }
        other => return vec![other],
    };
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find(OPEN) {
        let marked = rest[start + OPEN.len_utf8()..]
            .split_once(CLOSE)
            .and_then(|(inner, after)| Some((inner.split_once(SEP)?, after)))
            .filter(|((name, shown), _)| !name.contains(is_mark) && !shown.contains(is_mark));
        let Some(((figure, shown), after)) = marked else {
            break;
        };
        if start > 0 {
            out.push(Inline::Text(rest[..start].to_string()));
        }
        out.push(Inline::Number {
            figure: figure.to_string(),
            text: shown.to_string(),
            value: String::new(),
            linked: false,
        });
        rest = after;
    }
    if !rest.is_empty() {
        out.push(Inline::Text(rest.replace(is_mark, "")));
    }
    out
}
