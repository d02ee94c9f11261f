use sea_orm::entity::prelude::*;

/// A one-time registration for automatic payment (高額療養費支給申請手続簡素化申出): the household
/// head's account, to which every later benefit of the household is paid without a new application.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_registrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub insurer: String,
    pub household_id: String,
    /// The household head (世帯主) who applied; the account holder.
    pub applicant_member_id: String,
    pub applied_on: Date,
    pub bank_code: String,
    pub branch_code: String,
    /// `ordinary`, `current`, `savings`.
    pub account_type: String,
    pub account_number: String,
    /// As the bank file needs it: half-width katakana, A-Z, 0-9, space, `( ) - .`.
    pub holder_kana: String,
    /// Consent to offset (充当) against unpaid NHI tax.
    pub offset_consent: bool,
    /// Consent to repay (or net against later payments) if a re-examination lowers the amount.
    pub repayment_consent: bool,
    /// `active`, `paused`, `cancelled`.
    pub status: String,
    /// JSON array of the causes that hold a `paused` registration (`tax_arrears`, `transfer_failed`).
    pub pause_reasons: String,
    pub ended_on: Option<Date>,
    pub end_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
