//! The case-complete scenario (issue #17 §5): a case opened at the counter through the API,
//! its proofs resolved — one by a verification the issuer answers under its seal, one by the
//! applicant's commitment signed at the counter (sealed, R4.2), any others by the
//! applicant's own copy (A2 §9) — and the case decided, which enqueues its sealed e-archive.
//! In the demo county that is 继承公证: 注销户口证明 verified, 亲属关系证明 committed.

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::load::Session;

/// The unit that opens the cases and sends the verification (a requesting unit of the item).
pub const OPENER: &str = crate::workflow::SENDER;
/// The counter clerk of the same unit: a commitment is signed before a counter clerk (R4.2).
pub const CLERK: &str = "sj_clerk";
const APPLICANT: &str = "370322199001011238";

/// What one iteration needs: the service, the verifiable proof and the others.
#[derive(Debug, Clone, Default)]
pub struct CaseFixture {
    pub service_code: String,
    pub verify_proof: i64,
    /// The proof the applicant commits to, when the service has one with a commitment.
    pub commit_proof: Option<i64>,
    pub own_copy: Vec<i64>,
}

/// Whether the published item offers a commitment (its public page lists the method).
async fn offers_commitment(s: &Session, item: i64) -> anyhow::Result<bool> {
    let v = ok_json(
        s.http
            .get(format!("{}/api/v1/public/proof-items/{item}", s.base))
            .send()
            .await?,
        "public item",
    )
    .await?;
    Ok(v["methods"]
        .as_array()
        .is_some_and(|m| m.iter().any(|x| x == "commitment")))
}

async fn ok_json(res: reqwest::Response, what: &str) -> anyhow::Result<Value> {
    let status = res.status();
    let body = res.text().await?;
    if !status.is_success() {
        bail!("{what}: {status} {body}");
    }
    serde_json::from_str(&body).with_context(|| format!("{what}: not JSON"))
}

async fn open(s: &Session, code: &str) -> anyhow::Result<Value> {
    ok_json(
        s.http
            .post(format!("{}/api/v1/cases", s.base))
            .header("X-CSRF-Token", &s.csrf)
            .json(
                &json!({"service_item_code": code, "applicant_kind": "person",
                          "applicant": APPLICANT, "immediate": false}),
            )
            .send()
            .await?,
        "open case",
    )
    .await
}

/// Finds, through the public catalogue, a service of the verifiable item whose case has
/// another proof besides it, by opening one case.
pub async fn fixture(s: &Session, verify_item: i64) -> anyhow::Result<CaseFixture> {
    let item = ok_json(
        s.http
            .get(format!(
                "{}/api/v1/public/proof-items/{verify_item}",
                s.base
            ))
            .send()
            .await?,
        "public item",
    )
    .await?;
    let services: Vec<String> = item["service_items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v["code"].as_str().map(str::to_owned))
        .collect();
    for code in services {
        let Ok(case) = open(s, &code).await else {
            continue;
        };
        let proofs = case["proofs"].as_array().cloned().unwrap_or_default();
        let pending: Vec<&Value> = proofs.iter().filter(|p| p["state"] == "pending").collect();
        if pending.len() < 2 || !pending.iter().any(|p| p["proof_item_id"] == verify_item) {
            continue;
        }
        let others: Vec<i64> = pending
            .iter()
            .filter_map(|p| p["proof_item_id"].as_i64())
            .filter(|id| *id != verify_item)
            .collect();
        let mut commit_proof = None;
        for id in &others {
            if offers_commitment(s, *id).await? {
                commit_proof = Some(*id);
                break;
            }
        }
        return Ok(CaseFixture {
            service_code: code,
            verify_proof: verify_item,
            commit_proof,
            own_copy: others
                .into_iter()
                .filter(|id| Some(*id) != commit_proof)
                .collect(),
        });
    }
    bail!("no service of item {verify_item} with a second proof to resolve")
}

/// One case from opening to decision: open, send the verification linked to the case, the
/// issuer answers under its seal, the applicant commits for the second proof at the
/// counter, any other proofs are the applicant's own copy, decide.
pub async fn complete(
    s: &Session,
    issuer: &Session,
    clerk: &Session,
    fx: &CaseFixture,
) -> anyhow::Result<bool> {
    let case = open(s, &fx.service_code).await?;
    let Some(id) = case["id"].as_i64() else {
        return Ok(false);
    };
    let res = s
        .http
        .post(format!("{}/api/v1/verifications", s.base))
        .header("X-CSRF-Token", &s.csrf)
        .json(&json!({
            "proof_item_id": fx.verify_proof,
            "case_id": id,
            "subject": {"kind": "person", "code": APPLICANT, "name": "张三"},
            "facts": {"facts": "张三户口已于2025年注销"},
            "case_ref": case["case_no"],
            "purpose": "压测：办件核对申请人户籍注销情况"
        }))
        .send()
        .await?;
    if res.status() != reqwest::StatusCode::CREATED {
        return Ok(false);
    }
    let v: Value = res.json().await?;
    let Some(vid) = v["id"].as_i64() else {
        return Ok(false);
    };
    if !crate::workflow::answer(issuer, vid).await? {
        return Ok(false);
    }
    if let Some(p) = fx.commit_proof {
        let r = clerk
            .http
            .post(format!("{}/api/v1/commitments", clerk.base))
            .header("X-CSRF-Token", &clerk.csrf)
            .json(&json!({
                "case_id": id,
                "proof_item_id": p,
                "person_id": case["applicant"],
                "facts": "压测：申请人与被继承人系父子关系",
                "applicant_confirmed": true,
                "chosen_by_applicant": true
            }))
            .send()
            .await?;
        if !r.status().is_success() {
            return Ok(false);
        }
        let _ = r.bytes().await?;
    }
    for p in &fx.own_copy {
        let r = s
            .http
            .post(format!(
                "{}/api/v1/cases/{id}/proofs/{p}/resolution",
                s.base
            ))
            .header("X-CSRF-Token", &s.csrf)
            .json(&json!({"method": "applicant_provided", "note": "压测：申请人携带原件"}))
            .send()
            .await?;
        if !r.status().is_success() {
            return Ok(false);
        }
        let _ = r.bytes().await?;
    }
    let r = s
        .http
        .post(format!("{}/api/v1/cases/{id}/decision", s.base))
        .header("X-CSRF-Token", &s.csrf)
        .json(&json!({"outcome": "approved"}))
        .send()
        .await?;
    let ok = r.status().is_success();
    let _ = r.bytes().await?;
    Ok(ok)
}
