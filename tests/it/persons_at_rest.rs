//! Personal data at rest and purpose-bound reads of people (issue #16 items 6 and 9).

use std::sync::Arc;

use proofless_app::actor::Actor;
use proofless_app::applicants::{self, PersonInput};
use proofless_app::{App, AppSettings};
use proofless_domain::codes::ResidentId;
use proofless_store::q;
use serde_json::{Value, json};

use crate::common::{Backend, fresh_app, spawn_demo};

fn rid(birth: &str, serial: &str) -> String {
    proofless_fixtures::demo::demo_resident_id(birth, serial)
        .unwrap()
        .as_str()
        .to_owned()
}

fn sys() -> Actor {
    Actor::system("test")
}

async fn create(app: &App, resident_id: &str, name: &str, phone: Option<&str>) -> String {
    applicants::create_person(
        app,
        &sys(),
        PersonInput {
            resident_id: resident_id.to_owned(),
            name: name.to_owned(),
            phone: phone.map(str::to_owned),
        },
    )
    .await
    .unwrap()
    .id
}

/// Every stored column of every person, as text, joined.
async fn raw_persons(app: &App) -> String {
    let rows: Vec<(String, String, Option<String>, String, Option<String>, String, i64)> = app
        .db
        .reader()
        .fetch_all(q(
            "SELECT public_id, rid_index, resident_id_enc, name_enc, phone_enc, name_masked, key_version \
             FROM persons ORDER BY id",
        ))
        .await
        .unwrap();
    format!("{rows:?}")
}

