//! Feeds of published changes (SPEC R2.2: other sites take the list as a feed): Atom
//! (RFC 4287) and JSON Feed 1.1. One entry per published version, with what changed from
//! the previous version of the same list.

use std::sync::Arc;

use chrono::TimeZone;
use proofless_domain::catalogue::ListDiff;
use serde::Serialize;

use super::lists::{self, ListVersion};
use crate::App;
use crate::error::AppResult;

/// Most entries a feed carries.
pub const FEED_ENTRIES: usize = 50;

#[derive(Debug, Clone, Serialize)]
pub struct FeedEntry {
    pub version: ListVersion,
    pub previous_id: Option<i64>,
    pub title: String,
    pub summary: String,
    pub added: usize,
    pub changed: usize,
    pub cancelled: usize,
}

fn summary(d: &ListDiff, first: bool) -> String {
    let mut lines = vec![];
    if first {
        lines.push(format!("首次发布，共 {} 项。", d.added.len()));
    } else {
        lines.push(format!(
            "新增 {} 项，变更 {} 项，取消 {} 项。",
            d.added.len(),
            d.changed.len(),
            d.cancelled.len()
        ));
    }
    for a in d.added.iter().take(30) {
        lines.push(format!("新增：{}", a.name));
    }
    for c in d.changed.iter().take(30) {
        let fields: Vec<&str> = c.changes.iter().map(|f| f.label.as_str()).collect();
        lines.push(format!("变更：{}（{}）", c.name, fields.join("、")));
    }
    for x in d.cancelled.iter().take(30) {
        lines.push(format!("取消：{}", x.name));
    }
    lines.join("\n")
}

/// Entries, newest first; computed once per publication.
pub async fn entries(app: &App) -> AppResult<Arc<Vec<FeedEntry>>> {
    app.catalogue.ensure_fresh(app).await?;
    let generation = app.catalogue.generation();
    if let Some(hit) = app.catalogue.cached_feed(generation) {
        return Ok(hit);
    }
    let sys = crate::Actor::anonymous("feed");
    let mut out = vec![];
    for v in lists::versions(app, &sys, false)
        .await?
        .into_iter()
        .take(FEED_ENTRIES)
    {
        let prev = lists::previous_published(app, &v).await?;
        let new = lists::snapshots(&app.db, v.id).await?;
        let old = match &prev {
            Some(p) => lists::snapshots(&app.db, p.id).await?,
            None => vec![],
        };
        let d = proofless_domain::catalogue::diff(&old, &new);
        out.push(FeedEntry {
            title: format!("{} 第{}版", v.title, v.number.unwrap_or(0)),
            summary: summary(&d, prev.is_none()),
            added: d.added.len(),
            changed: d.changed.len(),
            cancelled: d.cancelled.len(),
            previous_id: prev.map(|p| p.id),
            version: v,
        });
    }
    let out = Arc::new(out);
    app.catalogue.store_feed(generation, out.clone());
    Ok(out)
}

fn rfc3339(ms: i64) -> String {
    chrono::Utc
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// XML text escaping for element content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids are dropped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Atom 1.0. `base` is the site's absolute origin, e.g. `https://wzm.gaoqing.gov.cn`.
pub fn atom(base: &str, entries: &[FeedEntry]) -> String {
    let updated = entries
        .iter()
        .filter_map(|e| e.version.published_at)
        .max()
        .unwrap_or(0);
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n");
    x.push_str("<title>高青县证明事项免提交清单 · 发布与调整</title>\n");
    x.push_str(&format!(
        "<id>{}/feeds/exemptions.atom</id>\n<updated>{}</updated>\n",
        xml_escape(base),
        rfc3339(updated)
    ));
    x.push_str(&format!(
        "<link rel=\"self\" href=\"{0}/feeds/exemptions.atom\"/>\n<link rel=\"alternate\" href=\"{0}/proofs/versions\"/>\n",
        xml_escape(base)
    ));
    x.push_str("<author><name>高青县建设“无证明城市”工作联席会议办公室</name></author>\n");
    for e in entries {
        let v = &e.version;
        let url = format!("{base}/proofs/versions/{}", v.id);
        x.push_str("<entry>\n");
        x.push_str(&format!("<title>{}</title>\n", xml_escape(&e.title)));
        x.push_str(&format!("<id>{}</id>\n", xml_escape(&url)));
        x.push_str(&format!("<link href=\"{}\"/>\n", xml_escape(&url)));
        let at = rfc3339(v.published_at.unwrap_or(0));
        x.push_str(&format!(
            "<updated>{at}</updated>\n<published>{at}</published>\n"
        ));
        let head = format!(
            "生效日期：{}；核准文号：{}；共 {} 项。\n",
            v.effective_date.clone().unwrap_or_default(),
            v.approval_doc_no.clone().unwrap_or_default(),
            v.item_count
        );
        x.push_str(&format!(
            "<summary type=\"text\">{}</summary>\n",
            xml_escape(&format!("{head}{}", e.summary))
        ));
        x.push_str("</entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'static str,
    home_page_url: String,
    feed_url: String,
    language: &'static str,
    items: Vec<JsonFeedItem<'a>>,
}

#[derive(Serialize)]
struct JsonFeedItem<'a> {
    id: String,
    url: String,
    title: &'a str,
    content_text: &'a str,
    date_published: String,
    #[serde(rename = "_proofless")]
    extension: JsonFeedExtension<'a>,
}

#[derive(Serialize)]
struct JsonFeedExtension<'a> {
    version_id: i64,
    list_title: &'a str,
    region_code: &'a str,
    number: Option<i64>,
    effective_date: Option<&'a str>,
    approval_doc_no: Option<&'a str>,
    item_count: i64,
    added: usize,
    changed: usize,
    cancelled: usize,
    previous_version_id: Option<i64>,
}

/// JSON Feed 1.1 (https://jsonfeed.org/version/1.1).
pub fn json_feed(base: &str, entries: &[FeedEntry]) -> serde_json::Value {
    let feed = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: "高青县证明事项免提交清单 · 发布与调整",
        home_page_url: format!("{base}/proofs"),
        feed_url: format!("{base}/feeds/exemptions.json"),
        language: "zh-CN",
        items: entries
            .iter()
            .map(|e| JsonFeedItem {
                id: format!("{base}/proofs/versions/{}", e.version.id),
                url: format!("{base}/proofs/versions/{}", e.version.id),
                title: &e.title,
                content_text: &e.summary,
                date_published: rfc3339(e.version.published_at.unwrap_or(0)),
                extension: JsonFeedExtension {
                    version_id: e.version.id,
                    list_title: &e.version.title,
                    region_code: &e.version.region_code,
                    number: e.version.number,
                    effective_date: e.version.effective_date.as_deref(),
                    approval_doc_no: e.version.approval_doc_no.as_deref(),
                    item_count: e.version.item_count,
                    added: e.added,
                    changed: e.changed,
                    cancelled: e.cancelled,
                    previous_version_id: e.previous_id,
                },
            })
            .collect(),
    };
    serde_json::to_value(feed).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_escaped_in_xml() {
        assert_eq!(
            xml_escape("<script>&\"'\u{1}"),
            "&lt;script&gt;&amp;&quot;&apos;"
        );
    }
}
