//! The run itself: pages of decided determinations, each planned and written in one transaction
//! with the run's progress.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{DatabaseConnection, DbErr, TransactionTrait};

use crate::clock::{Clock, business_date};
use crate::domain::application::{self as apps, Application, ApplicationStatus, AutomaticPayment, BenefitScheme};
use crate::domain::calendar::YearMonth;
use crate::domain::disbursement::{IssuedForm, Offset, Payment, PaymentKind, PaymentRun, PaymentStatus};
use crate::domain::money::Yen;
use crate::domain::payment::{self as rules, PauseCause, Registration, RegistrationStatus, Settlement};
use crate::domain::receivable::record::{ASSESSMENT, Debtor, NewEntry, Receivable};
use crate::domain::receivable::{DebtorKind, ReceivableKind, ReceivableStatus, RefundReason};
use crate::domain::zengin::{BankAccount, NewCode, Remitter, TransferFile, TransferRecord, ZenginError};
use crate::service::runs::{self, Run, RunRecord};
use crate::store::benefits::DeterminationHead;
use crate::store::payments::{self as store, ApplicationContext, PageContext, PageRange, PageWrites};
use crate::store::{Actor, new_id};
use crate::store::{applications, schemes};

/// Determinations per page.
const PAGE: u64 = 500;
/// Attempts of one page before the run fails (a page loses to a concurrent run at most once).
const ATTEMPTS: u32 = 5;

/// Cursor prefix of the run's second part: approved applications (after the month's pages).
const APPLICATIONS: &str = "application:";
/// Applications per page of the second part.
const APPLICATION_PAGE: u64 = 100;
/// Cursor prefix of the run's third part: other months' unanswered forms.
const SWEEP: &str = "sweep:";

/// Why a form instead of a payment.
fn form_reason(regs: Option<&Vec<Registration>>) -> &'static str {
    match regs.and_then(|r| r.last()) {
        None => "not_registered",
        Some(r) if r.status == RegistrationStatus::Paused => "registration_paused",
        Some(r) if r.status == RegistrationStatus::Cancelled => "registration_cancelled",
        Some(_) => "not_registered",
    }
}

/// Why an unclaimed right lapsed (R15): a form was mailed and never answered, or the household
/// neither registered nor applied before the end of the period.
const LAPSED_FORM_UNANSWERED: &str = "form_unanswered";
const LAPSED_NOT_CLAIMED: &str = "not_claimed";

/// The registration a month can be paid under: an active one, or, when the scheme does not let
/// tax arrears exclude a household, one paused for arrears alone.
fn payable<'a>(regs: Option<&'a Vec<Registration>>, scheme: &BenefitScheme) -> Option<&'a Registration> {
    regs?.iter().find(|x| {
        x.status == RegistrationStatus::Active
            || (!scheme.exclude_tax_arrears
                && x.status == RegistrationStatus::Paused
                && x.pause_reasons == [PauseCause::TaxArrears])
    })
}

/// The refund (返納金) of a benefit lowered after it was paid, with its assessment entry.
fn refund(
    d: &DeterminationHead,
    head: Option<&(String, String)>,
    amount: i64,
    settled: i64,
    today: NaiveDate,
    at: DateTime<Utc>,
) -> (Receivable, NewEntry) {
    let id = new_id();
    (
        Receivable {
            id: id.clone(),
            kind: ReceivableKind::OverpaymentRefund,
            reason: Some(RefundReason::Other),
            debtor: Debtor {
                kind: DebtorKind::Person,
                name: head.map_or_else(String::new, |h| h.1.clone()),
                member_id: head.map(|h| h.0.clone()),
                phone: None,
                workplace: None,
            },
            household_id: Some(d.household_id.clone()),
            service_month: Some(d.service_month.clone()),
            determination_id: Some(d.id.clone()),
            assessed_on: today,
            amount,
            due_on: rules::refund_due_on(today),
            source_claim_ids: Vec::new(),
            source_key: Some(format!("benefit_overpaid:{}", d.id)),
            note: Some(format!(
                "high-cost benefit of {} lowered to {} after {} was paid",
                d.service_month, d.total_benefit, settled
            )),
            balance: amount,
            status: ReceivableStatus::Open,
            version: 1,
            created_at: at,
        },
        NewEntry {
            kind: ASSESSMENT,
            amount,
            on: today,
            channel: None,
            reason: None,
            note: None,
        },
    )
}

