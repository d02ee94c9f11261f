use sea_orm::entity::prelude::*;

/// One transition of a payment registration, with its reason.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registration_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub insurer: String,
    pub registration_id: String,
    /// `None` for the registration itself.
    pub from_status: Option<String>,
    pub to_status: String,
    pub reason: String,
    pub effective_on: Date,
    pub actor: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
