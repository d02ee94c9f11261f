//! Households (世帯): income categories (所得区分) by period, postal address and phone.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Violations;
use super::member::wire_names;

/// Under-70 income category (70歳未満の所得区分): `a`..`o` = 区分ア..オ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Under70Category {
    /// 区分ア
    A,
    /// 区分イ
    I,
    /// 区分ウ
    U,
    /// 区分エ
    E,
    /// 区分オ (住民税非課税)
    O,
}

/// 70-74 income category (70歳以上75歳未満の所得区分). Before 2018-08 the three 現役並み
/// categories are one (`active1`..`active3` all map to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Age70to74Category {
    /// 現役並みIII
    Active3,
    /// 現役並みII
    Active2,
    /// 現役並みI
    Active1,
    /// 一般
    General,
    /// 低所得II
    Low2,
    /// 低所得I
    Low1,
}

wire_names!(Under70Category { A => "a", I => "i", U => "u", E => "e", O => "o" });
wire_names!(Age70to74Category {
    Active3 => "active3",
    Active2 => "active2",
    Active1 => "active1",
    General => "general",
    Low2 => "low2",
    Low1 => "low1",
});

impl Under70Category {
    /// Every category, in table order (ア..オ).
    pub const ALL: [Self; 5] = [Self::A, Self::I, Self::U, Self::E, Self::O];

    /// The wire value (`a`..`o`).
    pub fn code(self) -> &'static str {
        self.as_str()
    }
}

impl Age70to74Category {
    /// Every category, in table order (現役並みIII..低所得I).
    pub const ALL: [Self; 6] = [
        Self::Active3,
        Self::Active2,
        Self::Active1,
        Self::General,
        Self::Low2,
        Self::Low1,
    ];

    /// The wire value.
    pub fn code(self) -> &'static str {
        self.as_str()
    }
}

/// The household's categories from `valid_from` to `valid_to` (inclusive; open when absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncomeCategoryPeriod {
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    pub under70: Under70Category,
    /// May be null while no member is 70-74.
    #[serde(default)]
    pub age70to74: Option<Age70to74Category>,
}

/// Checks that each period ends on or after it starts and that no two periods overlap.
pub fn validate_periods(periods: &[IncomeCategoryPeriod]) -> Result<(), Violations> {
    let mut v = Violations::new();
    for (i, p) in periods.iter().enumerate() {
        if let Some(to) = p.valid_to
            && to < p.valid_from
        {
            v.push(
                format!("income_categories[{i}].valid_to"),
                "must not be before valid_from",
            );
        }
    }
    let mut order: Vec<usize> = (0..periods.len()).collect();
    order.sort_by_key(|&i| periods[i].valid_from);
    for w in order.windows(2) {
        let (a, b) = (&periods[w[0]], &periods[w[1]]);
        match a.valid_to {
            Some(to) if to < b.valid_from => {}
            _ => v.push(
                format!("income_categories[{}]", w[1]),
                format!("overlaps income_categories[{}]", w[0]),
            ),
        }
    }
    v.finish(())
}

/// The period in force on `date`, if any.
pub fn category_on(periods: &[IncomeCategoryPeriod], date: NaiveDate) -> Option<&IncomeCategoryPeriod> {
    periods
        .iter()
        .find(|p| p.valid_from <= date && p.valid_to.is_none_or(|to| date <= to))
}

/// A Japanese postal code (郵便番号), kept as `NNN-NNNN`; `NNNNNNN` is accepted.
pub fn parse_postal_code(s: &str) -> Result<String, &'static str> {
    let digits: String = s.chars().filter(|c| *c != '-').collect();
    let shape_ok = s.len() == 7 || (s.len() == 8 && s.as_bytes()[3] == b'-');
    if shape_ok && digits.len() == 7 && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(format!("{}-{}", &digits[..3], &digits[3..]))
    } else {
        Err("must be a postal code like 123-4567")
    }
}

