use crate::domain::receivable::action::{ActionKind, ActionOutcome};
use crate::domain::receivable::fiscal::FiscalClass;
use crate::domain::receivable::installment::InstallmentStatus;
use crate::domain::receivable::kind::{
    DebtorKind, LegalCharacter, ReasonError, ReceivableKind as K, RefundReason, check_reason,
};
use crate::domain::receivable::ledger::{CollectionChannel, ReceivableStatus, WriteOffReason};

fn round_trips<T: Copy + PartialEq + std::fmt::Debug>(
    all: &[T],
    as_str: fn(T) -> &'static str,
    parse: fn(&str) -> Option<T>,
) {
    for &v in all {
        assert_eq!(parse(as_str(v)), Some(v), "{v:?}");
    }
    assert_eq!(parse("Benefit_Refund"), None);
    assert_eq!(parse(""), None);
}

#[test]
fn wire_names_are_exactly_the_api_ones() {
    let kinds: Vec<&str> = K::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "benefit_refund",
            "employer_joint",
            "provider_refund",
            "employer_levy",
            "late_charge",
            "damages",
            "overpayment_refund",
            "high_cost_loan",
            "childbirth_loan"
        ]
    );
    let reasons: Vec<&str> = RefundReason::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "ineligible_visit",
            "work_injury",
            "disability_pension_adjustment",
            "old_age_pension_adjustment",
            "other"
        ]
    );
    let debtors: Vec<&str> = DebtorKind::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(debtors, ["person", "employer", "provider", "third_party", "insurer"]);
    let actions: Vec<&str> = ActionKind::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(
        actions,
        [
            "payment_slip",
            "notice",
            "second_notice",
            "final_notice",
            "phone",
            "visit",
            "workplace_notice",
            "statutory_demand",
            "payment_order_filed",
            "acknowledgment",
            "adjustment_offered"
        ]
    );
    let statuses: Vec<&str> = ReceivableStatus::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(
        statuses,
        ["open", "partially_collected", "collected", "in_legal", "written_off"]
    );
    assert!(
        CollectionChannel::ALL
            .iter()
            .any(|c| c.as_str() == "insurer_adjustment")
    );
}

#[test]
fn every_code_list_round_trips() {
    round_trips(K::ALL, K::as_str, |s| K::parse(s).ok());
    round_trips(RefundReason::ALL, RefundReason::as_str, |s| RefundReason::parse(s).ok());
    round_trips(DebtorKind::ALL, DebtorKind::as_str, |s| DebtorKind::parse(s).ok());
    round_trips(ActionKind::ALL, ActionKind::as_str, |s| ActionKind::parse(s).ok());
    round_trips(ActionOutcome::ALL, ActionOutcome::as_str, |s| {
        ActionOutcome::parse(s).ok()
    });
    round_trips(ReceivableStatus::ALL, ReceivableStatus::as_str, |s| {
        ReceivableStatus::parse(s).ok()
    });
    round_trips(CollectionChannel::ALL, CollectionChannel::as_str, |s| {
        CollectionChannel::parse(s).ok()
    });
    round_trips(WriteOffReason::ALL, WriteOffReason::as_str, |s| {
        WriteOffReason::parse(s).ok()
    });
    round_trips(FiscalClass::ALL, FiscalClass::as_str, |s| FiscalClass::parse(s).ok());
    round_trips(InstallmentStatus::ALL, InstallmentStatus::as_str, |s| {
        InstallmentStatus::parse(s).ok()
    });
    let err = K::parse("copay_collection").unwrap_err();
    assert_eq!(err.to_string(), "unknown receivable kind: \"copay_collection\"");
    assert_eq!("damages".parse::<K>().unwrap(), K::Damages);
    assert_eq!(K::Damages.to_string(), "damages");
}

#[test]
fn legal_character_basis_and_late_charge_per_kind() {
    use LegalCharacter::{Civil, Statutory};
    // (kind, character, accrues 181条 延滞金, legal basis) — receivables.md §1.
    let table = [
        (K::BenefitRefund, Statutory, true, "健康保険法58条1項"),
        (K::EmployerJoint, Statutory, true, "健康保険法58条2項"),
        (K::ProviderRefund, Statutory, true, "健康保険法58条3項"),
        (K::EmployerLevy, Statutory, true, "健康保険法109条2項"),
        (K::LateCharge, Statutory, false, "健康保険法181条"),
        (K::Damages, Civil, false, "民法709条（健康保険法57条1項による代位取得）"),
        (K::OverpaymentRefund, Civil, false, "民法703条"),
        (K::HighCostLoan, Civil, false, "高額医療費貸付の貸付契約"),
        (K::ChildbirthLoan, Civil, false, "出産費用貸付の貸付契約"),
    ];
    assert_eq!(table.len(), K::ALL.len());
    for (kind, character, accrues, basis) in table {
        assert_eq!(kind.character(), character, "{kind}");
        assert_eq!(kind.is_statutory(), character == Statutory, "{kind}");
        assert_eq!(kind.accrues_late_charge(), accrues, "{kind}");
        assert_eq!(kind.legal_basis(), basis, "{kind}");
        assert!(!kind.japanese_name().is_empty());
    }
}

#[test]
fn only_overpayment_refunds_carry_a_reason() {
    assert_eq!(
        check_reason(K::OverpaymentRefund, Some(RefundReason::IneligibleVisit)),
        Ok(())
    );
    assert_eq!(check_reason(K::OverpaymentRefund, None), Err(ReasonError::Missing));
    assert_eq!(check_reason(K::Damages, None), Ok(()));
    assert_eq!(
        check_reason(K::Damages, Some(RefundReason::Other)),
        Err(ReasonError::NotAllowed(K::Damages))
    );
}
