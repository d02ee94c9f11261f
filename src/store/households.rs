//! Households (世帯) and their reported tax arrears (国保税の滞納額).

use chrono::NaiveDate;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionSession, TransactionTrait,
};

use super::entity::household::{self, Column, Entity};
use super::entity::tax_arrears;
use super::{Actor, Page, PageRequest, audit, new_id, now};
use crate::domain::household::IncomeCategoryPeriod;

pub use crate::domain::household::HouseholdData;
use crate::domain::household::{Household, TaxArrears};

/// The data of a stored household.
pub fn data_of(m: &household::Model) -> Result<HouseholdData, DbErr> {
    Ok(HouseholdData {
        household_number: m.household_number.clone(),
        head_name: m.head_name.clone(),
        postal_code: m.postal_code.clone(),
        prefecture: m.prefecture.clone(),
        city: m.city.clone(),
        address_line: m.address_line.clone(),
        phone: m.phone.clone(),
        income_categories: income_categories(m)?,
    })
}

/// The one place a stored row becomes a household.
fn household_of(m: household::Model) -> Result<Household, DbErr> {
    Ok(Household {
        data: data_of(&m)?,
        id: m.id,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn tax_of(t: tax_arrears::Model) -> TaxArrears {
    TaxArrears {
        household_id: t.household_id,
        amount: t.amount,
        as_of: t.as_of,
        updated_at: t.updated_at,
    }
}

/// The income category periods stored with a household.
pub fn income_categories(m: &household::Model) -> Result<Vec<IncomeCategoryPeriod>, DbErr> {
    parse_income_categories(&m.income_categories)
}

/// Reads the stored JSON of income category periods.
pub fn parse_income_categories(json: &str) -> Result<Vec<IncomeCategoryPeriod>, DbErr> {
    serde_json::from_str(json).map_err(|e| DbErr::Custom(format!("income_categories: {e}")))
}

fn categories_json(data: &HouseholdData) -> Result<String, DbErr> {
    serde_json::to_string(&data.income_categories).map_err(|e| DbErr::Custom(e.to_string()))
}

/// The outcome of a versioned update.
#[derive(Debug)]
pub enum Updated<T> {
    Done(T),
    /// Someone else changed it first; `current` is the version now stored.
    Stale {
        current: i32,
    },
}

pub async fn create(conn: &impl TransactionTrait, actor: &Actor, data: &HouseholdData) -> Result<Household, DbErr> {
    let at = now();
    let model = household::Model {
        id: new_id(),
        insurer: actor.insurer.clone(),
        household_number: data.household_number.clone(),
        head_name: data.head_name.clone(),
        postal_code: data.postal_code.clone(),
        prefecture: data.prefecture.clone(),
        city: data.city.clone(),
        address_line: data.address_line.clone(),
        phone: data.phone.clone(),
        income_categories: categories_json(data)?,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let txn = conn.begin().await?;
    Entity::insert(super::all_set(model.clone()))
        .exec_without_returning(&txn)
        .await?;
    audit::record(&txn, actor, "household.created", "household", &model.id).await?;
    txn.commit().await?;
    household_of(model)
}

pub async fn get(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Option<Household>, DbErr> {
    row(conn, insurer, id).await?.map(household_of).transpose()
}

async fn row(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Option<household::Model>, DbErr> {
    Entity::find_by_id(id.to_string())
        .filter(Column::Insurer.eq(insurer))
        .one(conn)
        .await
}

pub async fn list(
    conn: &impl ConnectionTrait,
    insurer: &str,
    household_number: Option<&str>,
    updated_since: Option<chrono::DateTime<chrono::Utc>>,
    page: &PageRequest,
) -> Result<Page<Household>, DbErr> {
    let mut q = Entity::find().filter(Column::Insurer.eq(insurer));
    if let Some(n) = household_number {
        q = q.filter(Column::HouseholdNumber.eq(n));
    }
    // A household changes with its members and its tax arrears, which its answer carries.
    if let Some(t) = updated_since {
        let members = sea_orm::sea_query::Query::select()
            .column(super::entity::member::Column::HouseholdId)
            .from(super::entity::member::Entity)
            .and_where(super::entity::member::Column::Insurer.eq(insurer))
            .and_where(super::entity::member::Column::UpdatedAt.gte(t))
            .to_owned();
        let arrears = sea_orm::sea_query::Query::select()
            .column(super::entity::tax_arrears::Column::HouseholdId)
            .from(super::entity::tax_arrears::Entity)
            .and_where(super::entity::tax_arrears::Column::Insurer.eq(insurer))
            .and_where(super::entity::tax_arrears::Column::UpdatedAt.gte(t))
            .to_owned();
        q = q.filter(
            sea_orm::Condition::any()
                .add(Column::UpdatedAt.gte(t))
                .add(Column::Id.in_subquery(members))
                .add(Column::Id.in_subquery(arrears)),
        );
    }
    if let Some(after) = &page.after {
        q = q.filter(Column::Id.gt(after.as_str()));
    }
    let rows = q.order_by_asc(Column::Id).limit(page.limit + 1).all(conn).await?;
    let page = Page::from_rows(rows, page.limit, |r| &r.id);
    Ok(Page {
        items: page.items.into_iter().map(household_of).collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
    })
}

/// Replaces the data of `current`, provided nobody changed it since it was read.
pub async fn update(
    conn: &impl TransactionTrait,
    actor: &Actor,
    current: &Household,
    data: &HouseholdData,
) -> Result<Updated<Household>, DbErr> {
    let next = household::Model {
        id: current.id.clone(),
        insurer: actor.insurer.clone(),
        created_at: current.created_at,
        household_number: data.household_number.clone(),
        head_name: data.head_name.clone(),
        postal_code: data.postal_code.clone(),
        prefecture: data.prefecture.clone(),
        city: data.city.clone(),
        address_line: data.address_line.clone(),
        phone: data.phone.clone(),
        income_categories: categories_json(data)?,
        version: current.version + 1,
        updated_at: now(),
    };
    let txn = conn.begin().await?;
    let res = Entity::update_many()
        .set(super::all_set(next.clone()))
        .filter(Column::Id.eq(current.id.as_str()))
        .filter(Column::Insurer.eq(actor.insurer.as_str()))
        .filter(Column::Version.eq(current.version))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        let stored = get(&txn, &actor.insurer, &current.id).await?;
        return Ok(Updated::Stale {
            current: stored.map_or(0, |m| m.version),
        });
    }
    audit::record(&txn, actor, "household.updated", "household", &current.id).await?;
    txn.commit().await?;
    household_of(next).map(Updated::Done)
}

/// Records the unpaid NHI tax of a household as the tax system last reported it.
pub async fn put_tax_arrears(
    conn: &impl TransactionTrait,
    actor: &Actor,
    household_id: &str,
    amount: i64,
    as_of: NaiveDate,
) -> Result<TaxArrears, DbErr> {
    let model = tax_arrears::Model {
        household_id: household_id.to_string(),
        insurer: actor.insurer.clone(),
        amount,
        as_of,
        updated_at: now(),
    };
    let txn = conn.begin().await?;
    tax_arrears::Entity::insert(tax_arrears::ActiveModel {
        household_id: Set(model.household_id.clone()),
        insurer: Set(model.insurer.clone()),
        amount: Set(amount),
        as_of: Set(as_of),
        updated_at: Set(model.updated_at),
    })
    .on_conflict(
        OnConflict::column(tax_arrears::Column::HouseholdId)
            .update_columns([
                tax_arrears::Column::Amount,
                tax_arrears::Column::AsOf,
                tax_arrears::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    audit::record(&txn, actor, "household.tax_arrears_reported", "household", household_id).await?;
    super::registrations::on_tax_arrears(&txn, actor, household_id, amount, as_of).await?;
    txn.commit().await?;
    Ok(tax_of(model))
}

/// The reported arrears of the given households (those with a report).
pub async fn tax_arrears_of(
    conn: &impl ConnectionTrait,
    insurer: &str,
    household_ids: &[&str],
) -> Result<Vec<TaxArrears>, DbErr> {
    if household_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(tax_arrears::Entity::find()
        .filter(tax_arrears::Column::Insurer.eq(insurer))
        .filter(tax_arrears::Column::HouseholdId.is_in(household_ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(tax_of)
        .collect())
}
