//! Closed-loop HTTP load: C clients, each sending its next request when the last one
//! is answered, for a bounded time; latency percentiles, server CPU and peak RSS.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde_json::json;

use crate::server::{Server, TICKS_PER_SEC};
use crate::workflow;

/// What one request of a scenario does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// GET /livez: no database, the HTTP ceiling of the server.
    Livez,
    /// GET /healthz: one database round trip.
    Healthz,
    /// GET /api/v1/regions?parent=…: a public read.
    Regions,
    /// GET /api/v1/public/search: the citizen's catalogue search, a mix of Chinese, pinyin
    /// and initials queries over the published lists.
    Search,
    /// GET /api/v1/orgs: an authenticated, paginated list.
    Orgs,
    /// POST /api/v1/applicants/persons: a durable write with its audit row.
    PersonCreate,
    /// POST /api/v1/applicants/persons/lookup: a counter clerk finds a known person by
    /// resident ID (blind-index lookup, decryption, audited read).
    PersonLookup,
    /// POST /api/v1/verifications: a requesting unit's liaison asks the issuer (201).
    VerifySend,
    /// Send, then the issuer's agent answers under its SM2 seal: both make one iteration.
    VerifyCycle,
    /// GET /api/v1/verifications/inbox (default filters) after pre-filling the inbox.
    VerifyInbox,
    /// GET /api/v1/commitments/eligibility for random known subjects at the counter.
    CommitmentEligibility,
    /// A case opened, its verification sent and answered under seal, its other proofs the
    /// applicant's own copy, decided: one iteration (issue #17 §5).
    CaseComplete,
    /// POST /api/v1/sharing/pulls: an entitled unit pulls with the applicant's case consent
    /// (pull row, extract, audit row).
    SharingPull,
    /// GET /verify/{code}: the public verify page of an extract.
    VerifyPage,
}

impl Scenario {
    /// The table each acknowledged write of the scenario adds one row to.
    pub fn written_table(self) -> Option<&'static str> {
        match self {
            Scenario::PersonCreate => Some("persons"),
            Scenario::VerifySend | Scenario::VerifyCycle => Some("verifications"),
            Scenario::CaseComplete => Some("cases"),
            Scenario::SharingPull => Some("sharing_pulls"),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Livez => "livez (HTTP ceiling)",
            Scenario::Healthz => "healthz",
            Scenario::Regions => "regions (public read)",
            Scenario::Search => "search (public catalogue)",
            Scenario::Orgs => "orgs list (staff read)",
            Scenario::PersonCreate => "person create (write + audit)",
            Scenario::PersonLookup => "person lookup (by resident ID, audited)",
            Scenario::VerifySend => "verify-send (write + deadline)",
            Scenario::VerifyCycle => "verify-cycle (send + sealed answer)",
            Scenario::VerifyInbox => "verify-inbox (issuer list)",
            Scenario::CommitmentEligibility => "commitment-eligibility",
            Scenario::CaseComplete => "case-complete (open, verify-cycle, commitment, decide)",
            Scenario::SharingPull => "sharing-pull (entitled, consented, audited)",
            Scenario::VerifyPage => "verify-page (public e-proof check)",
        }
    }

    /// The demo account the scenario's clients log in as.
    fn user(self) -> &'static str {
        match self {
            Scenario::PersonCreate | Scenario::PersonLookup => "ga_clerk",
            Scenario::VerifySend | Scenario::VerifyCycle => workflow::SENDER,
            Scenario::VerifyInbox => workflow::ISSUER_AGENT,
            Scenario::CommitmentEligibility => workflow::CLERK,
            Scenario::CaseComplete => crate::cases::OPENER,
            Scenario::SharingPull => crate::sharing::PULLER,
            _ => "joint",
        }
    }
}

pub struct Outcome {
    pub scenario: Scenario,
    pub ok: u64,
    pub errors: u64,
    pub rps: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub cpu_pct: f64,
    pub peak_rss_mib: f64,
    /// How the scenario's data was prepared, printed under the table.
    pub note: Option<String>,
}

/// A unique, valid resident ID per call (the generator `proofless gen` uses).
pub fn resident_id(n: u64) -> anyhow::Result<String> {
    proofless_fixtures::synth::synthetic_resident_id(n)
        .ok_or_else(|| anyhow::anyhow!("no resident ID for index {n}"))
}

/// A client logged in as a demo account (cookie session + CSRF token) on one server.
#[derive(Clone)]
pub struct Session {
    pub http: reqwest::Client,
    pub csrf: String,
    pub base: String,
}

impl Session {
    pub async fn login(base: &str, user: &str) -> anyhow::Result<Session> {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .pool_max_idle_per_host(256)
            .build()?;
        let me: serde_json::Value = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": user, "password": proofless_fixtures::demo::DEMO_PASSWORD}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let csrf = me["csrf_token"].as_str().unwrap_or_default().to_owned();
        Ok(Session {
            http,
            csrf,
            base: base.to_owned(),
        })
    }
}

