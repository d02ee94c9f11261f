//! Collection actions (催告 and the rest) as recorded against a receivable (API.md
//! `POST /v1/receivables/{id}/actions`), and what came of them.

use chrono::NaiveDate;

use super::wire::wire_enum;

wire_enum! {
    /// The kind of a collection action; the wire names are fixed by API.md.
    pub enum ActionKind ("action kind") {
        /// 納付書 (payment slip) sent.
        PaymentSlip = "payment_slip",
        /// First written dunning (文書催告).
        Notice = "notice",
        /// Second written dunning.
        SecondNotice = "second_notice",
        /// 最終催告.
        FinalNotice = "final_notice",
        /// 電話催告.
        Phone = "phone",
        /// 訪問催告.
        Visit = "visit",
        /// Written dunning sent to the debtor's (new) workplace (就業先送付).
        WorkplaceNotice = "workplace_notice",
        /// 督促 (健康保険法180条), statutory kinds only.
        StatutoryDemand = "statutory_demand",
        /// 支払督促 filed at the summary court.
        PaymentOrderFiled = "payment_order_filed",
        /// 承認 obtained (債務承認書, request for time).
        Acknowledgment = "acknowledgment",
        /// 保険者間調整 offered (leaflet, or asked on a call or visit).
        AdjustmentOffered = "adjustment_offered",
    }
}

wire_enum! {
    /// What came of an action, where it matters to the rules.
    pub enum ActionOutcome ("action outcome") {
        /// The debtor was reached (call answered, met on a visit).
        Reached = "reached",
        /// No answer, nobody at home.
        NoAnswer = "no_answer",
        /// The letter came back undelivered.
        Undelivered = "undelivered",
        /// The debtor promised to pay (納付約束) or asked for installments.
        Promised = "promised",
        /// The debtor refused.
        Refused = "refused",
    }
}

impl ActionKind {
    /// Written dunning: every letter that asks for payment after the payment slip.
    pub fn is_written_dunning(self) -> bool {
        matches!(
            self,
            Self::Notice | Self::SecondNotice | Self::FinalNotice | Self::WorkplaceNotice | Self::StatutoryDemand
        )
    }
}

/// An action already taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TakenAction {
    pub kind: ActionKind,
    pub on: NaiveDate,
    pub outcome: Option<ActionOutcome>,
}
