//! The run itself: pages of decided determinations, each planned and written in one transaction
//! with the run's progress.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{DatabaseConnection, DbErr, TransactionTrait};

use crate::clock::{Clock, business_date};
use crate::domain::disbursement::{IssuedForm, Offset, Payment, PaymentKind, PaymentRun, PaymentStatus};
use crate::domain::money::Yen;
use crate::domain::payment::{self as rules, Registration, RegistrationStatus, Settlement};
use crate::domain::receivable::record::{ASSESSMENT, Debtor, NewEntry, Receivable};
use crate::domain::receivable::{DebtorKind, ReceivableKind, ReceivableStatus, RefundReason};
use crate::domain::zengin::{BankAccount, NewCode, Remitter, TransferFile, TransferRecord, ZenginError};
use crate::service::runs::{self, Run, RunRecord};
use crate::store::benefits::DeterminationHead;
use crate::store::payments::{self as store, PageContext, PageRange, PageWrites};
use crate::store::{Actor, new_id};

/// Determinations per page.
const PAGE: u64 = 500;
/// Attempts of one page before the run fails (a page loses to a concurrent run at most once).
const ATTEMPTS: u32 = 5;

/// Why a form instead of a payment.
fn form_reason(regs: Option<&Vec<Registration>>) -> &'static str {
    match regs.and_then(|r| r.last()) {
        None => "not_registered",
        Some(r) if r.status == RegistrationStatus::Paused => "registration_paused",
        Some(r) if r.status == RegistrationStatus::Cancelled => "registration_cancelled",
        Some(_) => "not_registered",
    }
}

/// Decides what a page writes.
fn plan_page(r: &PaymentRun, dets: &[DeterminationHead], ctx: &PageContext, at: DateTime<Utc>) -> PageWrites {
    let mut w = PageWrites::default();
    let today = business_date(at);
    let mut arrears = ctx.arrears.clone();
    let mut paid_registrations = ctx.paid_registrations.clone();
    for d in dets {
        if ctx.with_form.contains(&d.id) {
            // Mailed as a form: the household applies by hand; paying it too could pay twice.
            continue;
        }
        let settled = ctx.settled.get(&d.household_id).copied().unwrap_or(0);
        let regs = ctx.registrations.get(&d.household_id);
        let active = regs.and_then(|rs| rs.iter().find(|x| x.status == RegistrationStatus::Active));
        match rules::settle(d.total_benefit, settled) {
            Settlement::NothingDue => {}
            Settlement::Settled => w.settled.push(d.id.clone()),
            Settlement::Refund { amount } => {
                let head = ctx.heads.get(&d.household_id);
                let id = new_id();
                w.refunds.push((
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
                ));
                w.settled.push(d.id.clone());
            }
            Settlement::Pay { amount, supplementary } => match active {
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
                        registration_id: reg.id.clone(),
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
                None => w.forms.push(IssuedForm {
                    id: new_id(),
                    run_id: r.id.clone(),
                    determination_id: d.id.clone(),
                    household_id: d.household_id.clone(),
                    service_month: d.service_month.clone(),
                    amount,
                    reason: form_reason(regs).into(),
                    created_at: at,
                }),
            },
        }
    }
    w
}

/// Settles one page and records the run's progress, in one transaction. Returns the run as it
/// now stands, or `None` when no decided determination is left after the cursor.
async fn run_page(
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
    let ctx = store::page_context(&txn, range).await?;
    let w = plan_page(r, &dets, &ctx, clock.now());
    store::write_page(&txn, actor, &r.service_month, &w).await?;
    let mut next = r.clone();
    next.done += dets.len() as i32;
    next.total = next.total.max(next.done);
    next.payment_count += w.payments.len() as i32;
    next.total_amount += w.payments.iter().map(|p| p.gross_amount).sum::<i64>();
    next.offset_total += w.offsets.iter().map(|o| o.amount).sum::<i64>();
    next.application_forms += w.forms.len() as i32;
    next.refunds += w.refunds.len() as i32;
    next.cursor = Some(last);
    next.save(&txn).await?;
    txn.commit().await?;
    Ok(Some(next))
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
        }
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
        let w = plan_page(&run(), &dets, &ctx, now());
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
        let w = plan_page(&run(), &[det("d1", "h1", 20_000)], &ctx, now());
        assert_eq!((w.payments[0].offset_amount, w.payments[0].net_amount), (20_000, 0));
        assert_eq!(w.offsets[0].arrears_before, 30_000);
        ctx.paid_registrations.insert("r-h1".into());
        let w = plan_page(&run(), &[det("d2", "h1", 50_000)], &ctx, now());
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
        let w = plan_page(&run(), &[det("d2", "h1", 95_000)], &ctx, now());
        assert_eq!(w.payments[0].kind, PaymentKind::Supplementary);
        assert_eq!(w.payments[0].gross_amount, 15_000);
        let w = plan_page(&run(), &[det("d3", "h1", 60_000)], &ctx, now());
        assert!(w.payments.is_empty());
        assert_eq!(w.refunds[0].0.amount, 20_000);
        assert_eq!(w.refunds[0].0.kind, ReceivableKind::OverpaymentRefund);
        assert_eq!(w.settled, ["d3"]);
        ctx.with_form.insert("d4".into());
        let w = plan_page(&run(), &[det("d4", "h1", 95_000)], &ctx, now());
        assert!(
            w.payments.is_empty() && w.settled.is_empty(),
            "a determination sent as a form is not paid"
        );
    }
}
