//! Why a determination could not be made. Each variant has a stable snake_case [`code`]
//! (KogakuError::code) for the server's one error model (STYLE 7).

use crate::domain::calendar::YearMonth;

use super::Age70to74Category;

/// A determination that cannot be made from these inputs. Never a guess: a month without a table,
/// a missing category or an impossible claim is refused, not approximated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KogakuError {
    /// No limit table is held for the month (before 2015-01, or from 2027-08: R1, R14).
    #[error("no rule table is held for service month {month}")]
    NoRuleTable { month: YearMonth },
    /// A member is 70-74 in the month but the household has no `age70to74` category (R5).
    #[error("a member is 70-74 in {month} but no age70to74 category was given")]
    MissingCategory { month: YearMonth },
    #[error("unknown income category")]
    UnknownCategory,
    #[error("a provider code must be exactly 10 digits")]
    InvalidProviderCode,
    #[error("member id {id} appears more than once")]
    DuplicateMember { id: String },
    #[error("claim {index}: unknown member id")]
    UnknownMember { index: usize },
    #[error("claim {index}: negative total_cost or copayment")]
    NegativeAmount { index: usize },
    #[error("claim {index}: copayment exceeds total_cost")]
    CopaymentExceedsCost { index: usize },
    #[error("claim {index}: a pharmacy claim needs prescribing_provider_code")]
    MissingPrescriber { index: usize },
    #[error("claim {index}: pharmacy and visiting-nursing claims are outpatient")]
    InvalidSetting { index: usize },
    #[error("claim {index}: first_service_on is not in the service month")]
    ServiceDateOutsideMonth { index: usize },
    /// 外来年間合算 periods start in August (R8).
    #[error("an annual outpatient period starts in August, not {period_start}")]
    PeriodStartNotAugust { period_start: YearMonth },
    #[error("month {month} is not in the annual period")]
    MonthOutsidePeriod { month: YearMonth },
    #[error("month {month} is given twice")]
    DuplicateMonth { month: YearMonth },
    #[error("month {month}: negative amount, or a monthly benefit above the copayment")]
    InvalidAnnualMonth { month: YearMonth },
    /// kogaku.md states no annual outpatient limit for this category in this period (R8, R14).
    #[error("no confirmed annual outpatient limit for {} in the period from {period_start}", category.code())]
    AnnualLimitUnconfirmed {
        period_start: YearMonth,
        category: Age70to74Category,
    },
    /// A table amount that should halve exactly did not (R9); a data error, never an input error.
    #[error("a limit does not halve to whole yen")]
    OddHalf,
}

impl KogakuError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoRuleTable { .. } => "no_rule_table",
            Self::MissingCategory { .. } => "missing_category",
            Self::UnknownCategory => "unknown_category",
            Self::InvalidProviderCode => "invalid_provider_code",
            Self::DuplicateMember { .. } => "duplicate_member",
            Self::UnknownMember { .. } => "unknown_member",
            Self::NegativeAmount { .. } => "negative_amount",
            Self::CopaymentExceedsCost { .. } => "copayment_exceeds_cost",
            Self::MissingPrescriber { .. } => "missing_prescriber",
            Self::InvalidSetting { .. } => "invalid_setting",
            Self::ServiceDateOutsideMonth { .. } => "service_date_outside_month",
            Self::PeriodStartNotAugust { .. } => "period_start_not_august",
            Self::MonthOutsidePeriod { .. } => "month_outside_period",
            Self::DuplicateMonth { .. } => "duplicate_month",
            Self::InvalidAnnualMonth { .. } => "invalid_annual_month",
            Self::AnnualLimitUnconfirmed { .. } => "annual_limit_unconfirmed",
            Self::OddHalf => "odd_half",
        }
    }
}
