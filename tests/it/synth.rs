//! `proofless gen`: a synthetic world whose codes are valid and whose audit chain
//! verifies (issue #7 §1).

use proofless_domain::codes::{CreditCode, ResidentId};
use proofless_fixtures::synth::{self, Scale};
use proofless_store::q;

use crate::common::{Backend, fresh_app};

async fn a_generated_world_has_valid_codes_and_an_intact_audit_chain(b: Backend) {
    let Some((app, _clock, _dir)) = fresh_app(b).await else {
        return;
    };
    let scale = Scale {
        name: "tiny",
        cities: 2,
        counties_per_city: 2,
        towns_per_county: 3,
        villages_per_town: 4,
        orgs: 50,
        persons: 1_234,
        audit_rows: 45_001,
        proof_items: 300,
        cases: 500,
        commitments: 200,
        complaints: 400,
        adjustments: 30,
    };
    let report = synth::generate(&app, &scale).await.unwrap();
    let count = |what: &str| {
        report
            .lines
            .iter()
            .find(|l| l.0 == what)
            .map(|l| l.1)
            .unwrap()
    };
    // 2 cities + 4 counties + 12 towns + 48 villages.
    assert_eq!(count("regions"), 66);
    assert_eq!(count("persons"), 1_234);
    assert_eq!(count("audit rows"), 45_001);
    assert_eq!(count("proof items"), 300);
    assert_eq!(count("cases"), 500);
    assert_eq!(count("commitments"), 200);
    assert_eq!(count("complaints"), 400);
    assert_eq!(count("adjustments"), 30);
    // The generated lists are published: the public search serves them.
    app.catalogue.refresh(&app).await.unwrap();
    assert_eq!(app.catalogue.len(), 300);
    let p = proofless_app::catalogue::public::SearchParams {
        q: Some("户籍".to_owned()),
        method: Some("verification".to_owned()),
        ..Default::default()
    };
    let page = proofless_app::catalogue::public::search(&app, &p)
        .await
        .unwrap();
    assert!(page.total > 0);
    assert!(page.items.iter().all(|i| {
        i.methods
            .contains(&proofless_domain::catalogue::ReplacementMethod::Verification)
    }));
    let mut r = app.db.reader();
    let codes: Vec<(String,)> = r
        .fetch_all(q(
            "SELECT credit_code FROM orgs WHERE name LIKE '合成单位%'",
        ))
        .await
        .unwrap();
    assert_eq!(codes.len(), 50);
    assert!(codes.iter().all(|(c,)| CreditCode::parse(c).is_ok()));
    let ids: Vec<(String,)> = r
        .fetch_all(q("SELECT resident_id_enc FROM persons"))
        .await
        .unwrap();
    for (enc,) in &ids {
        let rid = proofless_app::applicants::reveal_resident_id(&app, enc)
            .await
            .unwrap();
        assert!(ResidentId::parse(&rid).is_ok());
    }
    let villages = r
        .scalar_i64(q(
            "SELECT COUNT(*) FROM regions WHERE level = 'village' AND parent_code LIKE '3701%'",
        ))
        .await
        .unwrap();
    assert_eq!(villages, 2 * 3 * 4);
    let v = proofless_app::audit::verify(&app.db).await.unwrap();
    assert!(v.ok, "{:?}", v.problem);
    // The generated rows, and one per batch manifest the issuers sealed (data sharing).
    let sealed = r
        .scalar_i64(q(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'seal.document'",
        ))
        .await
        .unwrap();
    assert!(sealed > 0);
    assert_eq!(v.rows_checked, 45_001 + sealed);
    // Generating again completes nothing twice: keys are skipped, the chain still holds.
    synth::generate(
        &app,
        &Scale {
            audit_rows: 10,
            ..scale
        },
    )
    .await
    .unwrap();
    let v = proofless_app::audit::verify(&app.db).await.unwrap();
    assert!(v.ok);
    let added: Vec<(String, i64)> = app
        .db
        .reader()
        .fetch_all(
            q("SELECT action, COUNT(*) FROM audit_log WHERE seq > ? GROUP BY action")
                .bind(45_001 + sealed),
        )
        .await
        .unwrap();
    assert_eq!(v.rows_checked, 45_011 + sealed, "{added:?}");
    let items = app
        .db
        .reader()
        .scalar_i64(q("SELECT COUNT(*) FROM list_version_items"))
        .await
        .unwrap();
    assert_eq!(
        items, 300,
        "a county generated before is not generated again"
    );
}

