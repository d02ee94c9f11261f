//! `/v1/payment-runs` and `/v1/payments`: monthly payment runs of decided high-cost benefits
//! (自動償還), their 全銀 総合振込 transfer file, transfer results, the payment notice (支給決定
//! 通知書) and the pre-filled application form (turnaround form) of households not registered.

mod documents;
pub mod dto;
mod runs;
mod transfers;

pub use documents::*;
pub use dto::*;
pub use runs::*;
pub use transfers::*;
