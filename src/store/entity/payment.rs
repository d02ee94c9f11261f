use sea_orm::entity::prelude::*;

/// One payment of a determination to a registered account, with the account as it was paid to.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub insurer: String,
    pub run_id: String,
    /// Unique among live (not failed) payments: a determination is paid at most once.
    pub determination_id: String,
    pub household_id: String,
    /// The registration it was paid under; `None` when paid on an application.
    pub registration_id: Option<String>,
    pub service_month: String,
    /// `regular`, or `supplementary` (追加支給) after a paid benefit was raised.
    pub kind: String,
    /// The benefit this payment settles.
    pub gross_amount: i64,
    /// Applied to unpaid NHI tax (充当).
    pub offset_amount: i64,
    /// Transferred to the bank: gross minus offset.
    pub net_amount: i64,
    pub bank_code: String,
    pub branch_code: String,
    pub account_type: String,
    pub account_number: String,
    pub holder_kana: String,
    /// The first transfer to this registration's account (新規コード `1`).
    pub first_transfer: bool,
    pub transfer_date: Date,
    /// `scheduled` or `failed`.
    pub status: String,
    pub failure_reason: Option<String>,
    pub failed_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    /// The last write (set on insert and on every change; nullable only because the column was
    /// added to a table that had rows).
    pub updated_at: Option<DateTimeUtc>,
    /// The application (支給申請) it was paid on, when it was.
    pub application_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
