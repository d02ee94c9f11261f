//! Small builders shared by the tests.

use chrono::NaiveDate;

use crate::domain::money::Yen;

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub fn yen(n: i64) -> Yen {
    Yen::new(n)
}
