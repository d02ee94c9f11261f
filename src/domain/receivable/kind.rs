//! What a receivable (債権) is: its kind, its legal character and who owes it.
//!
//! Source: receivables.md §1 (the 協会けんぽ 債権管理規程 list reproduced from SEED-A) and the wire
//! names of API.md "Receivables". ④ 一部負担徴収金 (法74条2項) is not a receivable of the insurer
//! (SEED-A) and has no kind.

use super::wire::wire_enum;

wire_enum! {
    /// The kind of a receivable (債権の種類, receivables.md §1).
    pub enum ReceivableKind ("receivable kind") {
        /// ① 保険給付返還金: benefits obtained by fraud (健康保険法58条1項).
        BenefitRefund = "benefit_refund",
        /// ② 事業主徴収金: the employer jointly liable for ① (法58条2項).
        EmployerJoint = "employer_joint",
        /// ③ 診療報酬返還金 (incl. 加算金) from a 保険医療機関 (法58条3項).
        ProviderRefund = "provider_refund",
        /// ⑤ 事業主徴収金: 傷病手当金/出産手当金 paid because the employer withheld pay (法109条2項).
        EmployerLevy = "employer_levy",
        /// ⑥ 延滞金 (法181条), accessory to a statutory principal.
        LateCharge = "late_charge",
        /// ⑦ 損害賠償金: the victim's tort claim acquired by subrogation (民法709条, 健康保険法57条1項).
        Damages = "damages",
        /// ⑧ 返納金: unjust enrichment (民法703条), e.g. care after loss of eligibility.
        OverpaymentRefund = "overpayment_refund",
        /// ⑨ 高額医療貸付返済金: repayment of the 高額医療費貸付 advance.
        HighCostLoan = "high_cost_loan",
        /// ⑩ 出産費用貸付返済金: repayment of the 出産費用貸付 advance.
        ChildbirthLoan = "childbirth_loan",
    }
}

wire_enum! {
    /// Why an `overpayment_refund` (返納金) arose; the breakdown lines of SEED-A's 返納金の内訳.
    pub enum RefundReason ("refund reason") {
        /// 無資格受診 / 資格喪失後受診: care with the old card after loss of eligibility (§2).
        IneligibleVisit = "ineligible_visit",
        /// 業務上傷病: the injury was recognised as work-related (労災).
        WorkInjury = "work_injury",
        /// 傷病手当金と障害年金の調整.
        DisabilityPensionAdjustment = "disability_pension_adjustment",
        /// 傷病手当金と老齢年金の調整.
        OldAgePensionAdjustment = "old_age_pension_adjustment",
        /// その他.
        Other = "other",
    }
}

wire_enum! {
    /// Who owes the receivable (債務者).
    pub enum DebtorKind ("debtor kind") {
        /// An insured person, former insured person or household head.
        Person = "person",
        /// An employer (事業主).
        Employer = "employer",
        /// A 保険医療機関 or pharmacy.
        Provider = "provider",
        /// A wrongdoer or their liability insurer (第三者行為).
        ThirdParty = "third_party",
        /// Another insurer.
        Insurer = "insurer",
    }
}

/// The legal character of a receivable, which decides what the insurer may do about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LegalCharacter {
    /// 健康保険法の規定による徴収金: 督促 (法180条) and 延滞金 (法181条) apply; a 督促 or 納入の告知
    /// renews the limitation (法193条2項).
    Statutory,
    /// 民法 claim (unjust enrichment, tort, contract): no 督促, no 延滞金; civil interest only,
    /// court action to enforce (receivables.md §1 notes, §5.3).
    Civil,
}

impl ReceivableKind {
    /// 債権の名称 as in SEED-A.
    pub fn japanese_name(self) -> &'static str {
        match self {
            Self::BenefitRefund => "保険給付返還金",
            Self::EmployerJoint => "事業主徴収金（連帯）",
            Self::ProviderRefund => "診療報酬返還金",
            Self::EmployerLevy => "事業主徴収金",
            Self::LateCharge => "延滞金",
            Self::Damages => "損害賠償金",
            Self::OverpaymentRefund => "返納金",
            Self::HighCostLoan => "高額医療貸付返済金",
            Self::ChildbirthLoan => "出産費用貸付返済金",
        }
    }

    /// The legal basis as SEED-A gives it (receivables.md §1, column "Legal basis").
    pub fn legal_basis(self) -> &'static str {
        match self {
            Self::BenefitRefund => "健康保険法58条1項",
            Self::EmployerJoint => "健康保険法58条2項",
            Self::ProviderRefund => "健康保険法58条3項",
            Self::EmployerLevy => "健康保険法109条2項",
            Self::LateCharge => "健康保険法181条",
            Self::Damages => "民法709条（健康保険法57条1項による代位取得）",
            Self::OverpaymentRefund => "民法703条",
            Self::HighCostLoan => "高額医療費貸付の貸付契約",
            Self::ChildbirthLoan => "出産費用貸付の貸付契約",
        }
    }

    /// Statutory 徴収金 or civil claim (receivables.md §1 "Nature").
    ///
    /// `provider_refund` is statutory: 法58条3項 is among the 徴収金 that 法180条1項 lets the insurer
    /// demand, although §1 marks its late charge "see §5" without more (decision, see
    /// [`ReceivableKind::accrues_late_charge`]).
    pub fn character(self) -> LegalCharacter {
        match self {
            Self::BenefitRefund
            | Self::EmployerJoint
            | Self::ProviderRefund
            | Self::EmployerLevy
            | Self::LateCharge => LegalCharacter::Statutory,
            Self::Damages | Self::OverpaymentRefund | Self::HighCostLoan | Self::ChildbirthLoan => {
                LegalCharacter::Civil
            }
        }
    }

    /// Whether 督促 (statutory demand, 法180条) applies.
    pub fn is_statutory(self) -> bool {
        self.character() == LegalCharacter::Statutory
    }

    /// Whether 延滞金 under 法181条 accrues on this kind: every statutory 徴収金 except the 延滞金
    /// itself (no late charge on a late charge, §1 "accessory"). Civil kinds never accrue it (§5.3).
    pub fn accrues_late_charge(self) -> bool {
        self.is_statutory() && self != Self::LateCharge
    }

    /// Only `overpayment_refund` carries a [`RefundReason`] (API.md "Receivables").
    pub fn takes_reason(self) -> bool {
        self == Self::OverpaymentRefund
    }
}

/// A reason given where none belongs, or missing where one is required.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    #[error("an overpayment_refund needs a reason")]
    Missing,
    #[error("only an overpayment_refund carries a reason, not a {0}")]
    NotAllowed(ReceivableKind),
}

/// Checks the kind/reason pair of a new receivable (API.md: `overpayment_refund` carries `reason`).
pub fn check_reason(kind: ReceivableKind, reason: Option<RefundReason>) -> Result<(), ReasonError> {
    match (kind.takes_reason(), reason) {
        (true, Some(_)) | (false, None) => Ok(()),
        (true, None) => Err(ReasonError::Missing),
        (false, Some(_)) => Err(ReasonError::NotAllowed(kind)),
    }
}