/// Decides what a page of the run's month writes. A determination that a live application
/// answers is left to the application; one whose right lapsed unclaimed becomes `lapsed`; one
/// mailed as a form waits for its application (and gets one reminder before it lapses); the
/// others are paid under the household's registration when the scheme pays the month
/// automatically, or mailed a form.
fn plan_page(
    r: &PaymentRun,
    scheme: &BenefitScheme,
    dets: &[DeterminationHead],
    ctx: &PageContext,
    at: DateTime<Utc>,
) -> PageWrites {
    let mut w = PageWrites::default();
    let today = business_date(at);
    let month = YearMonth::parse(&r.service_month).ok();
    let mut arrears = ctx.arrears.clone();
    let mut paid_registrations = ctx.paid_registrations.clone();
    for d in dets {
        if ctx.applied.contains(&d.id) {
            continue;
        }
        let regs = ctx.registrations.get(&d.household_id);
        if let Some(&reminded) = ctx.with_form.get(&d.id) {
            // Mailed as a form: the household applies by hand; paying it too could pay twice.
            form_month(&mut w, r, d, regs, reminded, at);
            continue;
        }
        let settled = ctx.settled.get(&d.household_id).copied().unwrap_or(0);
        match rules::settle(d.total_benefit, settled) {
            Settlement::NothingDue => {}
            Settlement::Settled => w.settled.push(d.id.clone()),
            Settlement::Refund { amount } => {
                w.refunds
                    .push(refund(d, ctx.heads.get(&d.household_id), amount, settled, today, at));
                w.settled.push(d.id.clone());
            }
            Settlement::Pay { amount, supplementary } => {
                // The registration is the standing claim (R15) for the months it covers.
                let claimed = regs.is_some_and(|rs| {
                    rs.iter().any(|x| {
                        x.status != RegistrationStatus::Cancelled && apps::claimed_in_time(d.lapses_on, x.applied_on)
                    })
                });
                if today > d.lapses_on && !claimed {
                    w.lapsed.push((d.id.clone(), LAPSED_NOT_CLAIMED));
                    continue;
                }
                let automatic = month.is_some_and(|m| {
                    let members = ctx.members.get(&d.id).map_or(&[][..], Vec::as_slice);
                    apps::pays_automatically(scheme.automatic_payment, m, members)
                });
                let reg = payable(regs, scheme);
                let form = |reason: &str| IssuedForm {
                    id: new_id(),
                    run_id: r.id.clone(),
                    determination_id: d.id.clone(),
                    household_id: d.household_id.clone(),
                    service_month: d.service_month.clone(),
                    amount,
                    reason: reason.into(),
                    reminder: false,
                    created_at: at,
                };
                match reg {
                    Some(_) if !automatic => w.forms.push(form("not_covered_by_scheme")),
                    None => w.forms.push(form(form_reason(regs))),
                    Some(reg) => {
                        let (owed, as_of) = arrears.get(&d.household_id).copied().unwrap_or((0, today));
                        let split = rules::split(amount, owed, reg.offset_consent);
                        let id = new_id();
                        if split.offset > 0 {
                            arrears.insert(d.household_id.clone(), (owed - split.offset, as_of));
                            w.offsets.push(Offset {
                                id: new_id(),
                                payment_id: id.clone(),
                                household_id: d.household_id.clone(),
                                amount: split.offset,
                                basis: "consent".into(),
                                arrears_as_of: as_of,
                                arrears_before: owed,
                            });
                        }
                        let first_transfer = paid_registrations.insert(reg.id.clone());
                        w.payments.push(Payment {
                            id,
                            run_id: r.id.clone(),
                            determination_id: d.id.clone(),
                            household_id: d.household_id.clone(),
                            registration_id: Some(reg.id.clone()),
                            application_id: None,
                            service_month: d.service_month.clone(),
                            kind: if supplementary {
                                PaymentKind::Supplementary
                            } else {
                                PaymentKind::Regular
                            },
                            gross_amount: amount,
                            offset_amount: split.offset,
                            net_amount: split.net,
                            account: reg.account.clone(),
                            first_transfer,
                            transfer_date: r.transfer_date,
                            status: PaymentStatus::Scheduled,
                            failure_reason: None,
                            failed_on: None,
                            version: 1,
                            created_at: at,
                        });
                        w.settled.push(d.id.clone());
                    }
                }
            }
        }
    }
    w
}

