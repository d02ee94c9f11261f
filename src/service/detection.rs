//! Detection of care after loss of eligibility (資格喪失後受診): the claims of a month whose member
//! had already lost eligibility become one `overpayment_refund` / `ineligible_visit` receivable
//! per member and month (返納金, debtor the household head). The rules are in
//! [`crate::domain::receivable::ineligible`]; detecting again assesses only what changed.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{DatabaseConnection, DbErr, TransactionTrait};

use crate::domain::calendar::YearMonth;
use crate::domain::claim::ClaimStatus;
use crate::domain::money::Yen;
use crate::domain::payment::refund_due_on;
use crate::domain::receivable::ineligible::{Adjustment, adjust, after_loss, insurer_share};
use crate::domain::receivable::ledger::status_of;
use crate::domain::receivable::record::{Debtor, NewEntry, Receivable};
use crate::domain::receivable::{DebtorKind, ReceivableKind, RefundReason};
use crate::domain::receivable::{LedgerEntry, ReceivableStatus};
use crate::service::benefits::StoredMemberBenefit;
use crate::store::receivables as store;
use crate::store::{Actor, new_id, now};

/// What a detection did.
#[derive(Debug, Default, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DetectionReport {
    pub service_month: String,
    /// Claims of the month after their member's loss of eligibility (active ones).
    pub claims: usize,
    /// Receivables assessed for the first time.
    pub created: usize,
    /// Receivables assessed further (a new claim after the loss).
    pub increased: usize,
    /// Receivables reduced (調定減) because a claim was voided or corrected.
    pub reduced: usize,
    pub unchanged: usize,
    /// The receivables concerned, new or changed or not.
    pub receivable_ids: Vec<String>,
}

/// One member-month found.
#[derive(Default)]
struct Found {
    household_id: String,
    amount: i64,
    claim_ids: Vec<String>,
    all_after_loss: bool,
    any: bool,
}

