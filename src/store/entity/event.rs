use sea_orm::entity::prelude::*;

/// One event of the outbox; `sequence` is null until the insurer's sequencer numbers it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub insurer: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub sequence: Option<i64>,
    pub event_type: String,
    pub resource_kind: String,
    pub resource_id: String,
    pub household_id: Option<String>,
    pub agency: Option<String>,
    pub occurred_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
