//! What payment runs leave behind (自動償還): payments with their offsets, the application forms
//! mailed to households not registered, and the figures a decision notice (支給決定通知書) or a
//! pre-filled form shows of a household-month.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::benefit::RunStatus;
use super::member::wire_names;
use super::payment::{AccountFields, TransferFailure};

/// `regular`, or `supplementary` (追加支給: the benefit was raised after it had been paid).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    Regular,
    Supplementary,
}

wire_names!(PaymentKind { Regular => "regular", Supplementary => "supplementary" });

/// `scheduled` (in the transfer file) or `failed` (returned by the bank).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Scheduled,
    Failed,
}

wire_names!(PaymentStatus { Scheduled => "scheduled", Failed => "failed" });

/// A payment run of one service month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRun {
    pub id: String,
    pub insurer: String,
    /// The subject of the token that started it.
    pub actor: String,
    pub service_month: String,
    pub transfer_date: NaiveDate,
    pub status: RunStatus,
    pub done: i32,
    pub total: i32,
    pub payment_count: i32,
    pub total_amount: i64,
    pub offset_total: i64,
    pub application_forms: i32,
    pub refunds: i32,
    /// The last determination id a page settled.
    pub cursor: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One payment of a determination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: String,
    pub run_id: String,
    pub determination_id: String,
    pub household_id: String,
    /// The registration it was paid under (automatic payment), or
    pub registration_id: Option<String>,
    /// the application (支給申請) it was paid on.
    pub application_id: Option<String>,
    pub service_month: String,
    pub kind: PaymentKind,
    pub gross_amount: i64,
    pub offset_amount: i64,
    pub net_amount: i64,
    pub account: AccountFields,
    /// The account's first transfer from us (新規コード 1 in the transfer file).
    pub first_transfer: bool,
    pub transfer_date: NaiveDate,
    pub status: PaymentStatus,
    pub failure_reason: Option<TransferFailure>,
    pub failed_on: Option<NaiveDate>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

/// An offset of a payment against unpaid NHI tax (充当).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offset {
    pub id: String,
    pub payment_id: String,
    pub household_id: String,
    pub amount: i64,
    /// `consent`.
    pub basis: String,
    pub arrears_as_of: NaiveDate,
    pub arrears_before: i64,
}

/// A pre-filled application form a run issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedForm {
    pub id: String,
    pub run_id: String,
    pub determination_id: String,
    pub household_id: String,
    pub service_month: String,
    pub amount: i64,
    /// `not_registered`, `registration_paused`, `registration_cancelled`, `not_covered_by_scheme`,
    /// `lapse_reminder`.
    pub reason: String,
    /// A reminder (再勧奨) of an unanswered form before its right lapses.
    pub reminder: bool,
    pub created_at: DateTime<Utc>,
}

/// What a patient paid one provider in the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderAmount {
    pub provider_code: String,
    pub provider_name: String,
    pub total_cost: i64,
    pub copayment: i64,
}

/// One patient of a household-month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patient {
    pub member_id: String,
    pub insured_number: String,
    pub name: String,
    pub birth_date: NaiveDate,
    pub providers: Vec<ProviderAmount>,
    /// This patient's part of the benefit.
    pub benefit: i64,
}

/// One claim as a notice counts it.
#[derive(Debug, Clone, Copy)]
pub struct ClaimLine<'a> {
    pub member_id: &'a str,
    pub provider_code: &'a str,
    pub provider_name: &'a str,
    pub total_cost: i64,
    pub copayment: i64,
}

/// Who a patient is, as a notice names them.
#[derive(Debug, Clone)]
pub struct PatientName {
    pub insured_number: String,
    pub name: String,
    pub birth_date: NaiveDate,
}

/// The patients of a household-month with what each paid each provider, in member-id and
/// provider-code order, and the month's totals `(total cost, copayment)`. A claim of a member
/// the household no longer lists counts in the totals only.
pub fn patients(
    claims: &[ClaimLine<'_>],
    names: &HashMap<String, PatientName>,
    benefits: &HashMap<String, i64>,
) -> (Vec<Patient>, i64, i64) {
    let mut by_member: BTreeMap<&str, BTreeMap<&str, ProviderAmount>> = BTreeMap::new();
    let (mut total_cost, mut total_copayment) = (0, 0);
    for c in claims {
        total_cost += c.total_cost;
        total_copayment += c.copayment;
        let p = by_member
            .entry(c.member_id)
            .or_default()
            .entry(c.provider_code)
            .or_insert_with(|| ProviderAmount {
                provider_code: c.provider_code.to_string(),
                provider_name: c.provider_name.to_string(),
                total_cost: 0,
                copayment: 0,
            });
        p.total_cost += c.total_cost;
        p.copayment += c.copayment;
    }
    let patients = by_member
        .into_iter()
        .filter_map(|(id, providers)| {
            let n = names.get(id)?;
            Some(Patient {
                member_id: id.to_string(),
                insured_number: n.insured_number.clone(),
                name: n.name.clone(),
                birth_date: n.birth_date,
                benefit: benefits.get(id).copied().unwrap_or(0),
                providers: providers.into_values().collect(),
            })
        })
        .collect();
    (patients, total_cost, total_copayment)
}

/// Totals of the scheme for the service months `from..=to` (`YYYY-MM`).
#[derive(Debug, Default, Clone, Copy)]
pub struct SchemeTotals {
    pub determinations: i64,
    pub determinations_with_benefit: i64,
    pub benefit_total: i64,
    pub automatic_payments: i64,
    pub automatic_amount: i64,
    pub offset_total: i64,
    pub failed_payments: i64,
    /// Paid on an application (支給申請), not automatically.
    pub application_payments: i64,
    pub application_amount: i64,
    /// Application forms mailed (reminders included).
    pub forms: i64,
    pub form_amount: i64,
    pub refunds: i64,
    pub refund_amount: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patients_group_by_member_and_provider_and_totals_count_every_claim() {
        let line = |member_id, provider_code, total_cost, copayment| ClaimLine {
            member_id,
            provider_code,
            provider_name: "病院",
            total_cost,
            copayment,
        };
        let claims = [
            line("m2", "1311111111", 100_000, 30_000),
            line("m1", "1322222222", 50_000, 15_000),
            line("m2", "1311111111", 20_000, 6_000),
            line("gone", "1311111111", 10_000, 3_000),
        ];
        let name = |n: &str| PatientName {
            insured_number: format!("B-{n}"),
            name: n.into(),
            birth_date: NaiveDate::from_ymd_opt(1980, 1, 1).unwrap(),
        };
        let names = HashMap::from([("m1".to_string(), name("m1")), ("m2".to_string(), name("m2"))]);
        let benefits = HashMap::from([("m2".to_string(), 12_000)]);
        let (ps, cost, copay) = patients(&claims, &names, &benefits);
        assert_eq!((cost, copay), (180_000, 54_000));
        assert_eq!(
            ps.iter().map(|p| p.member_id.as_str()).collect::<Vec<_>>(),
            ["m1", "m2"]
        );
        assert_eq!(ps[1].providers.len(), 1);
        assert_eq!(
            (ps[1].providers[0].total_cost, ps[1].providers[0].copayment),
            (120_000, 36_000)
        );
        assert_eq!((ps[0].benefit, ps[1].benefit), (0, 12_000));
    }
}