/// Detects the month's claims after loss of eligibility, in one transaction.
pub async fn detect_ineligible_visits(
    db: &DatabaseConnection,
    actor: &Actor,
    month: YearMonth,
    assessed_on: NaiveDate,
) -> Result<DetectionReport, DbErr> {
    let txn = db.begin().await?;
    let m = month.to_string();
    let first = month.first_day();
    let last = month.last_day();
    let lost = store::members_lost_by(&txn, &actor.insurer, last).await?;
    let claims = store::claims_of_lost_members(&txn, &actor.insurer, &m, last).await?;
    let mut found: BTreeMap<String, Found> = BTreeMap::new();
    let mut report = DetectionReport {
        service_month: m.clone(),
        ..DetectionReport::default()
    };
    for c in &claims {
        let Some((household, lost_on)) = lost.get(&c.member_id) else {
            continue;
        };
        let f = found.entry(c.member_id.clone()).or_insert_with(|| Found {
            household_id: household.clone(),
            all_after_loss: true,
            ..Found::default()
        });
        let after = after_loss(*lost_on, c.fields.first_service_on, first);
        if after {
            // A voided claim still names the member-month, so its receivable can be reduced.
            f.any = true;
        }
        if c.status != ClaimStatus::Active {
            continue;
        }
        if after {
            report.claims += 1;
            f.amount += insurer_share(c.fields.total_cost, c.fields.copayment);
            f.claim_ids.push(c.id.clone());
        } else {
            f.all_after_loss = false;
        }
    }
    found.retain(|_, f| f.any);
    let households: Vec<String> = found.values().map(|f| f.household_id.clone()).collect();
    let paid = store::paid_benefits(&txn, &actor.insurer, &m, &households).await?;
    for (member, f) in found.iter_mut() {
        if f.all_after_loss
            && !f.claim_ids.is_empty()
            && let Some(json) = paid.get(&f.household_id)
        {
            let members: Vec<StoredMemberBenefit> = serde_json::from_str(json).unwrap_or_default();
            f.amount += members
                .iter()
                .filter(|x| &x.member_id == member)
                .map(|x| x.benefit)
                .sum::<i64>();
        }
    }
    let key = |member: &str| format!("ineligible_visit:{member}:{m}");
    let keys: Vec<String> = found.keys().map(|k| key(k)).collect();
    let existing = store::by_sources(&txn, &actor.insurer, &keys).await?;
    let heads = store::heads_of(&txn, &actor.insurer, &households).await?;
    let today = assessed_on;
    let mut changes = Vec::new();
    for (member, f) in &found {
        match existing.get(&key(member)) {
            Some(r) => {
                let entries = store::entries(&txn, &actor.insurer, &r.id).await?;
                let ledger = store::ledger_of(&r.id, &entries)?;
                let p = ledger.position();
                let net = p.assessed.as_i64() - p.reduced.as_i64();
                let on = today.max(entries.last().map_or(today, |e| e.on));
                let (entry, kind) = match adjust(net, p.balance.as_i64(), f.amount) {
                    Adjustment::Unchanged => {
                        report.unchanged += 1;
                        report.receivable_ids.push(r.id.clone());
                        continue;
                    }
                    Adjustment::Assess(x) => {
                        report.increased += 1;
                        (
                            LedgerEntry::Assessment {
                                on,
                                amount: Yen::new(x),
                            },
                            store::ASSESSMENT,
                        )
                    }
                    Adjustment::Reduce(x) => {
                        report.reduced += 1;
                        (
                            LedgerEntry::Reduction {
                                on,
                                amount: Yen::new(x),
                            },
                            store::REDUCTION,
                        )
                    }
                };
                let amount = match entry {
                    LedgerEntry::Assessment { amount, .. } | LedgerEntry::Reduction { amount, .. } => amount.as_i64(),
                    _ => 0,
                };
                let after = ledger
                    .clone()
                    .with(entry)
                    .map_err(|e| DbErr::Custom(format!("receivable {}: {e}", r.id)))?;
                let status = status_of(
                    after.position(),
                    after.is_written_off(),
                    r.status == ReceivableStatus::InLegal,
                );
                let e = NewEntry {
                    kind,
                    amount,
                    on,
                    channel: None,
                    reason: None,
                    note: Some("claims after loss of eligibility changed".into()),
                };
                let (_, change) = store::write_entry(&txn, actor, r, e, (ledger, after), status)
                    .await?
                    .ok_or(DbErr::RecordNotUpdated)?;
                changes.push(change);
                report.receivable_ids.push(r.id.clone());
            }
            None if f.amount > 0 => {
                let head = heads.get(&f.household_id);
                let model = Receivable {
                    id: new_id(),
                    kind: ReceivableKind::OverpaymentRefund,
                    reason: Some(RefundReason::IneligibleVisit),
                    debtor: Debtor {
                        kind: DebtorKind::Person,
                        name: head.map_or_else(String::new, |h| h.1.clone()),
                        member_id: head.map(|h| h.0.clone()),
                        phone: None,
                        workplace: None,
                    },
                    household_id: Some(f.household_id.clone()),
                    service_month: Some(m.clone()),
                    determination_id: None,
                    assessed_on: today,
                    amount: f.amount,
                    due_on: refund_due_on(today),
                    source_claim_ids: f.claim_ids.clone(),
                    source_key: Some(key(member)),
                    note: Some(format!("care after loss of eligibility of member {member} in {m}")),
                    balance: f.amount,
                    status: ReceivableStatus::Open,
                    version: 1,
                    created_at: now(),
                };
                report.receivable_ids.push(model.id.clone());
                changes.push(store::insert(&txn, actor, &model).await?);
                report.created += 1;
            }
            None => {}
        }
    }
    crate::store::recovery::record(&txn, &actor.insurer, &changes).await?;
    txn.commit().await?;
    Ok(report)
}
