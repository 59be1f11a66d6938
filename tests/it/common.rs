//! Test harness: every test gets its own database and a real server on a random
//! loopback port (zero2prod's `spawn_app`), on SQLite or PostgreSQL.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use proofless_app::{App, AppSettings, TestClock};
use proofless_store::{Db, DbOptions};
use proofless_web::{AppState, WebConfig};
use serde_json::{Value, json};

pub use proofless_fixtures::demo::DEMO_PASSWORD;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub app: App,
    pub clock: Arc<TestClock>,
    pub backend: Backend,
    /// Keeps the SQLite file alive for the test's duration.
    _dir: Option<tempfile::TempDir>,
}

/// `PROOFLESS_TEST_POSTGRES_URL` points at a server where we may create databases,
/// e.g. `postgres://postgres@127.0.0.1:5432/postgres`. Unset: PostgreSQL tests skip.
pub fn postgres_url() -> Option<String> {
    std::env::var("PROOFLESS_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

async fn fresh_postgres(admin_url: &str) -> String {
    let name = format!("proofless_test_{}", uuid_like());
    let admin = Db::connect(admin_url, &DbOptions { max_connections: 1 })
        .await
        .expect("connect to PostgreSQL admin db");
    if let Db::Postgres(pool) = &admin {
        // One round trip of the simple protocol: the URL may point at PgBouncer in
        // transaction mode, where a parse and its execution could reach different servers
        // (and CREATE DATABASE cannot run in a transaction that would pin them).
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(pool)
            .await
            .expect("create test database");
    }
    admin.close().await;
    postgres_db_url(admin_url, &name)
}

/// The URL of database `name` on the server of `url`, with `url`'s parameters (e.g.
/// `statement-cache-capacity=0` behind PgBouncer).
pub fn postgres_db_url(url: &str, name: &str) -> String {
    let (base, params) = match url.split_once('?') {
        Some((b, p)) => (b, format!("?{p}")),
        None => (url, String::new()),
    };
    match base.rfind('/') {
        Some(i) => format!("{}/{name}{params}", &base[..i]),
        None => panic!("bad PostgreSQL test URL: {url}"),
    }
}

/// The server itself, not a pooler in front of it (`PROOFLESS_TEST_POSTGRES_DIRECT_URL`;
/// default: the test URL): for what a transaction-mode pooler does not carry, such as
/// pg_dump and read-only sessions.
pub fn postgres_direct_url() -> Option<String> {
    std::env::var("PROOFLESS_TEST_POSTGRES_DIRECT_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(postgres_url)
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let n = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{:x}{:x}", n, std::process::id())
}

/// A clock set to a Thursday morning in office hours (Beijing time).
pub fn default_now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 12, 1, 30, 0).unwrap()
}

/// A fresh database of the given kind, migrated, with built-in regions.
pub async fn fresh_app(
    backend: Backend,
) -> Option<(App, Arc<TestClock>, Option<tempfile::TempDir>)> {
    let (url, dir) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            (
                format!("sqlite://{}/test.db", dir.path().display()),
                Some(dir),
            )
        }
        Backend::Postgres => {
            let Some(admin) = postgres_url() else {
                eprintln!("skipped: PostgreSQL test (set PROOFLESS_TEST_POSTGRES_URL to run it)");
                return None;
            };
            (fresh_postgres(&admin).await, None)
        }
    };
    let db = Db::connect(&url, &DbOptions { max_connections: 8 })
        .await
        .expect("connect");
    db.migrate().await.expect("migrate");
    let clock = Arc::new(TestClock::new(default_now()));
    let settings = AppSettings {
        master_key: Some(Arc::new(proofless_seal::MasterKey::generate().unwrap())),
        ..AppSettings::default()
    };
    let app = App::new(db, clock.clone(), settings);
    proofless_app::regions::ensure_builtin(&app)
        .await
        .expect("regions");
    Some((app, clock, dir))
}

/// Spawn the real server on 127.0.0.1:0 against a fresh database.
pub async fn spawn(backend: Backend) -> Option<TestApp> {
    spawn_with(backend, |_| {}).await
}

/// [`spawn`] with the web configuration adjusted (base URL, metrics token…).
pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut WebConfig)) -> Option<TestApp> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut config = WebConfig::local(listener.local_addr().unwrap().port());
    adjust(&mut config);
    spawn_on(listener, backend, config, |s| s).await
}

/// The local configuration for a listener bound by the test.
pub fn plain_web(listener: &tokio::net::TcpListener) -> WebConfig {
    WebConfig::local(listener.local_addr().unwrap().port())
}

/// Serve a fresh database on `listener` (bound first when the test must know the address,
/// e.g. to register it with an identity provider), with the state as `build` makes it.
pub async fn spawn_on(
    listener: tokio::net::TcpListener,
    backend: Backend,
    web: WebConfig,
    build: impl FnOnce(AppState) -> AppState,
) -> Option<TestApp> {
    let (app, clock, dir) = fresh_app(backend).await?;
    let addr = listener.local_addr().unwrap();
    let state = build(AppState::new(app.clone(), web));
    tokio::spawn(async move {
        let _ = proofless_web::serve(listener, state, std::future::pending()).await;
    });
    Some(TestApp {
        base: format!("http://{addr}"),
        app,
        clock,
        backend,
        _dir: dir,
    })
}

/// Spawn with the Gaoqing demo data loaded through the services.
pub async fn spawn_demo(backend: Backend) -> Option<TestApp> {
    let t = spawn(backend).await?;
    proofless_fixtures::demo::load(&t.app)
        .await
        .expect("demo data");
    Some(t)
}

