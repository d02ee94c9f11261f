//! SeaORM entities: the tables as the store sees them. They never cross the wire.

pub mod adjustment_request;
pub mod application_form;
pub mod audit_event;
pub mod benefit_determination;
pub mod benefit_run;
pub mod card_recovery;
pub mod claim;
pub mod counterparty;
pub mod household;
pub mod idempotency_key;
pub mod installment_plan;
pub mod legal_action;
pub mod member;
pub mod payment;
pub mod payment_offset;
pub mod payment_registration;
pub mod payment_run;
pub mod plan;
pub mod recalculation_flag;
pub mod receivable;
pub mod receivable_action;
pub mod receivable_entry;
pub mod recovery_total;
pub mod recovery_year;
pub mod registration_event;
pub mod tax_arrears;