async fn versions(app: &App) -> Vec<i64> {
    let rows: Vec<(i64,)> = app
        .db
        .reader()
        .fetch_all(q(
            "SELECT DISTINCT key_version FROM persons ORDER BY key_version",
        ))
        .await
        .unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

fn parse(s: &str) -> ResidentId {
    ResidentId::parse(s).unwrap()
}

// Issue #16 item 9: resident ID, name and phone are SM4-GCM ciphertexts at rest; a keyed
// HMAC-SM3 blind index still finds the person by resident ID.
async fn persons_are_encrypted_at_rest_and_found_by_blind_index(b: Backend) {
    let Some((app, _clock, _dir)) = fresh_app(b).await else {
        return;
    };
    let id = rid("19850214", "771");
    let public = create(&app, &id, "欧阳明月", Some("13912345678")).await;
    assert_eq!(public.len(), 32, "an opaque 128-bit public id");
    let raw = raw_persons(&app).await;
    for clear in [id.as_str(), "欧阳明月", "13912345678", "明月"] {
        assert!(!raw.contains(clear), "{clear} stored in clear: {raw}");
    }
    assert!(raw.contains("欧***"), "the masked name lists show: {raw}");
    // The blind index finds the person; the same resident ID is the same person.
    let pid = applicants::person_id_by_resident_id(&app, &parse(&id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(applicants::public_id_of(&app, pid).await.unwrap(), public);
    assert_eq!(create(&app, &id, "欧阳明月", None).await, public);
    let wrong = applicants::ensure_person(&app, &sys(), &parse(&id), "欧阳明", None).await;
    assert!(wrong.is_err(), "a different name is still refused");
    let p = applicants::read_person(&app, &sys(), pid, "核对")
        .await
        .unwrap();
    assert_eq!(p.name, "欧阳明月");
    assert_eq!(
        p.resident_id_masked,
        format!("{}********{}", &id[..6], &id[14..])
    );
    assert_eq!(p.phone_masked.as_deref(), Some("139****5678"));
    let other = rid("19850214", "772");
    assert!(
        applicants::person_id_by_resident_id(&app, &parse(&other))
            .await
            .unwrap()
            .is_none()
    );
}

/// Inserts `n` persons in one transaction the way `proofless gen` does.
async fn bulk_persons(app: &App, n: u64) {
    let sealer = applicants::PersonSealer::new(app).await.unwrap();
    let mut tx = app.db.begin().await.unwrap();
    for i in 0..n {
        let id = proofless_fixtures::synth::synthetic_resident_id(i).unwrap();
        let p = sealer.seal(&parse(&id), &format!("批量{i}")).unwrap();
        tx.execute(
            q("INSERT INTO persons (public_id, rid_index, resident_id_enc, name_enc, name_masked, key_version, created_at) \
               VALUES (?, ?, ?, ?, ?, ?, 0)")
            .bind(p.public_id)
            .bind(p.rid_index)
            .bind(p.resident_id_enc)
            .bind(p.name_enc)
            .bind(p.name_masked)
            .bind(p.key_version),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

// Issue #16 item 9: a new data key version re-encrypts every row in the background, in
// batches, while lookups keep working; afterwards every row is under it and still reads.
async fn rotation_reencrypts_every_person_in_the_background(b: Backend) {
    let Some((app, _clock, _dir)) = fresh_app(b).await else {
        return;
    };
    let n = u64::try_from(applicants::REENCRYPT_BATCH).unwrap() * 2 + 7;
    bulk_persons(&app, n).await;
    let id = rid("19700101", "135");
    create(&app, &id, "孙悟空", Some("13800000001")).await;
    let before = raw_persons(&app).await;
    assert_eq!(versions(&app).await, [1]);

    let st = applicants::rotate_data_key(&app, &sys()).await.unwrap();
    assert_eq!(st.active_version, 2);
    assert_eq!(st.pending, i64::try_from(n).unwrap() + 1);
    // No downtime: during the rotation old rows are found and read, new rows use the new key.
    let pid = applicants::person_id_by_resident_id(&app, &parse(&id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        applicants::read_person(&app, &sys(), pid, "核对")
            .await
            .unwrap()
            .name,
        "孙悟空"
    );
    create(&app, &rid("19700101", "151"), "猪八戒", None).await;
    assert_eq!(versions(&app).await, [1, 2]);

    // The runner's sweep does the rest, batch by batch, each in its own transaction: a
    // pass that stops after one batch leaves the rest for the next (resumable).
    let done = applicants::reencrypt_pending(&app, std::time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(done, usize::try_from(applicants::REENCRYPT_BATCH).unwrap());
    assert_eq!(versions(&app).await, [1, 2]);
    for _ in 0..100 {
        proofless_app::jobs::run_once(&app, "test").await.unwrap();
        if versions(&app).await == [2] {
            break;
        }
    }
    assert_eq!(versions(&app).await, [2]);
    assert_eq!(
        applicants::at_rest_status(&app, &sys())
            .await
            .unwrap()
            .pending,
        0
    );
    let after = raw_persons(&app).await;
    assert_ne!(before, after);
    assert!(
        !after.contains("\"k1:"),
        "no ciphertext of the old key is left"
    );
    // Everything still reads, and the blind index did not change.
    let p = applicants::read_person(&app, &sys(), pid, "核对")
        .await
        .unwrap();
    assert_eq!(p.name, "孙悟空");
    assert_eq!(p.phone_masked.as_deref(), Some("138****0001"));
    let last = proofless_fixtures::synth::synthetic_resident_id(n - 1).unwrap();
    let lid = applicants::person_id_by_resident_id(&app, &parse(&last))
        .await
        .unwrap()
        .unwrap();
    let p = applicants::read_person(&app, &sys(), lid, "核对")
        .await
        .unwrap();
    assert_eq!(p.name, format!("批量{}", n - 1));
}

fn with_key(app: &App, key: Option<proofless_seal::MasterKey>) -> App {
    App::new(
        app.db.clone(),
        app.clock.clone(),
        AppSettings {
            master_key: key.map(Arc::new),
            ..AppSettings::default()
        },
    )
}

// Issue #16 items 4 and 9: a server whose master key cannot read the stored personal data
// refuses to start (no 500s later, no new key beside the old data); rows stored in clear
// before encryption at rest are encrypted at start-up.
async fn start_up_checks_the_master_key_and_encrypts_old_rows(b: Backend) {
    let Some((app, _clock, _dir)) = fresh_app(b).await else {
        return;
    };
    applicants::prepare_at_rest(&app).await.unwrap();
    // A row as the schema before this change held it: clear text, key version 0.
    let old = rid("19601010", "246");
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(
        q("INSERT INTO persons (public_id, rid_index, name_enc, phone_enc, key_version, created_at) \
           VALUES ('0123456789abcdef0123456789abcdef', ?, '周老汉', '13700000000', 0, 0)")
        .bind(old.as_str()),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // Without a master key, start-up is fine only while nothing is encrypted.
    let none = with_key(&app, None);
    applicants::prepare_at_rest(&none).await.unwrap();
    applicants::prepare_at_rest(&app).await.unwrap();
    let raw = raw_persons(&app).await;
    assert!(!raw.contains(&old) && !raw.contains("周老汉") && !raw.contains("13700000000"));
    assert_eq!(versions(&app).await, [1]);
    let pid = applicants::person_id_by_resident_id(&app, &parse(&old))
        .await
        .unwrap()
        .unwrap();
    let p = applicants::read_person(&app, &sys(), pid, "核对")
        .await
        .unwrap();
    assert_eq!(p.name, "周老汉");

    let err = applicants::prepare_at_rest(&none).await.unwrap_err();
    assert!(err.to_string().contains("未配置主密钥"), "{err}");
    let other = with_key(&app, Some(proofless_seal::MasterKey::generate().unwrap()));
    let err = applicants::prepare_at_rest(&other).await.unwrap_err();
    assert!(err.to_string().contains("主密钥"), "{err}");
    // After a rotation the stored (wrapped) key is checked too.
    applicants::rotate_data_key(&app, &sys()).await.unwrap();
    proofless_app::jobs::run_once(&app, "test").await.unwrap();
    let other = with_key(&app, Some(proofless_seal::MasterKey::generate().unwrap()));
    assert!(applicants::prepare_at_rest(&other).await.is_err());
}

async fn get_status(c: &crate::common::Client, path: &str) -> u16 {
    c.get(path).await.status().as_u16()
}

// Issue #16 item 6 (SPEC R5.9, A2 §12): a person is read by opaque id, only for a case,
// verification or check of the reader's unit that involves the person; full identifiers
// only to those who act on a verification.
async fn person_reads_are_bound_to_the_readers_unit(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let id = rid("19880808", "808");
    let ga_clerk = t.staff("ga_clerk").await;
    let r = ga_clerk
        .post_json(
            "/api/v1/applicants/persons",
            &json!({"resident_id": id, "name": "钟小满", "phone": "13611112222"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let p: Value = r.json().await.unwrap();
    let public = p["id"].as_str().unwrap().to_owned();
    assert_eq!(public.len(), 32);
    // Portal accounts (the demo registers some) keep the blind index, not the resident ID,
    // as their login (issue #16 item 9); logging in is tested in foundation_portal.
    let logins: Vec<(String,)> = t
        .app
        .db
        .reader()
        .fetch_all(q("SELECT login FROM portal_accounts"))
        .await
        .unwrap();
    assert!(!logins.is_empty());
    assert!(
        logins
            .iter()
            .all(|(l,)| l.len() == 64 && !l.contains("370322")),
        "{logins:?}"
    );
    let path = format!("/api/v1/applicants/persons/{public}?purpose=随便看看");
    let sj = t.staff("sj_liaison").await;
    let ga = t.staff("ga_proxy1").await;
    let sl = t.staff("sl_liaison").await;
    // Nothing ties the person to any unit yet: nobody reads them, whatever the purpose.
    for c in [&sj, &ga, &ga_clerk] {
        assert_eq!(get_status(c, &path).await, 403);
    }
    // Sequential ids are not addresses.
    let internal = crate::common::person_id(&t.app, &id).await;
    assert_eq!(
        get_status(
            &sj,
            &format!("/api/v1/applicants/persons/{internal}?purpose=x")
        )
        .await,
        404
    );
    // 县市场监管局 asks 县公安局 about the person: both units may now read them.
    let hukou = t
        .app
        .db
        .reader()
        .scalar_i64(q("SELECT id FROM proof_items WHERE name = ?").bind("注销户口证明"))
        .await
        .unwrap();
    let r = sj
        .post_json(
            "/api/v1/verifications",
            &json!({
                "proof_item_id": hukou,
                "subject": {"kind": "person", "code": id, "name": "钟小满"},
                "facts": {"facts": "钟小满户口已迁出本县"},
                "case_ref": "SJ-PII-0001",
                "purpose": "办理个体工商户注销登记，核对经营者户籍状态"
            }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    let vid = v["id"].as_i64().unwrap();
    assert_eq!(get_status(&sj, &path).await, 200);
    assert_eq!(get_status(&ga, &path).await, 200);
    assert_eq!(
        get_status(&sl, &path).await,
        403,
        "a third unit still may not"
    );
    // The purpose and the basis are in the audit log.
    let basis: Vec<(String,)> = t
        .app
        .db
        .reader()
        .fetch_all(
            q("SELECT detail FROM audit_log WHERE action = 'person.read' AND subject_ref = ?")
                .bind(format!("person:{internal}")),
        )
        .await
        .unwrap();
    assert!(
        basis.iter().any(|(d,)| d.contains("verification")),
        "{basis:?}"
    );
    // The verification's detail: the full resident ID to those who send and answer it,
    // masked to the counter clerks of both units.
    let vpath = format!("/api/v1/verifications/{vid}");
    for (c, full) in [(&sj, true), (&ga, true)] {
        assert_eq!(c.json(&vpath).await["subject_code"] == id.as_str(), full);
    }
    let sj_clerk = t.staff("sj_clerk").await;
    for c in [&ga_clerk, &sj_clerk] {
        let d = c.json(&vpath).await;
        let code = d["subject_code"].as_str().unwrap();
        assert_ne!(code, id);
        assert!(code.contains('*') && code.starts_with(&id[..6]), "{code}");
    }
}

both_backends!(
    persons_are_encrypted_at_rest_and_found_by_blind_index,
    rotation_reencrypts_every_person_in_the_background,
    start_up_checks_the_master_key_and_encrypts_old_rows,
    person_reads_are_bound_to_the_readers_unit,
);
