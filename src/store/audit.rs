//! The audit trail (監査証跡): every write appends one row, in the same transaction as the write,
//! and the events for integrators that the row calls for (`store::events`).

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::entity::audit_event::{self, Column, Entity};
use super::{Actor, Page, PageRequest, new_id, now};
use crate::domain::audit::AuditEvent;

/// Appends one event.
pub async fn record(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    resource_type: &str,
    resource_id: &str,
) -> Result<(), DbErr> {
    let row = active(actor, action, resource_type, resource_id);
    let (id, at) = (row.id.as_ref().clone(), *row.at.as_ref());
    Entity::insert(row).exec_without_returning(conn).await?;
    let audited = super::events::Audited {
        id: &id,
        action,
        resource_kind: resource_type,
        resource_id,
        at,
    };
    super::events::follow_audit(conn, &actor.insurer, &[audited]).await
}

/// The row `record` writes, for bulk paths that insert many at once.
pub fn active(actor: &Actor, action: &str, resource_type: &str, resource_id: &str) -> audit_event::ActiveModel {
    audit_event::ActiveModel {
        id: Set(new_id()),
        insurer: Set(actor.insurer.clone()),
        actor: Set(actor.sub.clone()),
        action: Set(action.to_string()),
        resource_type: Set(resource_type.to_string()),
        resource_id: Set(resource_id.to_string()),
        request_id: Set(actor.request_id.clone()),
        at: Set(now()),
    }
}

/// Appends many events, in as few statements as [`super::byte_chunks`] allows.
pub async fn record_many(conn: &impl ConnectionTrait, rows: Vec<audit_event::ActiveModel>) -> Result<(), DbErr> {
    let len = |v: &sea_orm::ActiveValue<String>| v.as_ref().len();
    let size = |r: &audit_event::ActiveModel| {
        len(&r.id)
            + len(&r.insurer)
            + len(&r.actor)
            + len(&r.action)
            + len(&r.resource_type)
            + len(&r.resource_id)
            + len(&r.request_id)
            + 48
    };
    for chunk in super::byte_chunks(conn.get_database_backend(), &rows, 2000, size) {
        Entity::insert_many(chunk.iter().cloned())
            .exec_without_returning(conn)
            .await?;
    }
    // The events they call for, per insurer (a bulk write is one insurer's).
    let mut by_insurer: std::collections::BTreeMap<&str, Vec<super::events::Audited>> =
        std::collections::BTreeMap::new();
    for r in &rows {
        by_insurer
            .entry(r.insurer.as_ref().as_str())
            .or_default()
            .push(super::events::Audited {
                id: r.id.as_ref(),
                action: r.action.as_ref(),
                resource_kind: r.resource_type.as_ref(),
                resource_id: r.resource_id.as_ref(),
                at: *r.at.as_ref(),
            });
    }
    for (insurer, audits) in by_insurer {
        super::events::follow_audit(conn, insurer, &audits).await?;
    }
    Ok(())
}

/// The tenant's events, optionally for one resource, oldest first.
pub async fn list(
    conn: &impl ConnectionTrait,
    insurer: &str,
    resource_id: Option<&str>,
    page: &PageRequest,
) -> Result<Page<AuditEvent>, DbErr> {
    let mut q = Entity::find().filter(Column::Insurer.eq(insurer));
    if let Some(r) = resource_id {
        q = q.filter(Column::ResourceId.eq(r));
    }
    if let Some(after) = &page.after {
        q = q.filter(Column::Id.gt(after.as_str()));
    }
    let rows = q.order_by_asc(Column::Id).limit(page.limit + 1).all(conn).await?;
    Ok(Page::from_rows(rows, page.limit, |r| &r.id).map(event_of))
}

fn event_of(e: audit_event::Model) -> AuditEvent {
    AuditEvent {
        id: e.id,
        insurer: e.insurer,
        actor: e.actor,
        action: e.action,
        resource_type: e.resource_type,
        resource_id: e.resource_id,
        request_id: e.request_id,
        at: e.at,
    }
}
