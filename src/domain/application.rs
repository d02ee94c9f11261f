//! The form path of seed 004 (支給申請): the insurer's scheme settings, an application's review and
//! what decides whether a month is paid by itself or by application.
//!
//! An application answers one or more of a household's determinations (the forms mailed to it,
//! 申請勧奨). It is reviewed `received` -> `first_check` -> `second_check` -> `approved`; any check
//! may return it for a defect (不備返送, `returned`, with reasons), after which it is resubmitted
//! (back to `received`) or withdrawn. An approved application is paid by the next payment run
//! (`paid`). The right to a benefit is claimed on the day the application was received (R15).

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::calendar::YearMonth;
use super::kogaku::{AgeBracket, age_bracket};
use super::money::{Yen, percent_dp};
use super::payment::AccountFields;
use super::receivable::wire::wire_enum;
use super::zengin::RemitterSettings;

wire_enum! {
    /// Where an application stands in its review.
    pub enum ApplicationStatus ("application status") {
        Received = "received",
        /// 一次審査.
        FirstCheck = "first_check",
        /// 二次審査.
        SecondCheck = "second_check",
        /// 支給決定: the next payment run pays it.
        Approved = "approved",
        /// 不備返送: sent back with reasons; it may be resubmitted or withdrawn.
        Returned = "returned",
        Withdrawn = "withdrawn",
        /// Paid by a payment run (set by the run, never asked for).
        Paid = "paid",
    }
}

wire_enum! {
    /// A move asked of an application.
    pub enum ApplicationMove ("application transition") {
        FirstCheck = "first_check",
        SecondCheck = "second_check",
        Approved = "approved",
        Returned = "returned",
        /// The household sent the corrected application back: it is `received` again.
        Resubmitted = "resubmitted",
        Withdrawn = "withdrawn",
    }
}

wire_enum! {
    /// Why an application was returned (不備返送の理由).
    pub enum ReturnReason ("return reason") {
        /// 領収書の写しがない.
        ReceiptMissing = "receipt_missing",
        /// 申請額が決定額と合わない.
        AmountDiffers = "amount_differs",
        /// 口座が読み取れない.
        AccountUnreadable = "account_unreadable",
        /// 申請者に受給資格がない.
        ApplicantNotEntitled = "applicant_not_entitled",
        Other = "other",
    }
}

wire_enum! {
    /// How an application arrived.
    pub enum Channel ("channel") {
        /// 窓口.
        Counter = "counter",
        /// 郵送.
        Mail = "mail",
    }
}

wire_enum! {
    /// Which households the insurer pays automatically once they registered (seed 004's proposal).
    pub enum AutomaticPayment ("automatic payment") {
        /// Nobody: every month goes by application form.
        None = "none",
        /// A month is paid automatically when its benefit comes only from 70-74 members'
        /// copayments (the proposal of 川西市・川越市).
        Age70to74 = "age70to74",
        /// Every registered household.
        All = "all",
    }
}

/// A determination an application answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMonth {
    pub determination_id: String,
    pub service_month: String,
}

/// An application for the benefit (支給申請) as received and as its review left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: String,
    pub household_id: String,
    /// The member who applied: the head, or another member of the household.
    pub applicant_member_id: String,
    /// The day the right was claimed (R15).
    pub received_on: NaiveDate,
    pub channel: Channel,
    /// The account to pay, as the bank file needs it.
    pub account: AccountFields,
    /// Whether the household asks for the benefit to pay its unpaid NHI tax (充当).
    pub offset_requested: bool,
    pub register_for_automatic_payment: bool,
    pub status: ApplicationStatus,
    /// The reasons of the last return (empty unless it was returned).
    pub return_reasons: Vec<ReturnReason>,
    pub note: Option<String>,
    pub months: Vec<AppliedMonth>,
    /// The registration its approval made, when it made one.
    pub registration_id: Option<String>,
    /// Why its approval made no registration although one was asked for.
    pub registration_problem: Option<String>,
    /// The payment run that paid it.
    pub paid_run_id: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One move of an application's review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationEvent {
    /// `None` for the receipt.
    pub from_status: Option<ApplicationStatus>,
    pub to_status: ApplicationStatus,
    pub reasons: Vec<ReturnReason>,
    pub note: Option<String>,
    pub effective_on: NaiveDate,
    /// The subject of the token that made the move.
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// The insurer's scheme settings (支給方式の設定).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenefitScheme {
    pub automatic_payment: AutomaticPayment,
    /// Whether unpaid NHI tax (国保税の滞納) without offset consent keeps a registered household
    /// from automatic payment (its registration is paused). When false, such a household is paid
    /// in full.
    pub exclude_tax_arrears: bool,
    /// The insurer as the remitting bank's customer, for transfer files.
    pub remitter: Option<RemitterSettings>,
    /// 0 while nothing was stored (the defaults below are in force).
    pub version: i32,
    pub updated_at: Option<DateTime<Utc>>,
}