/// A month mailed as a form and not answered: it lapses once its right ended (R15), and gets its
/// one reminder in the last three months before.
fn form_month(
    w: &mut PageWrites,
    r: &PaymentRun,
    d: &DeterminationHead,
    regs: Option<&Vec<Registration>>,
    reminded: bool,
    at: DateTime<Utc>,
) {
    let today = business_date(at);
    if today > d.lapses_on {
        w.lapsed.push((d.id.clone(), LAPSED_FORM_UNANSWERED));
    } else if !reminded && apps::due_for_reminder(d.lapses_on, today) {
        w.forms.push(IssuedForm {
            id: new_id(),
            run_id: r.id.clone(),
            determination_id: d.id.clone(),
            household_id: d.household_id.clone(),
            service_month: d.service_month.clone(),
            amount: d.total_benefit,
            reason: form_reason(regs).into(),
            reminder: true,
            created_at: at,
        });
    }
}

/// Decides what a page of the sweep of other months writes: their unanswered forms lapse or are
/// reminded, whichever month the run pays. A month without a form is its own month's run's.
fn plan_sweep(r: &PaymentRun, dets: &[DeterminationHead], ctx: &PageContext, at: DateTime<Utc>) -> PageWrites {
    let mut w = PageWrites::default();
    for d in dets {
        if ctx.applied.contains(&d.id) {
            continue;
        }
        if let Some(&reminded) = ctx.with_form.get(&d.id) {
            form_month(&mut w, r, d, ctx.registrations.get(&d.household_id), reminded, at);
        }
    }
    w
}

/// Decides what a page of approved applications writes: each month an application answers is
/// paid to the application's account (offsetting unpaid NHI tax when the household asked), once:
/// what the household-month was already paid is deducted, and a month already settled is left
/// alone. An application whose months are not all decided yet waits for a later run; the others
/// are marked paid. Returns the writes and the applications paid.
fn plan_applications(
    r: &PaymentRun,
    applications: &[Application],
    ctx: &ApplicationContext,
    at: DateTime<Utc>,
) -> (PageWrites, Vec<String>) {
    let mut w = PageWrites::default();
    let mut paid = Vec::new();
    let today = business_date(at);
    let mut arrears = ctx.arrears.clone();
    for a in applications {
        let current: Vec<Option<&DeterminationHead>> = a
            .months
            .iter()
            .map(|m| ctx.current.get(&(a.household_id.clone(), m.service_month.clone())))
            .collect();
        let waiting = current
            .iter()
            .any(|d| d.is_none_or(|d| d.status == crate::store::benefits::CALCULATED));
        if waiting {
            continue;
        }
        for d in current.into_iter().flatten() {
            if d.status != crate::store::benefits::DECIDED {
                continue;
            }
            let key = (d.household_id.clone(), d.service_month.clone());
            let settled = ctx.settled.get(&key).copied().unwrap_or(0);
            let Settlement::Pay { amount, supplementary } = rules::settle(d.total_benefit, settled) else {
                if settled == d.total_benefit {
                    w.settled.push(d.id.clone());
                }
                // A refund is the month's own run's to assess.
                continue;
            };
            let (owed, as_of) = arrears.get(&a.household_id).copied().unwrap_or((0, today));
            let split = rules::split(amount, owed, a.offset_requested);
            let id = new_id();
            if split.offset > 0 {
                arrears.insert(a.household_id.clone(), (owed - split.offset, as_of));
                w.offsets.push(Offset {
                    id: new_id(),
                    payment_id: id.clone(),
                    household_id: a.household_id.clone(),
                    amount: split.offset,
                    basis: "application".into(),
                    arrears_as_of: as_of,
                    arrears_before: owed,
                });
            }
            w.payments.push(Payment {
                id,
                run_id: r.id.clone(),
                determination_id: d.id.clone(),
                household_id: a.household_id.clone(),
                registration_id: None,
                application_id: Some(a.id.clone()),
                service_month: d.service_month.clone(),
                kind: if supplementary {
                    PaymentKind::Supplementary
                } else {
                    PaymentKind::Regular
                },
                gross_amount: amount,
                offset_amount: split.offset,
                net_amount: split.net,
                account: a.account.clone(),
                // An account given on an application is new to the bank file each time.
                first_transfer: true,
                transfer_date: r.transfer_date,
                status: PaymentStatus::Scheduled,
                failure_reason: None,
                failed_on: None,
                version: 1,
                created_at: at,
            });
            w.settled.push(d.id.clone());
        }
        paid.push(a.id.clone());
    }
    (w, paid)
}

