//! A list page as the wire has it.

use serde::Serialize;

use crate::domain::page::Page;

/// A list page as the wire has it: `{items, next_cursor}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListPage<T> {
    pub items: Vec<T>,
    /// Pass as `?cursor=` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl<T> From<Page<T>> for ListPage<T> {
    fn from(p: Page<T>) -> Self {
        Self {
            items: p.items,
            next_cursor: p.next_cursor,
        }
    }
}
