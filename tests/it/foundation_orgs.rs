//! Regions, orgs, credit-code checks, ETag/If-Match, idempotency, import, staffing
//! (issue #2 §3–§5, §9).

use serde_json::{Value, json};

use crate::common::{Backend, spawn_demo};

fn valid_code(serial: u64) -> String {
    proofless_domain::codes::CreditCode::generate('1', '1', "370322", 900_000 + serial)
        .unwrap()
        .as_str()
        .to_owned()
}

// SPEC R3.3: one deployment serves city, county, town and village.
async fn the_demo_county_has_the_seed_units_towns_and_villages(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.staff("joint").await;
    let page: Value = c.json("/api/v1/orgs?limit=500").await;
    let names: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    for n in [
        "县司法局",
        "县行政审批服务局",
        "县大数据中心",
        "国网高青供电公司",
        "中国人民银行高青县支行",
        "淄博银保监分局高青监管组",
        "经济开发区管委会",
        "田镇街道办事处",
        "木李镇人民政府",
    ] {
        assert!(names.contains(&n), "missing {n}");
    }
    assert!(names.iter().any(|n| n.ends_with("村民委员会")));
    let town: Value = c.json("/api/v1/regions/370322001000").await;
    assert_eq!(town["name"], "田镇街道");
    assert_eq!(town["level"], "town");
    assert_eq!(town["parent_code"], "370322000000");
    let towns: Value = c
        .json("/api/v1/regions?parent=370322000000&level=town")
        .await;
    assert_eq!(towns.as_array().unwrap().len(), 9);
    // Only the towns' region filter narrows the list.
    let in_town: Value = c.json("/api/v1/orgs?region=370322001000").await;
    assert!(
        in_town["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["region_code"].as_str().unwrap().starts_with("370322001"))
    );
}

async fn updates_need_if_match_and_a_stale_one_is_refused(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.staff("admin").await;
    let body = json!({"name": "县档案馆", "credit_code": valid_code(1), "kind": "public_service_institution", "region_code": "370322000000"});
    let r = c.post_json("/api/v1/orgs", &body).await;
    assert_eq!(r.status(), 201);
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let org: Value = r.json().await.unwrap();
    let path = format!("/api/v1/orgs/{}", org["id"]);
    let mut changed = body.clone();
    changed["name"] = json!("高青县档案馆");
    assert_eq!(c.put_json(&path, &changed, None).await.status(), 428);
    let r = c.put_json(&path, &changed, Some(&etag)).await;
    assert_eq!(r.status(), 200);
    let new_etag = r.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(new_etag, etag);
    // A second editor still holding the old ETag is refused, and nothing is overwritten.
    let mut other = body.clone();
    other["name"] = json!("覆盖者");
    let r = c.put_json(&path, &other, Some(&etag)).await;
    assert_eq!(r.status(), 412);
    let now: Value = c.json(&path).await;
    assert_eq!(now["name"], "高青县档案馆");
}

async fn a_failing_credit_code_checksum_is_a_warning_the_admin_must_confirm(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.staff("admin").await;
    let good = valid_code(2);
    // Break only the final MOD 31 check character.
    let last = good.chars().last().unwrap();
    let replacement = if last == '0' { '1' } else { '0' };
    let bad = format!("{}{}", &good[..17], replacement);
    let body = json!({"name": "县气象局", "credit_code": bad, "kind": "administrative_body", "region_code": "370322000000"});
    let r = c.post_json("/api/v1/orgs", &body).await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "credit_code");
    assert!(
        p["errors"][0]["message"].as_str().unwrap().contains("校验"),
        "{p}"
    );
    let mut confirmed = body.clone();
    confirmed["confirm_warnings"] = json!(true);
    let r = c.post_json("/api/v1/orgs", &confirmed).await;
    assert_eq!(r.status(), 201);
    let org: Value = r.json().await.unwrap();
    assert!(
        org["credit_code_warning"]
            .as_str()
            .unwrap()
            .contains("校验")
    );
    // Structural errors are never accepted, confirmed or not.
    let mut broken = confirmed.clone();
    broken["credit_code"] = json!("91370322MA3C8XXXX");
    broken["name"] = json!("另一个单位");
    let r = c.post_json("/api/v1/orgs", &broken).await;
    assert_eq!(r.status(), 422);
}

