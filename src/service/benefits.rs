//! Long runs and the use cases they share: calculating household-months of the high-cost benefit
//! (高額療養費) from stored data, and the monthly benefit run (a job with progress, resumable after
//! a restart, idempotent: a household-month whose inputs did not change is not recalculated).

use std::collections::BTreeSet;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait};
use sha2::{Digest, Sha256};

use super::runs::{self, Run, RunRecord};
use crate::domain::benefit::{BenefitRun, Determination, DeterminationStatus, RunFailure};
use crate::domain::calendar::YearMonth;
use crate::domain::household::category_on;
use crate::domain::ids::{BenefitRunId, DeterminationId, HouseholdId};
use crate::domain::kogaku::{self, KogakuError, ProviderCode, StepRecord};
use crate::domain::money::Yen;
use crate::domain::page::{Page, PageRequest};
use crate::error::{ApiError, ErrorCode, kogaku_error};
pub use crate::store::benefits::DeterminationFilter;
use crate::store::benefits::{self, HouseholdMonthData, Households, NewDetermination};
use crate::store::{Actor, households};

/// Bumped when the engine changes what it answers, so that stored results are recalculated.
const ENGINE_VERSION: &str = "kogaku-2";
/// Households per page of a run.
const RUN_PAGE: u64 = 500;

/// Why one household-month could not be calculated.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CalcError {
    #[error("{0}")]
    Rules(#[from] KogakuError),
    #[error("the household has no income category for {0}")]
    NoIncomeCategory(YearMonth),
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
}

impl CalcError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Rules(e) => e.code(),
            Self::NoIncomeCategory(_) => "missing_income_category",
            Self::Corrupt(_) => "corrupt_data",
        }
    }
}

/// A failure of a whole job: the database, or one household's rules.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error("household {household_id}: {error}")]
    Calc { household_id: String, error: CalcError },
}

pub use crate::domain::benefit::{StoredExclusion, StoredMemberBenefit};

/// What happened to one household-month.
#[derive(Debug, Clone)]
pub struct Calculated {
    /// The current determination's id.
    pub id: String,
    pub household_id: String,
    /// False when the stored determination was still current.
    pub changed: bool,
}

fn corrupt(e: impl std::fmt::Display) -> CalcError {
    CalcError::Corrupt(e.to_string())
}

/// The engine's inputs and their fingerprint for one household-month.
fn engine_inputs(
    month: YearMonth,
    data: &HouseholdMonthData,
) -> Result<(kogaku::HouseholdMonthInputs, String), CalcError> {
    let periods = households::parse_income_categories(&data.household.income_categories).map_err(corrupt)?;
    let period = category_on(&periods, month.first_day()).ok_or(CalcError::NoIncomeCategory(month))?;
    let categories = kogaku::IncomeCategories {
        under70: period.under70,
        age70to74: period.age70to74,
    };
    let mut fp = Sha256::new();
    fp.update(format!(
        "{ENGINE_VERSION}|{month}|{}|{:?}\n",
        period.under70.code(),
        period.age70to74.map(|c| c.code())
    ));
    let members: Vec<kogaku::Member> = data
        .members
        .iter()
        .map(|m| {
            fp.update(format!("m|{}|{}|{:?}\n", m.id, m.data.birth_date, m.data.lost_on));
            kogaku::Member {
                id: m.id.as_str().into(),
                birth_date: m.data.birth_date,
                lost_on: m.data.lost_on,
                joined_on_insured_turning_75: false,
            }
        })
        .collect();
    let mut claims = Vec::with_capacity(data.claims.len());
    for c in &data.claims {
        fp.update(format!("c|{}|{}\n", c.id, c.version));
        let f = &c.fields;
        claims.push(kogaku::Claim {
            member_id: c.member_id.as_str().into(),
            provider: ProviderCode::parse(&f.provider_code).map_err(corrupt)?,
            kind: f.kind,
            setting: f.setting,
            prescribing_provider: f
                .prescribing_provider_code
                .as_deref()
                .map(ProviderCode::parse)
                .transpose()
                .map_err(corrupt)?,
            prescribed_by_dentist: false,
            total_cost: Yen::new(f.total_cost),
            copayment: Yen::new(f.copayment),
            first_service_on: f.first_service_on,
            specific_disease: None,
            window_benefit: Yen::new(f.window_benefit.unwrap_or(0)),
        });
    }
    let mut history = Vec::with_capacity(data.earlier.len());
    for d in &data.earlier {
        fp.update(format!("h|{}|{}\n", d.service_month, d.counts_toward_multiple));
        history.push(kogaku::HistoryMonth {
            service_month: YearMonth::parse(&d.service_month).map_err(corrupt)?,
            counts_toward_multiple: d.counts_toward_multiple,
        });
    }
    let inputs = kogaku::HouseholdMonthInputs {
        service_month: month,
        categories,
        members,
        claims,
        history,
    };
    Ok((inputs, hex::encode(fp.finalize())))
}