/// A phone number: ASCII digits with optional hyphens, 10 to 11 digits.
pub fn parse_phone(s: &str) -> Result<String, &'static str> {
    let digits = s.bytes().filter(|b| b.is_ascii_digit()).count();
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        && (10..=11).contains(&digits)
        && !s.starts_with('-')
        && !s.ends_with('-')
    {
        Ok(s.to_string())
    } else {
        Err("must be 10 or 11 digits, hyphens allowed")
    }
}

/// A household number (世帯番号): 1 to 20 ASCII letters, digits or hyphens.
pub fn parse_household_number(s: &str) -> Result<String, &'static str> {
    if (1..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        Ok(s.to_string())
    } else {
        Err("must be 1 to 20 ASCII letters, digits or hyphens")
    }
}

/// A required free text of at most `max` characters, trimmed.
pub fn parse_text(s: &str, max: usize) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        Err("must not be empty".into())
    } else if t.chars().count() > max {
        Err(format!("must be at most {max} characters"))
    } else if t.chars().any(char::is_control) {
        Err("must not contain control characters".into())
    } else {
        Ok(t.to_string())
    }
}

/// What a household holds, checked (`parse_*` and `validate_periods`) before it is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdData {
    pub household_number: String,
    pub head_name: String,
    pub postal_code: String,
    pub prefecture: String,
    pub city: String,
    pub address_line: String,
    pub phone: Option<String>,
    pub income_categories: Vec<IncomeCategoryPeriod>,
}

/// A stored household (世帯).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    pub id: String,
    pub data: HouseholdData,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Unpaid NHI tax (国保税の滞納額) of a household as the tax system last reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxArrears {
    pub household_id: String,
    pub amount: i64,
    pub as_of: NaiveDate,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn p(from: &str, to: Option<&str>) -> IncomeCategoryPeriod {
        IncomeCategoryPeriod {
            valid_from: d(from),
            valid_to: to.map(d),
            under70: Under70Category::U,
            age70to74: None,
        }
    }

    #[test]
    fn periods_must_not_overlap() {
        assert!(validate_periods(&[p("2024-08-01", Some("2025-07-31")), p("2025-08-01", None)]).is_ok());
        assert!(validate_periods(&[p("2025-08-01", None), p("2024-08-01", Some("2025-08-01"))]).is_err());
        assert!(validate_periods(&[p("2024-08-01", None), p("2025-08-01", None)]).is_err());
        assert!(validate_periods(&[p("2024-08-01", Some("2024-07-31"))]).is_err());
        assert!(validate_periods(&[]).is_ok());
    }

    #[test]
    fn category_on_finds_the_period() {
        let ps = [p("2024-08-01", Some("2025-07-31")), p("2025-08-01", None)];
        assert_eq!(category_on(&ps, d("2025-07-31")).unwrap().valid_from, d("2024-08-01"));
        assert_eq!(category_on(&ps, d("2026-01-01")).unwrap().valid_from, d("2025-08-01"));
        assert!(category_on(&ps, d("2024-07-31")).is_none());
    }

    #[test]
    fn postal_codes_and_phones() {
        assert_eq!(parse_postal_code("1000001").unwrap(), "100-0001");
        assert_eq!(parse_postal_code("100-0001").unwrap(), "100-0001");
        for bad in ["100-001", "10000011", "1000-001", "abc-defg", "１００-０００１"] {
            assert!(parse_postal_code(bad).is_err(), "{bad}");
        }
        assert!(parse_phone("03-1234-5678").is_ok());
        assert!(parse_phone("09012345678").is_ok());
        assert!(parse_phone("12345").is_err());
        assert!(parse_phone("-0312345678").is_err());
    }

    #[test]
    fn text_rules() {
        assert_eq!(parse_text("  山田 太郎 ", 10).unwrap(), "山田 太郎");
        assert!(parse_text("   ", 10).is_err());
        assert!(parse_text("あいうえおかきくけこさ", 10).is_err());
        assert!(parse_household_number("H-0001").is_ok());
        assert!(parse_household_number("H 0001").is_err());
    }
}
