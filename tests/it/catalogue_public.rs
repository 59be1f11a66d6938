//! The public portal (issue #3 §5–§6): search by Chinese fragments, pinyin and initials,
//! filters, item and service item pages, without login; hostile and odd queries.

use serde_json::{Value, json};

use crate::common::{Backend, spawn_demo};

fn names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn citizens_find_proofs_by_two_characters_pinyin_and_initials(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.client();
    let all: Value = c.json("/api/v1/public/search?limit=100").await;
    assert!(
        all["total"].as_u64().unwrap() >= 40,
        "demo has a realistic list: {}",
        all["total"]
    );

    // 户籍: in proof names and in service item names.
    let r: Value = c.json("/api/v1/public/proof-items?q=户籍").await;
    assert!(r["total"].as_u64().unwrap() >= 5);
    assert!(names(&r).iter().any(|n| n.starts_with("户籍证明")));
    assert!(
        names(&r).contains(&"出生医学证明".to_owned()),
        "found through its service 新生儿出生户籍登记"
    );
    // Contract shape.
    let first = &r["items"][0];
    for k in ["id", "name", "level", "issuers", "methods", "service_items"] {
        assert!(!first[k].is_null(), "missing {k}");
    }
    assert!(first["service_items"][0]["code"].is_string());

    // 社保: only service item names carry it.
    let r: Value = c.json("/api/v1/public/search?q=社保").await;
    let n = names(&r);
    assert!(n.contains(&"健在证明（村居）".to_owned()), "{n:?}");
    assert!(
        n.contains(&"居民死亡医学证明（推断）书".to_owned()),
        "{n:?}"
    );

    // Full pinyin and initials, in either width and case.
    for q in ["hujizhengming", "hjzm", "HJZM", "ｈｊｚｍ", "huji"] {
        let r: Value = c.json(&format!("/api/v1/public/search?q={q}")).await;
        assert!(
            names(&r).iter().any(|n| n.starts_with("户籍证明")),
            "{q}: {:?}",
            names(&r)
        );
    }
    // One character.
    // SPEC R1.1, R2.1: one list per level and region — every town keeps the homestead
    // check in its own list (9 town lists), village items sit in their town's list.
    let r: Value = c.json("/api/v1/public/search?q=宅").await;
    let n = names(&r);
    assert_eq!(n.len(), 9, "{n:?}");
    assert!(n.iter().all(|x| x == "农村村民一户一宅情况证明"), "{n:?}");
}

async fn filters_narrow_by_level_region_issuer_service_and_method(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.client();
    let r: Value = c.json("/api/v1/public/search?level=town&limit=100").await;
    assert_eq!(r["total"], 9, "one retained town item per town list");
    let r: Value = c
        .json("/api/v1/public/search?level=village&limit=100")
        .await;
    assert!(
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["level"] == "village")
    );
    assert!(r["total"].as_u64().unwrap() >= 19);
    let r: Value = c
        .json("/api/v1/public/search?region=370322001000&limit=100")
        .await;
    assert!(
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["region_code"].as_str().unwrap().starts_with("370322001"))
    );
    assert_eq!(r["total"].as_u64().unwrap(), 20);
    for m in [
        "abolished",
        "data_sharing",
        "commitment",
        "verification",
        "proxy",
        "deficiency_acceptance",
        "other",
    ] {
        let r: Value = c
            .json(&format!("/api/v1/public/search?method={m}&limit=100"))
            .await;
        assert!(r["total"].as_u64().unwrap() >= 1, "demo represents {m}");
        assert!(
            r["items"].as_array().unwrap().iter().all(|i| i["methods"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x == m))
        );
    }
    let r: Value = c
        .json("/api/v1/public/search?method=commitment&q=户口")
        .await;
    // 户口项目变更证明 and 亲属关系证明（派出所，户口簿不能反映的）, whose relation commitment
    // replaces it where it cannot be checked.
    assert_eq!(r["total"], 2);
    let r: Value = c
        .json("/api/v1/public/search?issuer=县卫生健康局&limit=100")
        .await;
    assert!(r["total"].as_u64().unwrap() >= 3);
    assert!(r["items"].as_array().unwrap().iter().all(|i| {
        i["issuers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == "县卫生健康局")
    }));
    let id = r["items"][0]["issuer_ids"]
        .as_array()
        .unwrap()
        .iter()
        .zip(r["items"][0]["issuers"].as_array().unwrap())
        .find(|(_, n)| *n == "县卫生健康局")
        .unwrap()
        .0
        .as_i64()
        .unwrap();
    let by_id: Value = c
        .json(&format!("/api/v1/public/search?issuer={id}&limit=100"))
        .await;
    assert_eq!(by_id["total"], r["total"]);
    let code = r["items"][0]["service_items"][0]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let r: Value = c
        .json(&format!("/api/v1/public/search?service={code}"))
        .await;
    assert!(r["items"].as_array().unwrap().iter().all(|i| {
        i["service_items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["code"] == code)
    }));
    // Pagination with a cursor.
    let p1: Value = c.json("/api/v1/public/proof-items?limit=5").await;
    let cursor = p1["next_cursor"].as_str().unwrap();
    let p2: Value = c
        .json(&format!(
            "/api/v1/public/proof-items?limit=5&cursor={cursor}"
        ))
        .await;
    assert_ne!(p1["items"][0]["id"], p2["items"][0]["id"]);
    // Bad filters get Chinese field errors.
    for (q, field) in [
        ("level=city", "level"),
        ("method=fax", "method"),
        ("region=3703", "region"),
        ("limit=0", "limit"),
        ("limit=1000", "limit"),
        ("cursor=abc", "cursor"),
    ] {
        let r = c.get(&format!("/api/v1/public/search?{q}")).await;
        assert_eq!(r.status(), 422, "{q}");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], field, "{q}");
    }
}

