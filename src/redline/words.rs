//! Word-level differences inside two paired paragraphs (or table cells): a
//! changed number is one small deletion and one insertion of that number,
//! not a rewritten paragraph.

use super::content::Run;

/// One piece of a paragraph's difference, in reading order. Within one
/// changed stretch the deletions come before the insertions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Edit {
    /// Tokens in both (with the newer formatting).
    Same(Vec<Run>),
    /// Tokens only in the older text.
    Deleted(Vec<Run>),
    /// Tokens only in the newer text.
    Inserted(Vec<Run>),
}

/// Splits runs into tokens, each a run of its own: words (letters and
/// digits, with `.` `,` `/` `'` `-` inside them, so `36,845`, `2019/20`
/// and `16.5` are one token each), single spaces or punctuation marks.
pub(crate) fn tokens(runs: &[Run]) -> Vec<Run> {
    let mut out = Vec::new();
    for run in runs {
        let chars: Vec<char> = run.text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let start = i;
            if chars[i].is_alphanumeric() {
                while i < chars.len()
                    && (chars[i].is_alphanumeric()
                        || (INSIDE.contains(&chars[i])
                            && chars.get(i + 1).is_some_and(|c| c.is_alphanumeric())))
                {
                    i += 1;
                }
            } else if chars[i] == ' ' {
                while i < chars.len() && chars[i] == ' ' {
                    i += 1;
                }
            } else {
                i += 1;
            }
            out.push(Run {
                text: chars[start..i].iter().collect(),
                ..run.clone()
            });
        }
    }
    out
}

/// Characters that stay inside a word when a letter or digit follows.
const INSIDE: [char; 5] = ['.', ',', '/', '\'', '-'];

/// The difference between two texts, token by token (longest common
/// subsequence of the tokens' text). A space alone between two changes
/// joins them, so "down 6.9%" → "up 2.1%" is one deletion and one
/// insertion.
pub(crate) fn diff(old: &[Run], new: &[Run]) -> Vec<Edit> {
    let (a, b) = (tokens(old), tokens(new));
    let common = lcs(&a, &b);
    // (in old, in new) per step.
    let mut steps: Vec<(Option<usize>, Option<usize>)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    for &(x, y) in common.iter().chain(std::iter::once(&(a.len(), b.len()))) {
        steps.extend((i..x).map(|k| (Some(k), None)));
        steps.extend((j..y).map(|k| (None, Some(k))));
        if x < a.len() {
            steps.push((Some(x), Some(y)));
        }
        (i, j) = (x + 1, y + 1);
    }
    absorb_spaces(&mut steps, &a);
    group(&steps, &a, &b)
}

/// A common space token with changes on both sides becomes a deletion
/// and an insertion, so the change reads as one.
fn absorb_spaces(steps: &mut Vec<(Option<usize>, Option<usize>)>, a: &[Run]) {
    let changed = |s: &(Option<usize>, Option<usize>)| s.0.is_none() || s.1.is_none();
    let mut k = 1;
    while k + 1 < steps.len() {
        if let (Some(x), Some(y)) = steps[k] {
            if a[x].text.trim().is_empty() && changed(&steps[k - 1]) && changed(&steps[k + 1]) {
                steps[k] = (Some(x), None);
                steps.insert(k + 1, (None, Some(y)));
            }
        }
        k += 1;
    }
}

/// Steps grouped into edits: each changed stretch is its deletions, then
/// its insertions.
fn group(steps: &[(Option<usize>, Option<usize>)], a: &[Run], b: &[Run]) -> Vec<Edit> {
    let mut out = Vec::new();
    let (mut same, mut del, mut ins) = (Vec::new(), Vec::new(), Vec::new());
    let flush = |out: &mut Vec<Edit>, del: &mut Vec<Run>, ins: &mut Vec<Run>| {
        if !del.is_empty() {
            out.push(Edit::Deleted(std::mem::take(del)));
        }
        if !ins.is_empty() {
            out.push(Edit::Inserted(std::mem::take(ins)));
        }
    };
    for step in steps {
        match *step {
            (Some(_), Some(y)) => {
                flush(&mut out, &mut del, &mut ins);
                same.push(b[y].clone());
            }
            (x, y) => {
                if !same.is_empty() {
                    out.push(Edit::Same(std::mem::take(&mut same)));
                }
                del.extend(x.map(|x| a[x].clone()));
                ins.extend(y.map(|y| b[y].clone()));
            }
        }
    }
    flush(&mut out, &mut del, &mut ins);
    if !same.is_empty() {
        out.push(Edit::Same(same));
    }
    out
}