/// Records a page in the run: `done` more items, the page's writes added to its counters, the
/// cursor moved; saved and committed with the page's own writes.
async fn advance(
    txn: sea_orm::DatabaseTransaction,
    r: &PaymentRun,
    w: &PageWrites,
    done: usize,
    cursor: String,
) -> Result<PaymentRun, DbErr> {
    let mut next = r.clone();
    next.done += done as i32;
    next.total = next.total.max(next.done);
    next.payment_count += w.payments.len() as i32;
    next.total_amount += w.payments.iter().map(|p| p.gross_amount).sum::<i64>();
    next.offset_total += w.offsets.iter().map(|o| o.amount).sum::<i64>();
    next.application_forms += w.forms.len() as i32;
    next.refunds += w.refunds.len() as i32;
    next.cursor = Some(cursor);
    next.save(&txn).await?;
    txn.commit().await?;
    Ok(next)
}

/// Settles one page of the month and records the run's progress, in one transaction. Returns the
/// run as it now stands, or `None` when no decided determination is left after the cursor.
async fn month_page(
    db: &DatabaseConnection,
    clock: &Clock,
    actor: &Actor,
    r: &PaymentRun,
) -> Result<Option<PaymentRun>, DbErr> {
    let txn = db.begin().await?;
    let dets = store::decided_page(&txn, &r.insurer, &r.service_month, r.cursor.as_deref(), PAGE).await?;
    let Some(last) = dets.last().map(|d| d.id.clone()) else {
        return Ok(None);
    };
    let range = PageRange {
        insurer: &r.insurer,
        month: &r.service_month,
        after: r.cursor.as_deref(),
        through: &last,
    };
    let scheme = schemes::get(&txn, &r.insurer)
        .await?
        .unwrap_or_else(|| BenefitScheme::default_with(None));
    let by_age = scheme.automatic_payment == AutomaticPayment::Age70to74;
    let ctx = store::page_context(&txn, range, by_age).await?;
    let w = plan_page(r, &scheme, &dets, &ctx, clock.now());
    store::write_page(&txn, actor, Some(&r.service_month), &w).await?;
    advance(txn, r, &w, dets.len(), last).await.map(Some)
}

/// Pays one page of approved applications (any month) and records the run's progress, in one
/// transaction. `None` when no approved application is left after `after`.
async fn application_page(
    db: &DatabaseConnection,
    clock: &Clock,
    actor: &Actor,
    r: &PaymentRun,
    after: Option<&str>,
) -> Result<Option<PaymentRun>, DbErr> {
    let txn = db.begin().await?;
    let page = applications::approved_unpaid(&txn, &r.insurer, after, APPLICATION_PAGE).await?;
    let Some(last) = page.last().map(|a| a.id.clone()) else {
        return Ok(None);
    };
    let mut households: Vec<String> = page.iter().map(|a| a.household_id.clone()).collect();
    households.sort_unstable();
    households.dedup();
    let ctx = store::application_context(&txn, &r.insurer, &households).await?;
    let (w, paid) = plan_applications(r, &page, &ctx, clock.now());
    store::write_page(&txn, actor, None, &w).await?;
    for a in page.iter().filter(|a| paid.contains(&a.id)) {
        let next = Application {
            status: ApplicationStatus::Paid,
            paid_run_id: Some(r.id.clone()),
            ..a.clone()
        };
        let m = applications::Move {
            reasons: &[],
            note: None,
            on: business_date(clock.now()),
        };
        applications::save_move(&txn, actor, a, next, &m)
            .await?
            .ok_or(DbErr::RecordNotUpdated)?;
    }
    advance(txn, r, &w, page.len(), format!("{APPLICATIONS}{last}"))
        .await
        .map(Some)
}

/// Sweeps one page of other months' unanswered forms (lapse or reminder) and records the run's
/// progress, in one transaction. `None` when none is left after `after`.
async fn sweep_page(
    db: &DatabaseConnection,
    clock: &Clock,
    actor: &Actor,
    r: &PaymentRun,
    after: Option<&str>,
) -> Result<Option<PaymentRun>, DbErr> {
    let txn = db.begin().await?;
    let today = business_date(clock.now());
    // Rights ending within the reminder window: up to the end of the month two months on.
    let horizon = YearMonth::of(today).succ().succ().last_day();
    let dets = store::sweep_page(&txn, &r.insurer, &r.service_month, horizon, after, PAGE).await?;
    let Some(last) = dets.last().map(|d| d.id.clone()) else {
        return Ok(None);
    };
    let ctx = store::sweep_context(&txn, &r.insurer, &dets).await?;
    let w = plan_sweep(r, &dets, &ctx, clock.now());
    store::write_page(&txn, actor, None, &w).await?;
    advance(txn, r, &w, 0, format!("{SWEEP}{last}")).await.map(Some)
}

