use sea_orm::entity::prelude::*;

/// One move of an application's review, with who made it and when.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub insurer: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub application_id: String,
    /// `None` for the application's receipt.
    pub from_status: Option<String>,
    pub to_status: String,
    /// Return reasons as a JSON list (empty unless returned).
    pub reasons: String,
    pub note: Option<String>,
    pub effective_on: Date,
    pub actor: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
