//! Writes the synthetic CSVs that the example board paper is built from.
//!
//! The files imitate a police victims extract, an offender needs extract and
//! two public tables for Cambridgeshire & Peterborough. Every row is invented,
//! but the shapes are chosen so that the 2019/20 figures of the model board
//! paper (36,845 resident victims, 16.4% domestic abuse, 25-29 the band at
//! highest risk, ...) come out of the report's queries exactly.
//!
//! Run from the crate root: `cargo run --release --example make-data [OUT_DIR]`
//! (default `data/`). A fixed seed and sorted rows make every run
//! byte-identical; `data/README.md` describes the columns.
//!
//! For benchmarks, `--victims-rows N` writes a victims extract of exactly `N`
//! rows instead (e.g. 10,000,000; streamed, so the file never sits in
//! memory): see [`write_scaled_victims`]. The other three files are the same.

use std::io::Write;
use std::{env, fs, io, path::PathBuf};

/// The board paper's date; any constant would do.
const SEED: u64 = 20_201_126;

/// District, its ONS mid-2019 population total and the per cent of its people
/// in each age band (invented: Cambridge is a student city, Peterborough is
/// young, the rural districts are older). Alphabetical, which is also the row
/// order of `population.csv`.
#[rustfmt::skip]
const DISTRICTS: [(&str, u32, [f64; 7]); 6] = [
    ("Cambridge",            125_758, [17.0, 20.0, 10.0, 15.0, 11.0, 13.0, 14.0]),
    ("East Cambridgeshire",   89_840, [22.0,  6.5,  5.5, 12.0, 13.5, 20.5, 20.0]),
    ("Fenland",              101_491, [20.5,  7.0,  6.0, 11.5, 12.0, 20.5, 22.5]),
    ("Huntingdonshire",      177_963, [21.0,  6.5,  5.5, 12.0, 13.5, 21.0, 20.5]),
    ("Peterborough",         202_259, [25.0,  8.0,  7.5, 15.0, 13.0, 16.5, 15.0]),
    ("South Cambridgeshire", 159_086, [22.0,  6.0,  5.0, 12.5, 14.0, 20.0, 20.5]),
];
const BANDS: [&str; 7] = ["0-17", "18-24", "25-29", "30-39", "40-49", "50-64", "65+"];
/// First age of each band, then one past the oldest age a new victim gets:
/// 93, so that anyone returning two years later is still at most 95.
const BAND_START: [u32; 8] = [0, 18, 25, 30, 40, 50, 65, 94];
/// Per financial year (1 April `start` to 31 March): distinct victims
/// resident in the county, how many of them have a domestic-abuse record,
/// victims living out of county, and offenders assessed. 2019/20 gives the
/// board paper's 36,845 and 16.4%; the domestic-abuse share rises each year,
/// most in the Covid year 2020/21.
const YEARS: [(i32, usize, usize, usize, usize); 3] = [
    (2018, 35_912, 5_674, 1_240, 2_640),
    (2019, 36_845, 6_043, 1_310, 2_510),
    (2020, 34_296, 6_208, 1_050, 2_180),
];

/// Offence group with its weight among ordinary records and among
/// domestic-abuse records (mostly violence and harassment).
const GROUPS: [(&str, f64, f64); 10] = [
    ("Violence against the person", 33.0, 58.0),
    ("Theft offences", 24.0, 2.0),
    ("Criminal damage and arson", 12.0, 9.0),
    ("Burglary", 7.0, 0.0),
    ("Sexual offences", 3.0, 5.0),
    ("Robbery", 1.5, 0.0),
    ("Stalking and harassment", 9.0, 22.0),
    ("Public order offences", 5.0, 3.0),
    ("Vehicle offences", 4.0, 0.0),
    ("Other", 1.5, 1.0),
];

/// Nationality, base weight, and whether it is one of the Eastern European
/// groups that cluster in Peterborough and Fenland.
const NATIONALITIES: [(&str, f64, bool); 11] = [
    ("British", 850.0, false),
    ("Polish", 38.0, true),
    ("Lithuanian", 25.0, true),
    ("Romanian", 19.0, true),
    ("Portuguese", 14.0, true),
    ("Latvian", 8.0, true),
    ("Indian", 7.0, false),
    ("Irish", 5.0, false),
    ("Pakistani", 6.0, false),
    ("Bulgarian", 4.0, true),
    ("Unknown", 9.0, false),
];

