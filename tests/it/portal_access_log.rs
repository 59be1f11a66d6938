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
    assert!(
        items.iter().all(|i| i["who"] != "张三"),
        "own acts left out: {page}"
    );
    assert!(page.to_string().contains("核查信用状况"));
    // A short page still reports the whole count of shown rows.
    let first: Value = c.json("/api/v1/portal/access-log?limit=1").await;
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
    assert_eq!(first["total"], page["total"]);
}

both_backends!(the_access_log_total_counts_what_it_shows);
