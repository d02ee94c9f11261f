//! Yearly plans (the monthly targets of the seed's tables) and the counterparty registry
//! (保険者間調整に参加する保険者).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Violations;
use super::calendar::{FiscalYear, YearMonth};

/// One month's targets (null: no target).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MonthPlan {
    /// `YYYY-MM`, within the fiscal year.
    pub month: String,
    /// 発生件数 (receivables expected to arise).
    pub occurrences: Option<i64>,
    /// 電話催告.
    pub phone: Option<i64>,
    /// 訪問催告.
    pub visit: Option<i64>,
    /// 最終催告.
    pub final_notice: Option<i64>,
    /// 法的手続 (支払督促).
    pub legal_action: Option<i64>,
    /// 保険者間調整 count.
    pub adjustment_count: Option<i64>,
    /// 保険者間調整 amount (yen).
    pub adjustment_amount: Option<i64>,
}

/// A fiscal year's plan, month by month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub fiscal_year: i32,
    pub months: Vec<MonthPlan>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// An insurer that does or does not take part in adjustment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counterparty {
    /// 保険者番号
    pub number: String,
    pub name: String,
    pub participates: bool,
    pub note: Option<String>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// Checks a year's months (each a month of the year, once, no negative target) and puts them
/// in calendar order.
pub fn check_months(fy: FiscalYear, months: Vec<MonthPlan>) -> Result<Vec<MonthPlan>, Violations> {
    let mut v = Violations::new();
    let mut seen: Vec<(YearMonth, MonthPlan)> = Vec::new();
    for (i, m) in months.into_iter().enumerate() {
        let targets = [
            ("occurrences", m.occurrences),
            ("phone", m.phone),
            ("visit", m.visit),
            ("final_notice", m.final_notice),
            ("legal_action", m.legal_action),
            ("adjustment_count", m.adjustment_count),
            ("adjustment_amount", m.adjustment_amount),
        ];
        let mut negative = Vec::new();
        for (name, x) in targets {
            if x.is_some_and(|x| x < 0) {
                negative.push(name);
            }
        }
        match YearMonth::parse(&m.month) {
            Ok(ym) if ym.first_day() >= fy.first_day() && ym.first_day() <= fy.last_day() => {
                if seen.iter().any(|(x, _)| *x == ym) {
                    v.push(format!("months[{i}].month"), "appears twice");
                }
                seen.push((ym, m));
            }
            _ => v.push(
                format!("months[{i}].month"),
                format!("must be a month of fiscal year {} (YYYY-MM)", fy.start_year()),
            ),
        }
        for name in negative {
            v.push(format!("months[{i}].{name}"), "must not be negative");
        }
    }
    seen.sort_by_key(|(ym, _)| ym.first_day());
    v.finish(seen.into_iter().map(|(_, m)| m).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(m: &str, phone: Option<i64>) -> MonthPlan {
        MonthPlan {
            month: m.into(),
            occurrences: None,
            phone,
            visit: None,
            final_notice: None,
            legal_action: None,
            adjustment_count: None,
            adjustment_amount: None,
        }
    }

    #[test]
    fn months_come_back_in_calendar_order() {
        let fy = FiscalYear::new(2018).unwrap();
        let got = check_months(fy, vec![month("2019-01", Some(3)), month("2018-04", None)]).unwrap();
        assert_eq!(
            got.iter().map(|m| m.month.as_str()).collect::<Vec<_>>(),
            ["2018-04", "2019-01"]
        );
    }

    #[test]
    fn every_bad_field_is_named() {
        let fy = FiscalYear::new(2018).unwrap();
        let e = check_months(
            fy,
            vec![
                month("2018-04", None),
                month("2018-04", Some(-1)),
                month("2019-04", None),
            ],
        )
        .unwrap_err();
        let fields: Vec<_> = e.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["months[1].month", "months[1].phone", "months[2].month"]);
    }
}