/// Offender needs with the chance that an assessment records each one.
const NEEDS: [(&str, f64); 8] = [
    ("Accommodation", 0.62),
    ("Education, training and employment", 0.50),
    ("Mental health", 0.40),
    ("Substance misuse", 0.33),
    ("Thinking and behaviour", 0.22),
    ("Relationships", 0.18),
    ("Finance", 0.14),
    ("Speech and language", 0.10),
];

/// The three kinds of victim. Each is drawn from its own profile and in an
/// exact number per year, so the head counts and the domestic-abuse count
/// hold by construction rather than by luck.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Domestic,
    Other,
    Visitor,
}

struct Profile {
    kind: Kind,
    female: f64,
    district_risk: [f64; 6],
    band_risk: [f64; 7],
    /// Chance of a second record in the year, then of each further one.
    repeat: (f64, f64),
    /// Chance that a record (other than a domestic victim's first) is flagged.
    flagged: f64,
    /// Share of the year's victims of this kind who were victims before.
    returning: f64,
}

fn profile(kind: Kind) -> Profile {
    match kind {
        // Mostly women in their thirties, more often repeat victims.
        Kind::Domestic => Profile {
            kind,
            female: 0.77,
            district_risk: [0.9, 0.8, 1.2, 0.85, 1.5, 0.7],
            band_risk: [0.02, 1.0, 1.6, 1.4, 0.9, 0.35, 0.1],
            repeat: (0.42, 0.45),
            flagged: 0.7,
            returning: 0.22,
        },
        // Urban centres and young adults carry the risk; 25-29 the most.
        Kind::Other => Profile {
            kind,
            female: 0.47,
            district_risk: [1.05, 0.8, 0.95, 0.8, 1.5, 0.7],
            band_risk: [0.35, 1.55, 1.75, 1.35, 1.05, 0.72, 0.38],
            repeat: (0.17, 0.3),
            flagged: 0.0,
            returning: 0.10,
        },
        // Their district is not written; only the age mix matters.
        Kind::Visitor => Profile {
            kind,
            female: 0.45,
            district_risk: [1.0; 6],
            band_risk: [0.35, 1.55, 1.75, 1.35, 1.05, 0.72, 0.38],
            repeat: (0.08, 0.2),
            flagged: 0.06,
            returning: 0.03,
        },
    }
}

/// A victim; `district` is `None` for people living out of county.
struct Person {
    kind: Kind,
    district: Option<usize>,
    birth: i32,
    female: bool,
    nationality: &'static str,
}

/// One crime-victim record; dates are days since 1970-01-01.
struct Record {
    date: i32,
    person: usize,
    domestic: bool,
    group: &'static str,
}

#[derive(Default)]
struct Victims {
    people: Vec<Person>,
    records: Vec<Record>,
}

/// `[OUT_DIR] [--victims-rows N]`.
fn args() -> io::Result<(PathBuf, Option<usize>)> {
    let mut out = None;
    let mut rows = None;
    let mut args = env::args_os().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--victims-rows" {
            let n = args
                .next()
                .and_then(|n| n.to_str()?.replace('_', "").parse().ok());
            let usage = "--victims-rows needs a whole number of rows, e.g. 10000000";
            rows = Some(n.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, usage))?);
        } else {
            out = Some(PathBuf::from(arg));
        }
    }
    let out = out.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data"));
    Ok((out, rows))
}

fn main() -> io::Result<()> {
    let (out, victims_rows) = args()?;
    fs::create_dir_all(&out)?;
    let population = population();
    let victims = make_victims(&mut fastrand::Rng::with_seed(SEED), &population);
    // Each file has its own stream, so changing one leaves the others alone.
    let offenders = offenders_csv(&mut fastrand::Rng::with_seed(SEED + 1));
    let entrants = first_time_entrants_csv(&mut fastrand::Rng::with_seed(SEED + 2));
    fs::write(out.join("population.csv"), population_csv(&population))?;
    match victims_rows {
        Some(rows) => {
            let file = fs::File::create(out.join("victims.csv"))?;
            let mut w = io::BufWriter::with_capacity(1 << 20, file);
            write_scaled_victims(&victims, rows, &mut w)?;
            w.flush()?;
        }
        None => fs::write(out.join("victims.csv"), victims_csv(&victims))?,
    }
    fs::write(out.join("offenders.csv"), offenders)?;
    fs::write(out.join("first_time_entrants.csv"), entrants)?;
    println!("wrote 4 files to {}", out.display());
    Ok(())
}

