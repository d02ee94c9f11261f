//! Table-driven rule tests and property tests for the receivable rules.

// Case tables are tuples on purpose: one row reads as one case.
#![allow(clippy::type_complexity)]

mod support;

mod dunning;
mod fiscal;
mod installment;
mod kind;
mod late_charge;
mod ledger;
mod limitation;
mod payment_order;
mod properties;