async fn an_import_with_one_bad_row_writes_nothing_and_names_the_row(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.staff("admin").await;
    let before = c.json("/api/v1/orgs?limit=1").await["total"]
        .as_i64()
        .unwrap();
    let rows = json!({"rows": [
        {"name": "导入单位甲", "credit_code": valid_code(3), "kind": "administrative_body", "region_code": "370322000000"},
        {"name": "导入单位乙", "kind": "public_service_enterprise", "region_code": "370322101000"},
        {"name": "", "kind": "nonsense", "region_code": "370322000000"},
    ]});
    let r = c.post_json("/api/v1/orgs/import", &rows).await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"rows[2].name") && fields.contains(&"rows[2].kind"),
        "{p}"
    );
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("第 3 行")
    );
    assert_eq!(
        c.json("/api/v1/orgs?limit=1").await["total"]
            .as_i64()
            .unwrap(),
        before
    );
    // A unique clash in the middle of the batch also leaves nothing behind.
    let clash = json!({"rows": [
        {"name": "导入单位丙", "kind": "administrative_body", "region_code": "370322000000"},
        {"name": "县司法局", "kind": "administrative_body", "region_code": "370322000000"},
    ]});
    assert_eq!(
        c.post_json("/api/v1/orgs/import", &clash).await.status(),
        422
    );
    assert_eq!(
        c.json("/api/v1/orgs?limit=1").await["total"]
            .as_i64()
            .unwrap(),
        before
    );
    let ok = json!({"rows": [rows["rows"][0], rows["rows"][1]]});
    assert_eq!(c.post_json("/api/v1/orgs/import", &ok).await.status(), 201);
    assert_eq!(
        c.json("/api/v1/orgs?limit=1").await["total"]
            .as_i64()
            .unwrap(),
        before + 2
    );
}

async fn a_repeated_create_with_the_same_idempotency_key_creates_once(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.staff("admin").await;
    let body = json!({"name": "县退役军人事务局", "kind": "administrative_body", "region_code": "370322000000"});
    let send = |key: &'static str, body: Value| {
        let rb = c
            .http
            .post(c.url("/api/v1/orgs"))
            .header("X-CSRF-Token", &c.csrf)
            .header("Idempotency-Key", key)
            .json(&body);
        async move { rb.send().await.unwrap() }
    };
    let first = send("k-1", body.clone()).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = send("k-1", body.clone()).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(first["id"], again["id"]);
    let mut other = body.clone();
    other["name"] = json!("另一个请求");
    assert_eq!(send("k-1", other).await.status(), 409);
    // Without a key, the duplicate name is a clear conflict, not a second row.
    let dup = c.post_json("/api/v1/orgs", &body).await;
    assert_eq!(dup.status(), 422);
    let p: Value = dup.json().await.unwrap();
    assert!(p["detail"].as_str().unwrap().contains("同名"));
}

