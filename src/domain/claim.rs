//! Monthly claims (レセプト): provider codes, kinds and settings, and the invariants of one claim.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Violations;
use super::calendar::YearMonth;
use super::member::wire_names;
use super::money::{ABOVE_MAX, MAX_AMOUNT, Yen};

/// 種別: medical (医科), dental (歯科), pharmacy (調剤), visiting nursing (訪問看護).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    Medical,
    Dental,
    Pharmacy,
    VisitingNursing,
}

/// 入院 / 入院外.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    Inpatient,
    Outpatient,
}

wire_names!(ClaimKind {
    Medical => "medical",
    Dental => "dental",
    Pharmacy => "pharmacy",
    VisitingNursing => "visiting_nursing",
});
wire_names!(Setting { Inpatient => "inpatient", Outpatient => "outpatient" });

/// A provider code (医療機関コード): exactly 10 ASCII digits.
pub fn parse_provider_code(s: &str) -> Result<String, &'static str> {
    if s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err("must be exactly 10 ASCII digits")
    }
}

/// A claim number (レセプト番号) as the vendor knows it: 1 to 64 visible ASCII characters.
pub fn parse_claim_number(s: &str) -> Result<String, &'static str> {
    if (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(s.to_string())
    } else {
        Err("must be 1 to 64 visible ASCII characters")
    }
}

/// The facts of one claim that must agree with each other.
#[derive(Debug, Clone)]
pub struct ClaimFacts<'a> {
    pub service_month: &'a str,
    pub kind: ClaimKind,
    pub setting: Setting,
    pub prescribing_provider_code: Option<&'a str>,
    /// 総医療費 in yen.
    pub total_cost: i64,
    /// 一部負担金 in yen.
    pub copayment: i64,
    pub first_service_on: Option<NaiveDate>,
    pub service_days: Option<i32>,
    /// 高額療養費 paid to the provider at the window (現物給付, R16), as the claim carries it.
    pub window_benefit: Option<i64>,
}

/// A checked claim: the month parsed and the amounts as `Yen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckedClaim {
    pub service_month: YearMonth,
    pub total_cost: Yen,
    pub copayment: Yen,
}

