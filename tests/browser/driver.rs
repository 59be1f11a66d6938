//! Starts chromedriver on a free loopback port and opens a fresh headless Chromium.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn find(name: &str) -> Option<String> {
    let path = std::env::var("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .map(|p| p.display().to_string())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A headless Chromium, or `None` (test skipped) when none is installed.
pub async fn open() -> Option<Browser> {
    let (Some(driver_bin), Some(chromium)) = (find("chromedriver"), find("chromium")) else {
        if std::env::var("PROOFLESS_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!(
                "chromium and chromedriver are required (apt-get install chromium chromium-driver)"
            );
        }
        eprintln!("skipped: browser test (install chromium and chromium-driver to run it)");
        return None;
    };
    let port = free_port();
    let driver = Command::new(driver_bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    // The browser's console, read by `console_log` (CSP violations are reported there).
    caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--lang=zh-CN",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    // Bounded wait for chromedriver to listen.
    let mut last = None;
    for _ in 0..100 {
        // chromedriver speaks plain HTTP on loopback: no TLS stack needed.
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => {
                return Some(Browser {
                    client,
                    driver,
                    _profile: profile,
                });
            }
            Err(e) => {
                last = Some(e.to_string());
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    panic!("chromedriver did not start: {last:?}");
}

impl Browser {
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }

    /// The page's visible text. A click that submits a form may still be navigating when
    /// the body is read; the body of the old page then goes stale, so the read is retried
    /// (bounded) on the new one.
    pub async fn text(&self) -> String {
        let mut last = None;
        for _ in 0..50 {
            match self.client.find(fantoccini::Locator::Css("body")).await {
                Ok(body) => match body.text().await {
                    Ok(t) => return t,
                    Err(e) => last = Some(e.to_string()),
                },
                Err(e) => last = Some(e.to_string()),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("page text could not be read: {last:?}");
    }

    /// The page text once it contains `needle` (a submitted form navigates asynchronously);
    /// after a bounded wait, whatever the page says, for the caller's assertion to show.
    pub async fn text_with(&self, needle: &str) -> String {
        let mut text = String::new();
        for _ in 0..100 {
            text = self.text().await;
            if text.contains(needle) {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        text
    }

    /// Fills and submits the login form at `url` (staff or portal), leaving no earlier session.
    pub async fn log_in(&self, url: &str, login: &str) {
        use fantoccini::Locator;
        self.client.delete_all_cookies().await.unwrap();
        self.client.goto(url).await.unwrap();
        for (id, text) in [("login", login), ("password", crate::common::DEMO_PASSWORD)] {
            self.client
                .find(Locator::Id(id))
                .await
                .unwrap()
                .send_keys(text)
                .await
                .unwrap();
        }
        self.click("main form button[type=submit]").await;
    }

    /// A staff login, done once the workbench is shown.
    pub async fn staff_login(&self, base: &str, user: &str) {
        self.log_in(&format!("{base}/login"), user).await;
        self.client
            .wait()
            .for_url(url::Url::parse(&format!("{base}/workbench")).unwrap())
            .await
            .unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(fantoccini::Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
}

/// ChromeDriver's console-log command (`POST /session/{id}/se/log`), which fantoccini
/// does not wrap.
#[derive(Debug)]
struct ConsoleLog;

impl fantoccini::wd::WebDriverCompatibleCommand for ConsoleLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (
            axum::http::Method::POST,
            Some(json!({"type": "browser"}).to_string()),
        )
    }
}

impl Browser {
    /// The console messages logged since the last call (each read empties the log).
    pub async fn console_log(&self) -> Vec<String> {
        let v = self.client.issue_cmd(ConsoleLog).await.unwrap();
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
