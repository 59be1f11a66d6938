//! `proofless`: the 无证明城市 application system in one binary.

mod config;
mod ops;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use proofless_app::{App, AppSettings, SystemClock};
use proofless_store::{Db, DbOptions};
use proofless_web::{AppState, WebConfig};

use crate::config::{Config, DatabaseUrl};

/// mimalloc instead of the system allocator: requests allocate and free many small
/// objects across threads, where glibc's malloc spent a sixth of the server's time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "proofless",
    version,
    about = "高青县“无证明城市”应用系统 (Proofless)",
    long_about = "高青县“无证明城市”应用系统：证明事项清单、部门核验、告知承诺、投诉与责任追究。\n\n\
        首次体验：proofless serve --demo ，然后打开 http://127.0.0.1:8080/ 。"
)]
struct Cli {
    /// Configuration file (TOML); environment variables PROOFLESS_* override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Database: sqlite://data/proofless.db (default) or postgres://user@host/db.
    #[arg(
        long,
        global = true,
        env = "PROOFLESS_DATABASE_URL",
        hide_env_values = true
    )]
    database: Option<String>,
    /// A PostgreSQL read replica for reads that may lag (figures, exports, search catch-up).
    #[arg(
        long,
        global = true,
        env = "PROOFLESS_READ_DATABASE_URL",
        hide_env_values = true
    )]
    read_database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web UI and the API.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "PROOFLESS_BIND")]
        bind: Option<String>,
        /// Load the Gaoqing demo data first (only once per database).
        #[arg(long)]
        demo: bool,
    },
    /// Create or upgrade the database schema.
    Migrate,
    /// Load the Gaoqing demo data (only once per database).
    Demo,
    /// Fill the database with a synthetic world for load tests (not for production).
    Gen {
        /// county, city or province (≈ Shandong: 80,000 villages, 20,000 orgs,
        /// 1,000,000 persons, 10,000,000 audit rows).
        #[arg(long, value_parser = ["county", "city", "province"])]
        scale: String,
        /// How many decided cases get their sealed e-archive in this run: a number, or `all`.
        /// Default: one decided case in fifty of the scale (county 400, city 4,000,
        /// province 20,000); a further run continues with the next ones.
        #[arg(long)]
        archives: Option<String>,
    },
    /// Audit-log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Case e-archive tools (SPEC R6.2).
    Archive {
        #[command(subcommand)]
        command: ArchiveCommand,
    },
    /// Working-day calendar tools.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Online backup: a consistent copy of the SQLite database (PostgreSQL: pg_dump
    /// guidance) and the master key encrypted with a passphrase.
    Backup {
        /// A new or empty directory for the backup.
        #[arg(long)]
        to: PathBuf,
        /// File whose first line is the passphrase (else PROOFLESS_BACKUP_PASSPHRASE).
        #[arg(long)]
        passphrase_file: Option<PathBuf>,
    },
    /// Check a backup (passphrase, file digest, audit chain, seal keys), then install the
    /// database and the master key file; nothing is written unless every check passes.
    Restore {
        /// The backup directory.
        #[arg(long)]
        from: PathBuf,
        /// File whose first line is the passphrase (else PROOFLESS_BACKUP_PASSPHRASE).
        #[arg(long)]
        passphrase_file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Import a calendar file (`date,kind,name,source`), all or nothing. With --year and
    /// --notice: the State Council arrangement of that year; without: local overrides.
    Import {
        file: PathBuf,
        /// The year the State Council notice arranges.
        #[arg(long, requires = "notice")]
        year: Option<i32>,
        /// The notice's document number, e.g. 国办发明电〔2026〕8号 (the source of every row).
        #[arg(long, requires = "year")]
        notice: Option<String>,
        /// Publication date of the notice (YYYY-MM-DD).
        #[arg(long)]
        published: Option<String>,
    },
}

