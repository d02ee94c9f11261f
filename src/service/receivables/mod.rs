//! Receivables (債権): what is done to one receivable, its records, and the dunning worklist.

pub mod cases;
pub mod records;
pub mod worklist;
