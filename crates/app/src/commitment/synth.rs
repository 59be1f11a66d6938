//! Synthetic credit records and commitments for `proofless gen` and the commitment
//! benchmark (issue #6 "Performance"): ten credit records per person, their subjects'
//! status rows, and one commitment per person waiting for the daily sampling draw.

use std::time::Instant;

use proofless_domain::credit::{self, CreditStatus, RecordKind};
use proofless_store::{Value, q};

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

/// One signed commitment to write: the ids it refers to and its sampling state.
#[derive(Debug, Clone)]
pub struct Signed {
    pub f: Fixture,
    pub subject_ref: String,
    pub sealed_id: String,
    /// `pending` (waits for the draw) or `not_drawn` (an earlier draw passed it over).
    pub sample_state: &'static str,
    pub sample_permille: i64,
    pub signed_at: i64,
}

/// Writes signed commitments in bulk, all with the data-comparison sampling plan of the
/// standard middle band (the plan most subjects get).
pub async fn insert_commitments(app: &App, rows: impl Iterator<Item = Signed>) -> AppResult<u64> {
    bulk(
        app,
        "INSERT INTO commitments (case_id, proof_item_id, template_id, rule_id, subject_ref, person_id, org_id, \
         supervising_org_id, channel, letter, sealed_id, state, plan_kind, plan_band, method, within_wd, \
         sample_permille, credit_score, sample_state, publish, signed_at) VALUES",
        rows.map(|c| {
            vec![
                c.f.case_id.into(),
                c.f.proof_item_id.into(),
                c.f.template_id.into(),
                c.f.rule_id.into(),
                c.subject_ref.into(),
                c.f.person_id.into(),
                c.f.org_id.into(),
                c.f.supervising_org_id.into(),
                "portal".into(),
                "{}".into(),
                c.sealed_id.into(),
                "signed".into(),
                "sample".into(),
                Value::from(1i64),
                "data_comparison".into(),
                Value::from(20i64),
                c.sample_permille.into(),
                credit::INITIAL_SCORE.into(),
                c.sample_state.into(),
                false.into(),
                c.signed_at.into(),
            ]
        }),
    )
    .await
}

/// `n` signed commitments waiting for the sampling draw at `permille`, all on the fixture.
pub async fn pending_commitments(app: &App, f: Fixture, n: u64, permille: i64) -> AppResult<u64> {
    let now = app.now_ms();
    insert_commitments(
        app,
        (0..n).map(move |i| Signed {
            f,
            subject_ref: format!("person:{}", i + 1),
            sealed_id: format!("synthetic-{i}"),
            sample_state: "pending",
            sample_permille: permille,
            signed_at: now,
        }),
    )
    .await
}

/// A generated commitment item with what signing it needs: its published template and
/// check rule, and the service item (of a generated unit) a case applies for.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    pub proof_item_id: i64,
    pub service_item_id: i64,
    pub service_org_id: i64,
    pub template_id: i64,
    pub rule_id: i64,
    pub supervising_org_id: i64,
}

/// Publishes a template and a check rule (standard bands, supervised by the item's own
/// unit) for every generated item replaced by commitment that has none yet, and returns
/// the slots. Marked synthetic in their text, like the generated legal bases.
pub async fn slots(app: &App) -> AppResult<Vec<Slot>> {
    let items: Vec<(i64, i64)> = app
        .db
        .reader()
        .fetch_all(q(
            "SELECT p.id, p.owner_org_id FROM proof_items p JOIN orgs o ON o.id = p.owner_org_id \
             WHERE o.name LIKE '合成单位%' AND EXISTS (SELECT 1 FROM replacements r \
             WHERE r.proof_item_id = p.id AND r.method = 'commitment') ORDER BY p.id",
        ))
        .await?;
    let now = app.now_ms();
    let bands = super::rules::parse_bands(&super::demo::standard_bands())
        .map_err(|_| AppError::Internal("标准核查分档无效".into()))
        .and_then(|b| serde_json::to_string(&b).map_err(|e| AppError::Internal(e.to_string())))?;
    // UNIQUE (proof_item_id, number) skips items done by an earlier run.
    bulk(
        app,
        "INSERT INTO commitment_templates (proof_item_id, number, obligation, content, checks, cooperation, \
         liability, publish_letters, stage, reviewer_name, reviewed_at, published_at, created_by, created_at, \
         updated_at) VALUES",
        items.iter().map(|(id, _)| {
            vec![
                (*id).into(),
                Value::from(1i64),
                "合成数据：申请人应当提供该证明，证明其符合办理条件。".into(),
                "合成数据：本人承诺所填报信息真实、准确、完整。".into(),
                "合成数据：行政机关可以通过数据比对等方式核查。".into(),
                "合成数据：申请人应当配合核查。".into(),
                "合成数据：承诺不实的，纳入信用记录。".into(),
                false.into(),
                proofless_domain::commitment::TemplateStage::Published.as_str().into(),
                "合成审查员".into(),
                now.into(),
                now.into(),
                "合成数据".into(),
                now.into(),
                now.into(),
            ]
        }),
    )
    .await?;
    bulk(
        app,
        "INSERT INTO commitment_rules (proof_item_id, number, supervising_org_id, standard, bands, created_by, \
         created_at) VALUES",
        items.iter().map(|(id, org)| {
            vec![
                (*id).into(),
                Value::from(1i64),
                (*org).into(),
                "合成数据：核查承诺内容与实际情况是否一致。".into(),
                bands.clone().into(),
                "合成数据".into(),
                now.into(),
            ]
        }),
    )
    .await?;
    let rows: Vec<(i64, i64, i64, i64, i64, i64)> = app
        .db
        .reader()
        .fetch_all(q(
            "SELECT p.id, s.id, s.org_id, t.id, r.id, r.supervising_org_id FROM proof_items p \
             JOIN orgs o ON o.id = p.owner_org_id \
             JOIN proof_item_services ps ON ps.proof_item_id = p.id \
             JOIN service_items s ON s.id = ps.service_item_id \
             JOIN commitment_templates t ON t.proof_item_id = p.id AND t.number = 1 \
             JOIN commitment_rules r ON r.proof_item_id = p.id AND r.number = 1 \
             WHERE o.name LIKE '合成单位%' ORDER BY p.id, s.id",
        ))
        .await?;
    Ok(rows
        .into_iter()
        .map(|(p, s, so, t, r, sup)| Slot {
            proof_item_id: p,
            service_item_id: s,
            service_org_id: so,
            template_id: t,
            rule_id: r,
            supervising_org_id: sup,
        })
        .collect())
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
