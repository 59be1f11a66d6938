//! Synthetic cases and commitments for `proofless gen` (issue #7 §1): cases of generated
//! persons at generated units, each with its assessment deadline, and for the first
//! `commitments` of them a signed commitment on a commitment item of the case's service,
//! so every reference points at a real row. Rows carry explicit ids so a case, its
//! deadline and its commitment are written by three bulk passes over the same plan.

use std::time::{Duration, Instant};

use proofless_domain::deadline::keys;
use proofless_store::{Value, q};

use crate::App;
use crate::commitment::synth::{Fixture, Signed, Slot, insert_commitments, slots};
use crate::error::AppResult;
use crate::synth::{Scale, bulk, progress};
use crate::synth_catalogue::next_id;

const DAY_MS: i64 = 86_400_000;
/// Generated case numbers; other case numbers start with `BJ`, so they never collide.
const PREFIX: &str = "GEN-";

/// One case of the plan, computed from its index alone.
struct Plan {
    id: i64,
    deadline_id: i64,
    no: String,
    org_id: i64,
    service_item_id: i64,
    person_id: i64,
    /// One case in twenty is still open, received in the last days: its deadline is due
    /// in the future, so the deadline runner has nothing to escalate yet.
    open: bool,
    created_at: i64,
    slot: Option<Slot>,
}

struct World {
    services: Vec<(i64, i64)>,
    slots: Vec<Slot>,
    persons: Vec<i64>,
    commitments: u64,
    first_case: i64,
    first_deadline: i64,
    /// Index of the first case written by this run.
    from: u64,
    now: i64,
}

impl World {
    fn plan(&self, j: u64) -> Plan {
        let k = j - self.from;
        let ju = usize::try_from(j).unwrap_or_default();
        // Cases with a commitment apply for a service that a commitment item belongs to.
        let slot = (j < self.commitments && !self.slots.is_empty())
            .then(|| self.slots[ju % self.slots.len()]);
        let (service_item_id, org_id) = match slot {
            Some(s) => (s.service_item_id, s.service_org_id),
            None => self.services[ju % self.services.len()],
        };
        let open = j.is_multiple_of(20);
        let ji = i64::try_from(j).unwrap_or_default();
        let created_at = if open {
            self.now - (ji % 5) * DAY_MS - ji % 3_600_000
        } else {
            self.now - (30 + ji % 335) * DAY_MS - ji % 3_600_000
        };
        let off = i64::try_from(k).unwrap_or_default();
        Plan {
            id: self.first_case + off,
            deadline_id: self.first_deadline + off,
            no: format!("{PREFIX}{j:09}"),
            org_id,
            service_item_id,
            // A prime stride spreads one person's cases over the year.
            person_id: self.persons[(ju.wrapping_mul(7919)) % self.persons.len()],
            open,
            created_at,
            slot,
        }
    }
}