/// Splits each district total over the bands by largest remainder, so every
/// district sums exactly to its total.
fn population() -> Vec<[u32; 7]> {
    let split = |&(_, total, shares): &(&str, u32, [f64; 7])| {
        let sum: f64 = shares.iter().sum();
        let exact = shares.map(|s| f64::from(total) * s / sum);
        let mut cells = exact.map(|x| x.floor() as u32);
        let mut order: Vec<usize> = (0..7).collect();
        order.sort_by(|&a, &b| exact[b].fract().total_cmp(&exact[a].fract()));
        let short = total - cells.iter().sum::<u32>();
        for &i in &order[..short as usize] {
            cells[i] += 1;
        }
        cells
    };
    DISTRICTS.iter().map(split).collect()
}

fn population_csv(population: &[[u32; 7]]) -> String {
    let mut out = String::new();
    push_row(&mut out, &["district", "age_band", "population"]);
    for ((district, ..), cells) in DISTRICTS.iter().zip(population) {
        for (band, n) in BANDS.iter().zip(cells) {
            push_row(&mut out, &[district, band, &n.to_string()]);
        }
    }
    out
}

/// Draws each year's victims: some return from earlier years (keeping their
/// attributes), the rest are new. Records end up sorted by date.
fn make_victims(rng: &mut fastrand::Rng, population: &[[u32; 7]]) -> Victims {
    let mut v = Victims::default();
    for (start, residents, domestic, visitors, _) in YEARS {
        let known = v.people.len();
        let counts = [
            (Kind::Domestic, domestic),
            (Kind::Other, residents - domestic),
            (Kind::Visitor, visitors),
        ];
        for (kind, count) in counts {
            let p = profile(kind);
            let mut back: Vec<usize> = (0..known).filter(|&i| v.people[i].kind == kind).collect();
            rng.shuffle(&mut back);
            back.truncate((count as f64 * p.returning).round() as usize);
            for &person in &back {
                v.records.extend(year_records(rng, &p, person, start));
            }
            let cells = cell_weights(population, &p);
            for _ in back.len()..count {
                new_victim(rng, &p, &cells, start, &mut v);
            }
        }
    }
    // Stable, so ties keep generation order and the output stays fixed.
    v.records.sort_by_key(|r| r.date);
    v
}

/// Weight of each district x band cell: its population times both risks.
fn cell_weights(population: &[[u32; 7]], p: &Profile) -> Vec<f64> {
    let mut weights = Vec::with_capacity(42);
    for (row, d_risk) in population.iter().zip(p.district_risk) {
        for (&n, b_risk) in row.iter().zip(p.band_risk) {
            weights.push(f64::from(n) * d_risk * b_risk);
        }
    }
    weights
}

/// Creates a victim with this year's records; the birth date is set so the
/// age on the first record falls in the drawn band.
fn new_victim(rng: &mut fastrand::Rng, p: &Profile, cells: &[f64], start: i32, v: &mut Victims) {
    let cell = pick(rng, cells);
    let district = (p.kind != Kind::Visitor).then_some(cell / 7);
    let records = year_records(rng, p, v.people.len(), start);
    let age = pick_age(rng, cell % 7, p.kind);
    v.people.push(Person {
        kind: p.kind,
        district,
        birth: birth_for_age(rng, records[0].date, age),
        female: rng.f64() < p.female,
        nationality: pick_nationality(rng, district),
    });
    v.records.extend(records);
}

/// A person's records in one financial year, earliest first. A domestic
/// victim's first record is always flagged, so the year's count is exact.
fn year_records(rng: &mut fastrand::Rng, p: &Profile, person: usize, start: i32) -> Vec<Record> {
    let mut n = 1;
    if rng.f64() < p.repeat.0 {
        n += 1;
        while n < 12 && rng.f64() < p.repeat.1 {
            n += 1;
        }
    }
    let mut dates: Vec<i32> = (0..n).map(|_| rng.i32(year_days(start))).collect();
    dates.sort_unstable();
    let records = dates.into_iter().enumerate().map(|(i, date)| {
        let domestic = (i == 0 && p.kind == Kind::Domestic) || rng.f64() < p.flagged;
        let weights = GROUPS.map(|(_, other, da)| if domestic { da } else { other });
        Record {
            date,
            person,
            domestic,
            group: GROUPS[pick(rng, &weights)].0,
        }
    });
    records.collect()
}

