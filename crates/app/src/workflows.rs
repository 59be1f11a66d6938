//! The composition root of the background work: which handler runs each job kind and which
//! sweeps every pass of the runner makes. Built once at start-up into [`crate::App`]; nothing
//! else imports this module, so the runner (`jobs`) knows no workflow and no workflow knows
//! another's jobs.

use std::sync::{Arc, LazyLock};

use proofless_store::Tx;

use crate::App;
use crate::error::AppResult;
use crate::jobs::{BoxFuture, Job, Outcome, Registry, Stage};
use crate::policy::AnySetting;
use crate::supervision;
use crate::{
    accountability, adjustment, applicants, calendar, cases, catalogue, commitment, complaints,
    credit, deadlines, verification,
};

/// Every trial-period setting (SPEC "Trial rules"), as the settings page lists them.
pub(crate) static POLICIES: &[&dyn AnySetting] = &[
    &verification::settings::RECLASSIFY_WINDOW_MINUTES,
    &catalogue::settings::STATUTORY_BASIS_KINDS,
    &catalogue::settings::IMPORT_HEADER_ALIASES,
    &verification::settings::REPORT_GRACE_MINUTES,
    &catalogue::settings::EXCLUDED_RISK_DOMAINS,
    &credit::settings::OBJECTION_DAYS,
    &credit::settings::REPAIR_MIN_DAYS,
    &credit::settings::KEPT_DELTA,
    &credit::settings::FALSE_DELTA,
    &credit::settings::BLACKLISTED_DELTA,
    &credit::settings::REPAIRED_DELTA,
    &credit::settings::LEVEL_THRESHOLDS_SETTING,
    &adjustment::settings::ADD_GROUNDS,
    &adjustment::settings::CHANGE_GROUNDS,
    &adjustment::settings::CANCEL_GROUNDS,
    &complaints::settings::GROUNDS,
    &complaints::settings::REJECT_GROUNDS,
    &complaints::settings::DUPLICATE_WINDOW_DAYS,
    &complaints::settings::DUPLICATE_MIN_SIMILARITY,
    &crate::sharing::settings::OUTSIDE_WORKING_DAYS,
    &crate::sharing::settings::CASE_CONSENT_DAYS,
    &cases::settings::PROXY_WORKING_DAYS,
    &cases::settings::SUPPLEMENT_WORKING_DAYS,
];

/// What follows a new version of a setting (see `policy::Follower`).
pub(crate) static POLICY_FOLLOWERS: &[(&str, crate::policy::Follower)] = &[(
    verification::settings::REPORT_GRACE_KEY,
    report_grace_follower,
)];

fn report_grace_follower(
    app: &App,
    effective_from: chrono::NaiveDate,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = AppResult<()>> + Send + '_>> {
    Box::pin(verification::follow_grace_version(app, effective_from))
}

static REGISTRY: LazyLock<Arc<Registry>> = LazyLock::new(|| Arc::new(build()));

/// The registry every [`App`] holds.
pub(crate) fn registry() -> Arc<Registry> {
    REGISTRY.clone()
}

