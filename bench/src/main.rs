//! `proofless-bench`: the load, ceiling and crash harness (issue #7). It drives the
//! real `proofless` binary over loopback; see bench/README.md.

mod cases;
mod crash;
mod db;
mod load;
mod server;
mod sharing;
mod workflow;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::db::Backend;
use crate::load::Scenario;
use crate::server::{Server, default_binary, run_cli};

#[derive(Parser)]
#[command(
    name = "proofless-bench",
    about = "Load, ceiling and crash harness for proofless"
)]
struct Cli {
    /// The proofless binary to drive (build it with `cargo build --release`).
    #[arg(long, default_value_os_t = default_binary())]
    bin: PathBuf,
    /// Where databases, logs and keys of the run go.
    #[arg(long, default_value = "target/bench-work")]
    workdir: PathBuf,
    /// PostgreSQL server where the harness may create databases.
    #[arg(
        long,
        env = "PROOFLESS_TEST_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    postgres: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scenarios with the HTTP and storage ceilings of the same run.
    Load {
        #[arg(long, value_enum, default_value = "sqlite")]
        backend: Backend,
        /// Server instances behind the driver (round-robin); more than one needs PostgreSQL.
        #[arg(long, default_value_t = 1)]
        instances: usize,
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// Seconds per scenario.
        #[arg(long, default_value_t = 10.0)]
        secs: f64,
        #[arg(
            long,
            value_enum,
            value_delimiter = ',',
            default_value = "livez,healthz,regions,search,orgs,person-create,verify-send,verify-cycle,verify-inbox,commitment-eligibility,case-complete"
        )]
        scenarios: Vec<Scenario>,
        /// Verifications sent through the API before verify-inbox is measured.
        #[arg(long, default_value_t = 2000)]
        inbox_prefill: u64,
        /// Also fill the database with `proofless gen --scale …` (county, city or province)
        /// on top of the demo county before the servers start; the time is printed.
        #[arg(long, value_parser = ["county", "city", "province"])]
        gen_scale: Option<String>,
    },
    /// kill -9 under write load, restart, check every acknowledged write.
    Crash {
        #[arg(long, value_enum, default_value = "sqlite")]
        backend: Backend,
        #[arg(long, default_value_t = 20)]
        cycles: usize,
        #[arg(long, default_value_t = 8)]
        writers: usize,
    },
}

