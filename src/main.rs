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
    /// 配置文件（TOML）；环境变量 PROOFLESS_* 优先于文件。
    #[arg(long, global = true, value_name = "文件")]
    config: Option<PathBuf>,
    /// 数据库：sqlite://data/proofless.db（默认）或 postgres://用户@主机/库名；也可用环境变量
    /// PROOFLESS_DATABASE_URL。
    #[arg(
        long,
        global = true,
        env = "PROOFLESS_DATABASE_URL",
        hide_env = true,
        value_name = "地址"
    )]
    database: Option<String>,
    /// PostgreSQL 只读副本地址：统计、导出、检索索引追赶等可略有滞后的读取走副本。
    #[arg(
        long,
        global = true,
        env = "PROOFLESS_READ_DATABASE_URL",
        hide_env = true,
        value_name = "地址"
    )]
    read_database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 启动网页和接口服务。
    Serve {
        /// 监听地址，如 127.0.0.1:8080（也可用环境变量 PROOFLESS_BIND）。
        #[arg(long, env = "PROOFLESS_BIND", hide_env = true, value_name = "地址")]
        bind: Option<String>,
        /// 先载入高青县演示数据（每个数据库只载入一次）。
        #[arg(long)]
        demo: bool,
    },
    /// 创建或升级数据库结构。
    Migrate,
    /// 载入高青县演示数据（每个数据库只载入一次）。
    Demo,
    /// 生成压力测试用的模拟数据（不可用于生产）。
    Gen {
        /// 规模：county（县）、city（市）或 province（省，约山东全省：8 万个村、2 万个单位、
        /// 100 万人、1000 万条审计记录）。
        #[arg(
            long,
            value_parser = ["county", "city", "province"],
            hide_possible_values = true,
            value_name = "规模"
        )]
        scale: String,
        /// 本次为多少件已办结办件生成电子档案：数字或 all。默认按规模每 50 件取 1 件
        /// （县 400、市 4000、省 20000）；再次运行时接着生成后面的办件。
        #[arg(long, value_name = "件数")]
        archives: Option<String>,
    },
    /// 审计日志工具。
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// 办件电子档案工具（SPEC R6.2）。
    Archive {
        #[command(subcommand)]
        command: ArchiveCommand,
    },
    /// 工作日历工具。
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// 在线备份：SQLite 数据库的一致副本（PostgreSQL 给出 pg_dump 指引）和用口令加密的主密钥。
    Backup {
        /// 存放备份的新目录或空目录。
        #[arg(long, value_name = "目录")]
        to: PathBuf,
        /// 口令文件，取第一行（不给时用环境变量 PROOFLESS_BACKUP_PASSPHRASE）。
        #[arg(long, value_name = "文件")]
        passphrase_file: Option<PathBuf>,
    },
    /// 检查备份（口令、文件摘要、审计链、印章密钥），全部通过后才安装数据库和主密钥文件。
    Restore {
        /// 备份目录。
        #[arg(long, value_name = "目录")]
        from: PathBuf,
        /// 口令文件，取第一行（不给时用环境变量 PROOFLESS_BACKUP_PASSPHRASE）。
        #[arg(long, value_name = "文件")]
        passphrase_file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// 导入日历文件（每行 date,kind,name,source），全部成功或全不导入。带 --year 和 --notice：
    /// 国务院当年的放假安排；不带：本地调整。
    Import {
        /// 日历文件（CSV）。
        #[arg(value_name = "文件")]
        file: PathBuf,
        /// 国务院通知安排的年份。
        #[arg(long, requires = "notice", value_name = "年份")]
        year: Option<i32>,
        /// 通知文号，如 国办发明电〔2026〕8号（每一行的来源）。
        #[arg(long, requires = "year", value_name = "文号")]
        notice: Option<String>,
        /// 通知发布日期（YYYY-MM-DD）。
        #[arg(long, value_name = "日期")]
        published: Option<String>,
    },
}

#[derive(Subcommand)]
enum ArchiveCommand {
    /// 离线检查电子档案包：单位 SM2 印章对清单的签名、每个文件的 SM3 摘要、其中已盖章文件的印章，
    /// 文件不缺不多。指出第一处损坏；有损坏时退出码为 1。
    Verify {
        /// 档案包（….zip，从 /api/v1/cases/{id}/archive.zip 下载）。
        #[arg(value_name = "文件")]
        file: PathBuf,
        /// 盖章单位公布的公钥（PEM）；不给（也不给 --url）时用清单中记载的公钥，
        /// 只能证明完整，不能证明由谁盖章。
        #[arg(long, conflicts_with = "url", value_name = "文件")]
        key: Option<PathBuf>,
        /// 从哪个 Proofless 网站取公布的公钥（按清单记载的信用代码和密钥编号），
        /// 如 https://wzm.gaoqing.gov.cn
        #[arg(long, value_name = "网址")]
        url: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// 逐条核对 SM3 哈希链，报告第一条被改动或缺失的记录。只读打开数据库，不创建也不迁移。
    Verify,
}

/// `--help` in one language (issue #22 §8): Chinese headings, usage and descriptions; the
/// subcommand and option names stay English, as typed.
fn localized(cmd: clap::Command, parent: &str) -> clap::Command {
    use clap::{Arg, ArgAction};
    let path = match parent {
        "" => cmd.get_name().to_owned(),
        p => format!("{p} {}", cmd.get_name()),
    };
    let mut usage = format!("{path} [选项]");
    for p in cmd.get_positionals() {
        let name = p
            .get_value_names()
            .and_then(|v| v.first())
            .map(|n| n.to_string())
            .unwrap_or_else(|| p.get_id().to_string());
        usage.push_str(&format!(" <{name}>"));
    }
    if cmd.has_subcommands() {
        usage.push_str(" <命令>");
    }
    let mut cmd = cmd
        .help_template("{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}")
        .override_usage(usage)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助"),
        );
    if parent.is_empty() {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本号"),
        );
    }
    cmd.mut_args(|a| {
        let heading = if a.is_positional() {
            "参数"
        } else {
            "选项"
        };
        a.help_heading(heading)
    })
    .mut_subcommands(|c| localized(c, &path))
}

/// The command line, parsed with the Chinese help of [`localized`].
fn parse_cli() -> Cli {
    use clap::{CommandFactory, FromArgMatches};
    let matches = localized(Cli::command(), "").get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
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
    let cli = parse_cli();
    let mut cfg = Config::load(cli.config.as_deref())?;
    if let Some(d) = cli.database {
        cfg.database_url = DatabaseUrl(d);
    }
    if let Some(d) = cli.read_database.filter(|d| !d.trim().is_empty()) {
        cfg.read_database_url = Some(DatabaseUrl(d));
    }
    // Colours only for a person at a terminal: a log file or journald gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    tracing_subscriber::fmt()
        .with_ansi(ansi)
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