// A2 §6: each unit shows whether it meets "at least 1 liaison and 2 proxy agents".
// SPEC R5.8, A2 §6: at least 1 liaison and 2 proxy agents, with A/B stand-ins.
async fn each_unit_shows_whether_it_meets_the_a2_6_staffing_minimum(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.staff("joint").await;
    let reg: Value = c.json("/api/v1/staffing-registry").await;
    let find = |name: &str| {
        reg.as_array()
            .unwrap()
            .iter()
            .find(|r| r["org_name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(find("县公安局")["staffing"]["meets_minimum"], true);
    let water = find("县水利局");
    assert_eq!(water["staffing"]["meets_minimum"], false);
    assert!(
        water["staffing"]["problems"]
            .to_string()
            .contains("代办员不足")
    );
    // The unit admin adds two proxy agents with stand-ins; the flag clears.
    let admin = t.staff("sl_liaison").await;
    let org = admin.json("/api/v1/auth/me").await["org_id"]
        .as_i64()
        .unwrap();
    let mut ids = vec![];
    for (u, n) in [("sl_p1", "水利代办甲"), ("sl_p2", "水利代办乙")] {
        let r = admin.post_json(&format!("/api/v1/orgs/{org}/staff"), &json!({"username": u, "display_name": n, "password": "Abcdefg123", "roles": ["proxy_agent"]})).await;
        assert_eq!(r.status(), 201);
        ids.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    let posts: Value = admin.json(&format!("/api/v1/orgs/{org}/duty-posts")).await;
    let liaison_post = posts[0]["id"].as_i64().unwrap();
    assert_eq!(
        admin
            .delete(&format!("/api/v1/duty-posts/{liaison_post}"))
            .await
            .status(),
        204
    );
    let me = admin.json("/api/v1/auth/me").await["id"].as_i64().unwrap();
    let add =
        |a: i64, bb: i64, duty: &str| json!({"duty": duty, "a_staff_id": a, "b_staff_id": bb});
    assert_eq!(
        admin
            .post_json(
                &format!("/api/v1/orgs/{org}/duty-posts"),
                &add(me, ids[0], "liaison")
            )
            .await
            .status(),
        201
    );
    assert_eq!(
        admin
            .post_json(
                &format!("/api/v1/orgs/{org}/duty-posts"),
                &add(ids[0], ids[1], "proxy_agent")
            )
            .await
            .status(),
        201
    );
    assert_eq!(
        admin
            .post_json(
                &format!("/api/v1/orgs/{org}/duty-posts"),
                &add(ids[1], ids[0], "proxy_agent")
            )
            .await
            .status(),
        201
    );
    // A and B may not be the same person.
    let r = admin
        .post_json(
            &format!("/api/v1/orgs/{org}/duty-posts"),
            &add(ids[1], ids[1], "liaison"),
        )
        .await;
    assert_eq!(r.status(), 422);
    let s: Value = admin.json(&format!("/api/v1/orgs/{org}/staffing")).await;
    assert_eq!(s["meets_minimum"], true, "{s}");
}

// WORKFLOW: a stored kind that is no known variant fails to decode; it is never read
// as some default. The request answers problem+json 500 with its operation id.
async fn a_stored_duty_that_is_no_duty_is_an_error_not_a_default(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let mut tx = t.app.db.begin().await.unwrap();
    let (post, org): (i64, i64) = tx
        .fetch_one(proofless_store::q(
            "SELECT id, org_id FROM duty_posts ORDER BY id LIMIT 1",
        ))
        .await
        .unwrap();
    tx.execute(
        proofless_store::q("UPDATE duty_posts SET duty = 'janitor' WHERE id = ?").bind(post),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let c = t.staff("joint").await;
    let r = c.get(&format!("/api/v1/orgs/{org}/duty-posts")).await;
    assert_eq!(r.status(), 500);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Value = r.json().await.unwrap();
    assert!(p["operation_id"].as_str().unwrap().len() >= 16, "{p}");
    let r = c.get(&format!("/api/v1/orgs/{org}/staffing")).await;
    assert_eq!(r.status(), 500);
}

// The admin pages take plain HTML forms: ticked roles arrive as repeated `roles` fields.
async fn the_admin_pages_take_plain_html_forms(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let form = "application/x-www-form-urlencoded";
    let admin = t.staff("admin").await;
    let r = admin
        .post_raw(
            "/admin/orgs",
            form,
            b"name=%E5%8E%BF%E8%A1%A8%E5%8D%95%E5%B1%80&kind=administrative_body&region_code=370322000000&credit_code=".to_vec(),
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let org = r.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = org.rsplit('/').next().unwrap().parse().unwrap();
    let created: Value = admin.json(&format!("/api/v1/orgs/{id}")).await;
    assert_eq!(created["name"], "县表单局");
    assert_eq!(created["kind"], "administrative_body");
    let r = admin
        .post_raw(
            &format!("/admin/orgs/{id}/staff"),
            form,
            b"username=form_clerk&display_name=%E8%A1%A8%E5%8D%95&password=Abcdefg123&roles=counter_clerk&roles=liaison".to_vec(),
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let staff: Value = admin.json(&format!("/api/v1/orgs/{id}/staff")).await;
    assert_eq!(staff[0]["username"], "form_clerk");
    assert_eq!(staff[0]["roles"], json!(["counter_clerk", "liaison"]));
    // A bad field comes back on the page, in Chinese.
    let r = admin
        .post_raw(
            &format!("/admin/orgs/{id}/staff"),
            form,
            b"username=x".to_vec(),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("用户名长度"));
}

both_backends!(
    the_demo_county_has_the_seed_units_towns_and_villages,
    the_admin_pages_take_plain_html_forms,
    a_stored_duty_that_is_no_duty_is_an_error_not_a_default,
    updates_need_if_match_and_a_stale_one_is_refused,
    a_failing_credit_code_checksum_is_a_warning_the_admin_must_confirm,
    an_import_with_one_bad_row_writes_nothing_and_names_the_row,
    a_repeated_create_with_the_same_idempotency_key_creates_once,
    each_unit_shows_whether_it_meets_the_a2_6_staffing_minimum,
);
