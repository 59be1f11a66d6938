//! Issue #15 item 13 (A2 §12, SPEC R5.9): the citizen's access log leaves out the citizen's
//! own acts, and its `total` counts exactly the rows it shows.

use serde_json::Value;

use crate::commitment_flow::{LEGAL_AID, ZHANG, citizen, item};
use crate::common::{Backend, spawn_demo};

// A2 §12: who looked at my data; the total counts what is shown, not rows hidden from it.
async fn the_access_log_total_counts_what_it_shows(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = citizen(&t, ZHANG).await;
    // The citizen's own acts about themself are audited with their subject…
    let id = item(&t, LEGAL_AID).await;
    for _ in 0..3 {
        let _: Value = c
            .json(&format!(
                "/api/v1/commitments/eligibility?proof_item_id={id}"
            ))
            .await;
    }
    // …and someone else reads their credit.
    let pid = crate::commitment_flow::person_ref(&t, ZHANG).await;
    let credit = t.staff("credit").await;
    let _: Value = credit
        .json(&format!(
            "/api/v1/credit/subjects/{pid}?purpose=核查信用状况"
        ))
        .await;
    let page: Value = c.json("/api/v1/portal/access-log?limit=200").await;
    let items = page["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert_eq!(
        page["total"].as_u64().unwrap() as usize,
        items.len(),
        "{page}"
    );
    // Own acts left out: the citizen's eligibility queries are no one looking at their data.
    assert!(
        items.iter().all(|i| i["act"] != "查询能否适用告知承诺"),
        "own acts left out: {page}"
    );
    assert!(page.to_string().contains("核查信用状况"));
    // A short page still reports the whole count of shown rows.
    let first: Value = c.json("/api/v1/portal/access-log?limit=1").await;
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
    assert_eq!(first["total"], page["total"]);
}

both_backends!(the_access_log_total_counts_what_it_shows);

/// The cells of each row of the page's access-log table.
fn rows_of(html: &str) -> Vec<Vec<String>> {
    let Some(body) = html
        .split("<tbody>")
        .nth(1)
        .and_then(|b| b.split("</tbody>").next())
    else {
        return vec![];
    };
    body.split("<tr>")
        .skip(1)
        .map(|tr| {
            tr.split("<td>")
                .skip(1)
                .map(|td| td.split("</td>").next().unwrap_or("").trim().to_owned())
                .collect()
        })
        .collect()
}

// A2 §12, issue #22 point 6: 谁查阅了我的信息 — newest first, one row per access, the unit and
// the post (not the name), a purpose on every row, the case served, plain words.
async fn the_access_log_page_names_the_post_the_purpose_and_the_case(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = citizen(&t, ZHANG).await;
    let pid = crate::commitment_flow::person_ref(&t, ZHANG).await;
    let credit = t.staff("credit").await;
    // The credit office looks three times in a row: one access, not three rows.
    for _ in 0..3 {
        let _: Value = credit
            .json(&format!(
                "/api/v1/credit/subjects/{pid}?purpose=核查信用状况"
            ))
            .await;
    }
    let r = c.get("/portal/access-log").await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let rows = rows_of(&html);
    assert!(
        rows.len() >= 2,
        "the demo's verification and the credit read: {html}"
    );
    assert!(rows.iter().all(|r| r.len() == 6), "{rows:?}");
    // One row for the three reads, and it is the newest.
    let credit_rows: Vec<_> = rows.iter().filter(|r| r[4] == "核查信用状况").collect();
    assert_eq!(credit_rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][4], "核查信用状况", "newest first: {rows:?}");
    assert_eq!(rows[0][1], "县发展和改革局");
    assert_eq!(rows[0][2], "信用办", "the post, not the name");
    assert!(!html.contains("郑信"), "no staff name");
    // Newest first throughout (local times sort as text).
    let times: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);
    // No blank purpose, no blank post or unit, no duplicate row.
    for r in &rows {
        assert!(r[1..5].iter().all(|c| !c.is_empty()), "{r:?}");
    }
    for (i, a) in rows.iter().enumerate() {
        assert!(rows[i + 1..].iter().all(|b| b != a), "duplicate row {a:?}");
    }
    // The demo's verification about 张三 names the case it served (SJ-2026-0101).
    assert!(
        rows.iter()
            .any(|r| r[5] == "SJ-2026-0101" && r[1] == "县公安局"),
        "{rows:?}"
    );
    // Plain words: no article numbers, no action codes.
    assert!(!html.contains("附件2"), "{html}");
    assert!(!html.contains("verification."), "{html}");
    // The portal home links to it.
    let home = c.get("/portal").await.text().await.unwrap();
    assert!(home.contains("/portal/access-log"), "{home}");
    // Staff cannot open it.
    let staff = t.staff("credit").await;
    let r = staff.get("/portal/access-log").await;
    assert_eq!(r.status(), 403);
}

