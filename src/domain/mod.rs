//! Pure rules of the domain: no I/O, no database, no HTTP, no clock. Callers pass "today" in.
//! Each type here validates when it is built (`parse`), so what passes the boundary is sound.

pub mod application;
pub mod audit;
pub mod benefit;
pub mod calendar;
pub mod card_recovery;
pub mod claim;
pub mod disbursement;
pub mod event;
pub mod household;
pub mod idempotency;
pub mod ids;
pub mod kogaku;
pub mod member;
pub mod money;
pub mod page;
pub mod payment;
pub mod plan;
pub mod receivable;
pub mod run;
pub mod violation;
pub mod webhook;
pub mod zengin;

pub use violation::{Violation, Violations};
