//! Use cases: each owns its transaction, loads domain values from the store, calls the domain
//! rules, saves and records the audit trail. Long runs (benefit, payment, detection) live here
//! too. HTTP handlers call one function of this layer; nothing here knows HTTP.

pub mod benefits;
pub mod detection;
pub mod payments;
pub mod receivables;
pub mod statistics;
