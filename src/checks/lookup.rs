//! The `values` screen: a lookup of each text cell's 16-byte Arrow view
//! among the allowed values' views, so the check costs a compare per row
//! instead of a hash-set probe of the bytes (Polars' `is_in`). The column
//! stays text (not an Enum): Polars SQL orders and compares an Enum by
//! its categories, and the user's queries must see text.

use polars::prelude::*;
use polars_arrow::array::{Array, Utf8ViewArray, View};

/// The allowed values as views: the short ones (up to 12 bytes) whole,
/// the long ones by their bytes (matched by length and first 4 bytes,
/// then compared).
struct Allowed {
    inline: Vec<u128>,
    long: Vec<Vec<u8>>,
}

impl Allowed {
    fn new(texts: &[String]) -> Allowed {
        let (short, long): (Vec<&String>, Vec<&String>) = texts
            .iter()
            .partition(|t| t.len() <= View::MAX_INLINE_SIZE as usize);
        Allowed {
            inline: short
                .iter()
                .map(|t| View::new_inline(t.as_bytes()).as_u128())
                .collect(),
            long: long.iter().map(|t| t.as_bytes().to_vec()).collect(),
        }
    }

    /// Whether the value of `view` (of `array`) is allowed.
    #[inline]
    fn allows(&self, view: View, array: &Utf8ViewArray) -> bool {
        if view.is_inline() {
            // Equal views of at most 12 bytes hold equal values (a view
            // padded with other bytes only fails here and goes to the
            // exact rule).
            return self.inline.contains(&view.as_u128());
        }
        self.long.iter().any(|b| {
            b.len() == view.length as usize
                && b[..4] == view.prefix.to_le_bytes()
                // SAFETY: a long view of this array points into its buffers.
                && unsafe { view.get_external_slice_unchecked(array.data_buffers()) } == &b[..]
        })
    }
}

/// The number of rows of text column `column` whose value is not among
/// `texts` (nulls pass), as `rules::failing`'s `is_in` counts them. `None`
/// for a column that is not text: the exact rule then decides (and
/// reports a column of another type).
pub(super) fn outside(frame: &DataFrame, column: &str, texts: &[String]) -> Option<u64> {
    let s = frame.column(column).ok()?.as_materialized_series();
    let texts_ca = s.str().ok()?;
    let allowed = Allowed::new(texts);
    let mut failing = 0u64;
    for array in texts_ca.downcast_iter() {
        let views = array.views();
        let bad = |(i, v): (usize, &View)| {
            !allowed.allows(*v, array) && array.validity().is_none_or(|b| b.get_bit(i))
        };
        failing += views.iter().enumerate().filter(|&x| bad(x)).count() as u64;
    }
    Some(failing)
}

#[cfg(test)]
mod tests {
    use super::super::rules::Rule;
    use super::*;
    use proptest::prelude::*;

    fn exact(df: &DataFrame, allowed: &[String]) -> u64 {
        let list: Vec<toml::Value> = allowed.iter().map(|t| t.as_str().into()).collect();
        super::super::rules::tests::exact(df, &Rule::Values("c".into(), list))
    }

    /// Values of 0, 12 and 13 bytes, non-ASCII, and ones that share a
    /// length and first 4 bytes.
    const POOL: [&str; 10] = [
        "",
        "Fenland",
        "exactly12byt",
        "exactly13byte",
        "exactly13bytx",
        "East Cambridgeshire",
        "East Cambridgeshirf",
        "é",
        "Peterborough é",
        "Cambridge",
    ];

    fn column() -> impl Strategy<Value = Vec<Option<&'static str>>> {
        proptest::collection::vec(
            proptest::option::weighted(0.8, proptest::sample::select(&POOL[..])),
            0..40,
        )
    }

    proptest! {
        #[test]
        fn the_values_screen_agrees_with_the_exact_rule(
            cells in column(),
            split in 0usize..40,
            allowed in proptest::sample::subsequence(&POOL[..], 1..POOL.len()),
        ) {
            let allowed: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
            let at = split.min(cells.len());
            let mut c = Series::new("c".into(), &cells[..at]);
            // Two chunks, or one.
            c.append(&Series::new("c".into(), &cells[at..])).unwrap();
            let df = DataFrame::new(c.len(), vec![c.into()]).unwrap();
            prop_assert_eq!(outside(&df, "c", &allowed), Some(exact(&df, &allowed)));
            let mut one = df.clone();
            one.rechunk_mut();
            prop_assert_eq!(outside(&one, "c", &allowed), Some(exact(&one, &allowed)));
        }
    }

    #[test]
    fn a_column_that_is_not_text_goes_to_the_exact_rule() {
        let df = df!("c" => [1i64, 2]).unwrap();
        assert_eq!(outside(&df, "c", &["1".into()]), None);
        assert_eq!(outside(&df, "missing", &["1".into()]), None);
    }
}