impl BenefitScheme {
    /// The settings in force before an administrator stores any: every registered household is
    /// paid automatically and arrears without consent pause it (the behaviour before settings
    /// existed), with the remitter given at start-up (`HOKENSHA_REMITTERS`), if any.
    pub fn default_with(remitter: Option<RemitterSettings>) -> Self {
        Self {
            automatic_payment: AutomaticPayment::All,
            exclude_tax_arrears: true,
            remitter,
            version: 0,
            updated_at: None,
        }
    }
}

/// Why a move is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoveError {
    /// The move does not start from this status (409).
    NotFrom(ApplicationStatus),
    /// A return needs at least one reason (422).
    ReasonsRequired,
    /// Reasons belong to a return only (422).
    ReasonsNotExpected,
}

/// The status after `to` from `from`, or why not. Reasons are required for a return and refused
/// otherwise.
pub fn next_status(
    from: ApplicationStatus,
    to: ApplicationMove,
    reasons: &[ReturnReason],
) -> Result<ApplicationStatus, MoveError> {
    use ApplicationMove as M;
    use ApplicationStatus as S;
    match (to, reasons.is_empty()) {
        (M::Returned, true) => return Err(MoveError::ReasonsRequired),
        (M::Returned, false) => {}
        (_, false) => return Err(MoveError::ReasonsNotExpected),
        (_, true) => {}
    }
    let next = match (from, to) {
        (S::Received, M::FirstCheck) => S::FirstCheck,
        (S::FirstCheck, M::SecondCheck) => S::SecondCheck,
        (S::SecondCheck, M::Approved) => S::Approved,
        (S::Received | S::FirstCheck | S::SecondCheck, M::Returned) => S::Returned,
        (S::Returned, M::Resubmitted) => S::Received,
        (S::Received | S::FirstCheck | S::SecondCheck | S::Returned, M::Withdrawn) => S::Withdrawn,
        _ => return Err(MoveError::NotFrom(from)),
    };
    Ok(next)
}

/// Whether an application in `status` still answers its determinations (a withdrawn one does
/// not, and they may be applied for again).
pub fn is_live(status: ApplicationStatus) -> bool {
    status != ApplicationStatus::Withdrawn
}

/// Whether a benefit whose right lapses after `lapses_on` was claimed in time by a claim made on
/// `claimed_on` (R15: the application's received date; for automatic payment, the registration's
/// application date).
pub fn claimed_in_time(lapses_on: NaiveDate, claimed_on: NaiveDate) -> bool {
    claimed_on <= lapses_on
}

/// Whether a benefit that lapses after `lapses_on` and is still unanswered gets its one reminder
/// form on `today`: in the last three calendar months of the period (our choice: enough for a
/// form to go out with a run, come back by mail and be checked twice), e.g. from 2026-03-01 for a
/// right that lapses after 2026-05-31.
pub fn due_for_reminder(lapses_on: NaiveDate, today: NaiveDate) -> bool {
    let from = YearMonth::of(lapses_on).pred().pred().first_day();
    from <= today && today <= lapses_on
}

/// Whether a household-month is paid automatically under `scheme`, given each member that has a
/// benefit in it: (birth date, benefit). `age70to74`: every member with a benefit is in the 70-74
/// bracket that month (R12; a member in the 75th-birthday month counts as 70-74 there).
pub fn pays_automatically(scheme: AutomaticPayment, month: YearMonth, members: &[(NaiveDate, i64)]) -> bool {
    match scheme {
        AutomaticPayment::None => false,
        AutomaticPayment::All => true,
        AutomaticPayment::Age70to74 => members
            .iter()
            .filter(|(_, benefit)| *benefit > 0)
            .all(|(birth, _)| is_70to74(*birth, month)),
    }
}

/// Whether an approved application registers the household for automatic payment under
/// `scheme`, given its members' birth dates and the month the application was received:
/// `age70to74` covers a household with a member in the 70-74 bracket that month.
pub fn scheme_covers(scheme: AutomaticPayment, month: YearMonth, births: &[NaiveDate]) -> bool {
    match scheme {
        AutomaticPayment::None => false,
        AutomaticPayment::All => true,
        AutomaticPayment::Age70to74 => births.iter().any(|b| is_70to74(*b, month)),
    }
}

