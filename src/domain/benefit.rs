//! Stored high-cost benefit determinations (高額療養費の支給決定) and the runs that compute a month.
//! The engine (`kogaku`) decides the amounts; these are the records kept of its answers.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::kogaku::StepRecord;
use super::member::wire_names;

/// `calculated` -> `decided` -> `paid`; any of them may become `superseded` when its claims change.
/// A decided benefit whose right expired before it was claimed becomes `lapsed` (時効, R15) and is
/// never paid.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DeterminationStatus {
    Calculated,
    Decided,
    Paid,
    Superseded,
    Lapsed,
}

wire_names!(DeterminationStatus {
    Calculated => "calculated",
    Decided => "decided",
    Paid => "paid",
    Superseded => "superseded",
    Lapsed => "lapsed",
});

/// One excluded claim of a stored determination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StoredExclusion {
    /// Index in the month's active claims, in id order.
    pub index: usize,
    pub claim_id: String,
    /// `lost_eligibility` or `reached_75`.
    pub reason: String,
}

/// One member's part of a stored determination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StoredMemberBenefit {
    pub member_id: String,
    pub benefit: i64,
}

/// A stored determination of one household-month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Determination {
    pub id: String,
    pub household_id: String,
    pub service_month: String,
    pub status: DeterminationStatus,
    pub rule_set: String,
    pub total_benefit: i64,
    pub members: Vec<StoredMemberBenefit>,
    pub steps: Vec<StepRecord>,
    pub multiple_applied: bool,
    pub counts_toward_multiple: bool,
    pub excluded_claims: Vec<StoredExclusion>,
    pub review: Vec<String>,
    pub supersedes: Option<String>,
    pub superseded_by: Option<String>,
    pub difference: Option<i64>,
    pub lapses_on: NaiveDate,
    /// Why it lapsed, when it did (R15).
    pub lapse_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

pub use super::run::RunStatus;

/// A household a run could not calculate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunFailure {
    pub household_id: String,
    pub code: String,
    pub detail: String,
}

/// A benefit run of one service month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenefitRun {
    pub id: String,
    pub insurer: String,
    /// The subject of the token that started it.
    pub actor: String,
    pub service_month: String,
    pub status: RunStatus,
    pub done: i32,
    pub total: i32,
    pub calculated: i32,
    pub unchanged: i32,
    pub failed: i32,
    /// The first hundred households that failed, with why.
    pub failures: Vec<RunFailure>,
    /// The last household id a page calculated.
    pub cursor: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}