impl ClaimFacts<'_> {
    /// Checks one claim: the month is `YYYY-MM`; amounts are not negative and the copayment is not
    /// above the total cost; a pharmacy claim (調剤) is outpatient and names its prescriber, and only
    /// a pharmacy claim does; the first service date lies in the service month; service days fit
    /// the month.
    pub fn check(&self) -> Result<CheckedClaim, Violations> {
        let mut v = Violations::new();
        let month = v.check("service_month", YearMonth::parse(self.service_month));
        if self.total_cost < 0 {
            v.push("total_cost", "must not be negative");
        }
        if self.total_cost > MAX_AMOUNT {
            v.push("total_cost", ABOVE_MAX);
        }
        if self.copayment < 0 {
            v.push("copayment", "must not be negative");
        }
        if self.copayment > MAX_AMOUNT {
            v.push("copayment", ABOVE_MAX);
        }
        if self.copayment > self.total_cost && self.total_cost >= 0 {
            v.push("copayment", "must not be above total_cost");
        }
        if let Some(w) = self.window_benefit {
            if w < 0 {
                v.push("window_benefit", "must not be negative");
            } else if w > self.total_cost.saturating_sub(self.copayment).max(0) {
                v.push("window_benefit", "must not be above total_cost minus copayment");
            }
        }
        match (self.kind, self.prescribing_provider_code) {
            (ClaimKind::Pharmacy, None) => v.push("prescribing_provider_code", "is required for a pharmacy claim"),
            (ClaimKind::Pharmacy, Some(code)) => {
                v.check("prescribing_provider_code", parse_provider_code(code));
            }
            (_, Some(_)) => v.push("prescribing_provider_code", "is only for pharmacy claims"),
            (_, None) => {}
        }
        if self.kind == ClaimKind::Pharmacy && self.setting == Setting::Inpatient {
            v.push("setting", "a pharmacy claim is outpatient");
        }
        if let Some(month) = month {
            if let Some(first) = self.first_service_on
                && !month.contains(first)
            {
                v.push("first_service_on", "must lie in service_month");
            }
            if let Some(days) = self.service_days
                && (days < 1 || days > month.days() as i32)
            {
                v.push("service_days", format!("must be 1 to {}", month.days()));
            }
        }
        match month {
            Some(service_month) if v.is_empty() => Ok(CheckedClaim {
                service_month,
                total_cost: Yen::new(self.total_cost),
                copayment: Yen::new(self.copayment),
            }),
            _ => Err(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_stay_within_what_any_sum_can_hold() {
        let mut f = facts();
        f.total_cost = MAX_AMOUNT;
        f.copayment = MAX_AMOUNT;
        assert!(f.check().is_ok());
        f.total_cost = i64::MAX;
        f.copayment = MAX_AMOUNT + 1;
        let e = f.check().unwrap_err();
        let fields: Vec<&str> = e.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["total_cost", "copayment"]);
    }

    fn facts() -> ClaimFacts<'static> {
        ClaimFacts {
            service_month: "2025-05",
            kind: ClaimKind::Medical,
            setting: Setting::Outpatient,
            prescribing_provider_code: None,
            total_cost: 100_000,
            copayment: 30_000,
            first_service_on: Some(NaiveDate::from_ymd_opt(2025, 5, 2).unwrap()),
            service_days: Some(3),
            window_benefit: None,
        }
    }

    fn fields(f: ClaimFacts) -> Vec<String> {
        f.check().unwrap_err().iter().map(|v| v.field.clone()).collect()
    }

    #[test]
    fn a_sound_claim_passes() {
        let c = facts().check().unwrap();
        assert_eq!(c.service_month.to_string(), "2025-05");
        assert_eq!(c.copayment.as_i64(), 30_000);
        let equal = ClaimFacts {
            copayment: 100_000,
            ..facts()
        };
        assert!(equal.check().is_ok());
    }

    #[test]
    fn each_rule_names_its_field() {
        assert_eq!(
            fields(ClaimFacts {
                copayment: 100_001,
                ..facts()
            }),
            ["copayment"]
        );
        assert_eq!(
            fields(ClaimFacts {
                total_cost: -1,
                copayment: 0,
                ..facts()
            }),
            ["total_cost"]
        );
        assert_eq!(
            fields(ClaimFacts {
                copayment: -1,
                ..facts()
            }),
            ["copayment"]
        );
        assert_eq!(
            fields(ClaimFacts {
                service_month: "2025-13",
                ..facts()
            }),
            ["service_month"]
        );
        assert_eq!(
            fields(ClaimFacts {
                kind: ClaimKind::Pharmacy,
                ..facts()
            }),
            ["prescribing_provider_code"]
        );
        assert_eq!(
            fields(ClaimFacts {
                kind: ClaimKind::Pharmacy,
                prescribing_provider_code: Some("123"),
                ..facts()
            }),
            ["prescribing_provider_code"]
        );
        assert_eq!(
            fields(ClaimFacts {
                prescribing_provider_code: Some("1234567890"),
                ..facts()
            }),
            ["prescribing_provider_code"]
        );
        assert_eq!(
            fields(ClaimFacts {
                kind: ClaimKind::Pharmacy,
                setting: Setting::Inpatient,
                prescribing_provider_code: Some("1234567890"),
                ..facts()
            }),
            ["setting"]
        );
        assert_eq!(
            fields(ClaimFacts {
                first_service_on: NaiveDate::from_ymd_opt(2025, 6, 1),
                ..facts()
            }),
            ["first_service_on"]
        );
        assert_eq!(
            fields(ClaimFacts {
                service_days: Some(32),
                ..facts()
            }),
            ["service_days"]
        );
        assert_eq!(
            fields(ClaimFacts {
                service_days: Some(0),
                ..facts()
            }),
            ["service_days"]
        );
    }

    #[test]
    fn codes() {
        assert!(parse_provider_code("1312345678").is_ok());
        assert!(parse_provider_code("131234567").is_err());
        assert!(parse_provider_code("13123456789").is_err());
        assert!(parse_provider_code("13123456７8").is_err());
        assert!(parse_claim_number("R-2025-05-000001").is_ok());
        assert!(parse_claim_number("has space").is_err());
        assert!(parse_claim_number("").is_err());
    }
}

/// `active`, or `voided` (kept for audit, excluded from calculations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    Active,
    Voided,
}

wire_names!(ClaimStatus { Active => "active", Voided => "voided" });

/// How a claim names its member: by id or by insured number (記号・番号・枝番).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MemberRef {
    Id(String),
    /// `InsuredNumber::key()`.
    InsuredKey(String),
}

/// What a claim holds besides its member, checked (`ClaimFacts::check`) before it is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimFields {
    pub claim_number: String,
    pub service_month: String,
    pub provider_code: String,
    pub provider_name: String,
    pub kind: ClaimKind,
    pub setting: Setting,
    pub prescribing_provider_code: Option<String>,
    pub total_cost: i64,
    pub copayment: i64,
    pub first_service_on: Option<NaiveDate>,
    pub service_days: Option<i32>,
    /// 高額療養費 the insurer paid the provider at the window (現物給付, R16); the month then counts
    /// toward 多数回 (R7) whether or not cash follows.
    pub window_benefit: Option<i64>,
}

/// A stored claim (レセプト) of a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub id: String,
    pub member_id: String,
    pub household_id: String,
    pub fields: ClaimFields,
    pub status: ClaimStatus,
    pub voided_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One checked line of a bulk import.
#[derive(Debug, Clone)]
pub struct ImportLine {
    /// 1-based line number in the body.
    pub line: u64,
    pub member: MemberRef,
    pub fields: ClaimFields,
}

/// A line of a bulk import that could not be stored, and why.
#[derive(Debug, Clone)]
pub struct LineError {
    pub line: u64,
    pub claim_number: Option<String>,
    pub problem: String,
}
