use sea_orm::entity::prelude::*;

/// A collection action taken on a receivable (催告, call, visit, 督促, 承認, ...).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "receivable_actions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub insurer: String,
    pub receivable_id: String,
    pub kind: String,
    /// The receivable's kind (it never changes), so that activity by kind needs no join.
    pub receivable_kind: String,
    pub action_on: Date,
    pub outcome: Option<String>,
    pub note: Option<String>,
    pub actor: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
