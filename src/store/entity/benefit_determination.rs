use sea_orm::entity::prelude::*;

/// A stored 高額療養費 determination of one household-month.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "benefit_determinations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub insurer: String,
    pub household_id: String,
    pub service_month: String,
    /// `calculated`, `decided`, `paid`, `superseded`.
    pub status: String,
    pub rule_set: String,
    pub total_benefit: i64,
    pub multiple_applied: bool,
    pub counts_toward_multiple: bool,
    /// JSON: `[{member_id, benefit}]`.
    pub members: String,
    /// JSON: the steps of the trace.
    pub steps: String,
    /// JSON: `[{index, claim_id, reason}]`.
    pub excluded_claims: String,
    /// JSON: review flag codes.
    pub review: String,
    /// Digest of every input; equal digests mean nothing changed.
    pub fingerprint: String,
    pub supersedes_id: Option<String>,
    pub superseded_by_id: Option<String>,
    /// This total minus the total of the determination it supersedes.
    pub difference: Option<i64>,
    /// The last day the claim right is in time (時効, R15).
    pub lapses_on: Date,
    pub version: i32,
    pub created_at: DateTimeUtc,
    /// The last write (set on insert and on every change; nullable only because the column was
    /// added to a table that had rows).
    pub updated_at: Option<DateTimeUtc>,
    pub decided_at: Option<DateTimeUtc>,
    pub superseded_at: Option<DateTimeUtc>,
    /// Why the right lapsed (時効, R15), when it did.
    pub lapse_reason: Option<String>,
    pub lapsed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
