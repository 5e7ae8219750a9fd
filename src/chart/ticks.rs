//! "Nice" axis ticks, labelled by the one number formatter
//! ([`crate::format`]), at the precision of their step.
//!
//! Ticks are whole multiples of a step
//! of 1, 2 or 5 × 10ⁿ, and each tick value is computed from its integer
//! index, so there is no accumulated float noise ("35000.000001").

use super::Format;

use crate::format::{format_number, format_percent, MAX_DECIMALS};

/// Axis ticks: `count` values `first + i × step`, where `step = mantissa × 10^exp`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Ticks {
    /// Index of the lowest tick (tick value = index × step).
    pub lo: i64,
    /// Index of the highest tick.
    pub hi: i64,
    /// 1, 2 or 5.
    pub mantissa: i64,
    /// Power of ten of the step.
    pub exp: i32,
    /// How values are shown (ticks of a Percent axis are in percentage points).
    pub format: Format,
}

impl Ticks {
    /// The i-th tick index's value in data units.
    fn value_of(&self, i: i64) -> f64 {
        // index × mantissa is exact; one multiplication or division by a
        // power of ten keeps the value as close as f64 allows.
        let k = (i * self.mantissa) as f64;
        let v = if self.exp >= 0 {
            k * 10f64.powi(self.exp)
        } else {
            k / 10f64.powi(-self.exp)
        };
        match self.format {
            Format::Percent(_) => v / 100.0,
            _ => v,
        }
    }

    /// Lowest tick value (axis minimum).
    pub(super) fn min(&self) -> f64 {
        self.value_of(self.lo)
    }

    /// Highest tick value (axis maximum).
    pub(super) fn max(&self) -> f64 {
        self.value_of(self.hi)
    }

    /// Every tick: value in data units and its label.
    pub(super) fn values(&self) -> Vec<(f64, String)> {
        let decimals = (-self.exp).clamp(0, i32::from(MAX_DECIMALS)) as u8;
        (self.lo..=self.hi)
            .map(|i| {
                let v = self.value_of(i);
                let label = match self.format {
                    Format::Percent(_) => format_percent(v, decimals),
                    _ => format_number(v, decimals),
                };
                (v, label)
            })
            .collect()
    }

    /// One more step below.
    pub(super) fn extend_down(&mut self) {
        self.lo -= 1;
    }
}

/// Nice ticks covering `[min, max]` with about `target` intervals.
///
/// Inputs must be finite and within ±1e15 (validated by the caller).
pub(super) fn nice_ticks(min: f64, max: f64, target: usize, format: Format) -> Ticks {
    let scale = if matches!(format, Format::Percent(_)) {
        100.0
    } else {
        1.0
    };
    let (mut lo, mut hi) = (min.min(max) * scale, max.max(min) * scale);
    if hi - lo <= 0.0 {
        if hi == 0.0 {
            hi = 1.0;
        } else if hi > 0.0 {
            lo = 0.0;
        } else {
            hi = 0.0;
        }
    }
    // Candidate steps 1, 2, 5 × 10^n around the raw step; keep the one
    // whose number of intervals is closest to `target` (fewer on a tie).
    let target = target.max(1) as i64;
    let raw = (hi - lo) / target as f64;
    let e0 = raw.log10().floor() as i32;
    // Counts cannot have fractional ticks; decimals no finer than asked.
    let min_exp = match format {
        Format::Text | Format::Integer => 0,
        Format::Decimal(d) | Format::Percent(d) => -i32::from(d.max(1)),
    };
    // Tiny tolerance so 30 / 10 landing on 2.9999999 still counts as 3.
    let eps = 1e-9;
    let mut best: Option<(i64, i64, i64, i32, i64)> = None;
    for exp in (e0 - 1)..=(e0 + 1) {
        if exp < min_exp {
            continue;
        }
        for mantissa in [1, 2, 5] {
            let step = mantissa as f64 * 10f64.powi(exp);
            let lo_i = (lo / step + eps).floor() as i64;
            let hi_i = ((hi / step - eps).ceil() as i64).max(lo_i + 1);
            let miss = (hi_i - lo_i - target).abs();
            if best.is_none_or(|b| miss < b.4) {
                best = Some((lo_i, hi_i, mantissa, exp, miss));
            }
        }
    }
    let (lo_i, hi_i, mantissa, exp, _) = best.unwrap_or_else(|| {
        let step = 10f64.powi(min_exp);
        (
            (lo / step + eps).floor() as i64,
            ((hi / step - eps).ceil() as i64).max((lo / step + eps).floor() as i64 + 1),
            1,
            min_exp,
            0,
        )
    });
    Ticks {
        lo: lo_i,
        hi: hi_i.max(lo_i + 1),
        mantissa,
        exp,
        format,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(t: &Ticks) -> Vec<String> {
        t.values().into_iter().map(|(_, l)| l).collect()
    }

    #[test]
    fn nice_steps() {
        let t = nice_ticks(0.0, 31.2, 5, Format::Decimal(1));
        assert_eq!(labels(&t), ["0", "10", "20", "30", "40"]);
        let t = nice_ticks(0.0, 31.2, 7, Format::Decimal(1));
        assert_eq!(labels(&t), ["0", "5", "10", "15", "20", "25", "30", "35"]);
        let t = nice_ticks(0.0, 36_845.0, 5, Format::Integer);
        assert_eq!(labels(&t), ["0", "10,000", "20,000", "30,000", "40,000"]);
        let t = nice_ticks(0.0, 0.82, 5, Format::Percent(0));
        assert_eq!(labels(&t), ["0%", "20%", "40%", "60%", "80%", "100%"]);
        let t = nice_ticks(0.0, 1.3, 5, Format::Decimal(1));
        assert_eq!(
            labels(&t),
            ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0", "1.2", "1.4"]
        );
        let t = nice_ticks(0.0, 1.3, 3, Format::Decimal(1));
        assert_eq!(labels(&t), ["0.0", "0.5", "1.0", "1.5"]);
        // Counts never get half ticks.
        let t = nice_ticks(0.0, 3.0, 6, Format::Integer);
        assert_eq!(labels(&t), ["0", "1", "2", "3"]);
    }

    #[test]
    fn ticks_have_no_float_noise() {
        let t = nice_ticks(0.0, 0.3, 3, Format::Decimal(2));
        for (v, label) in t.values() {
            assert!(!label.contains("000001"), "{label}");
            assert!(format!("{v}").len() <= 4, "{v}");
        }
    }

    #[test]
    fn negative_and_degenerate_ranges() {
        let t = nice_ticks(-12.0, 30.0, 5, Format::Integer);
        assert!(t.min() <= -12.0 && t.max() >= 30.0);
        let t = nice_ticks(0.0, 0.0, 5, Format::Integer);
        assert!(t.max() > t.min());
        let t = nice_ticks(7.0, 7.0, 5, Format::Decimal(1));
        assert!(t.min() <= 0.0 && t.max() >= 7.0);
    }
}
