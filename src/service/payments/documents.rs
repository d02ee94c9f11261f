//! The documents of a determination: the decision notice of a payment (支給決定通知書) and the
//! pre-filled application form (turnaround form) of a household that is not registered.

use std::collections::HashMap;

use sea_orm::DatabaseConnection;

use crate::domain::benefit::{Determination, DeterminationStatus};
use crate::domain::disbursement::{self as rules, ClaimLine, IssuedForm, Offset, Patient, PatientName, Payment};
use crate::domain::household::Household;
use crate::domain::ids::{DeterminationId, PaymentId};
use crate::domain::kogaku::limit_on_notice;
use crate::domain::payment::Registration;
use crate::error::{ApiError, ErrorCode};
use crate::store::{benefits, claims, households, members, payments, registrations};

/// The limit a calculation ended on, as a notice shows it.
#[derive(Debug, Clone)]
pub struct LimitApplied {
    pub limit: i64,
    pub rule: String,
    pub limit_kind: String,
    pub source: String,
}

/// The household-month behind a determination: who is addressed, the patients and the totals.
#[derive(Debug, Clone)]
pub struct HouseholdMonth {
    pub household: Household,
    pub patients: Vec<Patient>,
    pub total_cost: i64,
    pub total_copayment: i64,
    pub limit: Option<LimitApplied>,
}

/// What a decision notice says.
#[derive(Debug, Clone)]
pub struct Notice {
    pub payment: Payment,
    pub determination: Determination,
    pub month: HouseholdMonth,
    pub offset: Option<Offset>,
}

/// What a pre-filled application form says.
#[derive(Debug, Clone)]
pub struct Form {
    pub determination: Determination,
    pub month: HouseholdMonth,
    /// The form record, when a run issued it.
    pub issued: Option<IssuedForm>,
    /// The household's latest registration, whose account the form offers again.
    pub previous: Option<Registration>,
}

async fn household_month(
    db: &DatabaseConnection,
    insurer: &str,
    d: &Determination,
) -> Result<HouseholdMonth, ApiError> {
    let household = households::get(db, insurer, &d.household_id)
        .await?
        .ok_or_else(|| ApiError::Internal("determination without household".into()))?;
    let names: HashMap<String, PatientName> = members::of_households(db, insurer, &[d.household_id.as_str()])
        .await?
        .into_iter()
        .map(|m| {
            let name = PatientName {
                insured_number: m.data.insured_number.to_string(),
                name: m.data.name,
                birth_date: m.data.birth_date,
            };
            (m.id, name)
        })
        .collect();
    let rows = claims::active_of_household_month(db, insurer, &d.household_id, &d.service_month).await?;
    let lines: Vec<ClaimLine<'_>> = rows
        .iter()
        .map(|c| ClaimLine {
            member_id: &c.member_id,
            provider_code: &c.fields.provider_code,
            provider_name: &c.fields.provider_name,
            total_cost: c.fields.total_cost,
            copayment: c.fields.copayment,
        })
        .collect();
    let benefits: HashMap<String, i64> = d.members.iter().map(|m| (m.member_id.clone(), m.benefit)).collect();
    let (patients, total_cost, total_copayment) = rules::patients(&lines, &names, &benefits);
    let limit = limit_on_notice(&d.steps).map(|s| LimitApplied {
        limit: s.limit,
        rule: s.rule.clone(),
        limit_kind: s.limit_kind.clone(),
        source: s.source.clone(),
    });
    Ok(HouseholdMonth {
        household,
        patients,
        total_cost,
        total_copayment,
        limit,
    })
}

/// The decision notice of a payment.
pub async fn notice(db: &DatabaseConnection, insurer: &str, payment_id: &PaymentId) -> Result<Notice, ApiError> {
    let payment = super::records::payment(db, insurer, payment_id).await?;
    let determination = benefits::get(db, insurer, &payment.determination_id)
        .await?
        .ok_or_else(|| ApiError::Internal("payment without determination".into()))?;
    let month = household_month(db, insurer, &determination).await?;
    let offset = payments::offset_of(db, insurer, &payment.id).await?;
    Ok(Notice {
        payment,
        determination,
        month,
        offset,
    })
}

/// The pre-filled application form of a determination that is not superseded.
pub async fn form(
    db: &DatabaseConnection,
    insurer: &str,
    determination_id: &DeterminationId,
) -> Result<Form, ApiError> {
    let determination_id = determination_id.as_str();
    let determination = benefits::get(db, insurer, determination_id)
        .await?
        .ok_or(ApiError::NotFound(ErrorCode::DeterminationNotFound))?;
    if determination.status == DeterminationStatus::Superseded {
        return Err(ApiError::Conflict {
            code: ErrorCode::DeterminationSuperseded,
            detail: format!(
                "superseded by {}",
                determination.superseded_by.clone().unwrap_or_default()
            ),
        });
    }
    let month = household_month(db, insurer, &determination).await?;
    let issued = payments::form_of(db, insurer, &determination.id).await?;
    let previous = registrations::latest_of(db, insurer, &determination.household_id).await?;
    Ok(Form {
        determination,
        month,
        issued,
        previous,
    })
}