#[derive(Subcommand)]
enum ArchiveCommand {
    /// Check an e-archive package offline: the unit's SM2 seal over the manifest, the SM3
    /// digest of every file, the seals of the sealed documents, nothing missing or added.
    /// Names the first broken part; exits 1 when anything is broken.
    Verify {
        /// The package (`….zip`, as downloaded from /api/v1/cases/{id}/archive.zip).
        file: PathBuf,
        /// The sealing unit's published public key (PEM); without it (or --url) the key
        /// the manifest names is used, which shows integrity but not who sealed.
        #[arg(long, conflicts_with = "url")]
        key: Option<PathBuf>,
        /// A Proofless site to fetch the published key from (by the credit code and key id
        /// the manifest names), e.g. https://wzm.gaoqing.gov.cn
        #[arg(long)]
        url: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the SM3 hash chain and report the first edited or missing row. Opens the
    /// database read-only: never creates or migrates it.
    Verify,
}

async fn open(cfg: &Config) -> anyhow::Result<App> {
    let db = Db::connect(
        &cfg.database_url.0,
        &DbOptions {
            max_connections: cfg.max_connections,
        },
    )
    .await
    .with_context(|| format!("无法连接数据库 {}", cfg.database_url))?;
    db.migrate().await.context("数据库迁移失败")?;
    let master_key = ops::master_key(cfg, &db).await?;
    let settings = AppSettings {
        session_minutes: cfg.session_minutes,
        office_hours: cfg.office_hours.clone(),
        master_key: Some(Arc::new(master_key)),
        max_login_failures: cfg.max_login_failures,
        max_client_attempts: cfg.max_client_attempts,
        public_base_url: cfg
            .checked_base_url()?
            .unwrap_or_else(|| format!("http://{}", cfg.bind)),
        ..AppSettings::default()
    };
    let mut app = App::new(db, Arc::new(SystemClock), settings);
    if let Some(url) = &cfg.read_database_url {
        anyhow::ensure!(
            url.0.starts_with("postgres://") || url.0.starts_with("postgresql://"),
            "只读副本（--read-database / PROOFLESS_READ_DATABASE_URL）须为 PostgreSQL 地址"
        );
        // The replica is read-only and follows the primary's schema: never migrated here.
        let replica = Db::connect(
            &url.0,
            &DbOptions {
                max_connections: cfg.max_connections,
            },
        )
        .await
        .with_context(|| format!("无法连接只读副本数据库 {url}"))?;
        app.replica = Some(replica);
    }
    // Refuses to start when the master key cannot read the stored personal data, and
    // encrypts persons stored before encryption at rest (issue #16 item 9).
    proofless_app::applicants::prepare_at_rest(&app)
        .await
        .context("个人信息加密检查未通过")?;
    proofless_app::regions::ensure_builtin(&app)
        .await
        .context("无法写入内置区划")?;
    proofless_app::calendar::reload(&app)
        .await
        .context("无法载入工作日历")?;
    Ok(app)
}

async fn load_demo(app: &App) -> anyhow::Result<()> {
    if proofless_fixtures::demo::load(app)
        .await
        .context("演示数据加载失败")?
    {
        tracing::info!(
            "演示数据已加载（高青县）。演示账号密码：{}",
            proofless_fixtures::demo::DEMO_PASSWORD
        );
    } else {
        tracing::info!("演示数据此前已加载，跳过");
    }
    Ok(())
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut cfg = Config::load(cli.config.as_deref())?;
    if let Some(d) = cli.database {
        cfg.database_url = DatabaseUrl(d);
    }
    if let Some(d) = cli.read_database.filter(|d| !d.trim().is_empty()) {
        cfg.read_database_url = Some(DatabaseUrl(d));
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&cfg.log).unwrap_or_else(|_| "info".into()),
        )
        .init();
    tracing::debug!(config = ?cfg, "configuration");
    match cli.command {
        Command::Migrate => {
            open(&cfg).await?;
            println!("数据库已是最新结构：{}", cfg.database_url);
        }
        Command::Demo => {
            let app = open(&cfg).await?;
            load_demo(&app).await?;
        }
        Command::Gen { scale, archives } => {
            let app = open(&cfg).await?;
            let s = proofless_fixtures::synth::Scale::parse(&scale)
                .ok_or_else(|| anyhow::anyhow!("未知规模：{scale}"))?;
            let archives = match archives.as_deref() {
                None => None,
                Some("all") => Some(u64::MAX),
                Some(n) => Some(
                    n.parse::<u64>()
                        .map_err(|_| anyhow::anyhow!("--archives 须为非负整数或 all，收到：{n}"))?,
                ),
            };
            let started = std::time::Instant::now();
            let r = proofless_fixtures::synth::generate_with(&app, &s, archives).await?;
            println!("合成数据（{}）已写入 {}：", s.name, cfg.database_url);
            for (what, n, took) in r.lines {
                println!("  {what:<12} {n:>10} 行  {:>8.1} s", took.as_secs_f64());
            }
            println!("  合计用时 {:.1} s", started.elapsed().as_secs_f64());
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => ops::audit_verify(&cfg).await?,
        Command::Archive {
            command: ArchiveCommand::Verify { file, key, url },
        } => ops::archive_verify(&file, key.as_deref(), url.as_deref()).await?,
        Command::Backup {
            to,
            passphrase_file,
        } => ops::backup(&cfg, &to, ops::passphrase(passphrase_file.as_ref())?).await?,
        Command::Restore {
            from,
            passphrase_file,
        } => ops::restore(&cfg, &from, ops::passphrase(passphrase_file.as_ref())?).await?,
        Command::Calendar {
            command:
                CalendarCommand::Import {
                    file,
                    year,
                    notice,
                    published,
                },
        } => {
            let app = open(&cfg).await?;
            let csv = std::fs::read_to_string(&file)
                .with_context(|| format!("无法读取文件 {}", file.display()))?;
            let input = proofless_app::calendar::ImportInput {
                year,
                notice,
                published,
                csv,
            };
            let actor = proofless_app::Actor::system("cli-calendar-import");
            match proofless_app::calendar::import(&app, &actor, &input).await {
                Ok(r) => println!(
                    "已导入 {} 条日历记录{}。日历版本：{}",
                    r.entries,
                    r.year
                        .map(|y| format!("（{y}年国务院放假安排）"))
                        .unwrap_or_else(|| "（本地调整）".to_owned()),
                    r.calendar_version
                ),
                Err(proofless_app::AppError::Validation(errors)) => {
                    eprintln!("导入失败，未写入任何数据：");
                    for e in errors {
                        eprintln!("  {}", e.message);
                    }
                    std::process::exit(2);
                }
                Err(e) => return Err(e.into()),
            }
        }
        Command::Serve { bind, demo } => {
            if let Some(b) = bind {
                cfg.bind = b;
            }
            // Checked before anything else: production refuses to start without it.
            let configured_base = cfg.checked_base_url()?;
            let app = open(&cfg).await?;
            if demo {
                load_demo(&app).await?;
            }
            // The public search index starts from the current published lists.
            app.catalogue
                .refresh(&app)
                .await
                .context("无法加载已发布的免提交清单")?;
            tracing::info!("已加载免提交清单：{} 项", app.catalogue.len());
            let listener = tokio::net::TcpListener::bind(&cfg.bind)
                .await
                .with_context(|| {
                    format!("无法监听 {}（端口被占用？可用 --bind 换一个）", cfg.bind)
                })?;
            let addr = listener.local_addr()?;
            tracing::info!(
                "Proofless 已启动：http://{addr}/  数据库：{}",
                cfg.database_url
            );
            let runner = format!(
                "{}-{}",
                std::env::var("HOSTNAME").unwrap_or_else(|_| "proofless".to_owned()),
                std::process::id()
            );
            // Catches up at once on whatever fell due while no instance ran.
            proofless_app::jobs::spawn(
                app.clone(),
                runner,
                std::time::Duration::from_secs(cfg.jobs_poll_seconds.max(1)),
            );
            let public_base_url = configured_base.unwrap_or_else(|| format!("http://{addr}"));
            let mut state = AppState::new(
                app,
                WebConfig {
                    cookie_secure: cfg.cookie_secure || public_base_url.starts_with("https://"),
                    trusted_proxy_header: cfg.trusted_proxy_header.clone(),
                    public_base_url,
                    metrics_token: Some(cfg.metrics_token.expose().to_owned())
                        .filter(|t| !t.is_empty()),
                },
            )
            .with_sms(Arc::new(proofless_app::identity::FileSmsSender::new(
                &cfg.sms_outbox_file,
            )));
            if let Some(o) = cfg.oidc.clone() {
                tracing::info!("统一身份认证：{}", o.issuer);
                state = state.with_oidc(
                    proofless_app::identity::Oidc::new(o).context("统一身份认证配置有误")?,
                );
            }
            if !cfg.metrics_bind.is_empty() {
                let internal = tokio::net::TcpListener::bind(&cfg.metrics_bind)
                    .await
                    .with_context(|| format!("无法监听监控地址 {}", cfg.metrics_bind))?;
                tracing::info!("监控指标：http://{}/metrics", internal.local_addr()?);
                let st = state.clone();
                tokio::spawn(async move {
                    let stop = async {
                        let _ = tokio::signal::ctrl_c().await;
                    };
                    if let Err(e) = proofless_web::serve_internal(internal, st, stop).await {
                        tracing::error!(error = %e, "监控监听地址出错");
                    }
                });
            }
            proofless_web::serve(listener, state, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        }
    }
    Ok(())
}