/// Calculates one household-month from its stored data: `None` when the current determination is
/// still right.
pub fn calculate(
    insurer: &str,
    month: YearMonth,
    data: &HouseholdMonthData,
) -> Result<Option<NewDetermination>, CalcError> {
    let (inputs, fingerprint) = engine_inputs(month, data)?;
    if data.current.as_ref().is_some_and(|c| c.fingerprint == fingerprint) {
        return Ok(None);
    }
    let d = kogaku::determine(&inputs.view())?;
    let member_json: Vec<StoredMemberBenefit> = d
        .members
        .iter()
        .map(|m| StoredMemberBenefit {
            member_id: m.member_id.to_string(),
            benefit: m.benefit.as_i64(),
        })
        .collect();
    let steps: Vec<StepRecord> = d.steps.iter().map(StepRecord::from).collect();
    let excluded: Vec<StoredExclusion> = d
        .excluded_claims
        .iter()
        .map(|e| StoredExclusion {
            index: e.index,
            claim_id: data.claims.get(e.index).map(|c| c.id.clone()).unwrap_or_default(),
            reason: e.reason.code().to_string(),
        })
        .collect();
    let review: Vec<&str> = d.review.iter().map(|r| r.code()).collect();
    let json = [
        serde_json::to_string(&member_json).map_err(corrupt)?,
        serde_json::to_string(&steps).map_err(corrupt)?,
        serde_json::to_string(&excluded).map_err(corrupt)?,
        serde_json::to_string(&review).map_err(corrupt)?,
    ];
    let model = benefits::new_row(
        insurer,
        &data.household.id,
        &month.to_string(),
        d.rule_set,
        d.total_benefit.as_i64(),
        d.multiple_applied,
        d.counts_toward_multiple,
        json,
        fingerprint,
        kogaku::lapses_after(month, None),
        data.current.as_ref(),
    );
    Ok(Some(NewDetermination {
        model,
        replaces: data.current.clone(),
    }))
}

/// Calculates and stores the given households' determinations for `month` in one transaction.
/// With `stop_on_error` one failing household fails the whole call (the single-household API);
/// otherwise failures are returned beside the results (a run).
pub async fn calculate_households(
    db: &DatabaseConnection,
    actor: &Actor,
    month: YearMonth,
    household_ids: &[String],
    stop_on_error: bool,
) -> Result<(Vec<Calculated>, Vec<(String, CalcError)>), JobError> {
    let txn = db.begin().await?;
    if !stop_on_error {
        // Batch recalculation can always be redone (runs resume from their cursor, fingerprints
        // make a redo harmless), so it does not wait for each commit's WAL flush.
        benefits::relax_commit(&txn).await?;
    }
    let out = calculate_in(&txn, actor, month, Households::Ids(household_ids), stop_on_error, true).await?;
    txn.commit().await?;
    Ok(out)
}

