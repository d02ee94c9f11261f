//! HTTP tests through the real app, on SQLite, or on PostgreSQL when
//! `HOKENSHA_TEST_DATABASE_URL` is set. One binary, so that it links once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod adjustments;
mod applications;
mod auth;
mod benefits;
mod claims;
mod determinations;
mod errors;
mod events;
mod households;
mod import;
mod openapi;
mod ops;
mod payments;
mod receivables;
mod statistics;
mod webhooks;
