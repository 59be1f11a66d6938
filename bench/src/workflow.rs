//! Workflow scenarios (issue #7 §2): inter-unit verification and commitment eligibility,
//! driven through the same public API the web pages and other units' systems call. The
//! fixture (which item, which subjects) is found through the API too, so a scenario
//! measures what a real client would do and breaks when the API does.

use anyhow::{Context, bail};
use rand::Rng;
use serde_json::{Value, json};

use crate::load::{Session, resident_id};

/// Asks as 县市场监管局 (a requesting unit in the demo county).
pub const SENDER: &str = "sj_liaison";
/// Answers and lists the inbox as 县公安局, the issuer of the chosen item.
pub const ISSUER_AGENT: &str = "ga_proxy1";
/// A counter clerk: eligibility for the applicant at the counter.
pub const CLERK: &str = "ga_clerk";
const ISSUER: &str = "县公安局";
/// The demo item the verification tests use; any other verifiable item of the issuer
/// serves when it is missing.
const PREFERRED_ITEM: &str = "注销户口证明";
/// 张三, a demo person the requesting unit asks about.
const SUBJECT: (&str, &str) = ("370322199001011238", "张三");
/// Known subjects created for the eligibility scenario.
const SUBJECTS: u64 = 200;

/// What the workflow scenarios need, found once per run.
#[derive(Debug, Default)]
pub struct Fixture {
    pub verify_item: i64,
    pub commit_item: i64,
    pub persons: Vec<String>,
    /// person-lookup: the `resident_id` indices `from..from + n` registered first.
    pub lookup: (u64, u64),
    /// case-complete: the service and its proofs.
    pub case: Option<crate::cases::CaseFixture>,
    /// sharing-pull and verify-page: the pull's body and an extract's code.
    pub sharing: crate::sharing::Pulls,
}

async fn json_ok(res: reqwest::Response, what: &str) -> anyhow::Result<Value> {
    let status = res.status();
    let body = res.text().await?;
    if !status.is_success() {
        bail!("{what}: {status} {body}");
    }
    serde_json::from_str(&body).with_context(|| format!("{what}: not JSON"))
}

/// A published item the issuer confirms by verification, from the public catalogue API.
pub async fn verifiable_item(s: &Session) -> anyhow::Result<i64> {
    let page = json_ok(
        s.http
            .get(format!("{}/api/v1/public/proof-items", s.base))
            .query(&[
                ("method", "verification"),
                ("issuer", ISSUER),
                ("limit", "100"),
            ])
            .send()
            .await?,
        "public search for verifiable items",
    )
    .await?;
    let items = page["items"].as_array().cloned().unwrap_or_default();
    // One issuer only: the request then needs no issuer choice, like the demo form.
    let single: Vec<&Value> = items
        .iter()
        .filter(|i| i["issuer_ids"].as_array().is_some_and(|a| a.len() == 1))
        .collect();
    single
        .iter()
        .find(|i| i["name"] == PREFERRED_ITEM)
        .or(single.first())
        .and_then(|i| i["id"].as_i64())
        .with_context(|| format!("no published verifiable item of {ISSUER}"))
}

/// A published item whose commitment template is published (eligibility answers with a plan).
pub async fn commitment_item(s: &Session) -> anyhow::Result<i64> {
    let page = json_ok(
        s.http
            .get(format!("{}/api/v1/public/proof-items", s.base))
            .query(&[("method", "commitment"), ("limit", "100")])
            .send()
            .await?,
        "public search for commitment items",
    )
    .await?;
    for i in page["items"].as_array().cloned().unwrap_or_default() {
        let Some(id) = i["id"].as_i64() else { continue };
        let r = s
            .http
            .get(format!(
                "{}/api/v1/public/items/{id}/commitment-template",
                s.base
            ))
            .send()
            .await?;
        if r.status().is_success() {
            return Ok(id);
        }
    }
    bail!("no published item with a published commitment template")
}

/// Registers `n` persons through the API (valid resident IDs) and returns their ids.
pub async fn persons(s: &Session, n: u64) -> anyhow::Result<Vec<String>> {
    let mut ids = vec![];
    for _ in 0..n {
        let k = crate::load::NEXT_PERSON.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let p = json_ok(
            s.http
                .post(format!("{}/api/v1/applicants/persons", s.base))
                .header("X-CSRF-Token", &s.csrf)
                .json(&json!({"resident_id": resident_id(k)?, "name": format!("压测{k}")}))
                .send()
                .await?,
            "register a subject",
        )
        .await?;
        // The opaque public id (a number from servers before issue #16).
        let id = match &p["id"] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => anyhow::bail!("person without id"),
        };
        ids.push(id);
    }
    Ok(ids)
}