both_backends!(a_generated_world_has_valid_codes_and_an_intact_audit_chain);

// Issue #7 §1: cases and commitments at county scale, every reference a real row.
async fn a_county_has_cases_and_commitments_that_point_at_real_rows(b: Backend) {
    let Some((app, _clock, _dir)) = fresh_app(b).await else {
        return;
    };
    let county = Scale::parse("county").unwrap();
    // The audit chain and the credit history have their own test; keep this one short.
    let scale = Scale {
        audit_rows: 0,
        ..county
    };
    let report = synth::generate(&app, &scale).await.unwrap();
    let count = |what: &str| report.lines.iter().find(|l| l.0 == what).unwrap().1;
    assert_eq!(count("cases"), county.cases);
    assert_eq!(count("commitments"), county.commitments);
    let mut r = app.db.reader();
    let n = |sql: &'static str| {
        let mut r = app.db.reader();
        async move { r.scalar_i64(q(sql)).await.unwrap() }
    };
    assert_eq!(n("SELECT COUNT(*) FROM cases").await, 20_000);
    assert_eq!(n("SELECT COUNT(*) FROM commitments").await, 20_000);
    // Every commitment's case exists and is the commitment's own: same applicant, same unit.
    let orphans = n(
        "SELECT COUNT(*) FROM commitments m LEFT JOIN cases c ON c.id = m.case_id \
                     WHERE c.id IS NULL OR c.applicant_id <> m.person_id OR c.org_id <> m.org_id \
                     OR m.subject_ref <> 'person:' || m.person_id",
    )
    .await;
    assert_eq!(orphans, 0);
    // Its item is replaced by commitment and linked to the case's service, with a published
    // template: eligibility would find it.
    let unlinked = n("SELECT COUNT(*) FROM commitments m JOIN cases c ON c.id = m.case_id \
                      WHERE NOT EXISTS (SELECT 1 FROM proof_item_services ps WHERE ps.proof_item_id = m.proof_item_id \
                      AND ps.service_item_id = c.service_item_id) \
                      OR NOT EXISTS (SELECT 1 FROM commitment_templates t WHERE t.id = m.template_id AND t.stage = 'published')")
        .await;
    assert_eq!(unlinked, 0);
    // Every case has its assessment deadline, and the applicants' IDs are valid.
    let no_deadline = n(
        "SELECT COUNT(*) FROM cases c LEFT JOIN deadlines d ON d.id = c.assessment_deadline_id \
                         WHERE d.id IS NULL OR d.subject_id <> c.case_no",
    )
    .await;
    assert_eq!(no_deadline, 0);
    // Open cases' deadlines were computed by the working-day calendar, not left as guessed.
    let open = n("SELECT COUNT(*) FROM deadlines d JOIN cases c ON c.assessment_deadline_id = d.id \
                  WHERE c.state = 'open' AND d.state = 'open' AND d.calendar_version <> '' AND d.due_at > d.start_at")
        .await;
    assert_eq!(open, 1_000);
    let ids: Vec<(String,)> = r
        .fetch_all(q(
            "SELECT DISTINCT p.resident_id_enc FROM persons p JOIN cases c ON c.applicant_id = p.id",
        ))
        .await
        .unwrap();
    assert!(!ids.is_empty());
    for (enc,) in &ids {
        let rid = proofless_app::applicants::reveal_resident_id(&app, enc)
            .await
            .unwrap();
        assert!(ResidentId::parse(&rid).is_ok());
    }
    // Issue #21 §5, issue #17 §5: the governance records and a sample of e-archives at
    // county scale (one county: 4 meetings of 2 decisions, 2 random checks of 3 units and a
    // special inspection, 3 risk points and 2 courses per generated unit, a case of
    // accountability per fifty cases, an archive per fifty cases).
    assert_eq!(count("joint meetings"), 4);
    assert_eq!(count("joint decisions"), 8);
    assert_eq!(count("supervision draws"), 2);
    assert_eq!(count("inspections"), 7);
    assert_eq!(count("findings"), 7);
    assert_eq!(count("risk points"), 600);
    assert_eq!(count("training records"), 400);
    assert_eq!(count("violation records"), 400);
    assert_eq!(count("accountability cases"), 400);
    assert_eq!(count("archives"), 400);
    assert!(count("supervision figure rows") > 0);
    let governance = [
        ("SELECT COUNT(*) FROM joint_meetings", 4),
        ("SELECT COUNT(*) FROM joint_agenda_items", 12),
        ("SELECT COUNT(*) FROM joint_attendance", 20),
        ("SELECT COUNT(*) FROM joint_decisions", 8),
        ("SELECT COUNT(*) FROM joint_progress", 6),
        ("SELECT COUNT(*) FROM supervision_inspections", 7),
        ("SELECT COUNT(*) FROM supervision_findings", 7),
        ("SELECT COUNT(*) FROM risk_points", 600),
        ("SELECT COUNT(*) FROM risk_reviews", 200),
        ("SELECT COUNT(*) FROM staff_training", 400),
        ("SELECT COUNT(*) FROM accountability_cases", 400),
        ("SELECT COUNT(*) FROM accountability_evidence", 400),
        ("SELECT COUNT(*) FROM case_archives", 400),
    ];
    for (sql, want) in governance {
        assert_eq!(n(sql).await, want, "{sql}");
    }
    // Every record a public id; every decision and finding on its own engine deadline.
    for table in [
        "joint_meetings",
        "joint_agenda_items",
        "joint_decisions",
        "supervision_draws",
        "supervision_inspections",
        "supervision_findings",
        "risk_points",
        "accountability_cases",
    ] {
        let missing = app
            .db
            .reader()
            .scalar_i64(q(format!(
                "SELECT COUNT(*) FROM {table} WHERE public_id IS NULL OR LENGTH(public_id) <> 32"
            )))
            .await
            .unwrap();
        assert_eq!(missing, 0, "{table}");
    }
    let unlinked = n(
        "SELECT COUNT(*) FROM joint_decisions j LEFT JOIN deadlines d ON d.id = j.deadline_id \
                      WHERE d.id IS NULL OR d.subject_type <> 'joint_decision' \
                      OR d.subject_id <> CAST(j.id AS TEXT)",
    )
    .await;
    assert_eq!(unlinked, 0);
    let unlinked = n(
        "SELECT COUNT(*) FROM supervision_findings f LEFT JOIN deadlines d ON d.id = f.deadline_id \
                      WHERE d.id IS NULL OR d.subject_type <> 'supervision_finding' \
                      OR d.subject_id <> CAST(f.id AS TEXT) OR d.due_at <> f.due_at",
    )
    .await;
    assert_eq!(unlinked, 0);
    // The measures decided are in the supervision figures (exempted ones apart, A5 §11).
    assert_eq!(
        n("SELECT CAST(COALESCE(SUM(measures), 0) AS BIGINT) FROM supervision_figures").await,
        400
    );
    assert_eq!(
        n("SELECT CAST(COALESCE(SUM(measures_exempted), 0) AS BIGINT) FROM supervision_figures")
            .await,
        40
    );
    // A second run completes nothing twice (the accountability evidence once broke a
    // foreign key here).
    let again = synth::generate(&app, &scale).await.unwrap();
    let again_count = |what: &str| again.lines.iter().find(|l| l.0 == what).unwrap().1;
    assert_eq!(again_count("cases"), 0);
    for what in [
        "joint meetings",
        "supervision draws",
        "risk points",
        "training records",
        "accountability cases",
    ] {
        assert_eq!(again_count(what), 0, "{what}");
    }
    assert_eq!(n("SELECT COUNT(*) FROM commitments").await, 20_000);
    assert_eq!(n("SELECT COUNT(*) FROM accountability_cases").await, 400);
    assert_eq!(n("SELECT COUNT(*) FROM joint_decisions").await, 8);
    // The next run archives the next sample.
    assert_eq!(again_count("archives"), 400);
}

both_backends!(a_county_has_cases_and_commitments_that_point_at_real_rows);