async fn prepare(cli: &Cli, backend: Backend) -> anyhow::Result<(String, PathBuf)> {
    let dir = cli.workdir.join(format!(
        "{}-{}",
        backend.name().to_lowercase(),
        std::process::id()
    ));
    std::fs::create_dir_all(&dir)?;
    let dir = dir.canonicalize()?;
    let url = db::fresh(backend, &cli.postgres, &dir).await?;
    run_cli(&cli.bin, &url, &dir, &["demo"])?;
    Ok((url, dir))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if !cli.bin.is_file() {
        anyhow::bail!(
            "{} not found: build it first with `cargo build --release`",
            cli.bin.display()
        );
    }
    match &cli.command {
        Command::Load {
            backend,
            instances,
            concurrency,
            secs,
            scenarios,
            inbox_prefill,
            gen_scale,
        } => {
            if *instances > 1 && *backend == Backend::Sqlite {
                anyhow::bail!("several instances share one database only on PostgreSQL");
            }
            let (url, dir) = prepare(&cli, *backend).await?;
            if let Some(scale) = gen_scale {
                let t = std::time::Instant::now();
                run_cli(&cli.bin, &url, &dir, &["gen", "--scale", scale])?;
                println!(
                    "world: demo county + `proofless gen --scale {scale}` in {:.0} s",
                    t.elapsed().as_secs_f64()
                );
            }
            let mut servers = vec![];
            for _ in 0..*instances {
                servers.push(Server::start(&cli.bin, &url, &dir).await?);
            }
            let idle_rss: f64 = servers.iter().map(Server::rss_mib).sum();
            let storage = db::storage_ceiling(&url, *concurrency, *secs).await?;
            let mut out = vec![];
            // The HTTP ceiling is measured first, in the same run, whatever was asked.
            let mut list = vec![Scenario::Livez];
            list.extend(scenarios.iter().copied().filter(|s| *s != Scenario::Livez));
            // Writes acknowledged against rows added: with several instances too, every
            // acknowledged write is there once (the difference is the scenario's own setup).
            let mut accounting = vec![];
            for s in list {
                let table = s.written_table();
                let before = match table {
                    Some(t) => db::count(&url, t).await?,
                    None => 0,
                };
                let o = load::run(s, &servers, *concurrency, *secs, *inbox_prefill).await?;
                if let Some(t) = table {
                    let added = db::count(&url, t).await? - before;
                    accounting.push(format!(
                        "{}: {} acknowledged, {added} rows added to `{t}` (the rest: setup requests, and requests cut off by the end of the run)",
                        s.name(),
                        o.ok
                    ));
                }
                out.push(o);
            }
            let audit = server::run_cli(&cli.bin, &url, &dir, &["audit", "verify"])
                .map(|t| t.trim().to_owned())
                .unwrap_or_else(|e| format!("FAILED: {e}"));
            let http = out.first().map(|o| o.rps).unwrap_or(1.0).max(1.0);
            println!(
                "\n{} · {} instance(s) · {} clients · {} s per scenario · startup {:.0} ms · idle RSS {:.1} MiB",
                backend.name(),
                instances,
                concurrency,
                secs,
                servers
                    .first()
                    .map(|s| s.startup.as_secs_f64() * 1000.0)
                    .unwrap_or(0.0),
                idle_rss
            );
            println!(
                "storage ceiling (1-row durable commits, {concurrency} tasks): {storage:.0}/s\n"
            );
            println!(
                "| scenario | ok | errors | req/s | p50 ms | p90 ms | p99 ms | max ms | ÷ HTTP ceiling | ÷ storage ceiling | server CPU % | peak RSS MiB |"
            );
            println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
            for o in &out {
                println!(
                    "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.1} | {:.3} | {:.3} | {:.0} | {:.1} |",
                    o.scenario.name(),
                    o.ok,
                    o.errors,
                    o.rps,
                    o.p50_ms,
                    o.p90_ms,
                    o.p99_ms,
                    o.max_ms,
                    o.rps / http,
                    o.rps / storage.max(1.0),
                    o.cpu_pct,
                    o.peak_rss_mib
                );
            }
            for note in out.iter().filter_map(|o| o.note.as_deref()) {
                println!("\n{note}");
            }
            // Issue #17 §5: case-complete against verify-cycle of the same run (target ≥ 0.35).
            let rate = |sc: Scenario| out.iter().find(|o| o.scenario == sc).map(|o| o.rps);
            if let (Some(c), Some(v)) = (rate(Scenario::CaseComplete), rate(Scenario::VerifyCycle))
            {
                println!(
                    "\ncase-complete ÷ verify-cycle (same run): {:.3} (target ≥ 0.35)",
                    c / v.max(1e-9)
                );
            }
            println!();
            for line in &accounting {
                println!("- {line}");
            }
            println!("- audit chain after the run (`proofless audit verify`): {audit}");
        }
        Command::Crash {
            backend,
            cycles,
            writers,
        } => {
            let (url, dir) = prepare(&cli, *backend).await?;
            let r = crash::run(&cli.bin, &url, &dir, *cycles, *writers).await?;
            println!(
                "\n{}: {} kill -9 cycles, {} writers · acknowledged writes checked: {} · lost: {} · corrupted: {} · audit verify: {} · mean restart to ready: {:.0} ms",
                backend.name(),
                r.cycles,
                writers,
                r.acknowledged,
                r.lost,
                r.corrupted,
                if r.audit_ok { "ok" } else { "FAILED" },
                r.mean_restart_ms
            );
            println!("{}", r.audit_text);
            if r.lost > 0 || r.corrupted > 0 || !r.audit_ok {
                anyhow::bail!("durability check failed");
            }
        }
    }
    Ok(())
}