/// [`calculate_households`] inside the caller's transaction.
async fn calculate_in(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    month: YearMonth,
    households: Households<'_>,
    stop_on_error: bool,
    audit_new: bool,
) -> Result<(Vec<Calculated>, Vec<(String, CalcError)>), JobError> {
    let m = month.to_string();
    let from = (0..11).fold(month, |x, _| x.pred()).to_string();
    let data = benefits::load(txn, &actor.insurer, &m, &from, households).await?;
    let mut out = Vec::with_capacity(data.len());
    let mut new = Vec::new();
    let mut failures = Vec::new();
    for d in &data {
        match calculate(&actor.insurer, month, d) {
            Ok(Some(n)) => {
                out.push(Calculated {
                    id: n.model.id.clone(),
                    household_id: n.model.household_id.clone(),
                    changed: true,
                });
                new.push(n);
            }
            Ok(None) => {
                if let Some(c) = &d.current {
                    out.push(Calculated {
                        id: c.id.clone(),
                        household_id: c.household_id.clone(),
                        changed: false,
                    });
                }
            }
            Err(error) if stop_on_error => {
                return Err(JobError::Calc {
                    household_id: d.household.id.clone(),
                    error,
                });
            }
            Err(error) => failures.push((d.household.id.clone(), error)),
        }
    }
    benefits::save(txn, actor, &new, audit_new).await?;
    Ok((out, failures))
}

/// Recalculates, of the household-months whose claims changed (household id, service month), those
/// that already have a current determination: the old one becomes `superseded` and the new one
/// shows the difference. Household-months without a determination wait for their first
/// calculation. Returns how many determinations were replaced.
pub async fn recalculate_changed(
    db: &DatabaseConnection,
    actor: &Actor,
    changed: &BTreeSet<(String, String)>,
) -> Result<usize, JobError> {
    let mut by_month: std::collections::BTreeMap<&str, Vec<&str>> = std::collections::BTreeMap::new();
    for (household, month) in changed {
        by_month.entry(month.as_str()).or_default().push(household.as_str());
    }
    let mut replaced = 0;
    for (month, households) in by_month {
        let Ok(ym) = YearMonth::parse(month) else { continue };
        let ids = benefits::with_current(db, &actor.insurer, month, &households).await?;
        for chunk in ids.chunks(RUN_PAGE as usize) {
            let (done, failed) = calculate_households(db, actor, ym, chunk, false).await?;
            replaced += done.iter().filter(|c| c.changed).count();
            for (household_id, e) in failed {
                tracing::warn!(household = %household_id, code = e.code(), "changed household-month not recalculated");
            }
        }
    }
    Ok(replaced)
}

/// A benefit run of one service month: pages of households in id order, several at once on
/// PostgreSQL (one page's round trips overlap another's work; SQLite has one writer). Progress is
/// recorded after each batch, in order: a crash in between redoes its pages, which the
/// fingerprints make harmless.
pub struct BenefitRunner {
    actor: Actor,
    month: Result<YearMonth, String>,
}

impl BenefitRunner {
    pub fn new(run: &BenefitRun) -> Self {
        Self {
            actor: runs::actor_of(run),
            month: YearMonth::parse(&run.service_month).map_err(|_| "bad service month".to_string()),
        }
    }
}

impl Run for BenefitRunner {
    type Record = BenefitRun;

    const READS: &'static str = "households, members, claims, audit_events, benefit_determinations";
    const WRITES: &'static str = "benefit_determinations";
    const AUDIT_END: bool = true;

