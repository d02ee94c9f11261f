use sea_orm::entity::prelude::*;

/// A payment order (支払督促) filed at the summary court for a receivable, and how it went.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "legal_actions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub insurer: String,
    pub receivable_id: String,
    pub filed_on: Date,
    pub court: Option<String>,
    /// Service of the 支払督促 on the debtor.
    pub served_on: Option<Date>,
    /// Service of the 仮執行宣言付支払督促.
    pub declaration_served_on: Option<Date>,
    /// `objection`, `final`, `withdrawn`, `lapsed`, `settled`.
    pub outcome: Option<String>,
    pub outcome_on: Option<Date>,
    pub note: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
