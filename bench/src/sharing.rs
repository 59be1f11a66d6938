//! Data-sharing scenarios (issue #18 §6): an entitled unit's pull with the applicant's
//! consent (each pull writes its row, its extract and its audit row), and the public verify
//! page of an extract. The fixture is made through the API: the demo county's published
//! health-certificate entry, a case of 李四 at 县市场监管局, and 李四's consent for that case
//! given on the portal.

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::load::Session;

/// The entitled unit's counter clerk (县市场监管局, granted the item for 食品经营许可).
pub const PULLER: &str = "sj_clerk";
const ITEM: &str = "健康证明（食品从业人员）";
/// 李四, a demo citizen with a portal account and a demo e-proof of the item.
const HOLDER: &str = "370322198512152468";

#[derive(Debug, Default, Clone)]
pub struct Pulls {
    pub body: Value,
    /// An extract's short code for the verify page.
    pub extract: String,
}

async fn ok_json(res: reqwest::Response, what: &str) -> anyhow::Result<Value> {
    let status = res.status();
    let body = res.text().await?;
    if !status.is_success() {
        bail!("{what}: {status} {body}");
    }
    serde_json::from_str(&body).with_context(|| format!("{what}: not JSON"))
}

/// Opens the case, gets the applicant's case consent, and makes the first pull.
pub async fn fixture(base: &str) -> anyhow::Result<Pulls> {
    let http = reqwest::Client::builder().cookie_store(true).build()?;
    let list = ok_json(
        http.get(format!("{base}/api/v1/public/sharing/list"))
            .send()
            .await?,
        "public sharing list",
    )
    .await?;
    let entry = list
        .as_array()
        .and_then(|l| l.iter().find(|e| e["proof_item_name"] == ITEM))
        .with_context(|| format!("the demo county has no published entry for {ITEM}"))?;
    let item = entry["proof_item_id"].as_i64().context("item id")?;
    let service = entry["grants"][0]["service_code"]
        .as_str()
        .context("grant")?
        .to_owned();
    let me = ok_json(
        http.post(format!("{base}/api/v1/portal/login"))
            .json(&json!({"resident_id": HOLDER, "password": proofless_fixtures::demo::DEMO_PASSWORD}))
            .send()
            .await?,
        "portal login",
    )
    .await?;
    let citizen_csrf = me["csrf_token"].as_str().unwrap_or_default().to_owned();
    let me = ok_json(
        http.get(format!("{base}/api/v1/portal/me")).send().await?,
        "portal me",
    )
    .await?;
    let holder = me["person"]["id"].as_str().context("person id")?.to_owned();
    let clerk = Session::login(base, PULLER).await?;
    let case = ok_json(
        clerk
            .http
            .post(format!("{base}/api/v1/cases"))
            .header("X-CSRF-Token", &clerk.csrf)
            .json(&json!({"service_item_code": service, "applicant_kind": "person", "applicant": holder, "immediate": false}))
            .send()
            .await?,
        "open a case",
    )
    .await?;
    let case_id = case["id"].as_i64().context("case id")?;
    ok_json(
        http.post(format!("{base}/api/v1/portal/sharing/case-consents"))
            .header("X-CSRF-Token", &citizen_csrf)
            .json(&json!({"case_id": case_id}))
            .send()
            .await?,
        "case consent",
    )
    .await?;
    let body = json!({"subject_id": holder, "proof_item_id": item, "case_id": case_id,
        "service_code": service, "purpose": "压测：办理食品经营许可核对从业人员健康证明"});
    let first = ok_json(
        clerk
            .http
            .post(format!("{base}/api/v1/sharing/pulls"))
            .header("X-CSRF-Token", &clerk.csrf)
            .json(&body)
            .send()
            .await?,
        "first pull",
    )
    .await?;
    if first["outcome"] != "released" {
        bail!("the first pull was not released: {first}");
    }
    Ok(Pulls {
        body,
        extract: first["extract_code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    })
}

/// One consented pull (201 and released).
pub async fn pull(s: &Session, fx: &Pulls) -> anyhow::Result<bool> {
    let res = s
        .http
        .post(format!("{}/api/v1/sharing/pulls", s.base))
        .header("X-CSRF-Token", &s.csrf)
        .json(&fx.body)
        .send()
        .await?;
    if res.status() != reqwest::StatusCode::CREATED {
        let _ = res.bytes().await?;
        return Ok(false);
    }
    let v: Value = res.json().await?;
    Ok(v["outcome"] == "released")
}

/// The public verify page of the extract (HTML, no login).
pub async fn verify_page(s: &Session, fx: &Pulls) -> anyhow::Result<bool> {
    let res = s
        .http
        .get(format!("{}/verify/{}", s.base, fx.extract))
        .send()
        .await?;
    let ok = res.status().is_success();
    let _ = res.bytes().await?;
    Ok(ok)
}