wire_enum! {
    /// Seed 004's two groups of insured (被保険者の区分).
    pub enum AgeCategory ("age category") {
        Under70 = "under70",
        Age70to74 = "age70to74",
    }
}

/// The group of a household-month's benefit: `age70to74` when every member with a benefit is in
/// the 70-74 bracket that month (the months the proposal pays automatically), else `under70`.
pub fn category_of(month: YearMonth, members: &[(NaiveDate, i64)]) -> AgeCategory {
    let with_benefit: Vec<_> = members.iter().filter(|(_, b)| *b > 0).collect();
    if !with_benefit.is_empty() && with_benefit.iter().all(|(birth, _)| is_70to74(*birth, month)) {
        AgeCategory::Age70to74
    } else {
        AgeCategory::Under70
    }
}

/// A count and an amount (yen).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub count: i64,
    pub amount: i64,
}

impl Tally {
    pub fn add(&mut self, amount: i64) {
        self.count += 1;
        self.amount += amount;
    }
}

/// One group's part of a side, with its shares of the side's total in percent (one decimal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPart {
    pub tally: Tally,
    pub count_share: Option<Decimal>,
    pub amount_share: Option<Decimal>,
}

/// One side of seed 004's table: forms sent (April to February) or applications paid (May to
/// March).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    pub total: Tally,
    /// The total over the side's eleven months, half up to whole numbers and yen.
    pub monthly_average: Tally,
    pub under70: GroupPart,
    pub age70to74: GroupPart,
}

/// Seed 004's application figures of a fiscal year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationYear {
    pub forms_sent: Side,
    pub applications_paid: Side,
    /// Applications paid / forms sent, by count and by amount, in percent (one decimal).
    pub count_response_rate: Option<Decimal>,
    pub amount_response_rate: Option<Decimal>,
    /// Applications returned for defects (不備返送) in the applications' months.
    pub returned: i64,
    /// Returned / forms sent, in percent (one decimal): seed 004's "約17%" (130 of 786 a month).
    pub returned_rate: Option<Decimal>,
}

/// Months in each side of the table (April-February, May-March).
pub const SIDE_MONTHS: i64 = 11;

fn side(under70: Tally, age70to74: Tally) -> Side {
    let total = Tally {
        count: under70.count + age70to74.count,
        amount: under70.amount + age70to74.amount,
    };
    let average = |v: i64| Yen::round_half_up(Decimal::from(v) / Decimal::from(SIDE_MONTHS)).as_i64();
    let part = |t: Tally| GroupPart {
        tally: t,
        count_share: percent_dp(t.count.into(), total.count.into(), 1),
        amount_share: percent_dp(t.amount.into(), total.amount.into(), 1),
    };
    Side {
        total,
        monthly_average: Tally {
            count: average(total.count),
            amount: average(total.amount),
        },
        under70: part(under70),
        age70to74: part(age70to74),
    }
}

/// Builds the year's figures from each side's tallies by group and the returns counted.
pub fn application_year(forms: [Tally; 2], paid: [Tally; 2], returned: i64) -> ApplicationYear {
    let forms_sent = side(forms[0], forms[1]);
    let applications_paid = side(paid[0], paid[1]);
    ApplicationYear {
        count_response_rate: percent_dp(applications_paid.total.count.into(), forms_sent.total.count.into(), 1),
        amount_response_rate: percent_dp(applications_paid.total.amount.into(), forms_sent.total.amount.into(), 1),
        returned_rate: percent_dp(returned.into(), forms_sent.total.count.into(), 1),
        returned,
        forms_sent,
        applications_paid,
    }
}