/// Writes the scale's cases (with deadlines) and commitments; completes a partly
/// generated set, counting the generated cases already there.
pub async fn generate(app: &App, s: &Scale) -> AppResult<[(String, u64, Duration); 2]> {
    let t = Instant::now();
    let mut r = app.db.reader();
    let services: Vec<(i64, i64)> = r
        .fetch_all(q(
            "SELECT s.id, s.org_id FROM service_items s JOIN orgs o ON o.id = s.org_id \
             WHERE o.name LIKE '合成单位%' ORDER BY s.id",
        ))
        .await?;
    let persons: Vec<i64> = r
        .fetch_all::<(i64,)>(q("SELECT id FROM persons ORDER BY id"))
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect();
    let from = u64::try_from(
        r.scalar_i64(q("SELECT COUNT(*) FROM cases WHERE case_no LIKE 'GEN-%'"))
            .await?,
    )
    .unwrap_or_default();
    if services.is_empty() || persons.is_empty() || from >= s.cases {
        return Ok([
            ("cases".into(), 0, t.elapsed()),
            ("commitments".into(), 0, Duration::ZERO),
        ]);
    }
    let w = World {
        services,
        slots: slots(app).await?,
        persons,
        commitments: s.commitments,
        first_case: next_id(app, "cases").await?,
        first_deadline: next_id(app, "deadlines").await?,
        from,
        now: app.now_ms(),
    };
    let todo = s.cases - from;
    let pb = progress("办件", todo * 2);
    bulk(
        app,
        "INSERT INTO deadlines (id, subject_type, subject_id, org_id, rule_key, rule_version, start_at, period, \
         state, due_at, rule_due_at, effective_start, calendar_version, calendar_complete, done_at, created_by, \
         created_at, updated_at) VALUES",
        (from..s.cases).map(|j| {
            pb.inc(1);
            let p = w.plan(j);
            // 20 working days is about four weeks; the open ones get their exact due
            // instants from the calendar below (empty calendar version = not computed).
            let due = p.created_at + 28 * DAY_MS;
            vec![
                p.deadline_id.into(),
                "case".into(),
                p.no.into(),
                p.org_id.into(),
                keys::CASE_PROMISED.into(),
                Value::from(1i64),
                p.created_at.into(),
                "20wd".into(),
                if p.open { "open" } else { "done" }.into(),
                due.into(),
                due.into(),
                p.created_at.into(),
                "".into(),
                true.into(),
                (!p.open).then_some(p.created_at + 10 * DAY_MS).into(),
                "合成数据".into(),
                p.created_at.into(),
                p.created_at.into(),
            ]
        }),
    )
    .await?;
    let cases = bulk(
        app,
        "INSERT INTO cases (id, case_no, org_id, service_item_id, applicant_kind, applicant_id, immediate, state, \
         outcome, assessment_deadline_id, created_by, created_at, decided_at, updated_at) VALUES",
        (from..s.cases).map(|j| {
            pb.inc(1);
            let p = w.plan(j);
            let decided = (!p.open).then_some(p.created_at + 10 * DAY_MS);
            vec![
                p.id.into(),
                p.no.into(),
                p.org_id.into(),
                p.service_item_id.into(),
                "person".into(),
                p.person_id.into(),
                false.into(),
                if p.open { "open" } else { "decided" }.into(),
                (!p.open).then_some("approved").into(),
                p.deadline_id.into(),
                "合成数据".into(),
                p.created_at.into(),
                decided.into(),
                decided.unwrap_or(p.created_at).into(),
            ]
        }),
    )
    .await?;
    pb.finish();
    // The same recomputation a calendar change triggers: due instants of open deadlines
    // by the working-day calendar, so reminders and escalation see real figures.
    crate::deadlines::recompute_open(app).await?;
    let cases_line = ("cases".to_owned(), cases, t.elapsed());

    let t = Instant::now();
    let with = s.commitments.min(s.cases).saturating_sub(from);
    let pb = progress("承诺", with);
    let commitments = insert_commitments(
        app,
        (from..from + with).filter_map(|j| {
            pb.inc(1);
            let p = w.plan(j);
            let slot = p.slot?;
            Some(Signed {
                f: Fixture {
                    case_id: p.id,
                    proof_item_id: slot.proof_item_id,
                    template_id: slot.template_id,
                    rule_id: slot.rule_id,
                    person_id: p.person_id,
                    org_id: p.org_id,
                    supervising_org_id: slot.supervising_org_id,
                },
                subject_ref: format!("person:{}", p.person_id),
                sealed_id: format!("gen-{}", p.no),
                // Open cases were signed lately and wait for the next draw.
                sample_state: if p.open { "pending" } else { "not_drawn" },
                sample_permille: 200,
                signed_at: p.created_at + 3_600_000,
            })
        }),
    )
    .await?;
    pb.finish();
    for table in ["deadlines", "cases"] {
        if let Some(reset) = app.db.dialect().reset_id_sequence(table) {
            app.db.reader().fetch_optional::<(i64,)>(reset).await?;
        }
    }
    Ok([cases_line, ("commitments".into(), commitments, t.elapsed())])
}