/// An age within the band. Young children and the very old are rarer than
/// their band's other ages; domestic abuse is recorded from age 16.
fn pick_age(rng: &mut fastrand::Rng, band: usize, kind: Kind) -> u32 {
    let min_age = if kind == Kind::Domestic { 16 } else { 0 };
    let (lo, end) = (BAND_START[band].max(min_age), BAND_START[band + 1]);
    let weight = |a: u32| match band {
        0 => f64::from(a + 1),
        6 => f64::from(end - a),
        _ => 1.0,
    };
    lo + pick(rng, &(lo..end).map(weight).collect::<Vec<_>>()) as u32
}

/// Eastern European nationalities cluster in Peterborough and Fenland.
fn pick_nationality(rng: &mut fastrand::Rng, district: Option<usize>) -> &'static str {
    let boost = match district {
        Some(4) => 2.5,
        Some(2) => 2.0,
        _ => 1.0,
    };
    let weights = NATIONALITIES.map(|(_, w, east)| if east { w * boost } else { w });
    NATIONALITIES[pick(rng, &weights)].0
}

fn victims_csv(v: &Victims) -> String {
    let mut out = String::new();
    let header = concat!(
        "crime_id,victim_id,offence_date,offence_group,district,victim_age,",
        "victim_sex,victim_nationality,domestic_abuse,resident_in_county"
    );
    push_row(&mut out, &header.split(',').collect::<Vec<_>>());
    // Victim numbers are handed out in order of first appearance, as a
    // records system would, so they reveal nothing about how rows were drawn.
    let ids = first_appearance_ids(v.records.iter().map(|r| r.person), v.people.len());
    for (i, r) in v.records.iter().enumerate() {
        let p = &v.people[r.person];
        let fields: [&str; 10] = [
            &format!("CR-{:07}", i + 1),
            &format!("V-{:06}", ids[r.person]),
            &iso_date(r.date),
            r.group,
            p.district.map_or("Out of county", |d| DISTRICTS[d].0),
            &age_on(p.birth, r.date).to_string(),
            if p.female { "F" } else { "M" },
            p.nationality,
            &r.domestic.to_string(),
            &p.district.is_some().to_string(),
        ];
        push_row(&mut out, &fields);
    }
    out
}

/// A victims extract of exactly `rows` rows made from the bundled one: row
/// `i` is record `(i mod B) * STRIDE mod B` of the `B` bundled records (a
/// permutation, so any prefix spreads over all three years), in copy
/// `i / B`, whose victims are new people (`victim_id` + copy × 1,000,000)
/// with the same attributes. A whole number of copies multiplies every
/// count by that number and leaves every share and rate as it was.
fn write_scaled_victims(v: &Victims, rows: usize, out: &mut impl Write) -> io::Result<()> {
    const STRIDE: usize = 7_919; // prime; checked coprime with B below
    let base = v.records.len();
    assert!(!base.is_multiple_of(STRIDE) && v.people.len() < 1_000_000);
    let ids = first_appearance_ids(v.records.iter().map(|r| r.person), v.people.len());
    writeln!(
        out,
        "crime_id,victim_id,offence_date,offence_group,district,victim_age,\
         victim_sex,victim_nationality,domestic_abuse,resident_in_county"
    )?;
    for i in 0..rows {
        let j = (i % base) * STRIDE % base;
        let r = &v.records[j];
        let p = &v.people[r.person];
        writeln!(
            out,
            "CR-{:07},V-{:06},{},{},{},{},{},{},{},{}",
            j + 1,
            ids[r.person] + (i / base) * 1_000_000,
            iso_date(r.date),
            r.group,
            p.district.map_or("Out of county", |d| DISTRICTS[d].0),
            age_on(p.birth, r.date),
            if p.female { "F" } else { "M" },
            p.nationality,
            r.domestic,
            p.district.is_some(),
        )?;
    }
    Ok(())
}

