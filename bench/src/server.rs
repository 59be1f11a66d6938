//! A `proofless serve` child process: start, wait until ready, sample CPU and memory,
//! kill -9.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

pub struct Server {
    child: Child,
    pub base: String,
    pub pid: u32,
    /// Time from spawn to the first successful `/healthz`.
    pub startup: Duration,
}

/// A free loopback port (the OS picks; released before the server binds it).
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Runs `proofless ARGS…` to completion (demo loading, audit verify).
pub fn run_cli(bin: &Path, db_url: &str, workdir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(bin)
        .current_dir(workdir)
        .arg("--database")
        .arg(db_url)
        .args(args)
        .env("PROOFLESS_LOG", "warn")
        .output()
        .with_context(|| format!("run {}", bin.display()))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        bail!(
            "proofless {args:?} failed: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(text)
}

impl Server {
    /// Spawns `proofless serve` on a free port and waits (bounded) for `/healthz`.
    pub async fn start(bin: &Path, db_url: &str, workdir: &Path) -> anyhow::Result<Server> {
        let port = free_port()?;
        let started = Instant::now();
        let log = std::fs::File::create(workdir.join(format!("serve-{port}.log")))?;
        let child = Command::new(bin)
            .current_dir(workdir)
            .arg("--database")
            .arg(db_url)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env("PROOFLESS_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("start {}", bin.display()))?;
        let pid = child.id();
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..600 {
            if let Ok(r) = http.get(format!("{base}/healthz")).send().await {
                if r.status().is_success() {
                    return Ok(Server {
                        child,
                        base,
                        pid,
                        startup: started.elapsed(),
                    });
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!(
            "proofless serve did not become ready within 30 s (log in {})",
            workdir.display()
        )
    }

    /// SIGKILL: no shutdown hook runs, exactly like a power cut for the process.
    pub fn kill9(mut self) -> anyhow::Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }

    /// User + system CPU time used so far, in clock ticks (Linux /proc).
    pub fn cpu_ticks(&self) -> u64 {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)) else {
            return 0;
        };
        // Fields after the parenthesised command name; utime and stime are 14 and 15.
        let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
        let f: Vec<&str> = rest.split_whitespace().collect();
        let n = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        n(11) + n(12)
    }

    /// Peak resident set size (VmHWM) in MiB.
    pub fn peak_rss_mib(&self) -> f64 {
        proc_status_kib(self.pid, "VmHWM:") as f64 / 1024.0
    }

    /// Current resident set size (VmRSS) in MiB.
    pub fn rss_mib(&self) -> f64 {
        proc_status_kib(self.pid, "VmRSS:") as f64 / 1024.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn proc_status_kib(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// Clock ticks per second for /proc CPU times (USER_HZ, 100 on Linux).
pub const TICKS_PER_SEC: f64 = 100.0;

/// The release binary next to this one, unless given.
pub fn default_binary() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("proofless")))
        .unwrap_or_else(|| PathBuf::from("target/release/proofless"))
}
