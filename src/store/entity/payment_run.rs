use sea_orm::entity::prelude::*;

/// A monthly payment run: the decided determinations of a service month, in id order.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub insurer: String,
    pub service_month: String,
    /// 振込指定日.
    pub transfer_date: Date,
    /// `running`, `completed`, `failed`.
    pub status: String,
    pub done: i32,
    pub total: i32,
    pub payment_count: i32,
    /// Sum of the payments' gross amounts (benefit paid, offsets included).
    pub total_amount: i64,
    pub offset_total: i64,
    pub application_forms: i32,
    /// Refund receivables assessed because a paid benefit was lowered.
    pub refunds: i32,
    /// The last determination id finished; a resumed run continues after it.
    pub cursor: Option<String>,
    pub actor: String,
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