/// One assessment per offender per year, with 1-5 needs; a third of each
/// year's offenders were assessed in an earlier year.
fn offenders_csv(rng: &mut fastrand::Rng) -> String {
    let mut rows: Vec<(i32, usize, usize)> = Vec::new(); // (date, offender, need)
    let mut seen = 0;
    for (start, .., offenders) in YEARS {
        let mut cohort: Vec<usize> = (0..seen).collect();
        rng.shuffle(&mut cohort);
        cohort.truncate(offenders / 3);
        let new = offenders - cohort.len();
        cohort.extend(seen..seen + new);
        seen += new;
        for offender in cohort {
            let date = rng.i32(year_days(start));
            for need in pick_needs(rng) {
                rows.push((date, offender, need));
            }
        }
    }
    rows.sort_unstable();
    // Number offenders by first assessment, then sort again so rows run by
    // date, offender number and need (in `NEEDS` order).
    let ids = first_appearance_ids(rows.iter().map(|r| r.1), seen);
    for row in &mut rows {
        row.1 = ids[row.1];
    }
    rows.sort_unstable();
    let mut out = String::new();
    push_row(&mut out, &["offender_id", "assessment_date", "need"]);
    for (date, id, need) in rows {
        push_row(
            &mut out,
            &[&format!("OF-{id:05}"), &iso_date(date), NEEDS[need].0],
        );
    }
    out
}

/// Each need independently, redrawn until there are between one and five.
fn pick_needs(rng: &mut fastrand::Rng) -> Vec<usize> {
    loop {
        let needs: Vec<usize> = (0..NEEDS.len())
            .filter(|&i| rng.f64() < NEEDS[i].1)
            .collect();
        if (1..=5).contains(&needs.len()) {
            return needs;
        }
    }
}

/// A fall of about 10% a year from ~1,450 to ~620 with +/-2% noise; the fall
/// is larger than the noise, so the series is strictly decreasing.
fn first_time_entrants_csv(rng: &mut fastrand::Rng) -> String {
    let rate = (620.0_f64 / 1450.0).powf(1.0 / 8.0);
    let mut out = String::new();
    push_row(
        &mut out,
        &["year_start", "financial_year", "first_time_entrants"],
    );
    for (i, start) in (2012..=2020).enumerate() {
        let count = 1450.0 * rate.powi(i as i32) * (0.98 + 0.04 * rng.f64());
        let label = format!("{start}/{:02}", (start + 1) % 100);
        push_row(
            &mut out,
            &[&format!("{start}-04-01"), &label, &format!("{count:.0}")],
        );
    }
    out
}

/// Numbers 1, 2, ... in the order items are first seen.
fn first_appearance_ids(order: impl Iterator<Item = usize>, len: usize) -> Vec<usize> {
    let mut ids = vec![0; len];
    let mut next = 0;
    for item in order {
        if ids[item] == 0 {
            next += 1;
            ids[item] = next;
        }
    }
    ids
}

/// Appends one CSV line with an LF ending, quoting a field only when it holds
/// a comma or a quote (RFC 4180).
fn push_row(out: &mut String, fields: &[&str]) {
    let quote = |f: &&str| {
        if f.contains([',', '"']) {
            format!("\"{}\"", f.replace('"', "\"\""))
        } else {
            f.to_string()
        }
    };
    out.push_str(&fields.iter().map(quote).collect::<Vec<_>>().join(","));
    out.push('\n');
}

/// Index drawn with probability proportional to its weight.
fn pick(rng: &mut fastrand::Rng, weights: &[f64]) -> usize {
    let mut x = rng.f64() * weights.iter().sum::<f64>();
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// The days of the financial year starting on 1 April `start`.
fn year_days(start: i32) -> std::ops::Range<i32> {
    days_from_civil(start, 4, 1)..days_from_civil(start + 1, 4, 1)
}

/// A birth date that makes the person exactly `age` on `day`.
fn birth_for_age(rng: &mut fastrand::Rng, day: i32, age: u32) -> i32 {
    loop {
        let birth = day - (f64::from(age) * 365.25) as i32 - rng.i32(0..366);
        if age_on(birth, day) == age {
            return birth;
        }
    }
}

/// Completed years between two days, as people count birthdays.
fn age_on(birth: i32, day: i32) -> u32 {
    let (by, bm, bd) = civil_from_days(birth);
    let (y, m, d) = civil_from_days(day);
    (y - by - i32::from((m, d) < (bm, bd))) as u32
}

fn iso_date(day: i32) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm; no date crate needed).
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i32 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i32 - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// The inverse of `days_from_civil`.
fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i32::from(m <= 2), m, d)
}
