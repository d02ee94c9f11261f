//! Rate tables as data, each row with its source (STYLE.md 2).
//!
//! - [`KENPO_181_SPECIAL_RATES`]: 延滞金の割合の特例 (健康保険法附則9条, from 2015-01-01), one row per
//!   calendar year holding the 延滞税特例基準割合; the two rates derive from it by
//!   [`special_rates`] (receivables.md §5.1).
//! - [`LEGAL_INTEREST_RATES`]: 民法404条 法定利率 (receivables.md §5.3).
//!
//! Rates are percent per year as `Decimal` (8.7 means 8.7%).

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// `tenths` tenths of a percent, e.g. `pct(87)` = 8.7 (a `const` constructor for the tables).
const fn pct(tenths: u32) -> Decimal {
    Decimal::from_parts(tenths, 0, 0, false, 1)
}

/// 年14.6%: the statutory rate of 健康保険法181条1項.
pub const STATUTORY_FULL_RATE: Decimal = pct(146);
/// 年7.3%: the statutory rate for the first 3 months after the due date, premiums only.
pub const STATUTORY_REDUCED_RATE: Decimal = pct(73);
const ONE_PERCENT: Decimal = pct(10);

/// One calendar year of the special rate (延滞金の割合の特例).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpecialRateRow {
    pub year: i32,
    /// 延滞税特例基準割合 (特例基準割合 before 2021), percent.
    pub special_base_rate: Decimal,
    /// Where the figure comes from (receivables.md §5.1 and §16 source numbers).
    pub source: &'static str,
    /// `false` where receivables.md marks the figure unconfirmed for 健保法 (Q4).
    pub confirmed: bool,
}

/// The rates in force for one calendar year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YearRates {
    pub year: i32,
    /// Replaces 14.6%.
    pub full: Decimal,
    /// Replaces 7.3% (premiums, first 3 months).
    pub reduced: Decimal,
    pub source: &'static str,
    pub confirmed: bool,
}

/// 健康保険法附則9条: while the base rate is under 7.3%, 14.6% becomes base + 7.3% and 7.3%
/// becomes base + 1% (at most 7.3%); otherwise the statutory rates stand.
pub fn special_rates(special_base_rate: Decimal) -> (Decimal, Decimal) {
    if special_base_rate < STATUTORY_REDUCED_RATE {
        let full = special_base_rate + STATUTORY_REDUCED_RATE;
        let reduced = (special_base_rate + ONE_PERCENT).min(STATUTORY_REDUCED_RATE);
        (full, reduced)
    } else {
        (STATUTORY_FULL_RATE, STATUTORY_REDUCED_RATE)
    }
}

/// The special-rate table for 健康保険法181条 延滞金. Years before 2015 (another rule applied)
/// and after the last row are not held: a computation reaching them is refused, never guessed.
pub const KENPO_181_SPECIAL_RATES: &[SpecialRateRow] = &[
    SpecialRateRow {
        year: 2015,
        special_base_rate: pct(18),
        source: "S23 (9.1% / 2.8%)",
        confirmed: true,
    },
    SpecialRateRow {
        year: 2016,
        special_base_rate: pct(18),
        source: "S23 (9.1% / 2.8%)",
        confirmed: true,
    },
    SpecialRateRow {
        year: 2017,
        special_base_rate: pct(17),
        source: "S23, S21 (9.0% / 2.7%)",
        confirmed: true,
    },
    SpecialRateRow {
        year: 2018,
        special_base_rate: pct(16),
        source: "S23 (8.9% / 2.6%)",
        confirmed: true,
    },
    SpecialRateRow {
        year: 2019,
        special_base_rate: pct(16),
        source: "receivables.md §5.1; S22",
        confirmed: true,
    },
    SpecialRateRow {
        year: 2020,
        special_base_rate: pct(16),
        source: "S23, S27c (8.9% / 2.6%)",
        confirmed: true,
    },
    SpecialRateRow {
        year: 2021,
        special_base_rate: pct(15),
        source: "receivables.md §5.1; S27",
        confirmed: true,
    },
    SpecialRateRow {
        year: 2022,
        special_base_rate: pct(14),
        source: "receivables.md §5.1; S23, S27b",
        confirmed: true,
    },
    SpecialRateRow {
        year: 2023,
        special_base_rate: pct(14),
        source: "receivables.md §5.1; S23, S27b",
        confirmed: true,
    },
    SpecialRateRow {
        year: 2024,
        special_base_rate: pct(14),
        source: "receivables.md §5.1; S23, S27b",
        confirmed: true,
    },
    SpecialRateRow {
        year: 2025,
        special_base_rate: pct(14),
        source: "receivables.md §5.1; S24, S26",
        confirmed: true,
    },
    SpecialRateRow {
        year: 2026,
        special_base_rate: pct(18),
        source: "receivables.md §5.1; S25 (local-tax page; Medium for 健保法, Q4)",
        confirmed: false,
    },
];

