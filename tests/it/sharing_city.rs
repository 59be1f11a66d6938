//! Issue #18 §4: the city platform connector against the loopback stand-in: signed requests,
//! mapping to the template, and slow, failing, malformed and foreign answers.

use serde_json::{Value, json};

use crate::city_platform::{self, APP_ID, Mode, SECRET};
use crate::commitment_flow::{ZHANG, item, open_case, person, service_of};
use crate::common::{Backend, spawn_demo};
use crate::sharing_flow::{DEATH, publish, world};

async fn city_pulls_map_answers_to_typed_outcomes(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let mut w = world(&t).await;
    let (base, platform) = city_platform::start().await;
    let admin = t.staff("admin").await;
    let r = admin
        .put_json(
            "/api/v1/sharing/sources",
            &json!({"base_url": base, "app_id": APP_ID, "secret": SECRET, "timeout_ms": 300, "retries": 1}),
            None,
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let bad = admin
        .put_json(
            "/api/v1/sharing/sources",
            &json!({"base_url": "ftp://x", "app_id": "", "secret": "short"}),
            None,
        )
        .await;
    assert_eq!(bad.status(), 422);
    // The death certificate comes from the city platform.
    let death = item(&t, DEATH).await;
    publish(&t, &w, death, "city_platform").await;
    w.item = death;
    w.service = service_of(&t, death).await;
    w.case_id = open_case(&t, w.ga_id, person(&t, ZHANG).await, death).await;
    platform.add(
        ZHANG,
        json!({"child_name": "张三", "birth_date": "2026-02-01", "mother_name": "李梅"}),
    );
    let body = crate::sharing_flow::pull_body(&w, &w.zhang, None);
    let pull = |b: Value| {
        let ga = &w.ga;
        async move {
            let r = ga.post_json("/api/v1/sharing/pulls", &b).await;
            assert_eq!(r.status(), 201);
            r.json::<Value>().await.unwrap()
        }
    };
    let p = pull(body.clone()).await;
    assert_eq!(p["outcome"], "awaiting_consent", "{p}");
    assert_eq!(p["source"], "city_platform");
    assert_eq!(platform.refused(), 0, "our signature is accepted");
    platform.set_mode(Mode::OtherHolder);
    assert_eq!(pull(body.clone()).await["outcome"], "identity_mismatch");
    platform.set_mode(Mode::Malformed);
    let p = pull(body.clone()).await;
    assert_eq!(p["outcome"], "source_unavailable");
    assert!(p["reason"].as_str().unwrap().contains("格式错误"), "{p}");
    platform.set_mode(Mode::Slow);
    let p = pull(body.clone()).await;
    assert_eq!(p["outcome"], "source_unavailable");
    assert!(p["reason"].as_str().unwrap().contains("超时"), "{p}");
    platform.set_mode(Mode::Failing);
    let hits = platform.hits();
    let p = pull(body.clone()).await;
    assert_eq!(p["outcome"], "source_unavailable");
    assert_eq!(platform.hits() - hits, 2, "one retry with backoff");
    // Three failed pulls in a row: the breaker opens and the platform is not called.
    let hits = platform.hits();
    let p = pull(body.clone()).await;
    assert!(p["reason"].as_str().unwrap().contains("熔断"), "{p}");
    assert_eq!(platform.hits(), hits);
    let sources: Value = admin.json("/api/v1/sharing/sources").await;
    assert_eq!(sources[0]["breaker_open"], true);
}

both_backends!(city_pulls_map_answers_to_typed_outcomes);
