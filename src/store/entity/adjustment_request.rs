use sea_orm::entity::prelude::*;

/// A 保険者間調整 request: the new insurer pays the insured's 療養費 to us against a refund.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "adjustment_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub insurer: String,
    pub receivable_id: String,
    pub new_insurer_number: String,
    pub new_insurer_name: String,
    /// The debtor's consent (受領委任 form date).
    pub consent_on: Date,
    /// The outsourced agency that works it, if any.
    pub agency: Option<String>,
    /// `requested`, `submitted`, `accepted`, `rejected`, `settled`, `cancelled`.
    pub status: String,
    /// The refund's balance when requested.
    pub amount: i64,
    pub settled_amount: Option<i64>,
    /// Paid by the new insurer above the balance: owed to the insured.
    pub excess_owed: i64,
    pub submitted_on: Option<Date>,
    pub decided_on: Option<Date>,
    pub settled_on: Option<Date>,
    pub cancelled_on: Option<Date>,
    /// JSON: `[{from, to, on, note, actor}]`.
    pub history: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    /// The last write (set on insert and on every change; nullable only because the column was
    /// added to a table that had rows).
    pub updated_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