/// The sessions one client uses: its own account, and the issuer's agent for verify-cycle.
#[derive(Clone)]
struct Clients {
    main: Session,
    issuer: Option<Session>,
    /// case-complete: the counter clerk of the opening unit, who takes the signature.
    clerk: Option<Session>,
}

/// The public search mix: Chinese fragments, full pinyin, initials, a filter-only query.
const SEARCH_MIX: [&str; 10] = [
    "户籍",
    "证明",
    "hjzm",
    "hujizhengming",
    "无犯罪",
    "低保",
    "婚",
    "社保",
    "亲属关系",
    "",
];
static NEXT_QUERY: AtomicU64 = AtomicU64::new(0);
static NEXT_LOOKUP: AtomicU64 = AtomicU64::new(0);

/// Sequence numbers for unique writes, shared by every client of the run. They start past
/// the persons `proofless gen` writes (indices from 0; province: 1,000,000), so a run over a
/// generated world does not create people who already exist (every create answered 409).
pub static NEXT_PERSON: AtomicU64 = AtomicU64::new(20_000_000);

async fn one(s: Scenario, c: &Clients, fx: &workflow::Fixture) -> anyhow::Result<bool> {
    let (http, csrf, base) = (&c.main.http, c.main.csrf.as_str(), c.main.base.as_str());
    let res = match s {
        Scenario::Livez => http.get(format!("{base}/livez")).send().await?,
        Scenario::Healthz => http.get(format!("{base}/healthz")).send().await?,
        Scenario::Regions => {
            http.get(format!("{base}/api/v1/regions?parent=370322000000"))
                .send()
                .await?
        }
        Scenario::Search => {
            let n = NEXT_QUERY.fetch_add(1, Ordering::Relaxed) as usize;
            http.get(format!("{base}/api/v1/public/search"))
                .query(&[("q", SEARCH_MIX[n % SEARCH_MIX.len()]), ("limit", "20")])
                .send()
                .await?
        }
        Scenario::Orgs => {
            http.get(format!("{base}/api/v1/orgs?limit=20"))
                .send()
                .await?
        }
        Scenario::PersonCreate => {
            let n = NEXT_PERSON.fetch_add(1, Ordering::Relaxed);
            http.post(format!("{base}/api/v1/applicants/persons"))
                .header("X-CSRF-Token", csrf)
                .json(&json!({"resident_id": resident_id(n)?, "name": format!("压测{n}")}))
                .send()
                .await?
        }
        Scenario::PersonLookup => {
            let n = NEXT_LOOKUP.fetch_add(1, Ordering::Relaxed);
            let (from, count) = fx.lookup;
            http.post(format!("{base}/api/v1/applicants/persons/lookup"))
                .header("X-CSRF-Token", csrf)
                .json(
                    &json!({"resident_id": resident_id(from + n % count.max(1))?,
                              "purpose": "压测：窗口核对申请人身份"}),
                )
                .send()
                .await?
        }
        Scenario::VerifySend => {
            return Ok(workflow::send(&c.main, fx.verify_item).await?.is_some());
        }
        Scenario::VerifyCycle => {
            let Some(id) = workflow::send(&c.main, fx.verify_item).await? else {
                return Ok(false);
            };
            let issuer = c.issuer.as_ref().unwrap_or(&c.main);
            return workflow::answer(issuer, id).await;
        }
        Scenario::VerifyInbox => return workflow::inbox(&c.main).await,
        Scenario::CommitmentEligibility => return workflow::eligibility(&c.main, fx).await,
        Scenario::CaseComplete => {
            let Some(cf) = fx.case.as_ref() else {
                return Ok(false);
            };
            let issuer = c.issuer.as_ref().unwrap_or(&c.main);
            let clerk = c.clerk.as_ref().unwrap_or(&c.main);
            return crate::cases::complete(&c.main, issuer, clerk, cf).await;
        }
        Scenario::SharingPull => return crate::sharing::pull(&c.main, &fx.sharing).await,
        Scenario::VerifyPage => return crate::sharing::verify_page(&c.main, &fx.sharing).await,
    };
    let ok = res.status().is_success();
    let _ = res.bytes().await?;
    Ok(ok)
}

