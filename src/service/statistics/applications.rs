//! Seed 004's application figures of a fiscal year (申請件数・申請金額の状況): forms sent from April
//! to February and applications paid from May to March (a month later, as the seed counts them),
//! count and amount, by group (`under70`, `age70to74`: every member with a benefit in the 70-74
//! bracket), with shares, monthly averages, response rates and returns for defects.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use sea_orm::DatabaseConnection;

use super::fiscal_year;
use crate::clock::jst;
use crate::domain::application::{AgeCategory, ApplicationYear, Tally, application_year, category_of};
use crate::domain::calendar::YearMonth;
use crate::error::ApiError;
use crate::store::payments::CountedBenefit;
use crate::store::{applications, payments};

/// The figures with the days each side counts.
#[derive(Debug, Clone)]
pub struct ApplicationFigures {
    pub fiscal_year: i32,
    pub forms_from: NaiveDate,
    pub forms_to: NaiveDate,
    pub applications_from: NaiveDate,
    pub applications_to: NaiveDate,
    pub year: ApplicationYear,
}

fn by_group(rows: &[CountedBenefit]) -> [Tally; 2] {
    let mut t = [Tally::default(); 2];
    for r in rows {
        let Ok(month) = YearMonth::parse(&r.service_month) else {
            continue;
        };
        let i = match category_of(month, &r.members) {
            AgeCategory::Under70 => 0,
            AgeCategory::Age70to74 => 1,
        };
        t[i].add(r.amount);
    }
    t
}

/// Midnight in Tokyo at the start of `day`, as an instant.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    jst()
        .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .single()
        .map_or_else(
            || day.and_time(chrono::NaiveTime::MIN).and_utc(),
            |d| d.with_timezone(&Utc),
        )
}

pub async fn application_figures(
    db: &DatabaseConnection,
    insurer: &str,
    fy: i32,
) -> Result<ApplicationFigures, ApiError> {
    let year = fiscal_year(fy)?;
    let april = year.first_day();
    let march = year.last_day();
    let day = |y: i32, m: u32, d: u32| {
        NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| ApiError::validation("fiscal_year", "out of range"))
    };
    let forms_to_excl = day(fy + 1, 3, 1)?;
    let applications_from = day(fy, 5, 1)?;
    let forms = payments::forms_issued(db, insurer, start_of(april), start_of(forms_to_excl)).await?;
    let paid = payments::paid_on_application(db, insurer, applications_from, march).await?;
    let returned = applications::returns_between(db, insurer, applications_from, march).await?;
    Ok(ApplicationFigures {
        fiscal_year: fy,
        forms_from: april,
        forms_to: forms_to_excl.pred_opt().unwrap_or(forms_to_excl),
        applications_from,
        applications_to: march,
        year: application_year(by_group(&forms), by_group(&paid), returned),
    })
}
