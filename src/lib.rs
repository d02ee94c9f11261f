//! hokensha: the back office of a Japanese public health insurer as a REST API.
//!
//! Layers: `domain` (pure rules), `store` (SeaORM, the only module that knows tables), `service`
//! (use cases, each owning its transaction), `http` (thin actix-web handlers), glued by `app`. See README.md for the tour.

pub mod app;
pub mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod openapi;
pub mod service;
pub mod state;
pub mod store;
pub mod telemetry;
