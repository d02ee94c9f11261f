//! The insurer's scheme settings (支給方式の設定): which registered households are paid
//! automatically, whether NHI-tax arrears exclude a household, and the remitter (振込依頼人) of its
//! transfer files. Until an administrator stores settings, every registered household is paid
//! automatically, arrears without consent pause a registration, and the remitter is the one given
//! at start-up (`HOKENSHA_REMITTERS`). A stored remitter of `null` also means that start-up one.

use sea_orm::DatabaseConnection;

use super::check_version;
use crate::domain::Violations;
use crate::domain::application::{AutomaticPayment, BenefitScheme};
use crate::domain::ids::Actor;
use crate::domain::zengin::{Remitter, RemitterInput, RemitterSettings};
use crate::error::{ApiError, ErrorCode};
use crate::store::schemes as store;

/// Settings asked for.
#[derive(Debug, Clone)]
pub struct SchemeInput {
    pub automatic_payment: AutomaticPayment,
    pub exclude_tax_arrears: bool,
    pub remitter: Option<RemitterSettings>,
}

/// The settings in force for `insurer`; `startup` is its remitter from the environment.
pub async fn current(
    db: &impl sea_orm::ConnectionTrait,
    insurer: &str,
    startup: Option<&RemitterSettings>,
) -> Result<BenefitScheme, ApiError> {
    Ok(match store::get(db, insurer).await? {
        Some(s) if s.remitter.is_some() => s,
        Some(s) => BenefitScheme {
            remitter: startup.cloned(),
            ..s
        },
        None => BenefitScheme::default_with(startup.cloned()),
    })
}

/// The remitter the bank file can carry, or every field that is wrong (named under `remitter.`).
pub fn parse_remitter(r: &RemitterSettings) -> Result<Remitter, Violations> {
    Remitter::parse(&RemitterInput {
        remitter_code: &r.remitter_code,
        remitter_name_kana: &r.remitter_name_kana,
        bank_code: &r.bank_code,
        bank_name_kana: &r.bank_name_kana,
        branch_code: &r.branch_code,
        branch_name_kana: &r.branch_name_kana,
        account_type: &r.account_type,
        account_number: &r.account_number,
    })
    .map_err(|errors| {
        let mut v = Violations::new();
        for e in errors {
            v.push(format!("remitter.{}", e.field), e.message);
        }
        v
    })
}

/// Stores the settings (audited). `expected_version`: the version read (`If-Match`), 0 for the
/// defaults.
pub async fn put(
    db: &DatabaseConnection,
    actor: &Actor,
    startup: Option<&RemitterSettings>,
    expected_version: Option<i32>,
    input: SchemeInput,
) -> Result<BenefitScheme, ApiError> {
    if let Some(r) = &input.remitter {
        parse_remitter(r)?;
    }
    let stored = store::get(db, &actor.insurer).await?;
    let version = stored.as_ref().map_or(0, |s| s.version);
    check_version(expected_version, version)?;
    let next = BenefitScheme {
        automatic_payment: input.automatic_payment,
        exclude_tax_arrears: input.exclude_tax_arrears,
        remitter: input.remitter,
        version,
        updated_at: None,
    };
    store::put(db, actor, &next, version)
        .await?
        .ok_or_else(|| ApiError::Conflict {
            code: ErrorCode::SchemeChanged,
            detail: "the settings changed while they were being written; read them again".into(),
        })?;
    current(db, &actor.insurer, startup).await
}
