use sea_orm::entity::prelude::*;

/// An application for the benefit (支給申請), as received and as its review left it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "benefit_applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub insurer: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub household_id: String,
    pub applicant_member_id: String,
    pub received_on: Date,
    pub channel: String,
    pub bank_code: String,
    pub branch_code: String,
    pub account_type: String,
    pub account_number: String,
    pub holder_kana: String,
    pub offset_requested: bool,
    pub register_for_automatic_payment: bool,
    pub status: String,
    /// The reasons of the last return, as a JSON list.
    pub return_reasons: String,
    pub note: Option<String>,
    pub registration_id: Option<String>,
    pub registration_problem: Option<String>,
    pub paid_run_id: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