    async fn page(&mut self, db: &DatabaseConnection, run: &BenefitRun) -> Result<Option<BenefitRun>, String> {
        let month = self.month.clone()?;
        let parallel = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => 3,
            _ => 1,
        };
        // The next pages, in household-id order.
        let mut batch: Vec<(Option<String>, String, Vec<String>)> = Vec::with_capacity(parallel);
        let mut after = run.cursor.clone();
        for _ in 0..parallel {
            let page =
                benefits::households_with_claims(db, &run.insurer, &run.service_month, after.as_deref(), RUN_PAGE)
                    .await
                    .map_err(|e| e.to_string())?;
            let Some(last) = page.last().cloned() else { break };
            batch.push((after, last.clone(), page));
            after = Some(last);
        }
        if batch.is_empty() {
            return Ok(None);
        }
        let results = futures_util::future::join_all(batch.iter().map(|(after, last, page)| {
            let range = Households::Range {
                after: after.as_deref(),
                through: last,
                ids: page,
            };
            run_page(db, &self.actor, month, run, range)
        }))
        .await;
        let mut next = run.clone();
        for (result, (_, last, page)) in results.into_iter().zip(batch) {
            let (done, failed) = result.map_err(|e| e.to_string())?;
            let changed = done.iter().filter(|c| c.changed).count() as i32;
            next.calculated += changed;
            next.unchanged += done.len() as i32 - changed;
            next.failed += failed.len() as i32;
            for (household_id, e) in &failed {
                tracing::warn!(run = %run.id, household = %household_id, code = e.code(), "household not calculated");
                if next.failures.len() < 100 {
                    next.failures.push(RunFailure {
                        household_id: household_id.clone(),
                        code: e.code().to_string(),
                        detail: e.to_string(),
                    });
                }
            }
            next.done += page.len() as i32;
            next.total = next.total.max(next.done);
            next.cursor = Some(last);
        }
        next.save(db).await.map_err(|e| e.to_string())?;
        Ok(Some(next))
    }
}

/// Calculates one page of a run and clears its households' recalculation flags, in one
/// transaction.
async fn run_page(
    db: &DatabaseConnection,
    actor: &Actor,
    month: YearMonth,
    run: &BenefitRun,
    range: Households<'_>,
) -> Result<(Vec<Calculated>, Vec<(String, CalcError)>), JobError> {
    let txn = db.begin().await?;
    // A page can always be redone (fingerprints make a redo harmless), so it does not wait for
    // its commit's WAL flush.
    benefits::relax_commit(&txn).await?;
    let (done, failed) = calculate_in(&txn, actor, month, range, false, false).await?;
    let failed_ids: Vec<&str> = failed.iter().map(|(h, _)| h.as_str()).collect();
    benefits::clear_flags(&txn, &run.insurer, &run.service_month, range, &failed_ids).await?;
    txn.commit().await?;
    Ok((done, failed))
}

/// Resumes every benefit run a stopped process left running. Called once at start.
pub async fn resume_runs(db: &DatabaseConnection) -> Result<usize, DbErr> {
    runs::resume(db, BenefitRunner::new).await
}

/// How a failed calculation answers: the engine's refusals are 422 naming the claim field.
impl From<JobError> for ApiError {
    fn from(e: JobError) -> Self {
        match e {
            JobError::Db(db) => db.into(),
            JobError::Calc {
                error: CalcError::Rules(k),
                ..
            } => kogaku_error(k, "claims"),
            JobError::Calc {
                error: e @ CalcError::NoIncomeCategory(_),
                ..
            } => ApiError::Unprocessable {
                code: ErrorCode::MissingIncomeCategory,
                detail: e.to_string(),
            },
            JobError::Calc {
                error: CalcError::Corrupt(msg),
                ..
            } => ApiError::Internal(msg),
        }
    }
}

fn determination_not_found() -> ApiError {
    ApiError::NotFound(ErrorCode::DeterminationNotFound)
}

/// The month's rule table exists (a month before the tables or far ahead is refused).
pub fn ensure_rule_table(m: YearMonth) -> Result<(), ApiError> {
    kogaku::rule_set_for(m)
        .map(|_| ())
        .map_err(|e| kogaku_error(e, "claims"))
}

