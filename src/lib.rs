//! hokensha: the back office of a Japanese public health insurer as a REST API.
//!
//! Layers: `domain` (pure rules), `store` (SeaORM, the only module that knows tables), `api`
//! (thin actix-web handlers), glued by `app`. See README.md for the tour.

pub mod api;
pub mod app;
pub mod auth;
pub mod config;
pub mod domain;
pub mod error;
pub mod jobs;
pub mod openapi;
pub mod store;
pub mod telemetry;