async fn odd_and_hostile_queries_are_answered_safely(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.client();
    let all: Value = c.json("/api/v1/public/search?q=").await;
    assert!(
        all["total"].as_u64().unwrap() > 0,
        "empty query lists everything"
    );
    let long = "证".repeat(3500); // 10 KB of UTF-8
    let r = c.get(&format!("/api/v1/public/search?q={long}")).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["truncated"], true);
    for q in [
        "' OR 1=1 --",
        "%'; DROP TABLE proof_items; --",
        "😀😀",
        "<script>alert(1)</script>",
    ] {
        let r = c
            .http
            .get(c.url("/api/v1/public/search"))
            .query(&[("q", q)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{q}");
    }
    // Emoji and spaces around words are ignored; full-width letters match.
    let r = c
        .http
        .get(c.url("/api/v1/public/search"))
        .query(&[("q", " 户籍😀 ")])
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert!(v["total"].as_u64().unwrap() >= 5);
    // The SQL-looking query did nothing to the data.
    let after: Value = c.json("/api/v1/public/search?q=").await;
    assert_eq!(after["total"], all["total"]);
    // The page escapes what was typed.
    let html = c
        .http
        .get(c.url("/proofs"))
        .query(&[("q", "<script>alert(1)</script>")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&#60;script&#62;"));
}

async fn item_and_service_pages_say_plainly_what_the_office_does(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.client();
    let r: Value = c.json("/api/v1/public/search?q=出生医学证明").await;
    let id = r["items"][0]["id"].as_i64().unwrap();
    let item: Value = c.json(&format!("/api/v1/public/proof-items/{id}")).await;
    assert_eq!(item["replacements"][0]["method"], "data_sharing");
    let html = c
        .get(&format!("/proofs/items/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("您无需提交此证明，办理单位将"));
    assert!(html.contains("通过数据共享平台直接调取"));
    assert!(html.contains("《中华人民共和国母婴保健法》第二十三条"));
    // SPEC R2.3: the service guide (办事指南) of each service item lists its proofs and how
    // each is obtained, from the published list in force.
    let code = item["service_items"][0]["code"].as_str().unwrap();
    let sp: Value = c
        .json(&format!("/api/v1/public/service-items/{code}/proofs"))
        .await;
    assert!(sp["proofs"].as_array().unwrap().len() >= 2);
    assert!(
        sp["proofs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| !p["replacements"].as_array().unwrap().is_empty())
    );
    let html = c
        .get(&format!("/proofs/services/{code}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("新生儿出生户籍登记") && html.contains("出生医学证明"));
    assert_eq!(
        c.get("/api/v1/public/service-items/NOPE-000000000/proofs")
            .await
            .status(),
        404
    );
    assert_eq!(
        c.get("/api/v1/public/proof-items/999999").await.status(),
        404
    );
    // The search page works without JavaScript (plain GET) and as an htmx fragment.
    let html = c.get("/proofs?q=hjzm").await.text().await.unwrap();
    assert!(html.contains("户籍证明"));
    assert!(html.contains("<form method=\"get\" action=\"/proofs\""));
    let frag = c.get("/proofs/results?q=社保").await.text().await.unwrap();
    assert!(!frag.contains("<html") && frag.contains("健在证明"));
    // htmx asks the page's own address and gets the results alone.
    let frag = c
        .http
        .get(c.url("/proofs?q=社保"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!frag.contains("<html") && frag.contains("健在证明"));
    let html = c.get("/proofs/versions").await.text().await.unwrap();
    assert!(
        html.contains("高青县证明事项免提交清单") && html.contains("田镇街道证明事项免提交清单")
    );
    // A returned item and a draft are not public.
    let r: Value = c.json("/api/v1/public/search?q=火化证明").await;
    assert_eq!(r["total"], 0);
    let r: Value = c.json("/api/v1/public/search?q=家庭收入").await;
    assert_eq!(r["total"], 0);
    let _ = json!(null);
}

both_backends!(
    citizens_find_proofs_by_two_characters_pinyin_and_initials,
    filters_narrow_by_level_region_issuer_service_and_method,
    odd_and_hostile_queries_are_answered_safely,
    item_and_service_pages_say_plainly_what_the_office_does,
);

async fn a_publication_reaches_another_instance_on_the_same_database(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    // A second instance: same database, its own in-memory index.
    let other = proofless_app::App::new(
        t.app.db.clone(),
        t.clock.clone(),
        proofless_app::AppSettings::default(),
    );
    let find = |app: proofless_app::App| async move {
        let p = proofless_app::catalogue::public::SearchParams {
            q: Some("派遣".to_owned()),
            ..Default::default()
        };
        proofless_app::catalogue::public::search(&app, &p)
            .await
            .unwrap()
            .total
    };
    assert_eq!(find(other.clone()).await, 0);
    // The HTTP answer is remembered per publication: it must not outlive one.
    let anon = t.client();
    let before: Value = anon.json("/api/v1/public/search?q=派遣").await;
    assert_eq!(before["total"], 0);
    let county_before: Value = anon
        .json("/api/v1/public/search?region=370322000000&level=county&limit=1")
        .await;
    let ga = t.staff("ga_admin").await;
    let justice = t.staff("justice").await;
    let joint = t.staff("joint").await;
    let approver = t.staff("approver").await;
    let svc: Value = ga.json("/api/v1/catalogue/service-items").await;
    let body =
        crate::catalogue_flow::item_body("学生毕业派遣证明", 1, svc[0]["id"].as_i64().unwrap());
    let id = ga
        .post_json("/api/v1/catalogue/items", &body)
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    ga.post_json(&format!("/api/v1/catalogue/items/{id}/submit"), &json!({}))
        .await;
    justice
        .post_json(
            &format!("/api/v1/catalogue/items/{id}/reviews"),
            &json!({"verdict": "pass"}),
        )
        .await;
    let v: Value = joint
        .post_json(
            "/api/v1/catalogue/versions",
            &json!({"region_code": "370322000000"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let vid = v["version"]["id"].as_i64().unwrap();
    approver
        .post_json(
            &format!("/api/v1/catalogue/versions/{vid}/approve"),
            &json!({"approval_doc_no": "高政字〔2026〕3号"}),
        )
        .await;
    let r = joint
        .post_json(
            &format!("/api/v1/catalogue/versions/{vid}/publish"),
            &json!({"effective_date": "2026-04-01"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    // The publishing instance answers at once.
    assert_eq!(find(t.app.clone()).await, 1);
    let after: Value = anon.json("/api/v1/public/search?q=派遣").await;
    assert_eq!(after["total"], 1);
    // Only the county list was replaced: its count grew by one, the towns' lists stayed.
    let county_after: Value = anon
        .json("/api/v1/public/search?region=370322000000&level=county&limit=1")
        .await;
    assert_eq!(
        county_after["total"].as_u64().unwrap(),
        county_before["total"].as_u64().unwrap() + 1
    );
    let homestead: Value = anon.json("/api/v1/public/search?q=宅").await;
    assert_eq!(homestead["total"], 9);
    // The other instance notices within its freshness window (polled, not timed).
    let mut seen = 0;
    for _ in 0..50 {
        seen = find(other.clone()).await;
        if seen == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seen, 1);
    let p = proofless_app::catalogue::public::SearchParams {
        q: Some("宅".to_owned()),
        ..Default::default()
    };
    let r = proofless_app::catalogue::public::search(&other, &p)
        .await
        .unwrap();
    assert_eq!(
        r.total, 9,
        "the other instance kept the lists that did not change"
    );
}

both_backends!(a_publication_reaches_another_instance_on_the_same_database);

async fn a_published_version_exports_as_xlsx_in_the_officials_columns(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.client();
    let vs: Value = c.json("/api/v1/public/exemption-lists").await;
    let v = vs
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["title"] == "田镇街道证明事项免提交清单")
        .unwrap();
    let r = c
        .get(&format!(
            "/api/v1/public/exemption-lists/{}/export.xlsx",
            v["id"]
        ))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = r.bytes().await.unwrap();
    // Read back as the import reads it (calamine): every cell as its text.
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    assert_eq!(
        rows[0],
        [
            "序号",
            "证明名称",
            "涉及的政务服务事项名称",
            "事项编码",
            "设定依据",
            "开具单位",
            "索要单位",
            "替代取消方式",
            "办理指引",
            "层级",
            "备注"
        ]
    );
    assert_eq!(rows.len() as i64 - 1, v["item_count"].as_i64().unwrap());
    assert!(
        rows.iter()
            .any(|r| r[1] == "健在证明（村居）" && r[7] == "直接取消")
    );
    // Unpublished or unknown versions are not exported.
    assert_eq!(
        c.get("/api/v1/public/exemption-lists/999999/export.xlsx")
            .await
            .status(),
        404
    );
}

both_backends!(a_published_version_exports_as_xlsx_in_the_officials_columns);
