//! Only Chinese a citizen or clerk understands (issue #22 point 1): every page of the demo
//! county, walked by link from the start page of anonymous visitors, a portal citizen and
//! staff of each demo role, shows no raw code, English word or JSON in its visible text;
//! identifiers a user may need to copy are shown as such (`<code>`, `class="id"`,
//! `data-raw`) and are not read. A rejected path or query answers a Chinese page, and an
//! API rejection a Chinese problem+json naming the parameter.
//!
//! SPEC "Interface": the UI is in plain Chinese; enum values reach a page through their one
//! Chinese label (docs/ARCHITECTURE.md, "The web side").

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Value, json};

use crate::common::{Backend, Client, TestApp, spawn_demo};

/// The only ASCII words a page may show outside code/identifier elements, each for its
/// reason. Anything else with two or more Latin letters is a raw code or English.
const ALLOWED: &[(&str, &str)] = &[
    (
        "SM2",
        "the national signature algorithm named on seals (GB/T 32918)",
    ),
    (
        "SM3",
        "the national hash algorithm named on digests (GB/T 32905)",
    ),
    (
        "SM4",
        "the national cipher named in the privacy statement (GB/T 32907)",
    ),
    ("PDF", "the document format citizens download and print"),
    ("CSV", "a download format of the published list"),
    (
        "Excel",
        "the spreadsheet program clerks open the xlsx download with",
    ),
    ("xlsx", "a download format of the published list"),
    (
        "JSON",
        "the open-data format of the published list for re-users",
    ),
    ("API", "the open-data interface named for re-users"),
    ("RSS", "the published list's update feed"),
    ("Atom", "the published list's update feed"),
    ("QR", "the QR code on an e-proof (二维码 is also used)"),
    ("ID", "as in 证件 ID on an e-licence"),
    ("GB", "a national standard number (GB/T …)"),
    (
        "OIDC",
        "the provincial identity login named on the portal login",
    ),
    ("HMAC", "the city platform's message signature"),
    ("KB", "file size limits on upload forms"),
    ("MB", "file size limits on upload forms"),
    ("PNG", "an image format of scanned proofs"),
    ("JPEG", "an image format of scanned proofs"),
    ("DER", "the signature file format on the seal verify page"),
    (
        "WCAG",
        "the accessibility standard the statement cites (WCAG 2.1 AA)",
    ),
    (
        "AA",
        "the WCAG conformance level the accessibility statement cites",
    ),
    (
        "W3C",
        "the body that publishes WCAG, cited by the accessibility statement",
    ),
    (
        "Web",
        "as in 万维网联盟（W3C）Web 内容无障碍指南 in the accessibility statement",
    ),
    (
        "Tab",
        "the keyboard key the accessibility statement tells users to press",
    ),
    ("PEM", "the public key file format on the seal verify page"),
    (
        "OpenSSL",
        "the tool the seal verify page names for checking a signature oneself",
    ),
    (
        "hjzm",
        "pinyin initials, the example of what to type in the public search",
    ),
    (
        "hujizhengming",
        "pinyin, the example of what to type in the public search",
    ),
];

/// Paths not walked: downloads and feeds are no pages, logging out ends the session walked.
const NOT_PAGES: &[&str] = &["/api/", "/logout", "/portal/logout", "/static/", "/assets/"];

/// At most this many pages per user, and this many pages of one shape (ids replaced by `N`),
/// so 300 item pages do not crowd out the rest.
const MAX_PAGES: usize = 400;
const MAX_PER_SHAPE: usize = 6;

struct Checker {
    word: Regex,
    period: Regex,
    hex: Regex,
    code: Regex,
    allowed: BTreeSet<&'static str>,
}

impl Checker {
    fn new() -> Checker {
        Checker {
            // A run of ASCII letters, digits, `_`, `.`, `-` that holds a letter.
            word: Regex::new(r"[A-Za-z0-9_]+(?:[.\-/][A-Za-z0-9_]+)*").unwrap(),
            // A raw period code: 1wd, 2wd, 30m, 24h, 5d.
            period: Regex::new(r"^\d+(?:wd|m|h|d|min)$").unwrap(),
            hex: Regex::new(r"^[0-9a-f]{16,}$").unwrap(),
            // An identifier code: upper-case letters and digits with a digit, e.g. a
            // verification number HY20260312…, a credit code 91370322…, a GB/T number.
            code: Regex::new(r"^[A-Z0-9][A-Z0-9\-]*[0-9][A-Z0-9\-]*$").unwrap(),
            allowed: ALLOWED.iter().map(|(w, _)| *w).collect(),
        }
    }

