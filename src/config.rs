//! Typed configuration: defaults, then an optional TOML file, then environment
//! variables, then command-line flags. Secrets are redacted in `Debug` and logs.

use std::fmt;
use std::path::Path;

use serde::Deserialize;

/// A value that must never be printed.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "\"***\"" })
    }
}

/// A database URL whose password is hidden when shown.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(pub String);

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", proofless_store_redact(&self.0))
    }
}

fn proofless_store_redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].find(':') {
            Some(c) => format!("{}:***{}", &url[..s + 3 + c], &url[at..]),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&proofless_store_redact(&self.0))
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `sqlite://data/proofless.db` (default) or `postgres://user:pass@host/db`.
    pub database_url: DatabaseUrl,
    /// A PostgreSQL read replica of `database_url` (streaming replication), for reads that
    /// may lag: public figures, dashboards, exports, the search index's catch-up with other
    /// instances (issue #23; docs/DEPLOYMENT.md). Unset: every read goes to the primary.
    pub read_database_url: Option<DatabaseUrl>,
    pub bind: String,
    /// Send cookies with `Secure`; set when the site is served over HTTPS.
    pub cookie_secure: bool,
    /// Encrypts seal private keys at rest (hex, 64 characters).
    pub master_key: Secret,
    /// Where the master key is kept when `master_key` is not given: created on first
    /// start (mode 0600). Back it up: without it no seal key can be used again.
    pub master_key_file: String,
    pub session_minutes: i64,
    pub max_connections: u32,
    pub log: String,
    /// How often the deadline runner looks for due work, in seconds.
    pub jobs_poll_seconds: u64,
    /// Office hours by season (default 08:30–12:00 and 13:30–17:30 October–April,
    /// 08:30–12:00 and 14:00–18:00 May–September), e.g.
    /// `[[office_hours]] from_month = 10, to_month = 4, sessions = ["08:30-12:00", "13:30-17:30"]`.
    pub office_hours: proofless_domain::calendar::OfficeHours,
    /// The header a trusted reverse proxy sets to the client's address (e.g.
    /// `X-Forwarded-For`); unset: the TCP peer address (and such headers are ignored).
    pub trusted_proxy_header: Option<String>,
    /// Login attempts per account within 15 minutes before it asks for a one-time code.
    pub max_login_failures: i64,
    /// Attempts per client address on all identity endpoints within 15 minutes (429 after).
    pub max_client_attempts: i64,
    /// The default SMS sender's outbox (one line per message; mode 0600).
    pub sms_outbox_file: String,
    /// The province's unified identity platform (OpenID Connect); unset: local accounts
    /// opened with counter or SMS codes only. The secret may come from
    /// `PROOFLESS_OIDC_CLIENT_SECRET`.
    pub oidc: Option<proofless_app::identity::OidcConfig>,
    /// `production` or `development` (default). Production refuses to start without
    /// `public_base_url`.
    pub env: String,
    /// The site's public origin as citizens reach it, e.g. `https://wzm.gaoqing.gov.cn`
    /// (the TLS-terminating proxy's address). Absolute links are built from it, never
    /// from the request's Host header. https here also turns on HSTS and Secure cookies.
    /// Empty (development only): `http://` plus the listen address.
    pub public_base_url: String,
    /// Bearer token for scraping `/metrics` on the public address; empty: not served there.
    pub metrics_token: Secret,
    /// A separate listen address (e.g. `10.0.0.5:9090`, on the monitoring network) that
    /// serves `/metrics` without a token; empty: none.
    pub metrics_bind: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: DatabaseUrl("sqlite://data/proofless.db".to_owned()),
            read_database_url: None,
            bind: "127.0.0.1:8080".to_owned(),
            cookie_secure: false,
            master_key: Secret::default(),
            master_key_file: "data/master.key".to_owned(),
            session_minutes: 480,
            max_connections: 8,
            log: "info".to_owned(),
            jobs_poll_seconds: 15,
            office_hours: proofless_domain::calendar::OfficeHours::standard(),
            trusted_proxy_header: None,
            max_login_failures: 5,
            max_client_attempts: 30,
            sms_outbox_file: "data/sms-outbox.log".to_owned(),
            oidc: None,
            env: "development".to_owned(),
            public_base_url: String::new(),
            metrics_token: Secret::default(),
            metrics_bind: String::new(),
        }
    }
}