/// Calculates (or recalculates) one household-month from what is stored. `changed` is false when
/// the stored determination already answered the same data.
pub async fn calculate_one(
    db: &DatabaseConnection,
    actor: &Actor,
    household_id: &HouseholdId,
    month: YearMonth,
) -> Result<(Determination, bool), ApiError> {
    let household_id = household_id.as_str();
    ensure_rule_table(month)?;
    let household = households::get(db, &actor.insurer, household_id)
        .await?
        .ok_or(ApiError::NotFound(ErrorCode::HouseholdNotFound))?;
    let (mut done, _) = calculate_households(db, actor, month, std::slice::from_ref(&household.id), true).await?;
    let c = done
        .pop()
        .ok_or_else(|| ApiError::Internal("no determination".into()))?;
    let d = benefits::get(db, &actor.insurer, &c.id)
        .await?
        .ok_or_else(determination_not_found)?;
    Ok((d, c.changed))
}

pub async fn list(
    db: &DatabaseConnection,
    insurer: &str,
    filter: &DeterminationFilter,
    page: &PageRequest,
) -> Result<Page<Determination>, ApiError> {
    Ok(benefits::list(db, insurer, filter, page).await?)
}

pub async fn get(db: &DatabaseConnection, insurer: &str, id: &DeterminationId) -> Result<Determination, ApiError> {
    let id = id.as_str();
    benefits::get(db, insurer, id)
        .await?
        .ok_or_else(determination_not_found)
}

/// Decides a calculated determination (支給決定); deciding a decided one changes nothing.
pub async fn decide(db: &DatabaseConnection, actor: &Actor, id: &DeterminationId) -> Result<Determination, ApiError> {
    let d = get(db, &actor.insurer, id).await?;
    match d.status {
        DeterminationStatus::Decided => return Ok(d),
        DeterminationStatus::Calculated => {}
        other => {
            return Err(ApiError::Conflict {
                code: ErrorCode::DeterminationNotCalculated,
                detail: format!("a {} determination cannot be decided", other.as_str()),
            });
        }
    }
    benefits::decide(db, actor, &d)
        .await?
        .ok_or_else(|| ApiError::Conflict {
            code: ErrorCode::DeterminationChanged,
            detail: "the determination changed while it was being decided".into(),
        })
}

/// Starts the run of a month in the background; a second start while one runs is 409.
pub async fn start_run(db: &DatabaseConnection, actor: &Actor, month: YearMonth) -> Result<BenefitRun, ApiError> {
    ensure_rule_table(month)?;
    let ms = month.to_string();
    if let Some(r) = benefits::running_run(db, &actor.insurer, &ms).await? {
        return Err(ApiError::Conflict {
            code: ErrorCode::RunInProgress,
            detail: format!("run {} of {ms} is still running", r.id),
        });
    }
    let total = benefits::count_households_with_claims(db, &actor.insurer, &ms).await?;
    let run = benefits::create_run(db, actor, &ms, total).await?;
    actix_web::rt::spawn(runs::drive(db.clone(), BenefitRunner::new(&run), run.clone()));
    Ok(run)
}

pub async fn get_run(db: &DatabaseConnection, insurer: &str, id: &BenefitRunId) -> Result<BenefitRun, ApiError> {
    let id = id.as_str();
    benefits::get_run(db, insurer, id)
        .await?
        .ok_or(ApiError::NotFound(ErrorCode::BenefitRunNotFound))
}

/// The tenant's benefit runs, oldest first, by service month and status when given.
pub async fn list_runs(
    db: &DatabaseConnection,
    insurer: &str,
    month: Option<YearMonth>,
    status: Option<crate::domain::run::RunStatus>,
    updated_since: Option<chrono::DateTime<chrono::Utc>>,
    page: &PageRequest,
) -> Result<Page<BenefitRun>, ApiError> {
    let month = month.map(|m| m.to_string());
    Ok(benefits::list_runs(db, insurer, month.as_deref(), status, updated_since, page).await?)
}
