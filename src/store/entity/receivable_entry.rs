use sea_orm::entity::prelude::*;

/// One immutable movement of a receivable: `assessment` (調定), `reduction` (調定減),
/// `collection` (収納), `write_off` (不納欠損).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "receivable_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub insurer: String,
    pub receivable_id: String,
    pub kind: String,
    pub amount: i64,
    pub entry_on: Date,
    /// A collection's channel.
    pub channel: Option<String>,
    /// A write-off's reason.
    pub reason: Option<String>,
    pub note: Option<String>,
    pub actor: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