/// Prepares the workflow fixture on the first server (all share one database): the item,
/// the subjects, and for verify-inbox `prefill` verifications sent through the API.
async fn prepare(
    s: Scenario,
    servers: &[Server],
    prefill: u64,
) -> anyhow::Result<(workflow::Fixture, Option<String>)> {
    let Some(first) = servers.first() else {
        anyhow::bail!("no server");
    };
    let verify = matches!(
        s,
        Scenario::VerifySend
            | Scenario::VerifyCycle
            | Scenario::VerifyInbox
            | Scenario::CaseComplete
    );
    let mut fx = workflow::fixture(
        &first.base,
        verify,
        s == Scenario::CommitmentEligibility,
        s == Scenario::PersonLookup,
    )
    .await?;
    if s == Scenario::CaseComplete {
        let opener = Session::login(&first.base, crate::cases::OPENER).await?;
        fx.case = Some(crate::cases::fixture(&opener, fx.verify_item).await?);
    }
    if matches!(s, Scenario::SharingPull | Scenario::VerifyPage) {
        fx.sharing = crate::sharing::fixture(&first.base).await?;
    }
    let note = match s {
        Scenario::VerifyInbox => {
            let sender = Session::login(&first.base, workflow::SENDER).await?;
            let t = Instant::now();
            let n = workflow::prefill(&sender, fx.verify_item, prefill).await?;
            Some(format!(
                "verify-inbox: {n} verifications pre-filled through the API (POST /api/v1/verifications, {:.1} s) before measuring, on top of those of earlier scenarios",
                t.elapsed().as_secs_f64()
            ))
        }
        Scenario::CaseComplete => fx.case.as_ref().map(|c| {
            format!(
                "case-complete: service {}, one verification answered under seal (item {}), {}, {} proof(s) the applicant's own copy, decided (the e-archive job sealed after)",
                c.service_code,
                c.verify_proof,
                match c.commit_proof {
                    Some(p) => format!("one commitment signed at the counter (item {p})"),
                    None => "no commitment item in the service".to_owned(),
                },
                c.own_copy.len()
            )
        }),
        Scenario::CommitmentEligibility => Some(format!(
            "commitment-eligibility: item {} for {} subjects registered through the API",
            fx.commit_item,
            fx.persons.len()
        )),
        _ => None,
    };
    Ok((fx, note))
}

/// Runs `s` against the servers (clients spread round-robin) for `secs`.
pub async fn run(
    s: Scenario,
    servers: &[Server],
    concurrency: usize,
    secs: f64,
    prefill: u64,
) -> anyhow::Result<Outcome> {
    let (fx, note) = prepare(s, servers, prefill).await?;
    let fx = Arc::new(fx);
    let mut sessions = vec![];
    for srv in servers {
        let issuer = match s {
            Scenario::VerifyCycle | Scenario::CaseComplete => {
                Some(Session::login(&srv.base, workflow::ISSUER_AGENT).await?)
            }
            _ => None,
        };
        let clerk = match s {
            Scenario::CaseComplete => Some(Session::login(&srv.base, crate::cases::CLERK).await?),
            _ => None,
        };
        sessions.push(Clients {
            main: Session::login(&srv.base, s.user()).await?,
            issuer,
            clerk,
        });
    }
    let errors = Arc::new(AtomicU64::new(0));
    let cpu_before: u64 = servers.iter().map(Server::cpu_ticks).sum();
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(secs);
    let mut tasks = vec![];
    for c in 0..concurrency {
        let clients = sessions[c % sessions.len()].clone();
        let fx = fx.clone();
        let errors = errors.clone();
        tasks.push(tokio::spawn(async move {
            let mut h = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).ok();
            while Instant::now() < deadline {
                let t = Instant::now();
                match one(s, &clients, &fx).await {
                    Ok(true) => {
                        if let Some(h) = h.as_mut() {
                            let _ = h.record(t.elapsed().as_micros().max(1) as u64);
                        }
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            h
        }));
    }
    let mut all = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    for t in tasks {
        if let Ok(Some(h)) = t.await {
            all.add(h)?;
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let cpu_after: u64 = servers.iter().map(Server::cpu_ticks).sum();
    let ms = |q: f64| all.value_at_quantile(q) as f64 / 1000.0;
    Ok(Outcome {
        scenario: s,
        ok: all.len(),
        errors: errors.load(Ordering::Relaxed),
        rps: all.len() as f64 / wall,
        p50_ms: ms(0.50),
        p90_ms: ms(0.90),
        p99_ms: ms(0.99),
        max_ms: all.max() as f64 / 1000.0,
        cpu_pct: (cpu_after.saturating_sub(cpu_before)) as f64 / TICKS_PER_SEC / wall * 100.0,
        peak_rss_mib: servers.iter().map(Server::peak_rss_mib).fold(0.0, f64::max),
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_resident_ids_are_valid_and_unique() {
        let ids: std::collections::BTreeSet<String> = (0..3000)
            .map(|n| resident_id(n).unwrap_or_default())
            .collect();
        assert_eq!(ids.len(), 3000);
        assert!(ids.iter().all(|i| i.len() == 18));
    }
}
