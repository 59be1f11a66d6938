//! Closed-loop HTTP load: C clients, each sending its next request when the last one
//! is answered, for a bounded time; latency percentiles, server CPU and peak RSS.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde_json::json;

use crate::server::{Server, TICKS_PER_SEC};

/// What one request of a scenario does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// GET /livez: no database, the HTTP ceiling of the server.
    Livez,
    /// GET /healthz: one database round trip.
    Healthz,
    /// GET /api/v1/regions?parent=…: a public read.
    Regions,
    /// GET /api/v1/orgs: an authenticated, paginated list.
    Orgs,
    /// POST /api/v1/applicants/persons: a durable write with its audit row.
    PersonCreate,
}

impl Scenario {
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Livez => "livez (HTTP ceiling)",
            Scenario::Healthz => "healthz",
            Scenario::Regions => "regions (public read)",
            Scenario::Orgs => "orgs list (staff read)",
            Scenario::PersonCreate => "person create (write + audit)",
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
}

/// A unique, valid resident ID per call (the generator `proofless gen` uses).
pub fn resident_id(n: u64) -> anyhow::Result<String> {
    proofless_app::synth::synthetic_resident_id(n)
        .ok_or_else(|| anyhow::anyhow!("no resident ID for index {n}"))
}

/// A client logged in as a demo account (cookie session + CSRF token).
pub async fn login(base: &str, user: &str) -> anyhow::Result<(reqwest::Client, String)> {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(256)
        .build()?;
    let me: serde_json::Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": user, "password": proofless_app::demo::DEMO_PASSWORD}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let csrf = me["csrf_token"].as_str().unwrap_or_default().to_owned();
    Ok((http, csrf))
}

/// Sequence numbers for unique writes, shared by every client of the run.
pub static NEXT_PERSON: AtomicU64 = AtomicU64::new(1);

async fn one(s: Scenario, http: &reqwest::Client, csrf: &str, base: &str) -> anyhow::Result<bool> {
    let res = match s {
        Scenario::Livez => http.get(format!("{base}/livez")).send().await?,
        Scenario::Healthz => http.get(format!("{base}/healthz")).send().await?,
        Scenario::Regions => {
            http.get(format!("{base}/api/v1/regions?parent=370322000000"))
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
    };
    let ok = res.status().is_success();
    let _ = res.bytes().await?;
    Ok(ok)
}

/// Runs `s` against the servers (clients spread round-robin) for `secs`.
pub async fn run(
    s: Scenario,
    servers: &[Server],
    concurrency: usize,
    secs: f64,
) -> anyhow::Result<Outcome> {
    let mut sessions = vec![];
    for srv in servers {
        let user = match s {
            Scenario::PersonCreate => "ga_clerk",
            _ => "joint",
        };
        sessions.push((login(&srv.base, user).await?, srv.base.clone()));
    }
    let errors = Arc::new(AtomicU64::new(0));
    let cpu_before: u64 = servers.iter().map(Server::cpu_ticks).sum();
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(secs);
    let mut tasks = vec![];
    for c in 0..concurrency {
        let ((http, csrf), base) = sessions[c % sessions.len()].clone();
        let errors = errors.clone();
        tasks.push(tokio::spawn(async move {
            let mut h = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).ok();
            while Instant::now() < deadline {
                let t = Instant::now();
                match one(s, &http, &csrf, &base).await {
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
