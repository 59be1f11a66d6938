//! The catalogue's life cycle (issue #3 §1–§4): a unit admin drafts, the justice bureau
//! reviews, the joint office prepares, the county government approves, the joint office
//! publishes an immutable version; R1.3 and the commitment exclusions are enforced.

use serde_json::{Value, json};

use crate::common::{Backend, Client, spawn_demo};

async fn org_id(c: &Client, name: &str) -> i64 {
    let page: Value = c.json("/api/v1/orgs?limit=500").await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == name)
        .unwrap_or_else(|| panic!("no org {name}"))["id"]
        .as_i64()
        .unwrap()
}

async fn service_item(c: &Client, name: &str, code: &str) -> i64 {
    let r = c
        .post_json(
            "/api/v1/catalogue/service-items",
            &json!({"name": name, "code": code, "kind": "行政确认", "level": "county"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

pub fn item_body(name: &str, issuer: i64, service: i64) -> Value {
    json!({
        "name": name, "level": "county", "region_code": "370322000000", "disposition": "retained",
        "service_item_ids": [service], "issuer_ids": [issuer],
        "legal_basis": [{"kind": "administrative_regulation", "law": "《中华人民共和国户口登记条例》", "article": "第十条"}],
        "methods": [{"method": "verification", "citizen_text": "由窗口向开具单位核验", "deadline_class": "paper_archive"}]
    })
}

async fn version_ids_of(anon: &Client, title_part: &str) -> Vec<(i64, i64)> {
    let vs: Value = anon.json("/api/v1/public/exemption-lists").await;
    let mut out: Vec<(i64, i64)> = vs
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["title"].as_str().unwrap().contains(title_part))
        .map(|v| (v["number"].as_i64().unwrap(), v["id"].as_i64().unwrap()))
        .collect();
    out.sort();
    out
}

async fn draft_review_prepare_approve_publish_and_search_at_once(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    let justice = t.staff("justice").await;
    let joint = t.staff("joint").await;
    let approver = t.staff("approver").await;
    let anon = t.client();
    let issuer = org_id(&joint, "县教育和体育局").await;
    let svc = service_item(&ga, "大中专学生户籍迁回登记", "370322-TEST-0001").await;

    let r = ga
        .post_json(
            "/api/v1/catalogue/items",
            &item_body("学生毕业派遣证明", issuer, svc),
        )
        .await;
    assert_eq!(r.status(), 201);
    let item: Value = r.json().await.unwrap();
    let id = item["id"].as_i64().unwrap();
    assert_eq!(item["stage"], "draft");
    assert_eq!(item["item"]["methods"][0]["deadline_period"], "1wd");
    assert_eq!(item["blocking"].as_array().unwrap().len(), 0);

    // Not yet reviewed: preparing a list with it is refused.
    let r = joint
        .post_json(
            "/api/v1/catalogue/versions",
            &json!({"region_code": "370322000000", "item_ids": [id]}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("尚未通过合法性审查"));

    let r = ga
        .post_json(&format!("/api/v1/catalogue/items/{id}/submit"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    // Under review the unit cannot edit.
    let etag = ga
        .get(&format!("/api/v1/catalogue/items/{id}"))
        .await
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let r = ga
        .put_json(
            &format!("/api/v1/catalogue/items/{id}"),
            &item_body("改名", issuer, svc),
            Some(&etag),
        )
        .await;
    assert_eq!(r.status(), 409);

    let queue: Value = justice.json("/api/v1/catalogue/review-queue").await;
    assert!(queue.as_array().unwrap().iter().any(|i| i["id"] == id));
    // Returning needs reasons; then rework and resubmission.
    let r = justice
        .post_json(
            &format!("/api/v1/catalogue/items/{id}/reviews"),
            &json!({"verdict": "return"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = justice
        .post_json(
            &format!("/api/v1/catalogue/items/{id}/reviews"),
            &json!({"verdict": "return", "remarks": "请写明条文内容"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["stage"], "returned");
    ga.post_json(&format!("/api/v1/catalogue/items/{id}/submit"), &json!({}))
        .await;
    let r = justice
        .post_json(
            &format!("/api/v1/catalogue/items/{id}/reviews"),
            &json!({"verdict": "pass", "remarks": "符合规定"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let history: Value = justice
        .json(&format!("/api/v1/catalogue/items/{id}/reviews"))
        .await;
    let verdicts: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["return", "pass"]);
    assert_eq!(history[0]["remarks"], "请写明条文内容");
    assert_eq!(history[0]["reviewer_name"], "孙立法");

    let before = version_ids_of(&anon, "高青县证明事项").await;
    let r = joint
        .post_json(
            "/api/v1/catalogue/versions",
            &json!({"region_code": "370322000000", "note": "新增一项"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let v: Value = r.json().await.unwrap();
    let vid = v["version"]["id"].as_i64().unwrap();
    assert_eq!(v["version"]["stage"], "prepared");
    assert!(v["items"].as_array().unwrap().iter().any(|i| i["id"] == id));
    // A second preparation while one is pending is refused.
    let r = joint
        .post_json(
            "/api/v1/catalogue/versions",
            &json!({"region_code": "370322000000"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    // Publication needs the approval first; approval needs the approver and a document number.
    let r = joint
        .post_json(
            &format!("/api/v1/catalogue/versions/{vid}/publish"),
            &json!({"effective_date": "2026-04-01"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    let r = joint
        .post_json(
            &format!("/api/v1/catalogue/versions/{vid}/approve"),
            &json!({"approval_doc_no": "高政字〔2026〕1号"}),
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = approver
        .post_json(
            &format!("/api/v1/catalogue/versions/{vid}/approve"),
            &json!({"approval_doc_no": " "}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = approver
        .post_json(
            &format!("/api/v1/catalogue/versions/{vid}/approve"),
            &json!({"approval_doc_no": "高政字〔2026〕1号"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    // Not public before publication.
    assert_eq!(
        anon.get(&format!("/api/v1/public/exemption-lists/{vid}"))
            .await
            .status(),
        404
    );
    let r = joint
        .post_json(
            &format!("/api/v1/catalogue/versions/{vid}/publish"),
            &json!({"effective_date": "2026-04-01"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["version"]["stage"], "published");
    assert_eq!(
        v["version"]["number"].as_i64().unwrap(),
        before.last().unwrap().0 + 1
    );
    assert_eq!(v["version"]["approval_doc_no"], "高政字〔2026〕1号");
    assert_eq!(v["version"]["approver_name"], "钱为民");
    assert_eq!(v["version"]["effective_date"], "2026-04-01");

    // Visible to the public at once, with its service item.
    let s: Value = anon.json("/api/v1/public/proof-items?q=派遣").await;
    assert_eq!(s["total"], 1);
    assert_eq!(s["items"][0]["id"], id);
    assert_eq!(s["items"][0]["methods"], json!(["verification"]));
    assert_eq!(
        s["items"][0]["service_items"][0]["code"],
        "370322-TEST-0001"
    );
    let d: Value = anon
        .json(&format!(
            "/api/v1/public/diff?from={}&to={vid}",
            before.last().unwrap().1
        ))
        .await;
    assert_eq!(d["diff"]["added"].as_array().unwrap().len(), 1);
    assert_eq!(d["diff"]["added"][0]["name"], "学生毕业派遣证明");
    let sp: Value = anon
        .json("/api/v1/public/service-items/370322-TEST-0001/proofs")
        .await;
    assert_eq!(sp["proofs"][0]["name"], "学生毕业派遣证明");
    assert!(sp["notice"].as_str().unwrap().contains("第四十四条"));

    // Every step is in the audit log.
    let actions: Vec<(String,)> = t
        .app
        .db
        .reader()
        .fetch_all(proofless_store::q("SELECT action FROM audit_log WHERE object_type IN ('proof_item', 'list_version') AND (object_id = ? OR object_id = ?)").bind(id.to_string()).bind(vid.to_string()))
        .await
        .unwrap();
    let actions: Vec<&str> = actions.iter().map(|a| a.0.as_str()).collect();
    for a in [
        "catalogue.item.create",
        "catalogue.item.submit",
        "catalogue.item.review",
        "catalogue.list.prepare",
        "catalogue.list.approve",
        "catalogue.list.publish",
    ] {
        assert!(actions.contains(&a), "missing audit {a}: {actions:?}");
    }
}

async fn an_item_without_legal_basis_is_proposed_for_cancellation_and_cannot_pass(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    let justice = t.staff("justice").await;
    let issuer = org_id(&ga, "县公安局").await;
    let svc = service_item(&ga, "户籍补录", "370322-TEST-0002").await;
    let mut body = item_body("无依据证明", issuer, svc);
    body["legal_basis"] = json!([]);
    let r = ga.post_json("/api/v1/catalogue/items", &body).await;
    assert_eq!(r.status(), 201);
    let item: Value = r.json().await.unwrap();
    let id = item["id"].as_i64().unwrap();
    let blocking = item["blocking"].as_array().unwrap();
    assert_eq!(blocking[0]["field"], "legal_basis");
    assert!(
        blocking[0]["message"]
            .as_str()
            .unwrap()
            .contains("建议直接取消")
    );
    ga.post_json(&format!("/api/v1/catalogue/items/{id}/submit"), &json!({}))
        .await;
    let r = justice
        .post_json(
            &format!("/api/v1/catalogue/items/{id}/reviews"),
            &json!({"verdict": "pass"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "legal_basis");

    // Not verifiable by its issuer: the same (R1.3).
    let mut body = item_body("无法核实的证明", issuer, svc);
    body["issuer_can_verify"] = json!(false);
    let item: Value = ga
        .post_json("/api/v1/catalogue/items", &body)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        item["blocking"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["field"] == "issuer_can_verify")
    );

    // Cancelled outright it passes, with 直接取消 only.
    let mut body = item_body("已取消的证明", issuer, svc);
    body["legal_basis"] = json!([]);
    body["disposition"] = json!("cancelled");
    body["methods"] = json!([{"method": "abolished", "citizen_text": "不再开具"}]);
    let item: Value = ga
        .post_json("/api/v1/catalogue/items", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(item["blocking"].as_array().unwrap().len(), 0);
}

async fn commitment_is_refused_in_excluded_high_risk_domains(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let sj = t.staff("sj_admin").await;
    let issuer = org_id(&sj, "县卫生健康局").await;
    let r = sj
        .post_json("/api/v1/catalogue/service-items", &json!({"name": "药品经营许可", "code": "370322-TEST-0003", "kind": "行政许可", "level": "county"}))
        .await;
    let svc = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let mut body = item_body("从业人员健康证明", issuer, svc);
    body["methods"] = json!([{"method": "commitment", "citizen_text": "签署承诺书"}]);
    body["correctable_afterwards"] = json!(true);
    body["risk_domains"] = json!(["personal_health"]);
    let r = sj.post_json("/api/v1/catalogue/items", &body).await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    let msg = p["errors"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("直接关系人身健康") && msg.contains("国办发〔2020〕42号"),
        "{msg}"
    );
    // Not correctable afterwards: refused too.
    body["risk_domains"] = json!([]);
    body["correctable_afterwards"] = json!(false);
    let r = sj.post_json("/api/v1/catalogue/items", &body).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("事中事后"));
    // Correctable and outside the excluded domains: accepted.
    body["correctable_afterwards"] = json!(true);
    assert_eq!(
        sj.post_json("/api/v1/catalogue/items", &body)
            .await
            .status(),
        201
    );
}

// SPEC R4.1, "Trial rules": drafting reads the excluded domains in force (the joint office's
// versioned setting `commitment.excluded_risk_domains`), the same setting a signature reads.
async fn drafting_reads_the_excluded_domains_in_force(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let sj = t.staff("sj_admin").await;
    let issuer = org_id(&sj, "县卫生健康局").await;
    let r = sj
        .post_json("/api/v1/catalogue/service-items", &json!({"name": "食品经营许可", "code": "370322-TEST-0004", "kind": "行政许可", "level": "county"}))
        .await;
    let svc = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let mut body = item_body("从业人员体检证明", issuer, svc);
    body["methods"] = json!([{"method": "commitment", "citizen_text": "签署承诺书"}]);
    body["correctable_afterwards"] = json!(true);
    body["risk_domains"] = json!(["personal_health"]);
    assert_eq!(
        sj.post_json("/api/v1/catalogue/items", &body)
            .await
            .status(),
        422
    );
    let tomorrow = crate::commitment_rules::day(&t, 1);
    let fewer = json!({"value": ["国家安全", "国家秘密"], "effective_from": tomorrow,
                       "note": "试行期调整（县联席会议纪要）"});
    let path = "/api/v1/policy/commitment.excluded_risk_domains/versions";
    let r = t.staff("joint").await.post_json(path, &fewer).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    // Not before the version takes effect ...
    assert_eq!(
        sj.post_json("/api/v1/catalogue/items", &body)
            .await
            .status(),
        422
    );
    // ... and from its first day the domain no longer bars commitment.
    t.clock.advance(chrono::Duration::days(1));
    let sj = t.staff("sj_admin").await; // a new day, a new session
    let r = sj.post_json("/api/v1/catalogue/items", &body).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let item: Value = r.json().await.unwrap();
    assert_eq!(item["blocking"].as_array().unwrap().len(), 0, "{item}");
}

async fn published_versions_are_immutable_and_read_exactly_as_published(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let anon = t.client();
    let joint = t.staff("joint").await;
    let approver = t.staff("approver").await;
    let ga = t.staff("ga_admin").await;
    let county = version_ids_of(&anon, "高青县证明事项").await;
    let (_, v1) = county[0];
    let path = format!("/api/v1/public/exemption-lists/{v1}");
    let before: Value = anon.json(&path).await;
    // Edit a published item: the version does not change.
    let item = before["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "出生医学证明")
        .unwrap()
        .clone();
    let id = item["id"].as_i64().unwrap();
    let r = ga.get(&format!("/api/v1/catalogue/items/{id}")).await;
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let current: Value = r.json().await.unwrap();
    let mut body = json!({
        "name": "出生医学证明（新版）", "level": "county", "region_code": "370322000000", "disposition": "retained",
        "service_item_ids": current["item"]["service_items"].as_array().unwrap().iter().map(|s| s["id"].clone()).collect::<Vec<_>>(),
        "issuer_ids": current["item"]["issuer_ids"], "legal_basis": current["item"]["legal_basis"],
        "methods": [{"method": "data_sharing", "citizen_text": "电子证照共享"}]
    });
    for b in body["legal_basis"].as_array_mut().unwrap() {
        b.as_object_mut()
            .unwrap()
            .retain(|k, _| ["kind", "law", "article", "text"].contains(&k.as_str()));
    }
    let r = ga
        .put_json(&format!("/api/v1/catalogue/items/{id}"), &body, Some(&etag))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let after: Value = anon.json(&path).await;
    assert_eq!(before, after);
    // The public search still shows the published form until the change is published.
    let s: Value = anon.json(&format!("/api/v1/public/proof-items/{id}")).await;
    assert_eq!(s["name"], "出生医学证明");
    // No workflow step moves a published version.
    let r = approver
        .post_json(
            &format!("/api/v1/catalogue/versions/{v1}/approve"),
            &json!({"approval_doc_no": "x号"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    let r = joint
        .post_json(
            &format!("/api/v1/catalogue/versions/{v1}/publish"),
            &json!({"effective_date": "2026-05-01"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("不可更改"));
    // And the database refuses direct edits too.
    let mut tx = t.app.db.begin().await.unwrap();
    let e = tx
        .execute(
            proofless_store::q("UPDATE list_version_items SET name = 'x' WHERE version_id = ?")
                .bind(v1),
        )
        .await;
    assert!(e.is_err());
    drop(tx);
    let mut tx = t.app.db.begin().await.unwrap();
    let e = tx
        .execute(
            proofless_store::q("UPDATE list_versions SET approval_doc_no = 'x' WHERE id = ?")
                .bind(v1),
        )
        .await;
    assert!(e.is_err());
    drop(tx);
    let mut tx = t.app.db.begin().await.unwrap();
    let e = tx
        .execute(proofless_store::q("DELETE FROM list_versions WHERE id = ?").bind(v1))
        .await;
    assert!(e.is_err());
    drop(tx);
    assert_eq!(anon.json(&path).await, before);
}

async fn a_diff_between_versions_lists_changes_field_by_field(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let anon = t.client();
    let county = version_ids_of(&anon, "高青县证明事项").await;
    assert!(county.len() >= 2, "demo publishes the county list twice");
    let d: Value = anon
        .json(&format!(
            "/api/v1/public/diff?from={}&to={}",
            county[0].1, county[1].1
        ))
        .await;
    let changed = d["diff"]["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(
        changed[0]["name"]
            .as_str()
            .unwrap()
            .starts_with("户口项目变更证明")
    );
    let fields: Vec<&str> = changed[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"methods"), "{fields:?}");
    let m = changed[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "methods")
        .unwrap();
    // Issue #22 §1: the diff names methods in Chinese.
    assert!(!m["before"].as_str().unwrap().contains("数据共享"));
    assert!(m["after"].as_str().unwrap().contains("数据共享"));
    assert_eq!(d["diff"]["added"].as_array().unwrap().len(), 0);
    assert_eq!(d["diff"]["cancelled"].as_array().unwrap().len(), 0);
    // The reverse diff reads the other way round; the page shows it too.
    let r: Value = anon
        .json(&format!(
            "/api/v1/public/diff?from={}&to={}",
            county[1].1, county[0].1
        ))
        .await;
    assert_eq!(r["diff"]["changed"][0]["changes"][0]["before"], m["after"]);
    let html = anon
        .get(&format!(
            "/proofs/diff?from={}&to={}",
            county[0].1, county[1].1
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("替代取消方式"));
    // A version prepared without an item shows it as cancelled.
    let joint = t.staff("joint").await;
    let approver = t.staff("approver").await;
    let v: Value = anon
        .json(&format!("/api/v1/public/exemption-lists/{}", county[1].1))
        .await;
    let keep: Vec<i64> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .skip(1)
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    let r = joint
        .post_json(
            "/api/v1/catalogue/versions",
            &json!({"region_code": "370322000000", "item_ids": keep}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let vid = r.json::<Value>().await.unwrap()["version"]["id"]
        .as_i64()
        .unwrap();
    approver
        .post_json(
            &format!("/api/v1/catalogue/versions/{vid}/approve"),
            &json!({"approval_doc_no": "高政字〔2026〕2号"}),
        )
        .await;
    joint
        .post_json(
            &format!("/api/v1/catalogue/versions/{vid}/publish"),
            &json!({"effective_date": "2026-06-01"}),
        )
        .await;
    let d: Value = anon
        .json(&format!(
            "/api/v1/public/diff?from={}&to={vid}",
            county[1].1
        ))
        .await;
    assert_eq!(d["diff"]["cancelled"].as_array().unwrap().len(), 1);
    assert_eq!(d["diff"]["cancelled"][0]["id"], v["items"][0]["id"]);
}

async fn the_atom_and_json_feeds_carry_every_published_version(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let anon = t.client();
    let r = anon.get("/feeds/exemptions.atom").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let xml = r.text().await.unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed Atom");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "feed");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    let entries: Vec<_> = root
        .children()
        .filter(|n| n.tag_name().name() == "entry")
        .collect();
    assert_eq!(
        entries.len(),
        11,
        "county v1, v2 and v1 of each of the 9 towns"
    );
    for e in &entries {
        for child in ["title", "id", "updated", "summary"] {
            assert!(
                e.children().any(|n| n.tag_name().name() == child),
                "entry lacks {child}"
            );
        }
    }
    assert!(xml.contains("变更：户口项目变更证明"));
    let r = anon.get("/feeds/exemptions.json").await;
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/feed+json")
    );
    let f: Value = r.json().await.unwrap();
    assert_eq!(f["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(f["items"].as_array().unwrap().len(), 11);
    assert!(
        f["items"][0]["date_published"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
}

/// A stored stage that is not one of the stages is an error the clerk can quote, never
/// read as a draft (docs/WORKFLOW.md: rows decode their enums strictly).
async fn an_unknown_stored_stage_is_an_error_not_a_draft(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    let items: Value = ga.json("/api/v1/catalogue/items").await;
    let id = items[0]["id"].as_i64().unwrap();
    let mut tx = t.app.db.begin().await.unwrap();
    tx.execute(proofless_store::q("UPDATE proof_items SET stage = 'limbo' WHERE id = ?").bind(id))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let r = ga.get(&format!("/api/v1/catalogue/items/{id}")).await;
    assert_eq!(r.status(), 500);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let p: Value = r.json().await.unwrap();
    assert!(
        p["operation_id"].as_str().is_some_and(|o| !o.is_empty()),
        "{p}"
    );
    let r = ga
        .post_json(&format!("/api/v1/catalogue/items/{id}/submit"), &json!({}))
        .await;
    assert_eq!(r.status(), 500);
}

// SPEC R1.5: public-service sectors keep lists too; their units are orgs like any other. A
// water company registered as a public-service enterprise issues a proof drafted like any
// agency's.
async fn a_public_service_enterprise_is_an_org_like_any_other(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let admin = t.staff("admin").await;
    let code = proofless_domain::codes::CreditCode::generate('9', '1', "370322", 777_001)
        .unwrap()
        .as_str()
        .to_owned();
    let r = admin
        .post_json(
            "/api/v1/orgs",
            &json!({"name": "高青县自来水公司", "credit_code": code,
                    "kind": "public_service_enterprise", "region_code": "370322000000"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let water: Value = r.json().await.unwrap();
    assert_eq!(water["kind"], "public_service_enterprise");
    let ga = t.staff("ga_admin").await;
    let svc = service_item(&ga, "居民供水开户", "370322-TEST-0151").await;
    let water_id = water["id"].as_i64().unwrap();
    let r = ga
        .post_json(
            "/api/v1/catalogue/items",
            &item_body("用水地址证明", water_id, svc),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let item: Value = r.json().await.unwrap();
    assert_eq!(item["item"]["issuer_ids"], json!([water_id]), "{item}");
    let page: Value = admin.json("/api/v1/orgs?limit=500").await;
    assert!(
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["name"] == "高青县自来水公司" && o["kind"] == "public_service_enterprise")
    );
}

both_backends!(
    a_public_service_enterprise_is_an_org_like_any_other,
    an_unknown_stored_stage_is_an_error_not_a_draft,
    draft_review_prepare_approve_publish_and_search_at_once,
    an_item_without_legal_basis_is_proposed_for_cancellation_and_cannot_pass,
    commitment_is_refused_in_excluded_high_risk_domains,
    drafting_reads_the_excluded_domains_in_force,
    published_versions_are_immutable_and_read_exactly_as_published,
    a_diff_between_versions_lists_changes_field_by_field,
    the_atom_and_json_feeds_carry_every_published_version,
);