/// One request of the requesting unit; the id of the registered verification on 201.
pub async fn send(s: &Session, item: i64) -> anyhow::Result<Option<i64>> {
    let n: u64 = rand::thread_rng().r#gen();
    let res = s
        .http
        .post(format!("{}/api/v1/verifications", s.base))
        .header("X-CSRF-Token", &s.csrf)
        .json(&json!({
            "proof_item_id": item,
            "subject": {"kind": "person", "code": SUBJECT.0, "name": SUBJECT.1},
            "facts": {"facts": "张三户口已于2025年迁出本县"},
            "case_ref": format!("BENCH-{n:016x}"),
            "purpose": "压测：办理个体工商户注销登记，核对经营者户籍状态"
        }))
        .send()
        .await?;
    if res.status() != reqwest::StatusCode::CREATED {
        let _ = res.bytes().await?;
        return Ok(None);
    }
    let v: Value = res.json().await?;
    Ok(v["id"].as_i64())
}

/// The issuer's sealed answer.
pub async fn answer(s: &Session, id: i64) -> anyhow::Result<bool> {
    let res = s
        .http
        .post(format!("{}/api/v1/verifications/{id}/answer", s.base))
        .header("X-CSRF-Token", &s.csrf)
        .json(&json!({"outcome": "confirmed", "answer": {"remarks": "压测：经查询户籍系统属实"}}))
        .send()
        .await?;
    let ok = res.status().is_success();
    let _ = res.bytes().await?;
    Ok(ok)
}

/// The issuer's inbox with the default filters (first page, newest first).
pub async fn inbox(s: &Session) -> anyhow::Result<bool> {
    let res = s
        .http
        .get(format!("{}/api/v1/verifications/inbox", s.base))
        .send()
        .await?;
    let ok = res.status().is_success();
    let _ = res.bytes().await?;
    Ok(ok)
}

/// Eligibility and plan for a random known subject at the counter.
pub async fn eligibility(s: &Session, fx: &Fixture) -> anyhow::Result<bool> {
    let person = {
        let mut r = rand::thread_rng();
        fx.persons
            .get(r.gen_range(0..fx.persons.len().max(1)))
            .cloned()
            .unwrap_or_default()
    };
    let res = s
        .http
        .get(format!("{}/api/v1/commitments/eligibility", s.base))
        .query(&[
            ("proof_item_id", fx.commit_item.to_string()),
            ("person_id", person),
        ])
        .send()
        .await?;
    let ok = res.status().is_success();
    let _ = res.bytes().await?;
    Ok(ok)
}

/// Fills the issuer's inbox with `n` verifications through the API (8 senders at once), so
/// the listing runs against a database that holds many; returns how many were registered.
pub async fn prefill(s: &Session, item: i64, n: u64) -> anyhow::Result<u64> {
    let mut tasks = vec![];
    for w in 0..8u64 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut ok = 0u64;
            for _ in (w..n).step_by(8) {
                if send(&s, item).await?.is_some() {
                    ok += 1;
                }
            }
            anyhow::Ok(ok)
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await??;
    }
    Ok(total)
}

/// Finds the fixture through the API with sessions of the scenario's users.
pub async fn fixture(
    base: &str,
    need_verify: bool,
    need_commit: bool,
    need_lookup: bool,
) -> anyhow::Result<Fixture> {
    let mut fx = Fixture::default();
    if need_lookup {
        let s = Session::login(base, CLERK).await?;
        let from = crate::load::NEXT_PERSON.load(std::sync::atomic::Ordering::Relaxed);
        persons(&s, SUBJECTS).await?;
        fx.lookup = (from, SUBJECTS);
    }
    if need_verify {
        let s = Session::login(base, SENDER).await?;
        fx.verify_item = verifiable_item(&s).await?;
        // Fail early with the server's reason instead of a table of errors.
        if send(&s, fx.verify_item).await?.is_none() {
            bail!(
                "{SENDER} cannot send a verification for item {}",
                fx.verify_item
            );
        }
    }
    if need_commit {
        let s = Session::login(base, CLERK).await?;
        fx.commit_item = commitment_item(&s).await?;
        fx.persons = persons(&s, SUBJECTS).await?;
    }
    Ok(fx)
}
