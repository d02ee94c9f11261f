//! SeaORM entities: the tables as the store sees them. They never cross the wire.

pub mod audit_event;
pub mod benefit_determination;
pub mod benefit_run;
pub mod claim;
pub mod household;
pub mod idempotency_key;
pub mod member;
pub mod recalculation_flag;
pub mod tax_arrears;