impl Config {
    /// Defaults < file < environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        let mut c = match file {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| anyhow::anyhow!("无法读取配置文件 {}：{e}", p.display()))?;
                toml::from_str(&text)
                    .map_err(|e| anyhow::anyhow!("配置文件 {} 有误：{e}", p.display()))?
            }
            None => Config::default(),
        };
        if let Ok(v) = std::env::var("PROOFLESS_DATABASE_URL") {
            c.database_url = DatabaseUrl(v);
        }
        if let Ok(v) = std::env::var("PROOFLESS_READ_DATABASE_URL") {
            c.read_database_url = Some(DatabaseUrl(v)).filter(|u| !u.0.trim().is_empty());
        }
        if let Ok(v) = std::env::var("PROOFLESS_BIND") {
            c.bind = v;
        }
        if let Ok(v) = std::env::var("PROOFLESS_MASTER_KEY") {
            c.master_key = Secret(v);
        }
        if let Ok(v) = std::env::var("PROOFLESS_MASTER_KEY_FILE") {
            c.master_key_file = v;
        }
        if let Ok(v) = std::env::var("PROOFLESS_COOKIE_SECURE") {
            c.cookie_secure = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Ok(v) = std::env::var("PROOFLESS_LOG") {
            c.log = v;
        }
        if let Ok(v) = std::env::var("PROOFLESS_TRUSTED_PROXY_HEADER") {
            c.trusted_proxy_header = Some(v).filter(|v| !v.trim().is_empty());
        }
        if let Ok(v) = std::env::var("PROOFLESS_SMS_OUTBOX_FILE") {
            c.sms_outbox_file = v;
        }
        if let (Some(o), Ok(v)) = (
            c.oidc.as_mut(),
            std::env::var("PROOFLESS_OIDC_CLIENT_SECRET"),
        ) {
            o.client_secret = v;
        }
        if let Ok(v) = std::env::var("PROOFLESS_ENV") {
            c.env = v;
        }
        if let Ok(v) = std::env::var("PROOFLESS_PUBLIC_BASE_URL") {
            c.public_base_url = v;
        }
        if let Ok(v) = std::env::var("PROOFLESS_METRICS_TOKEN") {
            c.metrics_token = Secret(v);
        }
        if let Ok(v) = std::env::var("PROOFLESS_METRICS_BIND") {
            c.metrics_bind = v;
        }
        Ok(c)
    }

    pub fn production(&self) -> anyhow::Result<bool> {
        match self.env.as_str() {
            "production" => Ok(true),
            "development" | "" => Ok(false),
            other => anyhow::bail!(
                "env（PROOFLESS_ENV）只能是 production 或 development，而不是“{other}”"
            ),
        }
    }

    /// The public base URL to build links from, checked: `None` means "not configured"
    /// (allowed only outside production; the caller then uses the listen address).
    pub fn checked_base_url(&self) -> anyhow::Result<Option<String>> {
        let raw = self.public_base_url.trim().trim_end_matches('/');
        if raw.is_empty() {
            if self.production()? {
                anyhow::bail!(
                    "生产模式（PROOFLESS_ENV=production）必须配置公开访问地址 public_base_url \
                     （PROOFLESS_PUBLIC_BASE_URL，例如 https://wzm.gaoqing.gov.cn）：\
                     链接不能取自请求的 Host 头"
                );
            }
            return Ok(None);
        }
        let rest = raw
            .strip_prefix("https://")
            .or_else(|| raw.strip_prefix("http://"));
        let host = rest.map(|r| r.split('/').next().unwrap_or(""));
        if host.is_none_or(|h| h.is_empty() || h.contains(['@', ' '])) {
            anyhow::bail!("public_base_url “{raw}” 须以 http:// 或 https:// 开头并含主机名");
        }
        if raw.contains(['?', '#']) {
            anyhow::bail!("public_base_url “{raw}” 不能带查询串或片段");
        }
        if self.production()? && !raw.starts_with("https://") {
            tracing::warn!("生产模式的 public_base_url 不是 https：{raw}");
        }
        Ok(Some(raw.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Issue #16 item 5: production never falls back to a Host-derived or local address.
    #[test]
    fn production_refuses_to_start_without_a_public_base_url() {
        let c = Config {
            env: "production".to_owned(),
            ..Config::default()
        };
        let e = c.checked_base_url().unwrap_err().to_string();
        assert!(e.contains("public_base_url"), "{e}");
        let dev = Config::default();
        assert_eq!(dev.checked_base_url().unwrap(), None);
        let ok = Config {
            env: "production".to_owned(),
            public_base_url: "https://wzm.gaoqing.gov.cn/".to_owned(),
            ..Config::default()
        };
        assert_eq!(
            ok.checked_base_url().unwrap().as_deref(),
            Some("https://wzm.gaoqing.gov.cn")
        );
        let bad = Config {
            public_base_url: "wzm.gaoqing.gov.cn".to_owned(),
            ..Config::default()
        };
        assert!(bad.checked_base_url().is_err());
        let typo = Config {
            env: "prod".to_owned(),
            ..Config::default()
        };
        assert!(typo.checked_base_url().is_err());
    }

    #[test]
    fn secrets_and_database_passwords_never_appear_in_debug_output() {
        let c = Config {
            database_url: DatabaseUrl("postgres://app:hunter2@db/proofless".to_owned()),
            master_key: Secret("00112233".to_owned()),
            ..Config::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("00112233"), "{shown}");
        assert!(shown.contains("postgres://app:***@db/proofless"));
    }
}
