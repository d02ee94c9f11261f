//! Fiscal-year (年度) attribution and recovery statistics (receivables.md §8, API.md "Statistics").
//!
//! - A receivable belongs to the fiscal year of its assessment (調定日): 2018-03-31 is FY2017,
//!   2018-04-01 is FY2018.
//! - For a reporting year it is `current` (現年度) when assessed in that year and `prior` (過年度)
//!   when assessed earlier and still outstanding on April 1.
//! - Current row: assessed = assessments in the year less reductions (調定減) in the year;
//!   collected = collections applied in the year.
//! - Prior row: assessed = balance carried in on April 1 (繰越調定, §8, Medium, Q15) less
//!   reductions in the year; collected = collections applied in the year.
//! - Write-offs (不納欠損) are neither collected nor deducted from the base: they stay visible as
//!   unrecovered (§8 "treat 不納欠損 and 調定減 as separate movements"). Overpayments never count.
//! - Rate = collected / assessed in percent, two decimals, half up: [`round_rate_half_up`].

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::ledger::{Ledger, MovementKind};
use super::wire::wire_enum;
use crate::domain::calendar::FiscalYear;
use crate::domain::money::Yen;

wire_enum! {
    /// 現年度 / 過年度 (API.md `period`).
    pub enum FiscalClass ("fiscal class") {
        Current = "current",
        Prior = "prior",
    }
}

/// The fiscal year a receivable is attributed to: that of its assessment date.
pub fn fiscal_year_of_assessment(assessed_on: NaiveDate) -> FiscalYear {
    FiscalYear::of(assessed_on)
}

/// Current or prior for `reporting`; `None` when assessed after that year ended.
pub fn fiscal_class(assessed_on: NaiveDate, reporting: FiscalYear) -> Option<FiscalClass> {
    let own = fiscal_year_of_assessment(assessed_on);
    match own.cmp(&reporting) {
        std::cmp::Ordering::Equal => Some(FiscalClass::Current),
        std::cmp::Ordering::Less => Some(FiscalClass::Prior),
        std::cmp::Ordering::Greater => None,
    }
}

/// One receivable's contribution to a recovery row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecoveryFigures {
    pub class: FiscalClass,
    /// The denominator: 調定額 (current) or carried-in balance (prior), net of in-year 調定減.
    pub assessed: Yen,
    /// The numerator: collections applied within the year.
    pub collected: Yen,
}

/// What moved on one receivable around a reporting year: the balance carried in on April 1 and
/// the assessments, reductions and collections within the year, as [`YearMovements::of`] takes
/// them from a [`Ledger`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YearMovements {
    pub assessed_on: NaiveDate,
    pub carried: Yen,
    pub assessed_in: Yen,
    pub reduced_in: Yen,
    pub collected_in: Yen,
}

impl YearMovements {
    pub fn of(ledger: &Ledger, reporting: FiscalYear) -> Self {
        let (from, to) = (reporting.first_day(), reporting.last_day());
        Self {
            assessed_on: ledger.assessed_on(),
            carried: from.pred_opt().map_or(Yen::ZERO, |eve| ledger.position_at(eve).balance),
            assessed_in: ledger.moved_between(from, to, |k| k == MovementKind::Assessment),
            reduced_in: ledger.moved_between(from, to, |k| k == MovementKind::Reduction),
            collected_in: ledger.moved_between(from, to, |k| matches!(k, MovementKind::Collection(_))),
        }
    }
}

/// The receivable's figures for `reporting`, or `None` when it does not belong to that year's
/// statistics (assessed later, or a prior-year receivable with nothing carried in).
pub fn recovery_figures(ledger: &Ledger, reporting: FiscalYear) -> Option<RecoveryFigures> {
    figures_of(&YearMovements::of(ledger, reporting), reporting)
}