fn build() -> Registry {
    let mut r = Registry::default();
    // Preparing sweeps, in this order: the calendar another instance changed is reloaded
    // before its reminder is planned and before anything falls due by it.
    r.sweep("calendar.refresh", Stage::Prepare, calendar::refresh_sweep)
        .sweep(
            "calendar.next_year",
            Stage::Prepare,
            calendar::reminder_sweep,
        )
        .sweep(
            "deadline.escalation",
            Stage::Escalate,
            deadlines::escalation_sweep,
        )
        // List adjustment: missing filings, gathering into published versions, the
        // half-year reminder (A3 §4, §5).
        .sweep("adjustment.sweep", Stage::Escalate, adjustment::sweep);
    r.job(deadlines::KIND_REMINDER, deadlines::reminder_job)
        .job(calendar::KIND_CALENDAR_NEXT_YEAR, calendar::next_year_job)
        .job(verification::KIND_AUTO_REPORT, verification_job)
        .job(verification::KIND_HALF_TIME, verification_job)
        .job(credit::blacklist::KIND_OBJECTION_END, objection_end_job)
        .job(commitment::checks::KIND_SAMPLING, sampling_job);
    // A decided case's e-archive, built once (SPEC R6.2).
    r.job(cases::KIND_ARCHIVE, crate::archive::archive_job);
    r.prepare(cases::KIND_ARCHIVE, crate::archive::prepare_archive);
    // Personal data re-encrypted under a rotated data key, a bounded slice per pass.
    r.sweep(applicants::SWEEP_REENCRYPT, Stage::Prepare, reencrypt_sweep);
    // Pulls whose city source was unavailable, retried with backoff (issue #18 §3, §4).
    r.job(crate::sharing::KIND_CITY_RETRY, sharing_retry_job);
    // Violation records become accountability proposals once each (A5 §4), after the jobs
    // of the previous pass recorded them.
    r.sweep(
        accountability::SWEEP_PROPOSE,
        Stage::Prepare,
        accountability_sweep,
    );
    // Results of 12345 work orders pushed to the platform, retried until delivered.
    r.sweep(
        complaints::hotline::SWEEP_CALLBACKS,
        Stage::Escalate,
        complaints::hotline::callback_sweep,
    );
    // Cases: late proxy tasks escalate, late supplements follow the unit's rule (R5.10).
    r.sweep("cases.overdue", Stage::Escalate, cases::overdue_sweep);
    // Supervision figures counted once per act from the audit log, and a commitment check
    // the engine escalated recorded as a violation (A5 §4(5)) before the proposals are made.
    r.sweep(
        supervision::SWEEP_FIGURES,
        Stage::Escalate,
        supervision_sweep,
    );
    r
}

fn supervision_sweep<'a>(app: &'a App, _runner: &'a str) -> BoxFuture<'a, usize> {
    Box::pin(async move {
        supervision::sweep_pending(app).await?;
        Ok(0)
    })
}

fn verification_job<'a>(tx: &'a mut Tx, app: &'a App, job: &'a Job) -> BoxFuture<'a, Outcome> {
    Box::pin(async move {
        let done = verification::run_job(tx, app, &job.kind, &job.payload, job.now).await?;
        Ok(Outcome::of(done))
    })
}

fn sharing_retry_job<'a>(tx: &'a mut Tx, app: &'a App, job: &'a Job) -> BoxFuture<'a, Outcome> {
    Box::pin(async move {
        let done = crate::sharing::run_city_retry(tx, app, &job.payload, job.now).await?;
        Ok(Outcome::of(done))
    })
}

fn objection_end_job<'a>(tx: &'a mut Tx, _app: &'a App, job: &'a Job) -> BoxFuture<'a, Outcome> {
    Box::pin(async move {
        let id = payload_i64(job, "proposal_id")?;
        let done = credit::blacklist::run_objection_end(tx, id, job.now).await?;
        Ok(Outcome::of(done))
    })
}

fn sampling_job<'a>(tx: &'a mut Tx, app: &'a App, job: &'a Job) -> BoxFuture<'a, Outcome> {
    Box::pin(async move {
        let seed = job.payload["seed"]
            .as_u64()
            .ok_or_else(|| bad_payload(job, "seed"))?;
        commitment::checks::run_sampling_in(tx, app, seed).await?;
        Ok(Outcome::Done)
    })
}

fn reencrypt_sweep<'a>(app: &'a App, _runner: &'a str) -> BoxFuture<'a, usize> {
    Box::pin(async move {
        applicants::reencrypt_pending(app, applicants::SWEEP_BUDGET).await?;
        Ok(0)
    })
}

fn accountability_sweep<'a>(app: &'a App, _runner: &'a str) -> BoxFuture<'a, usize> {
    Box::pin(async move {
        accountability::propose_pending(app).await?;
        Ok(0)
    })
}

fn payload_i64(job: &Job, field: &str) -> AppResult<i64> {
    job.payload[field]
        .as_i64()
        .ok_or_else(|| bad_payload(job, field))
}

fn bad_payload(job: &Job, field: &str) -> crate::error::AppError {
    crate::error::AppError::Internal(format!("任务 {} 的参数 {field} 无效", job.kind))
}
