//! Events for integrators (イベント): what changed, for the feed and webhooks. An event follows
//! each audited write of a resource an integrator may care about, in the same transaction; which
//! audited action becomes which event is the table below.

use chrono::{DateTime, Utc};

use super::receivable::wire::wire_enum;

wire_enum! {
    /// The type of an event: `<resource>.<what happened>`.
    pub enum EventType ("event type") {
        ClaimCreated = "claim.created",
        ClaimUpdated = "claim.updated",
        ClaimVoided = "claim.voided",
        HouseholdCreated = "household.created",
        HouseholdUpdated = "household.updated",
        MemberCreated = "member.created",
        MemberUpdated = "member.updated",
        /// A determination (支給額の決定) calculated.
        BenefitDetermined = "benefit.determined",
        /// Replaced by a new calculation after its claims changed.
        BenefitSuperseded = "benefit.superseded",
        /// Decided (支給決定), ready for the payment run.
        BenefitDecided = "benefit.decided",
        /// Its right expired unclaimed (時効, R15): never paid.
        BenefitLapsed = "benefit.lapsed",
        /// An application (支給申請) received, or resubmitted after a return.
        ApplicationReceived = "application.received",
        /// Returned for defects (不備返送), with reasons.
        ApplicationReturned = "application.returned",
        /// Approved: the next payment run pays it.
        ApplicationApproved = "application.approved",
        /// Paid by a payment run.
        ApplicationPaid = "application.paid",
        /// Another move of its review: a check passed, or withdrawn.
        ApplicationUpdated = "application.updated",
        RegistrationActivated = "registration.activated",
        RegistrationPaused = "registration.paused",
        RegistrationCancelled = "registration.cancelled",
        PaymentMade = "payment.made",
        /// The bank returned the transfer.
        PaymentFailed = "payment.failed",
        /// 調定.
        ReceivableAssessed = "receivable.assessed",
        /// A collection (収納) recorded.
        ReceivableCollected = "receivable.collected",
        /// 不納欠損.
        ReceivableWrittenOff = "receivable.written_off",
        /// A payment order (支払督促) filed or moved while the receivable is in legal action.
        ReceivableInLegal = "receivable.in_legal",
        /// Any other change: an action, a plan, a reduction, a legal step that ended.
        ReceivableUpdated = "receivable.updated",
        AdjustmentMoved = "adjustment.moved",
        AdjustmentSettled = "adjustment.settled",
        /// A webhook subscription disabled after its deliveries failed for a day.
        WebhookDisabled = "webhook.disabled",
    }
}

/// What decides the type of an audited action's event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Becomes {
    /// Always this type.
    Always(EventType),
    /// By the resource's status after the write: the first pair whose status matches, else the
    /// fallback.
    ByStatus(&'static [(&'static str, EventType)], EventType),
}

/// The audited actions that become events, by resource kind: (resource kind, action, type).
/// Actions not listed (plans, counterparties, runs, forms, certificate cases) make no event.
pub const FROM_AUDIT: &[(&str, &str, Becomes)] = {
    use Becomes::{Always, ByStatus};
    use EventType::*;
    &[
        ("claim", "claim.created", Always(ClaimCreated)),
        ("claim", "claim.updated", Always(ClaimUpdated)),
        ("claim", "claim.voided", Always(ClaimVoided)),
        ("household", "household.created", Always(HouseholdCreated)),
        ("household", "household.updated", Always(HouseholdUpdated)),
        ("household", "household.tax_arrears_reported", Always(HouseholdUpdated)),
        ("member", "member.created", Always(MemberCreated)),
        ("member", "member.updated", Always(MemberUpdated)),
        (
            "benefit_determination",
            "benefit_determination.calculated",
            Always(BenefitDetermined),
        ),
        (
            "benefit_determination",
            "benefit_determination.superseded",
            Always(BenefitSuperseded),
        ),
        (
            "benefit_determination",
            "benefit_determination.decided",
            Always(BenefitDecided),
        ),
        (
            "benefit_determination",
            "benefit_determination.lapsed",
            Always(BenefitLapsed),
        ),
        (
            "benefit_application",
            "benefit_application.received",
            Always(ApplicationReceived),
        ),
        (
            "benefit_application",
            "benefit_application.moved",
            ByStatus(
                &[
                    ("received", ApplicationReceived),
                    ("returned", ApplicationReturned),
                    ("approved", ApplicationApproved),
                ],
                ApplicationUpdated,
            ),
        ),
        (
            "benefit_application",
            "benefit_application.paid",
            Always(ApplicationPaid),
        ),
        ("payment", "payment.created", Always(PaymentMade)),
        ("payment", "payment.failed", Always(PaymentFailed)),
        (
            "payment_registration",
            "payment_registration.created",
            Always(RegistrationActivated),
        ),
        (
            "payment_registration",
            "payment_registration.updated",
            ByStatus(
                &[("paused", RegistrationPaused), ("cancelled", RegistrationCancelled)],
                RegistrationActivated,
            ),
        ),
        ("receivable", "receivable.assessed", Always(ReceivableAssessed)),
        ("receivable", "receivable.collection", Always(ReceivableCollected)),
        ("receivable", "receivable.write_off", Always(ReceivableWrittenOff)),
        ("receivable", "receivable.reduction", Always(ReceivableUpdated)),
        ("receivable", "receivable.action_recorded", Always(ReceivableUpdated)),
        (
            "receivable",
            "receivable.installment_pledged",
            Always(ReceivableUpdated),
        ),
        (
            "receivable",
            "receivable.legal_action_updated",
            ByStatus(&[("in_legal", ReceivableInLegal)], ReceivableUpdated),
        ),
        (
            "adjustment_request",
            "adjustment_request.created",
            Always(AdjustmentMoved),
        ),
        (
            "adjustment_request",
            "adjustment_request.moved",
            ByStatus(&[("settled", AdjustmentSettled)], AdjustmentMoved),
        ),
        (
            "webhook_subscription",
            "webhook_subscription.disabled",
            Always(WebhookDisabled),
        ),
    ]
};

/// One event as the feed reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub id: String,
    /// The insurer's own order of events, given in commit order, with no gaps.
    pub sequence: i64,
    pub event_type: EventType,
    pub resource_kind: String,
    pub resource_id: String,
    /// The household the resource belongs to, where there is one.
    pub household_id: Option<String>,
    /// The outsourced agency of an adjustment request's events.
    pub agency: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_but_nothing_twice_comes_from_the_audit_table() {
        let mut keys: Vec<(&str, &str)> = FROM_AUDIT.iter().map(|(k, a, _)| (*k, *a)).collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n, "an action listed twice");
        for t in EventType::ALL {
            let made = FROM_AUDIT.iter().any(|(_, _, b)| match b {
                Becomes::Always(x) => x == t,
                Becomes::ByStatus(pairs, fallback) => fallback == t || pairs.iter().any(|(_, x)| x == t),
            });
            assert!(made, "{t} is never made");
        }
    }
}