/// [`recovery_figures`] from movements already summed.
pub fn figures_of(m: &YearMovements, reporting: FiscalYear) -> Option<RecoveryFigures> {
    let class = fiscal_class(m.assessed_on, reporting)?;
    let base = match class {
        FiscalClass::Current => m.assessed_in,
        FiscalClass::Prior => {
            if m.carried <= Yen::ZERO {
                return None;
            }
            // An increase (増額調定) of an old receivable within the year adds to what was carried in.
            m.carried + m.assessed_in
        }
    };
    Some(RecoveryFigures {
        class,
        assessed: base.saturating_sub(m.reduced_in),
        collected: m.collected_in,
    })
}

/// Sums of [`RecoveryFigures`] for one row (kind × class), amount and count based.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecoveryTotals {
    /// Receivables in the row (件数 調定).
    pub count: u64,
    /// Receivables with any collection in the year (件数 回収, SEED-A breakdown).
    pub collected_count: u64,
    pub assessed: Yen,
    pub collected: Yen,
}

impl RecoveryTotals {
    pub fn add(&mut self, figures: RecoveryFigures) {
        self.count += 1;
        if figures.collected > Yen::ZERO {
            self.collected_count += 1;
        }
        self.assessed += figures.assessed;
        self.collected += figures.collected;
    }

    /// Amount-based rate (回収率, 金額ベース).
    pub fn rate(&self) -> Option<Decimal> {
        recovery_rate(self.collected, self.assessed)
    }

    /// Count-based rate (回収率, 件数ベース).
    pub fn count_rate(&self) -> Option<Decimal> {
        crate::domain::money::percent(Decimal::from(self.collected_count), Decimal::from(self.count))
    }
}

/// A signed change of one row's totals: what a receivable's contribution adds to or takes from
/// a (year, kind, reason, period) row when its ledger changes. The store keeps the rows summed so
/// that the statistics read a handful of rows, not the ledger; rebuilding a year from the ledger
/// gives the same sums.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TotalsDelta {
    pub count: i64,
    pub collected_count: i64,
    pub assessed: Yen,
    pub collected: Yen,
}

impl TotalsDelta {
    /// One receivable's whole contribution.
    pub fn of(figures: RecoveryFigures) -> Self {
        Self {
            count: 1,
            collected_count: i64::from(figures.collected > Yen::ZERO),
            assessed: figures.assessed,
            collected: figures.collected,
        }
    }

    pub fn is_zero(&self) -> bool {
        *self == Self::default()
    }

    pub fn add(&mut self, other: Self) {
        self.count += other.count;
        self.collected_count += other.collected_count;
        self.assessed += other.assessed;
        self.collected += other.collected;
    }

    fn minus(self, other: Self) -> Self {
        Self {
            count: self.count - other.count,
            collected_count: self.collected_count - other.collected_count,
            assessed: self.assessed - other.assessed,
            collected: self.collected - other.collected,
        }
    }
}

/// How a receivable's contribution to `reporting` changes when its ledger goes from `before`
/// (`None`: the receivable is new) to `after`: the period it counts in and the change, or `None`
/// when nothing changes for that year. A back-dated entry changes what later years carried in, so
/// callers ask this for every year they keep.
pub fn contribution_change(
    before: Option<&Ledger>,
    after: &Ledger,
    reporting: FiscalYear,
) -> Option<(FiscalClass, TotalsDelta)> {
    let old = before.and_then(|l| recovery_figures(l, reporting));
    let new = recovery_figures(after, reporting);
    let class = new.or(old)?.class;
    let delta = new
        .map(TotalsDelta::of)
        .unwrap_or_default()
        .minus(old.map(TotalsDelta::of).unwrap_or_default());
    (!delta.is_zero()).then_some((class, delta))
}

/// 回収率 = collected / assessed in percent, rounded by [`round_rate_half_up`]; `None` when nothing
/// was assessed. SEED-A FY2017 返納金: 37,902,197 / 49,826,384 -> 76.07; 13,116,401 / 47,122,720
/// -> 27.83.
pub fn recovery_rate(collected: Yen, assessed: Yen) -> Option<Decimal> {
    crate::domain::money::percent(collected.amount(), assessed.amount())
}

/// The rounding of a recovery rate: [`money::round_percent`](crate::domain::money::round_percent).
pub fn round_rate_half_up(percent: Decimal) -> Decimal {
    crate::domain::money::round_percent(percent)
}
