//! The public's voice on the list (A3 §12; issue #19 §4): comments without login,
//! moderation (hide, merge duplicates), a public answer, a suggestion turned into an
//! adjustment in one step; the demand radar and the synonyms.

use serde_json::{Value, json};

use crate::adjustment_flow::published_item;
use crate::common::{Backend, spawn_demo};

// SPEC R7.7 (anyone may comment or suggest); A3 §12.
async fn comments_are_moderated_answered_and_turned_into_adjustments(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (anon, joint) = (t.client(), t.staff("joint").await);
    let item = published_item(&anon, "临时身份证明").await;
    let post = |body: Value| {
        let anon = &anon;
        async move {
            anon.post_json("/api/v1/public/adjustment-comments", &body)
                .await
        }
    };
    // Empty, too long, a bad phone, an unknown item: refused.
    for (body, field) in [
        (json!({"proof_item_id": item, "body": "  "}), "body"),
        (
            json!({"proof_item_id": item, "body": "长".repeat(1001)}),
            "body",
        ),
        (
            json!({"proof_item_id": item, "body": "好", "phone": "12345"}),
            "phone",
        ),
        (
            json!({"proof_item_id": item, "body": "好", "kind": "rant"}),
            "kind",
        ),
        (
            json!({"proof_item_id": 999_999, "body": "好"}),
            "proof_item_id",
        ),
    ] {
        let r = post(body).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains(field), "{field}");
    }
    let r = post(json!({"proof_item_id": item, "kind": "suggestion", "body": "电子身份证已经普及，建议取消临时身份证明",
        "name": "王先生", "phone": "13900000001"})).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let c1: Value = r.json().await.unwrap();
    assert_eq!(c1["state"], "pending");
    assert_eq!(c1["has_phone"], false, "the phone is never shown");
    let c2: Value =
        post(json!({"proof_item_id": item, "kind": "suggestion", "body": "建议取消临时身份证明"}))
            .await
            .json()
            .await
            .unwrap();
    let c3: Value = post(json!({"proof_item_id": item, "body": "<script>骂人</script>"}))
        .await
        .json()
        .await
        .unwrap();
    // The phone is stored sealed, not in clear.
    let stored: (Option<String>,) = t
        .app
        .db
        .reader()
        .fetch_one(
            proofless_store::q("SELECT phone_sealed FROM adjustment_comments WHERE id = ?")
                .bind(c1["id"].as_i64().unwrap()),
        )
        .await
        .unwrap();
    assert!(!stored.0.unwrap().contains("13900000001"));

    // Not public before the answer; only the joint office moderates.
    let v: Value = anon
        .json(&format!("/api/v1/public/adjustments/items/{item}"))
        .await;
    assert_eq!(v["comments"].as_array().unwrap().len(), 0);
    let m = |id: &Value| format!("/api/v1/adjustment-comments/{id}/moderation");
    assert_eq!(
        t.staff("ga_admin")
            .await
            .post_json(&m(&c3["id"]), &json!({"action": "hide"}))
            .await
            .status(),
        403
    );
    assert_eq!(
        anon.get("/api/v1/adjustment-comments")
            .await
            .status()
            .as_u16()
            / 100,
        4
    );
    let list: Value = joint
        .json("/api/v1/adjustment-comments?state=pending")
        .await;
    assert_eq!(list.as_array().unwrap().len(), 3);
    assert_eq!(list[0]["has_phone"], false);
    assert_eq!(
        list[2]["has_phone"], true,
        "the office sees that a phone was left"
    );
    assert_eq!(
        joint
            .post_json(&m(&c3["id"]), &json!({"action": "hide"}))
            .await
            .status(),
        200
    );
    assert_eq!(
        joint
            .post_json(&m(&c3["id"]), &json!({"action": "answer", "answer": "x"}))
            .await
            .status(),
        409
    );
    assert_eq!(
        joint
            .post_json(&m(&c2["id"]), &json!({"action": "merge"}))
            .await
            .status(),
        422
    );
    assert_eq!(
        joint
            .post_json(
                &m(&c2["id"]),
                &json!({"action": "merge", "merged_into": c2["id"]})
            )
            .await
            .status(),
        422
    );
    let r = joint
        .post_json(
            &m(&c2["id"]),
            &json!({"action": "merge", "merged_into": c1["id"]}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "merged");
    assert_eq!(
        joint
            .post_json(&m(&c1["id"]), &json!({"action": "answer", "answer": ""}))
            .await
            .status(),
        422
    );
    let r = joint
        .post_json(
            &m(&c1["id"]),
            &json!({"action": "answer", "answer": "已启动取消程序"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = anon
        .json(&format!("/api/v1/public/adjustments/items/{item}"))
        .await;
    assert_eq!(v["comments"].as_array().unwrap().len(), 1);
    assert_eq!(v["comments"][0]["answer"], "已启动取消程序");
    let page = anon
        .get(&format!("/proofs/items/{item}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("已启动取消程序"));

    // The suggestion becomes the joint office's own adjustment, linked both ways.
    let body = json!({"proof_item_id": 0, "kind": "cancel", "interim_method": "data_sharing", "ground": "其他",
        "ground_text": "群众建议", "description": "根据群众建议取消", "trigger_date": "2026-03-12"});
    let r = joint
        .post_json(
            &format!("/api/v1/adjustment-comments/{}/adjustment", c3["id"]),
            &body,
        )
        .await;
    assert_eq!(
        r.status(),
        409,
        "a hidden comment is not a suggestion to adopt"
    );
    let r = joint
        .post_json(
            &format!("/api/v1/adjustment-comments/{}/adjustment", c1["id"]),
            &body,
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["comment_id"], c1["id"]);
    assert_eq!(a["started_by_office"], true);
    assert_eq!(a["proof_item_id"], item);
    let r = joint
        .post_json(
            &format!("/api/v1/adjustment-comments/{}/adjustment", c1["id"]),
            &body,
        )
        .await;
    assert_eq!(r.status(), 409, "once");
    let list: Value = joint
        .json("/api/v1/adjustment-comments?state=answered")
        .await;
    assert_eq!(list[0]["adjustment_id"], a["id"]);
}

async fn the_radar_counts_misses_and_synonyms_find_items(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (anon, joint) = (t.client(), t.staff("joint").await);
    for _ in 0..2 {
        let r: Value = anon.json("/api/v1/public/proof-items?q=火星居住证明").await;
        assert_eq!(r["total"], 0);
    }
    let radar: Value = joint.json("/api/v1/adjustment-radar").await;
    let miss = radar["misses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["query"] == "火星居住证明")
        .cloned();
    assert_eq!(miss.unwrap()["hits"], 2, "{radar}");
    assert_eq!(
        t.staff("ga_admin")
            .await
            .get("/api/v1/adjustment-radar")
            .await
            .status(),
        403
    );

    // A synonym maps the everyday word to the list's.
    for bad in [
        json!({"term": "", "canonical": "临时身份证明"}),
        json!({"term": "临时身份证明", "canonical": "临时身份证明"}),
    ] {
        assert_eq!(
            joint
                .post_json("/api/v1/search-synonyms", &bad)
                .await
                .status(),
            422
        );
    }
    assert_eq!(
        t.staff("ga_admin")
            .await
            .post_json(
                "/api/v1/search-synonyms",
                &json!({"term": "火星居住证明", "canonical": "临时身份证明"})
            )
            .await
            .status(),
        403
    );
    let r = joint
        .post_json(
            "/api/v1/search-synonyms",
            &json!({"term": "火星居住证明", "canonical": "临时身份证明"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let r: Value = anon.json("/api/v1/public/proof-items?q=火星居住证明").await;
    assert!(
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["name"] == "临时身份证明"),
        "{r}"
    );
    let page = anon
        .get("/proofs?q=火星居住证明")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("临时身份证明"));
    let s: Value = joint.json("/api/v1/search-synonyms").await;
    assert!(
        s.as_array()
            .unwrap()
            .iter()
            .any(|x| x["term"] == "火星居住证明")
    );
    // The demo's synonyms: an everyday word finds the list's item.
    let r: Value = anon.json("/api/v1/public/proof-items?q=无犯罪证明").await;
    assert!(r["total"].as_i64().unwrap() > 0, "{r}");
    // Issue #22 §2: the same pair twice is refused, in Chinese, naming the field; the index
    // gives 户口本 the items about 户口簿 directly (also part of the word, as typed).
    let dup = joint
        .post_json(
            "/api/v1/search-synonyms",
            &json!({"term": "户口本", "canonical": "户口簿"}),
        )
        .await;
    assert_eq!(dup.status(), 422);
    let body = dup.text().await.unwrap();
    assert!(
        body.contains("已在同义词表中") && body.contains("term"),
        "{body}"
    );
    for q in ["户口本", "口本"] {
        let r: Value = anon
            .json(&format!("/api/v1/public/proof-items?q={q}"))
            .await;
        assert!(
            r["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["name"].as_str().unwrap().contains("户口簿")),
            "{q}: {r}"
        );
    }
    assert_eq!(
        joint
            .delete("/api/v1/search-synonyms/火星居住证明")
            .await
            .status(),
        204
    );
    assert_eq!(
        joint
            .delete("/api/v1/search-synonyms/火星居住证明")
            .await
            .status(),
        404
    );
}

both_backends!(
    comments_are_moderated_answered_and_turned_into_adjustments,
    the_radar_counts_misses_and_synonyms_find_items,
);
