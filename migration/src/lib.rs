//! Schema migrations of hokensha. One change a file; a landed migration is never edited.
//! Migrations depend only on `sea-orm-migration`, never on the application's entities.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_foundation;
mod m20261123_000002_benefits;
mod m20261130_000003_payments;
mod m20261201_000004_statistics;
mod m20261202_000005_runs_and_changes;
mod m20261202_000006_events;
mod m20261202_000007_webhooks;
mod m20261202_000008_applications;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_foundation::Migration),
            Box::new(m20261123_000002_benefits::Migration),
            Box::new(m20261130_000003_payments::Migration),
            Box::new(m20261201_000004_statistics::Migration),
            Box::new(m20261202_000005_runs_and_changes::Migration),
            Box::new(m20261202_000006_events::Migration),
            Box::new(m20261202_000007_webhooks::Migration),
            Box::new(m20261202_000008_applications::Migration),
        ]
    }
}
