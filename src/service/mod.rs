//! Use cases: each owns its transaction, loads domain values from the store, calls the domain
//! rules, saves and records the audit trail. Long runs (benefit, payment, detection) live here
//! too. HTTP handlers call one function of this layer; nothing here knows HTTP.

pub mod adjustments;
pub mod applications;
pub mod audit;
pub mod benefits;
pub mod card_recoveries;
pub mod claims;
pub mod detection;
pub mod events;
pub mod households;
pub mod idempotency;
pub mod ops;
pub mod payments;
pub mod plans;
pub mod receivables;
pub mod registrations;
pub mod runs;
pub mod schemes;
pub mod statistics;
pub mod webhooks;

use crate::error::ApiError;

/// 412 when the client read (`If-Match`) another version than the one stored.
pub fn check_version(expected: Option<i32>, current: i32) -> Result<(), ApiError> {
    match expected {
        Some(v) if v != current => Err(ApiError::PreconditionFailed { current }),
        _ => Ok(()),
    }
}
