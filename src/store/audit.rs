//! The audit trail (監査証跡): every write appends one row, in the same transaction as the write,
//! and the events for integrators that the row calls for (`store::events`).

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::entity::audit_event::{self, Column, Entity};
use super::events::{Audited, Facts};
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
    let row = active(actor, action, resource_type, resource_id).row;
    let (id, at) = (row.id.as_ref().clone(), *row.at.as_ref());
    Entity::insert(row).exec_without_returning(conn).await?;
    let audited = Audited {
        id: &id,
        action,
        resource_kind: resource_type,
        resource_id,
        at,
        facts: None,
    };
    super::events::follow_audit(conn, &actor.insurer, &[audited]).await
}

/// An audit row for [`record_many`], with what its write knows of the resource.
#[derive(Debug, Clone)]
pub struct Entry {
    row: audit_event::ActiveModel,
    facts: Option<Facts>,
}

impl Entry {
    /// The resource's household, agency and status as the write leaves them, so that its event is
    /// written without reading the resource back. Give all three as the event's resource kind
    /// has them (`store::events`), or none.
    pub fn knowing(self, facts: Facts) -> Self {
        Self {
            facts: Some(facts),
            ..self
        }
    }

    /// The id of the audited resource.
    pub fn resource_id(&self) -> &str {
        self.row.resource_id.as_ref()
    }
}

/// The row `record` writes, for bulk paths that write many at once ([`record_many`]).
pub fn active(actor: &Actor, action: &str, resource_type: &str, resource_id: &str) -> Entry {
    Entry {
        row: audit_event::ActiveModel {
            id: Set(new_id()),
            insurer: Set(actor.insurer.clone()),
            actor: Set(actor.sub.clone()),
            action: Set(action.to_string()),
            resource_type: Set(resource_type.to_string()),
            resource_id: Set(resource_id.to_string()),
            request_id: Set(actor.request_id.clone()),
            at: Set(now()),
        },
        facts: None,
    }
}

/// Appends many audit rows, in as few statements as [`super::byte_chunks`] allows, then the events
/// for integrators they call for; an entry given [`Entry::knowing`] needs no read of its resource.
pub async fn record_many(conn: &impl ConnectionTrait, entries: Vec<Entry>) -> Result<(), DbErr> {
    let len = |v: &sea_orm::ActiveValue<String>| v.as_ref().len();
    let size = |e: &Entry| {
        let r = &e.row;
        len(&r.id)
            + len(&r.insurer)
            + len(&r.actor)
            + len(&r.action)
            + len(&r.resource_type)
            + len(&r.resource_id)
            + len(&r.request_id)
            + 48
    };
    for chunk in super::byte_chunks(conn.get_database_backend(), &entries, 2000, size) {
        Entity::insert_many(chunk.iter().map(|e| e.row.clone()))
            .exec_without_returning(conn)
            .await?;
    }
    // The events they call for, per insurer (a bulk write is one insurer's).
    let mut by_insurer: std::collections::BTreeMap<&str, Vec<Audited>> = std::collections::BTreeMap::new();
    for Entry { row: r, facts } in &entries {
        by_insurer
            .entry(r.insurer.as_ref().as_str())
            .or_default()
            .push(Audited {
                id: r.id.as_ref(),
                action: r.action.as_ref(),
                resource_kind: r.resource_type.as_ref(),
                resource_id: r.resource_id.as_ref(),
                at: *r.at.as_ref(),
                facts: facts.as_ref(),
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
