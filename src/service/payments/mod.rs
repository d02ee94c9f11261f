//! The monthly payment run (自動償還): every decided determination of a service month is settled
//! once. A household with an active registration is paid (net of any consented offset against
//! unpaid NHI tax); one without gets a pre-filled application form instead; a benefit lowered
//! after it was paid becomes a refund receivable.
//!
//! Pages of determinations, in id order, each in one transaction with the run's progress. A
//! database constraint (one live payment per determination) keeps two runs racing from paying
//! twice: the loser's page fails, is read again and finds its determinations paid.
//!
//! `run` pays a month; `records` reads what runs left; `results` takes the bank's returns;
//! `documents` assembles the decision notice (支給決定通知書) and the pre-filled form.

pub mod documents;
pub mod records;
pub mod results;
mod run;

pub use run::*;