/// One page of the run: the month's decided determinations first, then approved applications,
/// then the other months' unanswered forms.
async fn run_page(
    db: &DatabaseConnection,
    clock: &Clock,
    actor: &Actor,
    r: &PaymentRun,
) -> Result<Option<PaymentRun>, DbErr> {
    if let Some(after) = r.cursor.as_deref().and_then(|c| c.strip_prefix(SWEEP)) {
        return sweep_page(db, clock, actor, r, Some(after)).await;
    }
    let applications = if let Some(after) = r.cursor.as_deref().and_then(|c| c.strip_prefix(APPLICATIONS)) {
        application_page(db, clock, actor, r, Some(after)).await?
    } else {
        match month_page(db, clock, actor, r).await? {
            Some(next) => return Ok(Some(next)),
            None => application_page(db, clock, actor, r, None).await?,
        }
    };
    match applications {
        Some(next) => Ok(Some(next)),
        None => sweep_page(db, clock, actor, r, None).await,
    }
}

/// A payment run of one service month: pages of decided determinations, each planned and
/// written in one transaction with the run's progress. A page that loses a race to a concurrent
/// run is read again.
pub struct PaymentRunner {
    clock: Clock,
    actor: Actor,
}

impl PaymentRunner {
    pub fn new(clock: &Clock, run: &PaymentRun) -> Self {
        Self {
            clock: clock.clone(),
            actor: runs::actor_of(run),
        }
    }
}

impl Run for PaymentRunner {
    type Record = PaymentRun;

    const READS: &'static str = "payment_registrations, payments, payment_offsets, tax_arrears, application_forms, receivables, members, benefit_determinations";
    const WRITES: &'static str = "payments, application_forms, benefit_determinations";
    const ATTEMPTS: u32 = ATTEMPTS;

    async fn page(&mut self, db: &DatabaseConnection, r: &PaymentRun) -> Result<Option<PaymentRun>, String> {
        run_page(db, &self.clock, &self.actor, r)
            .await
            .map_err(|e| e.to_string())
    }
}

/// Starts a run of `month` and runs it to its end.
pub async fn start(
    db: &DatabaseConnection,
    clock: &Clock,
    actor: &Actor,
    month: &str,
    transfer_date: NaiveDate,
) -> Result<PaymentRun, DbErr> {
    let total = store::count_decided(db, &actor.insurer, month).await?;
    let r = store::create_run(db, actor, month, transfer_date, total).await?;
    Ok(runs::drive(db.clone(), PaymentRunner::new(clock, &r), r).await)
}

/// Why a transfer file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error("the run made no payment with a bank part")]
    NoTransfers,
    #[error(transparent)]
    Invalid(#[from] ZenginError),
    #[error("stored account: {0}")]
    Corrupt(String),
}

/// The run's 全銀 総合振込 file: one data record per payment with a bank part, in payment-id
/// order, 新規コード `1` on an account's first transfer. Payments the bank later returned stay in
/// it: the file is what was sent.
pub async fn transfer_file(db: &DatabaseConnection, r: &PaymentRun, remitter: &Remitter) -> Result<Vec<u8>, FileError> {
    let mut records = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let rows = store::run_payments_after(db, &r.insurer, &r.id, after.as_deref(), 2000).await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.id.clone());
        for p in rows.iter().filter(|p| p.net_amount > 0) {
            let a = &p.account;
            let account = BankAccount::parse(
                &a.bank_code,
                &a.branch_code,
                &a.account_type,
                &a.account_number,
                &a.holder_kana,
            )
            .map_err(|e| FileError::Corrupt(format!("payment {}: {e:?}", p.id)))?;
            let mut rec = TransferRecord::new(account, Yen::new(p.net_amount));
            if p.first_transfer {
                rec.new_code = NewCode::FirstTransfer;
            }
            records.push(rec);
        }
    }
    if records.is_empty() {
        return Err(FileError::NoTransfers);
    }
    Ok(TransferFile::render(remitter, r.transfer_date, &records)?)
}

