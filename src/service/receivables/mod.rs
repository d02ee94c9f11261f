//! Receivables (債権): the records of one receivable and the dunning worklist.

pub mod records;
pub mod worklist;
