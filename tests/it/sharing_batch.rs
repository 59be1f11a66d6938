//! Issue #18 §2: bulk issuance through a signed batch (idempotent per identifier, all or
//! nothing) and an import file; hostile batches get a clear error and write nothing.

use proofless_domain::codes::ELicenceId;
use proofless_domain::sharing::signing_string;
use proofless_seal::{hmac_sm3_hex, sm3_hex};
use serde_json::{Value, json};

use crate::common::{Backend, spawn_demo};
use crate::sharing_flow::world;

const PATH: &str = "/api/v1/sharing/eproofs/batch";

fn ident(n: usize) -> String {
    ELicenceId::with_check_char(&format!("12370322MB28510000202601{n:06}"))
        .unwrap()
        .to_string()
}

fn item(w: &crate::sharing_flow::World, id: &str, rid: &str, name: &str) -> Value {
    json!({"identifier": id, "proof_item_id": w.item, "holder_resident_id": rid, "holder_name": name,
        "valid_from": "2026-01-01", "data": {"child_name": "小宝", "birth_date": "2026-01-01", "mother_name": "李梅"}})
}

async fn post_signed(
    t: &crate::common::TestApp,
    token: &str,
    body: &Value,
    nonce: &str,
    tamper: bool,
) -> reqwest::Response {
    let bytes = serde_json::to_vec(body).unwrap();
    let ts = t.app.now_ms();
    let mut sig = hmac_sm3_hex(
        token.as_bytes(),
        signing_string("POST", PATH, ts, nonce, &sm3_hex(&bytes)).as_bytes(),
    );
    if tamper {
        sig.replace_range(0..1, if sig.starts_with('0') { "1" } else { "0" });
    }
    t.client()
        .http
        .post(format!("{}{PATH}", t.base))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .header("x-timestamp", ts.to_string())
        .header("x-nonce", nonce)
        .header("x-signature", sig)
        .body(bytes)
        .send()
        .await
        .unwrap()
}

async fn count(t: &crate::common::TestApp) -> i64 {
    t.app
        .db
        .reader()
        .scalar_i64(proofless_store::q("SELECT COUNT(*) FROM eproofs"))
        .await
        .unwrap()
}

async fn signed_batches_are_idempotent_and_hostile_ones_write_nothing(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let w = world(&t).await;
    // The demo county issues e-proofs of its own: count ours only.
    let base = count(&t).await;
    let r =
        w.wj.post_json(
            "/api/v1/api-tokens",
            &json!({"org_id": w.wj_id, "name": "出生证明系统", "roles": ["counter_clerk"]}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let token = r.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let good = json!({"items": [item(&w, &ident(1), "370322199001011238", "张三"), item(&w, &ident(2), "370322201001010016", "赵小")]});
    // A signature that does not verify: refused, nothing written.
    let r = post_signed(&t, &token, &good, "00112233445566778899aabbccddeeff", true).await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("签名无效"));
    assert_eq!(count(&t).await - base, 0);
    // A forged identifier (wrong check character).
    let mut forged = ident(3);
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    let bad = json!({"items": [item(&w, &ident(4), "370322199001011238", "张三"), item(&w, &forged, "370322199001011238", "张三")]});
    let r = post_signed(&t, &token, &bad, "10112233445566778899aabbccddeeff", false).await;
    assert_eq!(r.status(), 422);
    let p = r.text().await.unwrap();
    assert!(
        p.contains("items[1].identifier") && p.contains("校验码错误"),
        "{p}"
    );
    // Duplicate identifiers inside one batch.
    let dup = json!({"items": [item(&w, &ident(5), "370322199001011238", "张三"), item(&w, &ident(5), "370322199001011238", "张三")]});
    let r = post_signed(&t, &token, &dup, "20112233445566778899aabbccddeeff", false).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("重复"));
    // Oversized.
    let many: Vec<Value> = (0..501)
        .map(|i| item(&w, &ident(100 + i), "370322199001011238", "张三"))
        .collect();
    let r = post_signed(
        &t,
        &token,
        &json!({"items": many}),
        "30112233445566778899aabbccddeeff",
        false,
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("最多500条"));
    assert_eq!(
        count(&t).await - base,
        0,
        "nothing written by hostile batches"
    );
    // A good batch, then the same again: idempotent per identifier.
    let r = post_signed(&t, &token, &good, "40112233445566778899aabbccddeeff", false).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let rep: Value = r.json().await.unwrap();
    assert_eq!(rep["issued"].as_array().unwrap().len(), 2);
    let r = post_signed(&t, &token, &good, "50112233445566778899aabbccddeeff", false).await;
    let rep: Value = r.json().await.unwrap();
    assert_eq!(rep["unchanged"].as_array().unwrap().len(), 2, "{rep}");
    assert_eq!(count(&t).await - base, 2);
    // A replayed nonce is refused.
    let r = post_signed(&t, &token, &good, "50112233445566778899aabbccddeeff", false).await;
    assert_eq!(r.status(), 409);
    // The import file: all or nothing, the same checks.
    let csv = format!(
        "证照标识,证明事项编号,持证人身份证号码,持证人姓名,有效期起,新生儿姓名,出生日期,母亲姓名\n{},{},370322199001011238,张三,2026-01-01,二宝,2026-03-01,李梅\n{},{},370322199001011238,张三,2026-01-01,三宝,不是日期,李梅\n",
        ident(7),
        w.item,
        ident(8),
        w.item
    );
    let r =
        w.wj.post_raw(
            "/api/v1/sharing/eproofs/import?filename=a.csv",
            "text/csv",
            csv.clone().into_bytes(),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("日期"));
    assert_eq!(count(&t).await - base, 2);
    let fixed = csv.replace("不是日期", "2026-03-02");
    let r =
        w.wj.post_raw(
            "/api/v1/sharing/eproofs/import?filename=a.csv",
            "text/csv",
            fixed.into_bytes(),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(count(&t).await - base, 4);
}

both_backends!(signed_batches_are_idempotent_and_hostile_ones_write_nothing);