/// A late-charge rate table: rows keyed by calendar year, ascending, no gaps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LateChargeTable {
    rows: Vec<SpecialRateRow>,
}

/// A table that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("a rate table needs at least one row")]
    Empty,
    #[error("rate rows must be consecutive calendar years (after {0})")]
    NotConsecutive(i32),
    #[error("rate for {0} is negative")]
    Negative(i32),
}

impl LateChargeTable {
    /// A table from rows; years ascending and consecutive, rates not negative.
    pub fn new(rows: Vec<SpecialRateRow>) -> Result<Self, TableError> {
        let first = rows.first().ok_or(TableError::Empty)?;
        for (expected, row) in (first.year..).zip(rows.iter()) {
            if row.year != expected {
                return Err(TableError::NotConsecutive(expected - 1));
            }
            if row.special_base_rate.is_sign_negative() {
                return Err(TableError::Negative(row.year));
            }
        }
        Ok(Self { rows })
    }

    /// The 健康保険法181条 table of [`KENPO_181_SPECIAL_RATES`].
    pub fn kenpo_181() -> Self {
        Self {
            rows: KENPO_181_SPECIAL_RATES.to_vec(),
        }
    }

    pub fn rows(&self) -> &[SpecialRateRow] {
        &self.rows
    }

    /// The rates of `year`, or `None` when the table does not hold it.
    pub fn rates_for(&self, year: i32) -> Option<YearRates> {
        let row = self.rows.iter().find(|r| r.year == year)?;
        let (full, reduced) = special_rates(row.special_base_rate);
        Some(YearRates {
            year,
            full,
            reduced,
            source: row.source,
            confirmed: row.confirmed,
        })
    }
}

/// A period of one 法定利率 (民法404条).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LegalRateRow {
    /// First day, inclusive; `None` = since before any date we compute.
    pub from: Option<(i32, u32, u32)>,
    /// Last day, inclusive.
    pub to: (i32, u32, u32),
    pub rate: Decimal,
    pub source: &'static str,
}

/// 民法404条: 5% until 2020-03-31 (old law), then 3% for each three-year period; the 2026-04-01
/// period was fixed by the MOJ notice of 2025-03-31 (receivables.md §5.3, S30). Later periods are
/// not known yet.
pub const LEGAL_INTEREST_RATES: &[LegalRateRow] = &[
    LegalRateRow {
        from: None,
        to: (2020, 3, 31),
        rate: pct(50),
        source: "旧民法404条 (S30)",
    },
    LegalRateRow {
        from: Some((2020, 4, 1)),
        to: (2023, 3, 31),
        rate: pct(30),
        source: "民法404条2項 (S30)",
    },
    LegalRateRow {
        from: Some((2023, 4, 1)),
        to: (2026, 3, 31),
        rate: pct(30),
        source: "民法404条 (S30)",
    },
    LegalRateRow {
        from: Some((2026, 4, 1)),
        to: (2029, 3, 31),
        rate: pct(30),
        source: "民法404条; 法務省告示 2025-03-31 (S30)",
    },
];

/// The 法定利率 in force on `day`, with its source; `None` after the last known period.
pub fn legal_rate_on(day: NaiveDate) -> Option<(Decimal, &'static str)> {
    let date = |(y, m, d): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, d);
    LEGAL_INTEREST_RATES
        .iter()
        .find(|row| {
            let after_start = row.from.and_then(date).is_none_or(|from| day >= from);
            let before_end = date(row.to).is_some_and(|to| day <= to);
            after_start && before_end
        })
        .map(|row| (row.rate, row.source))
}
