//! Feeds of published changes (SPEC R2.2: other sites take the list as a feed): Atom
//! (RFC 4287, written by `atom_syndication`) and JSON Feed 1.1 (a serde document). One entry per published version, with what changed from
//! the previous version of the same list.

use std::sync::Arc;

use atom_syndication::{Entry, Feed, FixedDateTime, Link, Person, Text};
use chrono::{DateTime, TimeZone, Timelike, Utc};
use proofless_domain::catalogue::ListDiff;
use serde::Serialize;

use super::lists::{self, ListVersion};
use crate::App;
use crate::error::{AppError, AppResult};

/// Most entries a feed carries.
pub const FEED_ENTRIES: usize = 50;

const FEED_TITLE: &str = "高青县证明事项免提交清单 · 发布与调整";

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
    instant(ms).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn instant(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::UNIX_EPOCH)
}

/// An Atom date: the instant, whole seconds, in UTC.
fn atom_time(ms: i64) -> FixedDateTime {
    let t = instant(ms);
    let t = t.with_nanosecond(0).unwrap_or(t);
    t.fixed_offset()
}

/// Text as XML 1.0 may carry it: control characters other than tab and line breaks dropped
/// (the writer escapes markup but would pass them through into an ill-formed document).
fn xml_text(s: &str) -> String {
    s.chars()
        .filter(|c| (*c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

fn link(rel: &str, href: String) -> Link {
    Link {
        rel: rel.to_owned(),
        href: xml_text(&href),
        ..Link::default()
    }
}

fn atom_entry(base: &str, e: &FeedEntry) -> Entry {
    let v = &e.version;
    let url = format!("{base}/proofs/versions/{}", v.id);
    let at = atom_time(v.published_at.unwrap_or(0));
    let head = format!(
        "生效日期：{}；核准文号：{}；共 {} 项。\n",
        v.effective_date.clone().unwrap_or_default(),
        v.approval_doc_no.clone().unwrap_or_default(),
        v.item_count
    );
    Entry {
        title: Text::plain(xml_text(&e.title)),
        id: xml_text(&url),
        links: vec![link("alternate", url)],
        updated: at,
        published: Some(at),
        summary: Some(Text::plain(xml_text(&format!("{head}{}", e.summary)))),
        ..Entry::default()
    }
}

/// Atom 1.0. `base` is the site's absolute origin, e.g. `https://wzm.gaoqing.gov.cn`.
pub fn atom(base: &str, entries: &[FeedEntry]) -> AppResult<String> {
    let updated = entries
        .iter()
        .filter_map(|e| e.version.published_at)
        .max()
        .unwrap_or(0);
    let feed = Feed {
        lang: Some("zh-CN".to_owned()),
        title: Text::plain(FEED_TITLE),
        id: xml_text(&format!("{base}/feeds/exemptions.atom")),
        updated: atom_time(updated),
        links: vec![
            link("self", format!("{base}/feeds/exemptions.atom")),
            link("alternate", format!("{base}/proofs/versions")),
        ],
        authors: vec![Person {
            name: "高青县建设“无证明城市”工作联席会议办公室".to_owned(),
            ..Person::default()
        }],
        entries: entries.iter().map(|e| atom_entry(base, e)).collect(),
        ..Feed::default()
    };
    let xml = feed
        .write_to(Vec::new())
        .map_err(|e| AppError::Internal(format!("写入 Atom 失败：{e}")))?;
    String::from_utf8(xml).map_err(|e| AppError::Internal(format!("写入 Atom 失败：{e}")))
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
        title: FEED_TITLE,
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

    fn entry(title: &str, published_at: i64) -> FeedEntry {
        let version = serde_json::from_value(serde_json::json!({
            "id": 7, "list_id": 1, "title": "高青县证明事项免提交清单", "level": "county",
            "region_code": "370322000000", "number": 2, "stage": "published", "item_count": 73,
            "note": "", "prepared_by": "县司法局", "prepared_at": 0,
            "approval_doc_no": "高政字〔2026〕3号", "approver_name": null, "approved_at": null,
            "effective_date": "2026-03-01", "published_by": null, "published_at": published_at,
        }))
        .unwrap();
        FeedEntry {
            version,
            previous_id: None,
            title: title.to_owned(),
            summary: "首次发布，共 73 项。".to_owned(),
            added: 73,
            changed: 0,
            cancelled: 0,
        }
    }

    #[test]
    fn hostile_text_is_escaped_and_control_characters_dropped() {
        let xml = atom(
            "https://x.example",
            &[entry("<script>&\"'\u{1}第2版", 1_772_323_200_500)],
        )
        .unwrap();
        assert!(xml.contains("&lt;script&gt;&amp;"));
        assert!(!xml.contains('\u{1}'));
        assert!(xml.contains("xml:lang=\"zh-CN\""));
        assert!(xml.contains("<id>https://x.example/proofs/versions/7</id>"));
        assert!(xml.contains("<updated>2026-03-01T00:00:00+00:00</updated>"));
        assert!(xml.contains("<published>2026-03-01T00:00:00+00:00</published>"));
        assert!(xml.contains("生效日期：2026-03-01；核准文号：高政字〔2026〕3号；共 73 项。"));
    }
}
