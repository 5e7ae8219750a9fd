//! Text that cannot hide itself: checks and clean-ups applied to every
//! piece of text that reaches the documents.
//!
//! - Bidirectional *formatting* controls (embeddings and overrides U+202A–
//!   U+202E, isolates U+2066–U+2069) are removed from all document text.
//!   A right-to-left override in a data cell would otherwise reverse the rest
//!   of the sentence in the PDF and in Word, so a reader sees something the
//!   data does not say. Right-to-left scripts still display correctly: the
//!   Unicode bidirectional algorithm orders them without any controls, and
//!   the marks (U+200E, U+200F, U+061C), which affect only neutral
//!   characters next to them, are kept.
//! - Unicode non-characters (U+FDD0–U+FDEF and every code point ending in
//!   FFFE or FFFF) are not text; a data reader rejects them with
//!   [`check_text`], naming the file, line and column.

/// Whether `c` is a bidirectional embedding, override or isolate control.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` is a Unicode non-character.
pub(crate) fn is_noncharacter(c: char) -> bool {
    matches!(c, '\u{FDD0}'..='\u{FDEF}') || (c as u32) & 0xFFFE == 0xFFFE
}

/// `value` without bidirectional embedding, override and isolate controls.
pub(crate) fn strip_bidi_controls(value: &str) -> String {
    value.chars().filter(|c| !is_bidi_control(*c)).collect()
}

/// Checks one data value: `Err` with a message (for a data reader to place
/// at its file, line and column) if it holds a non-character.
pub(crate) fn check_text(value: &str) -> Result<(), String> {
    match value.char_indices().find(|(_, c)| is_noncharacter(*c)) {
        None => Ok(()),
        Some((at, c)) => Err(format!(
            "U+{:04X} (character {}), a Unicode non-character",
            c as u32,
            value[..at].chars().count() + 1
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_controls_are_removed_and_marks_kept() {
        let s = "Leeds \u{202E}321 ,sdeeL\u{202C} \u{2067}x\u{2069} \u{200F}y";
        assert_eq!(strip_bidi_controls(s), "Leeds 321 ,sdeeL x \u{200F}y");
        assert_eq!(strip_bidi_controls("عربي"), "عربي");
    }

    #[test]
    fn non_characters_are_rejected_with_their_position() {
        assert_eq!(check_text("plain £ text عربي"), Ok(()));
        assert_eq!(
            check_text("ab\u{FFFE}"),
            Err("U+FFFE (character 3), a Unicode non-character".into())
        );
        for c in [
            '\u{FFFF}',
            '\u{FDD0}',
            '\u{FDEF}',
            '\u{1FFFE}',
            '\u{10FFFF}',
        ] {
            assert!(check_text(&c.to_string()).is_err(), "{c:?}");
        }
        for c in ['\u{FDCF}', '\u{FDF0}', '\u{FFFD}', '\u{1FFFD}'] {
            assert!(check_text(&c.to_string()).is_ok(), "{c:?}");
        }
    }
}
