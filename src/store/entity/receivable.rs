use sea_orm::entity::prelude::*;

/// A receivable (債権). Its balance and status are derived from its ledger entries.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "receivables")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub insurer: String,
    pub kind: String,
    pub reason: Option<String>,
    pub debtor_kind: String,
    pub debtor_name: String,
    pub debtor_member_id: Option<String>,
    pub debtor_phone: Option<String>,
    /// The debtor's (new) workplace, when re-employment is known (就業先).
    pub debtor_workplace: Option<String>,
    /// For receivables that arise from a household-month's benefit.
    pub household_id: Option<String>,
    pub service_month: Option<String>,
    pub determination_id: Option<String>,
    /// 調定日.
    pub assessed_on: Date,
    /// The assessed amount (調定額).
    pub amount: i64,
    pub due_on: Date,
    /// JSON array of claim ids.
    pub source_claim_ids: String,
    /// Unique per insurer when set: what made the receivable, so that detection never assesses twice.
    pub source_key: Option<String>,
    pub note: Option<String>,
    /// 収入未済額 as the ledger derives it, kept with each entry.
    pub balance: i64,
    /// `open`, `partially_collected`, `collected`, `in_legal`, `written_off`, as derived.
    pub status: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    /// The last write (set on insert and on every change; nullable only because the column was
    /// added to a table that had rows).
    pub updated_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
