//! Certificate recovery (被保険者証・資格確認書の回収): the share returned among holders who lost
//! eligibility in a period, by category, as on a day and a year before; and month by month the
//! notices sent and employers called.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::DatabaseConnection;

use super::{counts, fiscal_year};
use crate::domain::card_recovery::{InsuredCategory, RecoveryTally, status_from};
use crate::domain::receivable::activity::year_row;
use crate::error::ApiError;
use crate::store::DayCount;
use crate::store::card_recoveries as store;

/// The question: losses in `lost`, as they stood on `as_of`.
#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub lost_from: NaiveDate,
    pub lost_to: NaiveDate,
    pub as_of: NaiveDate,
}

/// One month's work for one category.
#[derive(Debug, Clone)]
pub struct Month {
    pub month: String,
    pub category: InsuredCategory,
    pub notices: i64,
    pub employer_contacts: i64,
}

/// The answer.
#[derive(Debug, Clone)]
pub struct CardYear {
    pub period: Period,
    /// By category: now, and a year before.
    pub tallies: Vec<(InsuredCategory, RecoveryTally, RecoveryTally)>,
    /// April..March, each category.
    pub months: Vec<Month>,
}

async fn tallies(
    db: &DatabaseConnection,
    insurer: &str,
    lost: (NaiveDate, NaiveDate),
    as_of: NaiveDate,
) -> Result<BTreeMap<InsuredCategory, RecoveryTally>, ApiError> {
    let mut out: BTreeMap<InsuredCategory, RecoveryTally> = InsuredCategory::ALL
        .iter()
        .map(|c| (*c, RecoveryTally::default()))
        .collect();
    for g in store::lost_between(db, insurer, lost, as_of).await? {
        let category = InsuredCategory::parse(&g.category)
            .ok_or_else(|| ApiError::Internal(format!("stored category {}", g.category)))?;
        out.entry(category)
            .or_default()
            .add(status_from(g.returned == 1, g.unrecoverable == 1, g.expired == 1), g.n);
    }
    Ok(out)
}

/// The year `fy`: losses from `lost_from` to `lost_to` (default: the year) as on `as_of`.
pub async fn report(
    db: &DatabaseConnection,
    insurer: &str,
    fy: i32,
    lost_from: Option<NaiveDate>,
    lost_to: Option<NaiveDate>,
    as_of: NaiveDate,
) -> Result<CardYear, ApiError> {
    let year = fiscal_year(fy)?;
    let lost_from = lost_from.unwrap_or(year.first_day());
    let lost_to = lost_to.unwrap_or(year.last_day());
    if lost_to < lost_from {
        return Err(ApiError::validation("lost_to", "must not be before lost_from"));
    }
    let now = tallies(db, insurer, (lost_from, lost_to), as_of).await?;
    let year_back = |d: NaiveDate| d.checked_sub_months(chrono::Months::new(12)).unwrap_or(d);
    let before = tallies(
        db,
        insurer,
        (year_back(lost_from), year_back(lost_to)),
        year_back(as_of),
    )
    .await?;
    let span = (year.first_day(), year.last_day());
    let mut notices = store::steps_by_day(db, insurer, "first_notice_on", span).await?;
    notices.extend(store::steps_by_day(db, insurer, "second_notice_on", span).await?);
    let calls = store::steps_by_day(db, insurer, "employer_contacted_on", span).await?;
    let sum = |rows: &[DayCount], c: InsuredCategory| year_row(year, &BTreeMap::new(), &counts(rows, c.as_str()));
    let mut months = Vec::new();
    for category in InsuredCategory::ALL {
        let (n, c) = (sum(&notices, category), sum(&calls, category));
        for (a, b) in n.months.iter().zip(&c.months) {
            months.push(Month {
                month: a.month.to_string(),
                category,
                notices: a.actual,
                employer_contacts: b.actual,
            });
        }
    }
    Ok(CardYear {
        period: Period {
            lost_from,
            lost_to,
            as_of,
        },
        tallies: now
            .into_iter()
            .map(|(c, t)| (c, t, before.get(&c).copied().unwrap_or_default()))
            .collect(),
        months,
    })
}
