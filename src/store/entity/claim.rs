use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "claims")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub insurer: String,
    pub claim_number: String,
    pub member_id: String,
    pub household_id: String,
    pub service_month: String,
    pub provider_code: String,
    pub provider_name: String,
    pub kind: String,
    pub setting: String,
    pub prescribing_provider_code: Option<String>,
    pub total_cost: i64,
    pub copayment: i64,
    pub first_service_on: Option<Date>,
    pub service_days: Option<i32>,
    /// 高額療養費 paid at the window (現物給付, R16).
    pub window_benefit: Option<i64>,
    /// `active` or `voided`.
    pub status: String,
    pub voided_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
