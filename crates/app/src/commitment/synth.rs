//! Synthetic credit records and commitments for `proofless gen` and the commitment
//! benchmark (issue #6 "Performance"): ten credit records per person, their subjects'
//! status rows, and one commitment per person waiting for the daily sampling draw.

use std::time::Instant;

use proofless_domain::credit::{self, CreditStatus, RecordKind};
use proofless_store::Value;

use crate::App;
use crate::error::{AppError, AppResult};
use crate::synth::{Report, Scale, bulk};

/// Credit records per person.
pub const RECORDS_PER_SUBJECT: u64 = 10;

fn kind_of(i: u64) -> RecordKind {
    // Mostly kept promises; one subject in fifty broke one.
    if i % 500 == 7 {
        RecordKind::CommitmentFalse
    } else {
        RecordKind::CommitmentKept
    }
}

/// `subjects` subjects (`person:1`…) with `per` records each, and their status rows.
pub async fn credit_records(app: &App, subjects: u64, per: u64) -> AppResult<(u64, u64)> {
    let now = app.now_ms();
    let n = bulk(
        app,
        "INSERT INTO credit_records (subject_ref, kind, commitment_id, org_id, note, score_after, at) VALUES",
        (0..subjects * per).map(move |i| {
            let subject = i / per + 1;
            let kind = kind_of(i);
            vec![
                Value::from(format!("person:{subject}")),
                kind.as_str().into(),
                Value::from(None::<i64>),
                Value::from(None::<i64>),
                "合成信用记录".into(),
                credit::INITIAL_SCORE.into(),
                (now - (per - i % per) as i64 * 86_400_000).into(),
            ]
        }),
    )
    .await?;
    let s = bulk(
        app,
        "INSERT INTO credit_subjects (subject_ref, score, serious_records, blacklisted, updated_at) VALUES",
        (1..=subjects).map(move |subject| {
            let mut st = CreditStatus::default();
            for i in (subject - 1) * per..subject * per {
                st = credit::apply(&st, kind_of(i));
            }
            vec![
                Value::from(format!("person:{subject}")),
                st.score.into(),
                st.serious_records.into(),
                st.blacklisted.into(),
                now.into(),
            ]
        }),
    )
    .await?;
    Ok((n, s))
}

/// The ids a generated commitment refers to: a case, item, template, rule, person, orgs.
#[derive(Debug, Clone, Copy)]
pub struct Fixture {
    pub case_id: i64,
    pub proof_item_id: i64,
    pub template_id: i64,
    pub rule_id: i64,
    pub person_id: i64,
    pub org_id: i64,
    pub supervising_org_id: i64,
}

/// `n` signed commitments waiting for the sampling draw at `permille`, all on the fixture.
pub async fn pending_commitments(app: &App, f: Fixture, n: u64, permille: i64) -> AppResult<u64> {
    let now = app.now_ms();
    bulk(
        app,
        "INSERT INTO commitments (case_id, proof_item_id, template_id, rule_id, subject_ref, person_id, org_id, \
         supervising_org_id, channel, letter, sealed_id, state, plan_kind, plan_band, method, within_wd, \
         sample_permille, credit_score, sample_state, publish, signed_at) VALUES",
        (0..n).map(move |i| {
            vec![
                f.case_id.into(),
                f.proof_item_id.into(),
                f.template_id.into(),
                f.rule_id.into(),
                format!("person:{}", i + 1).into(),
                f.person_id.into(),
                f.org_id.into(),
                f.supervising_org_id.into(),
                "portal".into(),
                "{}".into(),
                format!("synthetic-{i}").into(),
                "signed".into(),
                "sample".into(),
                Value::from(1i64),
                "data_comparison".into(),
                Value::from(20i64),
                permille.into(),
                credit::INITIAL_SCORE.into(),
                "pending".into(),
                false.into(),
                now.into(),
            ]
        }),
    )
    .await
}

/// The `proofless gen` step: credit records for every person of the scale.
pub async fn generate(app: &App, s: &Scale, report: &mut Report) -> AppResult<()> {
    let t = Instant::now();
    let (records, subjects) = credit_records(app, s.persons, RECORDS_PER_SUBJECT).await?;
    report
        .lines
        .push(("credit records".into(), records, t.elapsed()));
    report.lines.push((
        "credit subjects".into(),
        subjects,
        std::time::Duration::ZERO,
    ));
    if records == 0 && s.persons > 0 {
        return Err(AppError::Internal("信用记录未写入".into()));
    }
    Ok(())
}
