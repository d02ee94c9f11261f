//! `/v1/receivables`: receivables (債権) of the nine kinds, each with an immutable ledger
//! (assessment 調定, reduction 調定減, collection 収納, write-off 不納欠損) from which balance and
//! status derive, collection actions (催告 and the rest), the late charge (延滞金) and the
//! limitation clock (時効).
//!
//! `ledger` assesses, reads, collects and writes off; `dunning` records actions and serves the
//! worklist; `legal` pledges plans and files payment orders; `dto` holds the wire types.

pub mod dto;
mod dunning;
mod ledger;
mod legal;

pub use dto::*;
pub use dunning::*;
pub use ledger::*;
pub use legal::*;