fn is_70to74(birth: NaiveDate, month: YearMonth) -> bool {
    matches!(age_bracket(birth, month), AgeBracket::Age70to74 | AgeBracket::Turning75)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationMove as M;
    use ApplicationStatus as S;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn review_goes_through_both_checks_and_may_return_at_any_of_them() {
        let none: &[ReturnReason] = &[];
        let missing = &[ReturnReason::ReceiptMissing][..];
        assert_eq!(next_status(S::Received, M::FirstCheck, none), Ok(S::FirstCheck));
        assert_eq!(next_status(S::FirstCheck, M::SecondCheck, none), Ok(S::SecondCheck));
        assert_eq!(next_status(S::SecondCheck, M::Approved, none), Ok(S::Approved));
        assert_eq!(
            next_status(S::Received, M::Approved, none),
            Err(MoveError::NotFrom(S::Received))
        );
        for s in [S::Received, S::FirstCheck, S::SecondCheck] {
            assert_eq!(next_status(s, M::Returned, missing), Ok(S::Returned));
        }
        assert_eq!(
            next_status(S::FirstCheck, M::Returned, none),
            Err(MoveError::ReasonsRequired)
        );
        assert_eq!(
            next_status(S::Received, M::FirstCheck, missing),
            Err(MoveError::ReasonsNotExpected)
        );
        assert_eq!(next_status(S::Returned, M::Resubmitted, none), Ok(S::Received));
        assert_eq!(next_status(S::Returned, M::Withdrawn, none), Ok(S::Withdrawn));
        for s in [S::Approved, S::Paid, S::Withdrawn] {
            assert_eq!(next_status(s, M::Withdrawn, none), Err(MoveError::NotFrom(s)));
        }
    }

    #[test]
    fn a_claim_on_the_last_day_is_in_time_and_reminders_come_in_the_last_three_months() {
        let lapses = d("2026-05-31");
        assert!(claimed_in_time(lapses, d("2026-05-31")));
        assert!(!claimed_in_time(lapses, d("2026-06-01")));
        assert!(!due_for_reminder(lapses, d("2026-02-28")));
        assert!(due_for_reminder(lapses, d("2026-03-01")));
        assert!(due_for_reminder(lapses, d("2026-05-31")));
        assert!(!due_for_reminder(lapses, d("2026-06-01")));
    }

    #[test]
    fn the_proposal_pays_a_month_only_when_its_benefit_is_all_70_to_74() {
        let month = YearMonth::parse("2026-10").unwrap();
        let elder = d("1954-03-10"); // 72 in 2026-10
        let younger = d("1960-06-01"); // 66
        assert!(pays_automatically(
            AutomaticPayment::Age70to74,
            month,
            &[(elder, 12_000), (younger, 0)]
        ));
        assert!(!pays_automatically(
            AutomaticPayment::Age70to74,
            month,
            &[(elder, 12_000), (younger, 3_000)]
        ));
        assert!(!pays_automatically(AutomaticPayment::None, month, &[(elder, 12_000)]));
        assert!(pays_automatically(AutomaticPayment::All, month, &[(younger, 3_000)]));
        assert!(scheme_covers(AutomaticPayment::Age70to74, month, &[younger, elder]));
        assert!(!scheme_covers(AutomaticPayment::Age70to74, month, &[younger]));
    }

    /// Seed 004 (川越市, 平成27年度): forms 8,641 for 135,090,000 yen (April-February); paid
    /// 1,831 under 70 (80,610,000 yen) and 6,404 aged 70-74 (38,830,000 yen) (May-March). The
    /// seed prints 786 and 749 a month, shares 22.2% / 77.8% and 67.5% / 32.5%, 95.3% of the
    /// forms answered and 88.4% of the amount (its labels ② and ③ swap the two years; these are
    /// the 平成27 figures recomputed). The seed gives no split of the forms by group.
    #[test]
    fn seed_004_application_figures() {
        let t = |count, amount| Tally { count, amount };
        let y = application_year(
            [t(8_641, 135_090_000), t(0, 0)],
            [t(1_831, 80_610_000), t(6_404, 38_830_000)],
            130 * 11,
        );
        let d = |s: &str| Some(s.parse::<Decimal>().unwrap());
        assert_eq!(y.forms_sent.monthly_average.count, 786);
        assert_eq!(y.applications_paid.total.count, 8_235);
        assert_eq!(y.applications_paid.monthly_average.count, 749);
        assert_eq!(y.applications_paid.monthly_average.amount, 10_858_182);
        assert_eq!(y.applications_paid.under70.count_share, d("22.2"));
        assert_eq!(y.applications_paid.age70to74.count_share, d("77.8"));
        assert_eq!(y.applications_paid.under70.amount_share, d("67.5"));
        assert_eq!(y.applications_paid.age70to74.amount_share, d("32.5"));
        assert_eq!(y.count_response_rate, d("95.3"));
        assert_eq!(y.amount_response_rate, d("88.4"));
        assert_eq!(y.returned_rate, d("16.5"), "130 of 786 a month: the seed's 約17%");
        // 平成26年度: 6,862 of 7,159 forms, 10,901 of 13,329 万円.
        let h26 = application_year(
            [t(7_159, 133_290_000), t(0, 0)],
            [t(1_702, 79_550_000), t(5_160, 29_460_000)],
            0,
        );
        assert_eq!(h26.count_response_rate, d("95.9"));
        assert_eq!(h26.amount_response_rate, d("81.8"));
        assert_eq!(h26.applications_paid.under70.count_share, d("24.8"));
        assert_eq!(h26.applications_paid.under70.amount_share, d("73.0"));
        assert_eq!(h26.forms_sent.monthly_average.count, 651);
    }
}