// Issue #22 point 6 over HTTP: the API answers the page's rows — newest first, one per
// access, unit and post (never a name or an action code), a purpose on each, the case — a
// page at a time with the whole count, and the OpenAPI document describes each field.
async fn the_access_log_api_answers_the_pages_rows(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = citizen(&t, ZHANG).await;
    let pid = crate::commitment_flow::person_ref(&t, ZHANG).await;
    let credit = t.staff("credit").await;
    for _ in 0..3 {
        let _: Value = credit
            .json(&format!(
                "/api/v1/credit/subjects/{pid}?purpose=核查信用状况"
            ))
            .await;
    }
    let api: Value = c.json("/api/v1/portal/access-log?limit=200").await;
    let items = api["items"].as_array().unwrap();
    let html = c.get("/portal/access-log").await.text().await.unwrap();
    let rows = rows_of(&html);
    assert_eq!(items.len(), rows.len(), "{api}");
    assert_eq!(api["total"].as_u64().unwrap() as usize, rows.len());
    for (i, r) in items.iter().zip(&rows) {
        let fields = [
            &i["unit"],
            &i["role"],
            &i["act"],
            &i["purpose"],
            &i["case_no"],
        ];
        let mut cells: Vec<&str> = fields.iter().map(|v| v.as_str().unwrap()).collect();
        if cells[4].is_empty() {
            cells[4] = "—"; // the page's mark for no case
        }
        assert_eq!(cells, r[1..6].to_vec(), "{i}");
        let mut keys: Vec<&String> = i.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            ["act", "at", "case_no", "purpose", "role", "unit"],
            "no raw audit fields: {i}"
        );
        assert!(!i["purpose"].as_str().unwrap().trim().is_empty(), "{i}");
    }
    // Newest first, the three reads one row, no duplicates, no names, no codes.
    let ats: Vec<i64> = items.iter().map(|i| i["at"].as_i64().unwrap()).collect();
    assert!(ats.windows(2).all(|w| w[0] >= w[1]), "{ats:?}");
    assert_eq!(
        items
            .iter()
            .filter(|i| i["purpose"] == "核查信用状况")
            .count(),
        1
    );
    assert_eq!(items[0]["purpose"], "核查信用状况");
    assert_eq!(items[0]["role"], "信用办");
    for (n, a) in items.iter().enumerate() {
        assert!(items[n + 1..].iter().all(|b| b != a), "duplicate {a}");
    }
    let text = api.to_string();
    assert!(
        !text.contains("郑信") && !text.contains("verification."),
        "{text}"
    );
    // Pages: the second row alone, with the whole count.
    let second: Value = c.json("/api/v1/portal/access-log?limit=1&offset=1").await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(second["items"][0], items[1]);
    assert_eq!(second["total"], api["total"]);
    // Staff get no citizen's log.
    assert_eq!(credit.get("/api/v1/portal/access-log").await.status(), 403);
    // The document names each field.
    let doc: Value = t.client().json("/api/v1/openapi.json").await;
    let view = &doc["components"]["schemas"]["AccessView"]["properties"];
    for f in ["at", "unit", "role", "act", "purpose", "case_no"] {
        assert!(
            view[f]["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty()),
            "{f}: {view}"
        );
    }
    let page = &doc["components"]["schemas"]["AccessPage"]["properties"];
    assert_eq!(
        page["items"]["items"]["$ref"], "#/components/schemas/AccessView",
        "{page}"
    );
}

both_backends!(
    the_access_log_page_names_the_post_the_purpose_and_the_case,
    the_access_log_api_answers_the_pages_rows
);
