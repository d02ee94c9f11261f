use sea_orm::entity::prelude::*;

/// A monthly benefit run: every household with claims in the month, in household-id order.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "benefit_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub insurer: String,
    pub service_month: String,
    /// `running`, `completed`, `failed`.
    pub status: String,
    pub done: i32,
    pub total: i32,
    pub calculated: i32,
    pub unchanged: i32,
    /// Households that could not be calculated (e.g. no income category for the month).
    pub failed: i32,
    /// JSON: `[{household_id, code, detail}]`, the first 100 failures.
    pub failures: String,
    /// The last household id finished; a resumed run continues after it.
    pub cursor: Option<String>,
    /// Who started it (token `sub`).
    pub actor: String,
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