    /// The offending tokens in a page's visible text.
    fn offenders(&self, text: &str) -> Vec<String> {
        let mut out = vec![];
        if text.contains("{\"") || text.contains("\":") {
            out.push("JSON".to_owned() + " {\"…");
        }
        for m in self.word.find_iter(text) {
            let t = m.as_str();
            if !t.chars().any(|c| c.is_ascii_alphabetic()) {
                continue;
            }
            if self.period.is_match(t) {
                out.push(t.to_owned());
                continue;
            }
            if self.hex.is_match(t) || (self.code.is_match(t) && t.len() >= 6) {
                continue;
            }
            // "SM2/SM3", "GB/T": each part on its own.
            let bad = t.split(['/', '-']).any(|part| {
                let letters = part.chars().filter(|c| c.is_ascii_alphabetic()).count();
                if letters == 0 || self.allowed.contains(part) {
                    return false;
                }
                if self.code.is_match(part) && part.len() >= 6 {
                    return false;
                }
                part.contains('_') || part.contains('.') || letters >= 2
            });
            if bad {
                out.push(t.to_owned());
            }
        }
        out
    }
}

/// The text a reader sees: tags, script, style and comments removed, code and identifier
/// elements and form values left out; `title`, `alt`, `placeholder` and `aria-label` kept.
fn visible_text(html: &str) -> String {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr",
    ];
    const SKIP: &[&str] = &[
        "script", "style", "code", "kbd", "samp", "pre", "textarea", "template",
    ];
    let mut out = String::new();
    let mut rest = html;
    // (tag name, depth of that name) of the element being skipped.
    let mut skipping: Option<(String, usize)> = None;
    while let Some(lt) = rest.find('<') {
        if skipping.is_none() {
            out.push_str(&rest[..lt]);
            out.push(' ');
        }
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        let Some(gt) = tag_end(rest) else { break };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let closing = tag.starts_with('/');
        let body = tag.trim_start_matches('/');
        let name: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        if let Some((skip_name, depth)) = skipping.as_mut() {
            if *skip_name == name {
                if closing {
                    *depth -= 1;
                    if *depth == 0 {
                        skipping = None;
                    }
                } else if !body.ends_with('/') {
                    *depth += 1;
                }
            }
            continue;
        }
        if closing {
            continue;
        }
        let attrs = attributes(&body[name.len()..]);
        let is_raw = SKIP.contains(&name.as_str())
            || attrs.contains_key("data-raw")
            || attrs.get("class").is_some_and(|c| {
                c.split_whitespace()
                    .any(|k| k == "id" || k == "code" || k == "mono")
            });
        for a in ["title", "alt", "placeholder", "aria-label"] {
            if let Some(v) = attrs.get(a) {
                out.push(' ');
                out.push_str(v);
                out.push(' ');
            }
        }
        if is_raw && !VOID.contains(&name.as_str()) && !body.ends_with('/') {
            skipping = Some((name, 1));
        }
    }
    if skipping.is_none() {
        out.push_str(rest);
    }
    decode_entities(&out)
}

/// The `>` that ends the tag at the start of `s`, outside quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if q == c => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

static ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([A-Za-z_:][-A-Za-z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"#)
        .unwrap()
});
static ENTITY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);").unwrap());
static LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"<a\b[^>]*?\bhref\s*=\s*"([^"]*)""#).unwrap());
static ID_PART: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[0-9a-fA-F]{8,}|\d+").unwrap());

fn attributes(s: &str) -> HashMap<String, String> {
    ATTRIBUTE
        .captures_iter(s)
        .map(|c| {
            let v = c
                .get(2)
                .or(c.get(3))
                .or(c.get(4))
                .map_or("", |m| m.as_str());
            (c[1].to_ascii_lowercase(), decode_entities(v))
        })
        .collect()
}

fn decode_entities(s: &str) -> String {
    ENTITY
        .replace_all(s, |c: &regex::Captures| {
            let e = &c[1];
            let ch = if let Some(h) = e.strip_prefix("#x") {
                u32::from_str_radix(h, 16).ok().and_then(char::from_u32)
            } else if let Some(d) = e.strip_prefix('#') {
                d.parse().ok().and_then(char::from_u32)
            } else {
                match e {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "nbsp" => Some(' '),
                    _ => None,
                }
            };
            ch.map_or_else(|| c[0].to_owned(), |c| c.to_string())
        })
        .into_owned()
}

/// The same-origin links of a page, as paths with their query.
fn links(html: &str, base: &str) -> Vec<String> {
    LINK.captures_iter(html)
        .filter_map(|c| {
            let href = decode_entities(&c[1]);
            let href = href.split('#').next().unwrap_or("").to_owned();
            let path = if let Some(p) = href.strip_prefix(base) {
                p.to_owned()
            } else if href.starts_with('/') && !href.starts_with("//") {
                href
            } else {
                return None;
            };
            (!path.is_empty() && !NOT_PAGES.iter().any(|n| path.starts_with(n))).then_some(path)
        })
        .collect()
}

/// A path with its ids replaced, to bound pages of one kind.
fn shape(path: &str) -> String {
    let (p, q) = path.split_once('?').unwrap_or((path, ""));
    let mut keys: Vec<&str> = q
        .split('&')
        .filter_map(|kv| kv.split('=').next())
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort_unstable();
    format!("{}?{}", ID_PART.replace_all(p, "N"), keys.join("&"))
}

/// Walk every page reachable from `start`; return page → offending tokens, and the number
/// of pages read.
async fn crawl(
    c: &Client,
    start: &str,
    checker: &Checker,
) -> (BTreeMap<String, Vec<String>>, usize) {
    let mut queue = VecDeque::from([start.to_owned()]);
    let mut seen = BTreeSet::from([start.to_owned()]);
    let mut shapes: HashMap<String, usize> = HashMap::new();
    let mut bad = BTreeMap::new();
    let mut pages = 0;
    while let Some(path) = queue.pop_front() {
        if pages >= MAX_PAGES {
            break;
        }
        let res = c
            .http
            .get(c.url(&path))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        let status = res.status();
        let ctype = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        if status.is_redirection() {
            if let Some(to) = res.headers().get("location").and_then(|v| v.to_str().ok()) {
                for l in links(&format!("<a href=\"{to}\">"), &c.base) {
                    if seen.insert(l.clone()) {
                        queue.push_back(l);
                    }
                }
            }
            continue;
        }
        if !ctype.starts_with("text/html") {
            // A download (PDF, xlsx, CSV, JSON feed) linked from a page: no page to read,
            // but an error must still be a page.
            if !status.is_success() {
                bad.insert(path, vec![format!("{status} {ctype}")]);
            }
            continue;
        }
        pages += 1;
        let html = res.text().await.unwrap();
        // Issue #22 point 1: the settings page (/policy) too, its values as labelled lines.
        let found = checker.offenders(&visible_text(&html));
        if !found.is_empty() {
            let mut found = found;
            found.sort();
            found.dedup();
            bad.insert(path.clone(), found);
        }
        for l in links(&html, &c.base) {
            if seen.contains(&l) {
                continue;
            }
            let n = shapes.entry(shape(&l)).or_default();
            if *n >= MAX_PER_SHAPE {
                continue;
            }
            *n += 1;
            seen.insert(l.clone());
            queue.push_back(l);
        }
    }
    (bad, pages)
}

/// Every action, object type and detail key the demo's audit log holds has its Chinese
/// label (`proofless_domain::audit`), so the audit page never shows a code.
async fn unlabelled_audit_words(t: &TestApp) -> Vec<String> {
    use proofless_domain::audit::{action_label, detail_key_label, object_label};
    let rows: Vec<(String, String, String)> = t
        .app
        .db
        .reader()
        .fetch_all(proofless_store::q(
            "SELECT action, object_type, detail FROM audit_log",
        ))
        .await
        .unwrap();
    let mut out = BTreeSet::new();
    for (action, object, detail) in rows {
        if action_label(&action).is_none() {
            out.insert(format!("audit action without a label: {action}"));
        }
        if object_label(&object).is_none() {
            out.insert(format!("audit object type without a label: {object}"));
        }
        if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(&detail) {
            for k in m.keys() {
                if detail_key_label(k).is_none() {
                    out.insert(format!("audit detail key without a label: {k} ({action})"));
                }
            }
        }
    }
    out.into_iter().collect()
}

async fn portal_citizen(t: &TestApp) -> Client {
    let mut c = t.client();
    let rid = proofless_fixtures::demo::demo_resident_id("19900101", "123").unwrap();
    let r = c
        .post_json(
            "/api/v1/portal/login",
            &json!({"resident_id": rid.as_str(), "password": crate::common::DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(r.status(), 200, "portal login");
    let me: Value = r.json().await.unwrap();
    c.csrf = me["csrf_token"].as_str().unwrap().to_owned();
    c
}

/// One account of each role (and role combination) in the demo county
/// (crates/fixtures/data/county.toml, sharing_demo.rs).
const STAFF: &[&str] = &[
    "admin",
    "joint",
    "window",
    "justice",
    "justice_cp",
    "approver",
    "hotline",
    "credit",
    "account",
    "ga_admin",
    "ga_liaison",
    "ga_proxy1",
    "ga_clerk",
    "sj_inspector",
    "sl_liaison",
    "wj_share",
];

// Issue #22 point 1; SPEC "Interface" (plain Chinese UI).
async fn every_page_of_the_demo_speaks_plain_chinese(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let checker = Checker::new();
    let mut report = unlabelled_audit_words(&t).await;
    let mut total = 0;
    let mut users: Vec<(String, Client, &str)> = vec![
        ("anonymous".to_owned(), t.client(), "/"),
        ("citizen".to_owned(), portal_citizen(&t).await, "/portal"),
    ];
    for u in STAFF {
        users.push(((*u).to_owned(), t.staff(u).await, "/workbench"));
    }
    for (who, c, start) in &users {
        let (bad, pages) = crawl(c, start, &checker).await;
        assert!(pages >= 3, "{who}: only {pages} pages reached from {start}");
        total += pages;
        for (page, tokens) in bad {
            report.push(format!("{who} {page}: {}", tokens.join(" ")));
        }
    }
    assert!(
        report.is_empty(),
        "{} pages (of {total}) show raw codes, English or JSON:\n{}",
        report.len(),
        report.join("\n")
    );
}

// Issue #22 point 1: a page address that does not parse answers a Chinese page, not
// axum's English plain text; the API answers problem+json in Chinese naming the parameter.
async fn rejected_addresses_answer_in_chinese(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.client();
    let checker = Checker::new();
    for page in ["/proofs/items/abc", "/proofs?page=x"] {
        let res = c
            .http
            .get(c.url(page))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        let status = res.status();
        let ctype = res.headers()["content-type"].to_str().unwrap().to_owned();
        let html = res.text().await.unwrap();
        if status.is_success() {
            continue;
        }
        assert!(ctype.starts_with("text/html"), "{page}: {status} {ctype}");
        let text = visible_text(&html);
        assert!(text.contains("网址无效"), "{page}: {text}");
        assert_eq!(checker.offenders(&text), Vec::<String>::new(), "{page}");
    }
    // Without an Accept header too (a link opened by a script or a crawler).
    let res = c.get("/proofs/items/abc").await;
    assert_eq!(res.status(), 400);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let res = t
        .staff("admin")
        .await
        .get("/api/v1/catalogue/items/abc")
        .await;
    assert_eq!(res.status(), 400);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/problem+json")
    );
    let p: Value = res.json().await.unwrap();
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.contains("“id”") && detail.contains("abc"), "{p}");
    assert!(
        !detail.contains("Invalid") && !detail.contains("parse"),
        "{detail}"
    );
}

#[test]
fn the_checker_flags_codes_and_spares_identifiers() {
    let c = Checker::new();
    let text = visible_text(
        r#"<p>方式：data_sharing 时限 2wd <span title="auth.login">登录</span> verification
        <code>subject.code</code> <span class="id">HY-x_y</span> 核验单 HY20260312000001
        SM2 签章，GB/T 18894 <input value="raw_value"> {"a":1}</p><script>var x_y = 1;</script>"#,
    );
    let got = c.offenders(&text);
    assert_eq!(
        got,
        vec![
            "JSON {\"…",
            "data_sharing",
            "2wd",
            "auth.login",
            "verification"
        ],
        "{text}"
    );
}

both_backends!(
    every_page_of_the_demo_speaks_plain_chinese,
    rejected_addresses_answer_in_chinese
);
