//! Durability under kill -9: writers create records as fast as they can, the server
//! is killed at a random moment, restarted, and every write it acknowledged must be
//! there, intact, with the audit chain unbroken.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proofless_store::{Db, DbOptions};
use rand::Rng as _;
use serde_json::json;

use crate::load::{NEXT_PERSON, Session, resident_id};
use crate::server::{Server, run_cli};

pub struct CrashReport {
    pub cycles: usize,
    pub acknowledged: usize,
    pub lost: usize,
    pub corrupted: usize,
    pub audit_ok: bool,
    pub audit_text: String,
    pub mean_restart_ms: f64,
}

/// An acknowledged write: the (opaque) id the server returned and what was sent.
type Acked = (String, String, String);

async fn writer(base: String, stop: Arc<AtomicBool>, acked: Arc<Mutex<Vec<Acked>>>) {
    let Ok(Session { http, csrf, .. }) = Session::login(&base, "ga_clerk").await else {
        return;
    };
    while !stop.load(Ordering::Relaxed) {
        let n = NEXT_PERSON.fetch_add(1, Ordering::Relaxed);
        let Ok(rid) = resident_id(n) else { continue };
        let name = format!("崩溃测试{n}");
        let res = http
            .post(format!("{base}/api/v1/applicants/persons"))
            .header("X-CSRF-Token", &csrf)
            .json(&json!({"resident_id": rid, "name": name}))
            .send()
            .await;
        // Only a complete 201 with the new id is an acknowledgement; a cut connection
        // leaves the outcome unknown and is not counted.
        let Ok(res) = res else { break };
        if res.status().as_u16() != 201 {
            continue;
        }
        let Ok(body) = res.json::<serde_json::Value>().await else {
            break;
        };
        let id = match &body["id"] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => continue,
        };
        if let Ok(mut v) = acked.lock() {
            v.push((id, rid, name));
        }
    }
}

/// Every acknowledged write present and unchanged? Returns (lost, corrupted). Persons are
/// encrypted at rest (issue #16 item 9): each is found by its resident ID through the blind
/// index and decrypted with the master key the server made in `workdir`.
async fn check(db_url: &str, workdir: &Path, acked: &[Acked]) -> anyhow::Result<(usize, usize)> {
    let db = Db::connect(db_url, &DbOptions { max_connections: 2 }).await?;
    let key = std::fs::read_to_string(workdir.join("data/master.key"))?;
    let master = proofless_seal::MasterKey::parse(key.trim())?;
    let app = proofless_app::App::new(
        db.clone(),
        std::sync::Arc::new(proofless_app::SystemClock),
        proofless_app::AppSettings {
            master_key: Some(Arc::new(master)),
            ..proofless_app::AppSettings::default()
        },
    );
    let sys = proofless_app::Actor::system("crash-check");
    let (mut lost, mut corrupted) = (0, 0);
    for (id, rid, name) in acked {
        let rid = proofless_domain::codes::ResidentId::parse(rid)?;
        let Some(pid) = proofless_app::applicants::person_id_by_resident_id(&app, &rid).await?
        else {
            lost += 1;
            continue;
        };
        let p = proofless_app::applicants::read_person(&app, &sys, pid, "崩溃测试核对").await?;
        if &p.id != id || &p.name != name {
            corrupted += 1;
        }
    }
    db.close().await;
    Ok((lost, corrupted))
}

pub async fn run(
    bin: &Path,
    db_url: &str,
    workdir: &Path,
    cycles: usize,
    writers: usize,
) -> anyhow::Result<CrashReport> {
    let acked = Arc::new(Mutex::new(Vec::<Acked>::new()));
    let mut restart_ms = vec![];
    for cycle in 0..cycles {
        let srv = Server::start(bin, db_url, workdir).await?;
        restart_ms.push(srv.startup.as_secs_f64() * 1000.0);
        let stop = Arc::new(AtomicBool::new(false));
        let tasks: Vec<_> = (0..writers)
            .map(|_| tokio::spawn(writer(srv.base.clone(), stop.clone(), acked.clone())))
            .collect();
        let wait = rand::thread_rng().gen_range(300..2000);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        srv.kill9()?;
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            let _ = tokio::time::timeout(Duration::from_secs(10), t).await;
        }
        let so_far = acked.lock().map(|v| v.len()).unwrap_or(0);
        eprintln!(
            "cycle {}: killed after {wait} ms, {so_far} acknowledged so far",
            cycle + 1
        );
    }
    let acked = acked.lock().map(|v| v.clone()).unwrap_or_default();
    let (lost, corrupted) = check(db_url, workdir, &acked).await?;
    let audit = run_cli(bin, db_url, workdir, &["audit", "verify"]);
    let (audit_ok, audit_text) = match audit {
        Ok(t) => (t.contains("审计日志完整"), t.trim().to_owned()),
        Err(e) => (false, e.to_string()),
    };
    Ok(CrashReport {
        cycles,
        acknowledged: acked.len(),
        lost,
        corrupted,
        audit_ok,
        audit_text,
        mean_restart_ms: restart_ms.iter().sum::<f64>() / restart_ms.len().max(1) as f64,
    })
}
