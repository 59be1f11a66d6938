//! Complainants' contacts, commenters' phones and the 12345 callback secret are encrypted
//! at rest under the data key and re-encrypted when it is rotated, like persons and their
//! other copies (issue #20; issue #16 item 9): nothing in clear, everything still read.

use proofless_app::{Actor, applicants};
use proofless_store::q;
use serde_json::{Value, json};

use crate::adjustment_flow::published_item;
use crate::common::{Backend, TestApp, spawn_demo};
use crate::complaints_flow::{org_id, public_complaint};

const SECRET: &str = "a-shared-secret-of-12345-hotline";
const PHONE: &str = "13900007777";

/// The key versions of every complaint contact, comment phone and the callback secret.
async fn versions(t: &TestApp) -> Vec<i64> {
    let rows: Vec<(i64,)> = t
        .app
        .db
        .reader()
        .fetch_all(q(
            "SELECT contact_key_version FROM complaints UNION SELECT phone_key_version FROM adjustment_comments \
             UNION SELECT secret_key_version FROM complaint_hotline_link ORDER BY 1",
        ))
        .await
        .unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

/// Every stored ciphertext of these tables, and the secret as stored.
async fn stored(t: &TestApp) -> (String, String) {
    let mut r = t.app.db.reader();
    let rows: Vec<(Option<String>, Option<String>)> = r
        .fetch_all(q("SELECT name_enc, phone_enc FROM complaints"))
        .await
        .unwrap();
    let comments: Vec<(Option<String>,)> = r
        .fetch_all(q("SELECT phone_sealed FROM adjustment_comments"))
        .await
        .unwrap();
    let mut dump = String::new();
    for (a, b) in rows {
        dump.push_str(&a.unwrap_or_default());
        dump.push_str(&b.unwrap_or_default());
    }
    for (c,) in comments {
        dump.push_str(&c.unwrap_or_default());
    }
    let (secret,): (String,) = r
        .fetch_one(q("SELECT secret FROM complaint_hotline_link WHERE id = 1"))
        .await
        .unwrap();
    dump.push_str(&secret);
    (dump, secret)
}

async fn still_read(t: &TestApp, receipt: &str) {
    let r = t
        .client()
        .post_json(
            "/api/v1/public/complaints/track",
            &json!({"receipt_no": receipt, "phone": PHONE}),
        )
        .await;
    assert_eq!(r.status(), 200, "found by receipt number and phone");
    let (_, secret) = stored(t).await;
    assert_eq!(
        applicants::open_secret(&t.app, &secret).await.unwrap(),
        SECRET
    );
}

// Issue #20 (key rotation of complaint contacts, comment phones; the 12345 secret not in clear); SPEC R8.3, R7.7.
async fn contacts_phones_and_the_callback_secret_are_encrypted_and_rotated(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = org_id(&t, "县公安局").await;
    let receipt = public_complaint(&t, ga, PHONE, "仍要求提交户籍证明").await;
    let anon = t.client();
    let item = published_item(&anon, "临时身份证明").await;
    let r = anon
        .post_json(
            "/api/v1/public/adjustment-comments",
            &json!({"proof_item_id": item, "body": "建议取消", "phone": "13900008888"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let hotline = t.staff("hotline").await;
    let r = hotline
        .put_json(
            "/api/v1/hotline/callback",
            &json!({"callback_url": "http://127.0.0.1:9/callback", "secret": SECRET}),
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    let shown: Value = r.json().await.unwrap();
    assert_eq!(shown["secret_set"], true);
    assert!(!shown.to_string().contains(SECRET), "never shown");

    // Nothing in clear at rest; all under the first key version.
    let (dump, secret) = stored(&t).await;
    assert_ne!(secret, SECRET);
    assert!(!dump.contains(SECRET) && !dump.contains(PHONE) && !dump.contains("13900008888"));
    assert_eq!(versions(&t).await, [1]);
    still_read(&t, &receipt).await;

    // A secret stored in clear before this release is encrypted at start-up.
    let mut tx = t.app.db.begin().await.unwrap();
    tx.execute(
        q("UPDATE complaint_hotline_link SET secret = ?, secret_key_version = 0 WHERE id = 1")
            .bind(SECRET),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    applicants::prepare_at_rest(&t.app).await.unwrap();
    assert_eq!(versions(&t).await, [1]);
    still_read(&t, &receipt).await;

    // Rotation: the sweep re-encrypts every row under the new key; all still reads.
    let sys = Actor::system("test");
    let st = applicants::rotate_data_key(&t.app, &sys).await.unwrap();
    assert!(st.copies_pending >= 3, "{st:?}");
    for _ in 0..50 {
        proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
        if versions(&t).await == [2] {
            break;
        }
    }
    assert_eq!(versions(&t).await, [2]);
    let (after, _) = stored(&t).await;
    assert!(!after.contains("k1:"), "{after}");
    assert_ne!(after, dump);
    still_read(&t, &receipt).await;
    // New rows are written under the new key.
    public_complaint(&t, ga, "13900006666", "仍要求提交居住证明").await;
    assert_eq!(versions(&t).await, [2]);
}

crate::both_backends!(contacts_phones_and_the_callback_secret_are_encrypted_and_rotated);