/// Resumes every payment run a stopped process left running. Called once at start.
pub async fn resume_runs(db: &DatabaseConnection, clock: &Clock) -> Result<usize, DbErr> {
    runs::resume(db, |r| PaymentRunner::new(clock, r)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::payment::AccountFields;
    use crate::store::benefits as benefit_store;
    use crate::store::now;

    fn det(id: &str, household: &str, total: i64) -> DeterminationHead {
        DeterminationHead {
            id: id.into(),
            household_id: household.into(),
            service_month: "2026-05".into(),
            status: benefit_store::DECIDED.into(),
            total_benefit: total,
            counts_toward_multiple: true,
            fingerprint: String::new(),
            version: 2,
            lapses_on: NaiveDate::from_ymd_opt(2099, 12, 31).unwrap(),
        }
    }

    fn all() -> BenefitScheme {
        BenefitScheme::default_with(None)
    }

    fn at(date: &str) -> DateTime<Utc> {
        // Noon in Tokyo on `date`.
        DateTime::parse_from_rfc3339(&format!("{date}T12:00:00+09:00"))
            .unwrap()
            .with_timezone(&Utc)
    }

    fn registration(household: &str, status: RegistrationStatus, consent: bool) -> Registration {
        Registration {
            id: format!("r-{household}"),
            household_id: household.into(),
            applicant_member_id: format!("m-{household}"),
            applied_on: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
            account: AccountFields {
                bank_code: "0001".into(),
                branch_code: "001".into(),
                account_type: "ordinary".into(),
                account_number: "1234567".into(),
                holder_kana: "ﾔﾏﾀﾞ ﾀﾛｳ".into(),
            },
            offset_consent: consent,
            repayment_consent: true,
            status,
            pause_reasons: Vec::new(),
            ended_on: None,
            end_reason: None,
            version: 1,
            created_at: now(),
            updated_at: now(),
        }
    }

    fn run() -> PaymentRun {
        PaymentRun {
            id: "run".into(),
            insurer: "132001".into(),
            service_month: "2026-05".into(),
            transfer_date: NaiveDate::from_ymd_opt(2026, 9, 15).unwrap(),
            status: crate::domain::run::RunStatus::Running,
            done: 0,
            total: 0,
            payment_count: 0,
            total_amount: 0,
            offset_total: 0,
            application_forms: 0,
            refunds: 0,
            cursor: None,
            actor: "t".into(),
            error: None,
            created_at: now(),
            finished_at: None,
        }
    }

    #[test]
    fn a_page_pays_registered_households_and_mails_forms_to_the_others() {
        let mut ctx = PageContext::default();
        ctx.registrations
            .insert("h1".into(), vec![registration("h1", RegistrationStatus::Active, false)]);
        ctx.registrations
            .insert("h2".into(), vec![registration("h2", RegistrationStatus::Paused, false)]);
        let dets = [
            det("d1", "h1", 80_000),
            det("d2", "h2", 5_000),
            det("d3", "h3", 7_000),
            det("d4", "h4", 0),
        ];
        let w = plan_page(&run(), &all(), &dets, &ctx, now());
        assert_eq!(w.payments.len(), 1);
        assert_eq!(w.payments[0].net_amount, 80_000);
        assert!(w.payments[0].first_transfer);
        let reasons: Vec<&str> = w.forms.iter().map(|f| f.reason.as_str()).collect();
        assert_eq!(reasons, ["registration_paused", "not_registered"]);
        assert_eq!(w.settled, ["d1"], "forms and zero benefits stay decided");
    }

    #[test]
    fn consented_offsets_take_the_arrears_once_per_household() {
        let mut ctx = PageContext::default();
        ctx.registrations
            .insert("h1".into(), vec![registration("h1", RegistrationStatus::Active, true)]);
        let as_of = NaiveDate::from_ymd_opt(2026, 8, 31).unwrap();
        ctx.arrears.insert("h1".into(), (30_000, as_of));
        let w = plan_page(&run(), &all(), &[det("d1", "h1", 20_000)], &ctx, now());
        assert_eq!((w.payments[0].offset_amount, w.payments[0].net_amount), (20_000, 0));
        assert_eq!(w.offsets[0].arrears_before, 30_000);
        ctx.paid_registrations.insert("r-h1".into());
        let w = plan_page(&run(), &all(), &[det("d2", "h1", 50_000)], &ctx, now());
        assert_eq!(
            (w.payments[0].offset_amount, w.payments[0].net_amount),
            (30_000, 20_000)
        );
        assert!(!w.payments[0].first_transfer);
    }

    #[test]
    fn a_changed_benefit_after_payment_pays_or_refunds_the_difference() {
        let mut ctx = PageContext::default();
        ctx.registrations
            .insert("h1".into(), vec![registration("h1", RegistrationStatus::Active, false)]);
        ctx.settled.insert("h1".into(), 80_000);
        let w = plan_page(&run(), &all(), &[det("d2", "h1", 95_000)], &ctx, now());
        assert_eq!(w.payments[0].kind, PaymentKind::Supplementary);
        assert_eq!(w.payments[0].gross_amount, 15_000);
        let w = plan_page(&run(), &all(), &[det("d3", "h1", 60_000)], &ctx, now());
        assert!(w.payments.is_empty());
        assert_eq!(w.refunds[0].0.amount, 20_000);
        assert_eq!(w.refunds[0].0.kind, ReceivableKind::OverpaymentRefund);
        assert_eq!(w.settled, ["d3"]);
        ctx.with_form.insert("d4".into(), false);
        let w = plan_page(&run(), &all(), &[det("d4", "h1", 95_000)], &ctx, now());
        assert!(
            w.payments.is_empty() && w.settled.is_empty(),
            "a determination sent as a form is not paid"
        );
    }

    /// R15: a month whose right ended unclaimed lapses; a registration made before the end is the
    /// standing claim; a form unanswered lapses too, after one reminder in its last three months.
    #[test]
    fn unclaimed_rights_lapse_and_unanswered_forms_are_reminded_once() {
        let lapses = NaiveDate::from_ymd_opt(2026, 5, 31).unwrap();
        let old = |id: &str, h: &str| DeterminationHead {
            lapses_on: lapses,
            ..det(id, h, 30_000)
        };
        let mut ctx = PageContext::default();
        ctx.registrations
            .insert("h1".into(), vec![registration("h1", RegistrationStatus::Active, false)]);
        let mut late = registration("h2", RegistrationStatus::Active, false);
        late.applied_on = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        ctx.registrations.insert("h2".into(), vec![late]);
        let dets = [old("d1", "h1"), old("d2", "h2"), old("d3", "h3")];
        let w = plan_page(&run(), &all(), &dets, &ctx, at("2026-06-01"));
        assert_eq!(w.settled, ["d1"], "registered on 2026-04-01, before the right ended");
        assert_eq!(
            w.lapsed,
            [
                ("d2".to_string(), LAPSED_NOT_CLAIMED),
                ("d3".to_string(), LAPSED_NOT_CLAIMED)
            ]
        );
        assert!(w.forms.is_empty(), "no form is mailed for a right that is gone");

        let mut ctx = PageContext::default();
        ctx.with_form.insert("d4".into(), false);
        let w = plan_page(&run(), &all(), &[old("d4", "h4")], &ctx, at("2026-02-27"));
        assert!(w.forms.is_empty() && w.lapsed.is_empty(), "too early for a reminder");
        let w = plan_page(&run(), &all(), &[old("d4", "h4")], &ctx, at("2026-03-01"));
        assert_eq!(w.forms.len(), 1);
        assert!(w.forms[0].reminder);
        ctx.with_form.insert("d4".into(), true);
        let w = plan_page(&run(), &all(), &[old("d4", "h4")], &ctx, at("2026-05-31"));
        assert!(w.forms.is_empty() && w.lapsed.is_empty(), "reminded once only");
        let w = plan_page(&run(), &all(), &[old("d4", "h4")], &ctx, at("2026-06-01"));
        assert_eq!(w.lapsed, [("d4".to_string(), LAPSED_FORM_UNANSWERED)]);
    }

    #[test]
    fn the_scheme_decides_who_is_paid_automatically_and_an_application_pays_its_own_months() {
        let mut ctx = PageContext::default();
        ctx.registrations
            .insert("h1".into(), vec![registration("h1", RegistrationStatus::Active, false)]);
        let mut paused = registration("h2", RegistrationStatus::Paused, false);
        paused.pause_reasons = vec![PauseCause::TaxArrears];
        ctx.registrations.insert("h2".into(), vec![paused]);
        let elder = NaiveDate::from_ymd_opt(1954, 3, 10).unwrap();
        let younger = NaiveDate::from_ymd_opt(1980, 3, 10).unwrap();
        ctx.members.insert("d1".into(), vec![(elder, 10_000), (younger, 2_000)]);
        ctx.members.insert("d2".into(), vec![(elder, 10_000)]);
        ctx.applied.insert("d3".into());
        let dets = [det("d1", "h1", 12_000), det("d2", "h2", 10_000), det("d3", "h1", 9_000)];
        let proposal = BenefitScheme {
            automatic_payment: AutomaticPayment::Age70to74,
            exclude_tax_arrears: false,
            ..all()
        };
        let w = plan_page(&run(), &proposal, &dets, &ctx, now());
        assert_eq!(
            w.forms.iter().map(|f| f.reason.as_str()).collect::<Vec<_>>(),
            ["not_covered_by_scheme"]
        );
        assert_eq!(w.payments.len(), 1, "arrears do not exclude under this scheme");
        assert_eq!(w.payments[0].determination_id, "d2");
        assert_eq!(w.settled, ["d2"], "an applied-for month is left to its application");
        let none = BenefitScheme {
            automatic_payment: AutomaticPayment::None,
            ..all()
        };
        let w = plan_page(&run(), &none, &dets[..1], &ctx, now());
        assert!(w.payments.is_empty() && w.forms.len() == 1);

        let application = Application {
            id: "a1".into(),
            household_id: "h1".into(),
            applicant_member_id: "m-h1".into(),
            received_on: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
            channel: crate::domain::application::Channel::Mail,
            account: registration("h1", RegistrationStatus::Active, false).account,
            offset_requested: true,
            register_for_automatic_payment: false,
            status: ApplicationStatus::Approved,
            return_reasons: Vec::new(),
            note: None,
            months: vec![
                crate::domain::application::AppliedMonth {
                    determination_id: "d5".into(),
                    service_month: "2026-04".into(),
                },
                crate::domain::application::AppliedMonth {
                    determination_id: "d6".into(),
                    service_month: "2026-05".into(),
                },
            ],
            registration_id: None,
            registration_problem: None,
            paid_run_id: None,
            version: 3,
            created_at: now(),
            updated_at: now(),
        };
        let mut actx = ApplicationContext::default();
        let month = |id: &str, m: &str, total: i64| DeterminationHead {
            service_month: m.into(),
            ..det(id, "h1", total)
        };
        actx.current
            .insert(("h1".into(), "2026-04".into()), month("d5", "2026-04", 40_000));
        actx.current
            .insert(("h1".into(), "2026-05".into()), month("d7", "2026-05", 25_000));
        actx.settled.insert(("h1".into(), "2026-05".into()), 5_000);
        actx.arrears
            .insert("h1".into(), (10_000, NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()));
        let (w, paid) = plan_applications(&run(), std::slice::from_ref(&application), &actx, now());
        assert_eq!(paid, ["a1"]);
        let amounts: Vec<(&str, i64, i64, Option<&str>)> = w
            .payments
            .iter()
            .map(|p| {
                (
                    p.determination_id.as_str(),
                    p.gross_amount,
                    p.offset_amount,
                    p.application_id.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            amounts,
            [("d5", 40_000, 10_000, Some("a1")), ("d7", 20_000, 0, Some("a1"))],
            "the superseded month is paid as now decided, less what was paid; the arrears once"
        );
        assert!(w.payments.iter().all(|p| p.registration_id.is_none()));
        actx.current.insert(
            ("h1".into(), "2026-05".into()),
            DeterminationHead {
                status: benefit_store::CALCULATED.into(),
                ..month("d7", "2026-05", 25_000)
            },
        );
        let (w, paid) = plan_applications(&run(), &[application], &actx, now());
        assert!(
            paid.is_empty() && w.payments.is_empty(),
            "waits until every month is decided"
        );
    }

    /// The sweep of other months: an unanswered form lapses after its right ended; one answered
    /// by an application is left to it; a month without a form is its own month's run's.
    #[test]
    fn the_sweep_lapses_unanswered_forms_of_other_months_only() {
        let lapses = NaiveDate::from_ymd_opt(2026, 5, 31).unwrap();
        let old = |id: &str| DeterminationHead {
            lapses_on: lapses,
            ..det(id, "h1", 30_000)
        };
        let mut ctx = PageContext::default();
        ctx.with_form.insert("d1".into(), true);
        ctx.with_form.insert("d2".into(), false);
        ctx.applied.insert("d2".into());
        let w = plan_sweep(&run(), &[old("d1"), old("d2"), old("d3")], &ctx, at("2026-06-01"));
        assert_eq!(w.lapsed, [("d1".to_string(), LAPSED_FORM_UNANSWERED)]);
        assert!(w.forms.is_empty() && w.payments.is_empty() && w.settled.is_empty());
    }
}