/// Index pairs of a longest common subsequence of the tokens' text.
fn lcs(a: &[Run], b: &[Run]) -> Vec<(usize, usize)> {
    // Common ends first: most paragraphs differ in a few places.
    let prefix = a
        .iter()
        .zip(b)
        .take_while(|(x, y)| x.text == y.text)
        .count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x.text == y.text)
        .count();
    let (am, bm) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let (n, m) = (am.len(), bm.len());
    let mut len = vec![0u32; (n + 1) * (m + 1)];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            len[i * (m + 1) + j] = if am[i].text == bm[j].text {
                len[(i + 1) * (m + 1) + j + 1] + 1
            } else {
                len[(i + 1) * (m + 1) + j].max(len[i * (m + 1) + j + 1])
            };
        }
    }
    let mut out: Vec<(usize, usize)> = (0..prefix).map(|k| (k, k)).collect();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if am[i].text == bm[j].text {
            out.push((prefix + i, prefix + j));
            (i, j) = (i + 1, j + 1);
        } else if len[(i + 1) * (m + 1) + j] >= len[i * (m + 1) + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out.extend((0..suffix).map(|k| (a.len() - suffix + k, b.len() - suffix + k)));
    out
}

/// Dice similarity of the two texts' words (spaces and punctuation
/// aside), from 0 (nothing shared) to 1 (the same words).
pub(crate) fn similarity(a: &[Run], b: &[Run]) -> f64 {
    let words = |runs: &[Run]| -> Vec<String> {
        let mut w: Vec<String> = tokens(runs)
            .into_iter()
            .filter(|t| t.text.chars().any(char::is_alphanumeric))
            .map(|t| t.text)
            .collect();
        w.sort();
        w
    };
    let (x, y) = (words(a), words(b));
    if x.is_empty() && y.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Equal => (i, j, shared) = (i + 1, j + 1, shared + 1),
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    2.0 * shared as f64 / (x.len() + y.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Vec<Run> {
        vec![Run {
            text: s.into(),
            ..Run::default()
        }]
    }

    fn shown(edits: &[Edit]) -> String {
        let join = |r: &[Run]| r.iter().map(|t| t.text.as_str()).collect::<String>();
        edits
            .iter()
            .map(|e| match e {
                Edit::Same(r) => join(r),
                Edit::Deleted(r) => format!("[-{}]", join(r)),
                Edit::Inserted(r) => format!("[+{}]", join(r)),
            })
            .collect()
    }

    #[test]
    fn numbers_and_years_are_one_token_each() {
        let t: Vec<String> = tokens(&text("36,845 in 2019/20 (16.5%)."))
            .into_iter()
            .map(|r| r.text)
            .collect();
        assert_eq!(
            t,
            ["36,845", " ", "in", " ", "2019/20", " ", "(", "16.5", "%", ")", "."]
        );
    }

    #[test]
    fn a_changed_number_is_one_small_deletion_and_insertion() {
        let d = diff(
            &text("There were 36,845 resident victims in 2019/20."),
            &text("There were 34,296 resident victims in 2020/21."),
        );
        assert_eq!(
            shown(&d),
            "There were [-36,845][+34,296] resident victims in [-2019/20][+2020/21]."
        );
    }

    #[test]
    fn a_space_between_two_changes_joins_them() {
        let d = diff(&text("rose by down 6.9% on"), &text("rose by up 2.1% on"));
        assert_eq!(shown(&d), "rose by [-down 6.9][+up 2.1]% on");
    }

    #[test]
    fn similarity_counts_shared_words() {
        assert_eq!(similarity(&text("a b c d"), &text("a b c d")), 1.0);
        assert_eq!(similarity(&text("a b"), &text("c d")), 0.0);
        assert!((similarity(&text("a b c d"), &text("a b c e")) - 0.75).abs() < 1e-9);
    }
}
