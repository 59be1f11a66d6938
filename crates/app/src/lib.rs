//! Use cases: one service per workflow. Permissions, org/region scope, transactions,
//! audit. Knows nothing of HTTP.

pub mod accountability;
pub mod actor;
pub mod adjustment;
pub mod applicants;
pub mod archive;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod calendar;
pub mod cases;
pub mod catalogue;
pub mod clock;
pub mod commitment;
pub mod complaints;
pub mod credit;
pub mod deadlines;
pub mod error;
pub mod idempotency;
pub mod identity;
pub mod jobs;
pub mod joint;
pub mod notifications;
pub mod orgs;
pub mod page;
pub mod password;
pub mod policy;
pub mod public_ids;
pub mod regions;
pub mod risks;
pub mod seals;
pub mod sharing;
pub mod staff;
pub mod supervision;
pub mod verification;
pub mod violations;
mod workflows;

use std::sync::{Arc, RwLock};

pub use actor::{Actor, ActorKind};
pub use clock::{Clock, SystemClock, TestClock};
pub use error::{AppError, FieldError};
use proofless_domain::calendar::{Calendar, OfficeHours};
use proofless_store::Db;

/// Settings the services need (the binary reads them from file and environment).
#[derive(Clone)]
pub struct AppSettings {
    /// How long a browser session lives without activity, in minutes.
    pub session_minutes: i64,
    /// Login attempts allowed per account within `throttle_window_minutes`; beyond them
    /// the account asks for a one-time code (never a hard lock-out of its owner).
    pub max_login_failures: i64,
    pub throttle_window_minutes: i64,
    /// Attempts one client address may make on all identity endpoints together within
    /// `throttle_window_minutes` (successful logins are given back); beyond: 429.
    pub max_client_attempts: i64,
    /// How long an answer to an account under attack is held back, in milliseconds.
    pub lockout_delay_ms: u64,
    /// The deployment's office hours (seasonal schedules, Asia/Shanghai).
    pub office_hours: OfficeHours,
    /// Encrypts org seal keys at rest; without it no seal can be made.
    pub master_key: Option<Arc<proofless_seal::MasterKey>>,
    /// The site's public origin (no trailing slash) for absolute links in documents
    /// that leave the site, e.g. the verification address printed on a sealed letter.
    pub public_base_url: String,
}

impl Default for AppSettings {
    fn default() -> Self {
        AppSettings {
            session_minutes: 8 * 60,
            max_login_failures: 5,
            throttle_window_minutes: 15,
            max_client_attempts: 30,
            lockout_delay_ms: 500,
            office_hours: OfficeHours::standard(),
            master_key: None,
            public_base_url: "http://127.0.0.1:8080".to_owned(),
        }
    }
}

/// Everything a use case needs: the database, the clock, settings.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    /// A read replica (`--read-database`, issue #23) for reads that may lag behind the
    /// last commit by a moment; see [`App::lagging_db`].
    pub replica: Option<Db>,
    pub clock: Arc<dyn Clock>,
    /// Shared, not copied: the app is cloned for every request.
    pub settings: Arc<AppSettings>,
    /// The current published exemption lists, searched in memory (issue #3).
    pub catalogue: Arc<catalogue::PublicCatalogue>,
    /// The effective working-day calendar (official years and local overrides from the
    /// database), shared by every request; replaced as a whole when the data change.
    pub calendar: Arc<RwLock<calendar::Cached>>,
    /// Org seal keys already decrypted, by key id (keys never change, rotation adds one).
    pub seal_keys: seals::KeyCache,
    /// Data keys of personal data at rest, decrypted once (issue #16 item 9).
    pub pii: applicants::Keyring,
    /// The job kinds and sweeps the runner calls, registered by the workflows at start-up.
    pub jobs: Arc<jobs::Registry>,
    /// Every trial-period setting, declared by the workflows (composed in `workflows`).
    pub policies: &'static [&'static dyn policy::AnySetting],
    /// What a workflow does when a new version of one of its settings is added (e.g.
    /// pending jobs the version now governs are rescheduled), composed in `workflows`.
    pub policy_followers: &'static [(&'static str, policy::Follower)],
    /// What this process's jobs runner last did (`/healthz`).
    pub runner: Arc<jobs::Heartbeat>,
}

impl App {
    pub fn new(db: Db, clock: Arc<dyn Clock>, settings: AppSettings) -> App {
        App {
            db,
            replica: None,
            clock,
            settings: Arc::new(settings),
            catalogue: Arc::default(),
            calendar: Arc::new(RwLock::new(calendar::Cached::builtin())),
            seal_keys: seals::KeyCache::default(),
            pii: applicants::Keyring::default(),
            jobs: workflows::registry(),
            policies: workflows::POLICIES,
            policy_followers: workflows::POLICY_FOLLOWERS,
            runner: Arc::default(),
        }
    }

    /// Reads served from a read replica when the deployment has one: public figures and
    /// dashboards, exports, and the search index's periodic catch-up with other instances'
    /// publications. A replica may be a moment behind: a read that must see a write just
    /// made (by this request, or the one before it) stays on `db`.
    pub fn lagging_db(&self) -> &Db {
        self.replica.as_ref().unwrap_or(&self.db)
    }

    /// [`App::lagging_db`]'s reader.
    pub fn lagging(&self) -> proofless_store::Reader<'_> {
        self.lagging_db().reader()
    }

    /// The effective calendar as last loaded (the built-in data until the database is read).
    pub fn calendar(&self) -> Arc<Calendar> {
        match self.calendar.read() {
            Ok(g) => g.calendar.clone(),
            Err(p) => p.into_inner().calendar.clone(),
        }
    }

    pub fn office_hours(&self) -> &OfficeHours {
        &self.settings.office_hours
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }
}

/// Whether the database answers (for `/healthz`).
pub async fn database_ok(app: &App) -> bool {
    app.db.ping().await
}

/// The deployment's time zone: Asia/Shanghai, UTC+8 all year (no daylight saving).
pub fn beijing() -> chrono::FixedOffset {
    use chrono::Offset;
    chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| chrono::Utc.fix())
}

/// An instant in milliseconds shown as Beijing time.
pub fn local_time(ms: i64) -> String {
    use chrono::TimeZone;
    beijing()
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}