/// A client with its own cookie jar, logged in or not.
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: String,
    pub bearer: Option<String>,
}

impl TestApp {
    pub fn client(&self) -> Client {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Client {
            http,
            base: self.base.clone(),
            csrf: String::new(),
            bearer: None,
        }
    }

    /// A staff client logged in with the demo password.
    pub async fn staff(&self, username: &str) -> Client {
        let mut c = self.client();
        let res = c
            .post_json(
                "/api/v1/auth/login",
                &json!({"username": username, "password": DEMO_PASSWORD}),
            )
            .await;
        assert_eq!(res.status(), 200, "login as {username}");
        let me: Value = res.json().await.unwrap();
        c.csrf = me["csrf_token"].as_str().unwrap().to_owned();
        c
    }

    pub fn bearer(&self, token: &str) -> Client {
        let mut c = self.client();
        c.bearer = Some(token.to_owned());
        c
    }
}

impl Client {
    fn with_auth(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let rb = if self.csrf.is_empty() {
            rb
        } else {
            rb.header("X-CSRF-Token", &self.csrf)
        };
        match &self.bearer {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.with_auth(self.http.get(self.url(path)))
            .send()
            .await
            .unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.with_auth(self.http.post(self.url(path)))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put_json(
        &self,
        path: &str,
        body: &Value,
        if_match: Option<&str>,
    ) -> reqwest::Response {
        let rb = self.with_auth(self.http.put(self.url(path))).json(body);
        let rb = match if_match {
            Some(v) => rb.header("If-Match", v),
            None => rb,
        };
        rb.send().await.unwrap()
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.with_auth(self.http.delete(self.url(path)))
            .send()
            .await
            .unwrap()
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> reqwest::Response {
        self.with_auth(self.http.post(self.url(path)))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// Open a form page and return the CSRF token its form carries (for an anonymous
    /// client: the pre-session token, whose cookie the client's jar now holds).
    pub async fn form_token(&self, page: &str) -> String {
        let html = self.get(page).await.text().await.unwrap();
        let at = html
            .find("name=\"csrf\" value=\"")
            .unwrap_or_else(|| panic!("no csrf field on {page}"));
        let rest = &html[at + "name=\"csrf\" value=\"".len()..];
        rest[..rest.find('"').unwrap()].to_owned()
    }

    pub async fn json(&self, path: &str) -> Value {
        let res = self.get(path).await;
        assert!(res.status().is_success(), "GET {path}: {}", res.status());
        res.json().await.unwrap()
    }
}

/// Run an async test body on SQLite and on PostgreSQL: `both_backends!(name_of_async_fn);`
/// generates `name_of_async_fn::sqlite` and `name_of_async_fn::postgres`. The PostgreSQL
/// one prints "skipped" and passes when no server is configured.
#[macro_export]
macro_rules! both_backends {
    ($($case:ident),+ $(,)?) => {
        $(
            mod $case {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$case($crate::common::Backend::Sqlite).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if $crate::common::postgres_url().is_none() {
                        eprintln!("skipped: PostgreSQL test (set PROOFLESS_TEST_POSTGRES_URL to run it)");
                        return;
                    }
                    super::$case($crate::common::Backend::Postgres).await;
                }
            }
        )+
    };
}

/// The internal id of the person with this resident ID (looked up by its blind index: the
/// resident ID is encrypted at rest, issue #16 item 9).
pub async fn person_id(app: &App, resident_id: &str) -> i64 {
    let rid = proofless_domain::codes::ResidentId::parse(resident_id).unwrap();
    proofless_app::applicants::person_id_by_resident_id(app, &rid)
        .await
        .unwrap()
        .expect("person registered")
}

/// Alters a sealed document's stored text (`from` → `to`) as an insider holding the keys
/// would: its body is stored encrypted (issue #16 item 9), so it is decrypted, changed and
/// encrypted again; the signature no longer matches.
pub async fn alter_sealed_body(app: &App, public_id: &str, from: &str, to: &str) {
    let (stored,): (String,) = app
        .db
        .reader()
        .fetch_one(
            proofless_store::q("SELECT body FROM sealed_documents WHERE public_id = ?")
                .bind(public_id),
        )
        .await
        .unwrap();
    let clear = proofless_app::applicants::open_sealed_body(app, &stored)
        .await
        .unwrap();
    assert!(clear.contains(from), "{from} not in the document");
    let sealer = proofless_app::applicants::CopySealer::new(app)
        .await
        .unwrap();
    let altered = sealer.sealed_body(&clear.replace(from, to)).unwrap();
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(
        proofless_store::q("UPDATE sealed_documents SET body = ? WHERE public_id = ?")
            .bind(altered)
            .bind(public_id),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Serve an app the test built itself (e.g. with a read replica) on a random loopback port.
pub async fn spawn_app(
    app: App,
    clock: Arc<TestClock>,
    backend: Backend,
    dir: Option<tempfile::TempDir>,
) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(app.clone(), plain_web(&listener));
    tokio::spawn(async move {
        let _ = proofless_web::serve(listener, state, std::future::pending()).await;
    });
    TestApp {
        base: format!("http://{addr}"),
        app,
        clock,
        backend,
        _dir: dir,
    }
}

/// The internal id of a row the API names by its public id (issue #21 gaps), for checks in
/// SQL and for page links, which keep internal ids.
pub async fn row_id(t: &TestApp, table: &str, public: &str) -> i64 {
    t.app
        .db
        .reader()
        .scalar_i64(
            proofless_store::q(format!("SELECT id FROM {table} WHERE public_id = ?")).bind(public),
        )
        .await
        .unwrap()
}
