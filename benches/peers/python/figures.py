"""The board paper's figures and tables in plain Polars (Python).

The same queries as `reports/needs-assessment/report.toml` (views
`resident_victims` and `banded_victims`, five figures, five tables) for one
financial year; shared by the Python pipeline (`report.py`) and the
Quarto-style notebook (`../quarto/report.qmd`).
"""

import datetime as dt

import polars as pl

VICTIMS = {
    "crime_id": pl.String,
    "victim_id": pl.String,
    "offence_date": pl.Date,
    "offence_group": pl.String,
    "district": pl.String,
    "victim_age": pl.Int64,
    "victim_sex": pl.String,
    "victim_nationality": pl.String,
    "domestic_abuse": pl.Boolean,
    "resident_in_county": pl.Boolean,
}
POPULATION = {"district": pl.String, "age_band": pl.String, "population": pl.Int64}
OFFENDERS = {"offender_id": pl.String, "assessment_date": pl.Date, "need": pl.String}
BANDS = [(18, "0-17", 0, 17), (25, "18-24", 18, 24), (30, "25-29", 25, 29),
         (40, "30-39", 30, 39), (50, "40-49", 40, 49), (65, "50-64", 50, 64)]
CSEW_MULTIPLIER = 3.26


def band(column, pick):
    """CASE WHEN age < 18 THEN … ELSE … END for label (1), lower (2) or upper (3)."""
    expr = pl.when(pl.col(column) < BANDS[0][0]).then(pl.lit(BANDS[0][pick]))
    for b in BANDS[1:]:
        expr = expr.when(pl.col(column) < b[0]).then(pl.lit(b[pick]))
    return expr.otherwise(pl.lit(("65+", 65, 120)[pick - 1]))


def compute(data, start_year):
    """Figures (dict) and tables (dict of DataFrames) for the financial year
    starting 1 April `start_year`, from the CSVs in folder `data`."""
    start, end = dt.date(start_year, 4, 1), dt.date(start_year + 1, 3, 31)
    victims = pl.scan_csv(f"{data}/victims.csv", schema=VICTIMS).filter(
        pl.col("offence_date").is_between(start, end))
    resident = (
        victims.filter(pl.col("resident_in_county"))
        .group_by("victim_id")
        .agg(district=pl.col("district").min(), age=pl.col("victim_age").min(),
             sex=pl.col("victim_sex").min(),
             nationality=pl.col("victim_nationality").min(),
             domestic_abuse=pl.col("domestic_abuse").cast(pl.Int32).max(),
             records=pl.len())
        .collect()
    )
    banded = resident.with_columns(age_band=band("age", 1), lower_age=band("age", 2),
                                   upper_age=band("age", 3))
    population = pl.read_csv(f"{data}/population.csv", schema=POPULATION)
    offenders = pl.scan_csv(f"{data}/offenders.csv", schema=OFFENDERS).filter(
        pl.col("assessment_date").is_between(start, end)).collect()

    by_district = (
        resident.group_by("district").agg(victims=pl.len())
        .join(population.group_by("district").agg(pl.col("population").sum()), on="district")
        .with_columns(rate_per_1000=1000.0 * pl.col("victims") / pl.col("population"))
        .sort("rate_per_1000", descending=True)
    )
    age_risk = (
        banded.group_by("age_band").agg(pl.col("lower_age").min(), victims=pl.len())
        .join(population.group_by("age_band").agg(pl.col("population").sum()), on="age_band")
        .with_columns(rate_per_1000=1000.0 * pl.col("victims") / pl.col("population"))
        .sort("rate_per_1000", descending=True)
    )
    nationalities = (resident.group_by("nationality").agg(victims=pl.len())
                     .sort(["victims", "nationality"], descending=[True, False]).head(5))
    profile = (
        resident.group_by("domestic_abuse")
        .agg(victims=pl.len(), repeat_share=(pl.col("records") > 1).cast(pl.Float64).mean(),
             female_share=(pl.col("sex") == "F").cast(pl.Float64).mean())
        .sort("domestic_abuse", descending=True)
        .with_columns(cohort=pl.when(pl.col("domestic_abuse") == 1)
                      .then(pl.lit("Domestic abuse victims")).otherwise(pl.lit("Other victims")))
        .select("cohort", "victims", "repeat_share", "female_share")
    )
    assessed = offenders["offender_id"].n_unique()
    needs = (offenders.group_by("need").agg(offenders=pl.col("offender_id").n_unique())
             .with_columns(share=pl.col("offenders") / assessed)
             .sort(["offenders", "need"], descending=[True, False]))
    figures = {
        "victims_resident": resident.height,
        "victims_estimate": resident.height * CSEW_MULTIPLIER,
        "domestic_abuse_share": resident["domestic_abuse"].cast(pl.Float64).mean(),
        "highest_risk_age_band": age_risk["age_band"][0],
        "offenders_assessed": assessed,
    }
    tables = {
        "rates_by_district": by_district,
        "victims_by_age": age_risk.sort("lower_age").select("age_band", "victims", "rate_per_1000"),
        "top_nationalities": nationalities,
        "domestic_abuse_profile": profile,
        "offender_needs": needs,
    }
    return figures, tables


def cell(value):
    """A cell as the paper prints it (en-GB thousands, 1 decimal, per cent)."""
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
