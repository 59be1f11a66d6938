//! Until and after publication (A3 §5, §9, §11; SPEC R7.5): what the public sees of an item
//! under adjustment ("调整中" with the interim method and the filing date), of an approved
//! change (marked with its date and grounds) and of a cancelled item ("已取消，无需提交",
//! still findable); approved adjustments gathered into the next published list version; the
//! half-yearly rhythm of publication (a reminder at five months, overdue at six).

use chrono::{NaiveDate, TimeZone};
use proofless_domain::adjustment::{AdjustmentKind, AdjustmentState, PublicationRhythm, rhythm};
use proofless_domain::notification::NotificationKind;
use proofless_domain::role::Role;
use serde::Serialize;
use serde_json::json;

use super::repo::{self, Adjustment};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::AppResult;
use crate::notifications::{self, Recipient};

fn local_date(ms: i64) -> String {
    crate::beijing()
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// An item's adjustment as the public reads it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicMark {
    pub adjustment_id: i64,
    pub proof_item_id: i64,
    pub item_name: String,
    /// `adjusting` (调整中), `adjusted` (已调整) or `cancelled` (已取消，无需提交).
    pub status: String,
    /// What a citizen reads first.
    pub label: String,
    pub kind_label: String,
    /// YYYY-MM-DD.
    pub filed_date: String,
    /// The method the unit uses until publication (A3 §9).
    pub interim_method_label: String,
    pub interim_text: String,
    pub decided_date: Option<String>,
    pub ground: String,
    pub ground_text: String,
    pub description: String,
    pub published_version_id: Option<i64>,
}

impl PublicMark {
    pub fn of(a: &Adjustment) -> PublicMark {
        let (status, label) = match (a.state, a.kind) {
            (AdjustmentState::Approved | AdjustmentState::Published, AdjustmentKind::Cancel) => {
                ("cancelled", "已取消，无需提交".to_owned())
            }
            (AdjustmentState::Approved | AdjustmentState::Published, _) => {
                ("adjusted", format!("已{}", a.kind.label()))
            }
            _ => ("adjusting", "调整中".to_owned()),
        };
        PublicMark {
            adjustment_id: a.id,
            proof_item_id: a.proof_item_id,
            item_name: a.item_name.clone(),
            status: status.to_owned(),
            label,
            kind_label: a.kind.label().to_owned(),
            filed_date: local_date(a.filed_at),
            interim_method_label: a.interim_method.label().to_owned(),
            interim_text: a.interim_text.clone(),
            decided_date: a.decided_at.map(local_date),
            ground: a.ground.clone(),
            ground_text: a.ground_text.clone(),
            description: a.description.clone(),
            published_version_id: a.published_version_id,
        }
    }

    pub fn is_adjusting(&self) -> bool {
        self.status == "adjusting"
    }

    pub fn is_cancelled(&self) -> bool {
        self.status == "cancelled"
    }
}

/// The mark of an item, if it has an open, approved or published adjustment (no login).
pub async fn public_mark(app: &App, item: i64) -> AppResult<Option<PublicMark>> {
    Ok(repo::latest_visible(&mut app.db.reader(), item)
        .await?
        .map(|a| PublicMark::of(&a)))
}

/// Cancelled items whose name contains the query (no login; A3 §11: a citizen still asked
/// for one finds that it is no longer required).
pub async fn cancelled_matching(app: &App, query: &str) -> AppResult<Vec<PublicMark>> {
    let q = query.trim();
    if q.is_empty() || q.chars().count() > 64 {
        return Ok(Vec::new());
    }
    Ok(repo::cancelled_matching(&mut app.db.reader(), q, 20)
        .await?
        .iter()
        .map(PublicMark::of)
        .collect())
}

/// Decided adjustments for the public feeds and the version diff: newest first.
pub async fn decided(app: &App, limit: i64) -> AppResult<Vec<PublicMark>> {
    Ok(repo::decided(&mut app.db.reader(), limit.clamp(1, 500))
        .await?
        .iter()
        .map(PublicMark::of)
        .collect())
}

/// The adjustments gathered into a published list version, with their grounds.
pub async fn of_version(app: &App, version_id: i64) -> AppResult<Vec<PublicMark>> {
    Ok(repo::of_version(&mut app.db.reader(), version_id)
        .await?
        .iter()
        .map(PublicMark::of)
        .collect())
}

/// Approved adjustments whose list has since published a version are marked as gathered
/// into it (the first version published after the approval). Returns how many.
pub async fn sync_publications(app: &App) -> AppResult<usize> {
    let rows = repo::publishable(&mut app.db.reader()).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let sys = Actor::system("adjustment.publication");
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let mut n = 0;
    for (id, version, at) in rows {
        if repo::mark_published(&mut tx, id, version, at).await? == 1 {
            audit::append(
                &mut tx,
                &sys,
                now,
                Entry::new("adjustment.publish", "adjustment", id)
                    .detail(json!({"list_version_id": version})),
            )
            .await?;
            n += 1;
        }
    }
    tx.commit().await?;
    Ok(n)
}

/// An exemption list's rhythm of publication (A3 §5).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListRhythm {
    pub list_id: i64,
    pub title: String,
    pub last_published_at: Option<i64>,
    pub rhythm: PublicationRhythm,
    pub rhythm_label: String,
}

async fn rhythms_now(app: &App) -> AppResult<Vec<ListRhythm>> {
    let today = super::apply::today(app);
    Ok(repo::publications(&mut app.db.reader())
        .await?
        .into_iter()
        .map(|p| {
            let r = p
                .last_published_at
                .and_then(|ms| NaiveDate::parse_from_str(&local_date(ms), "%Y-%m-%d").ok())
                .map_or(PublicationRhythm::OnTime, |last| rhythm(last, today));
            ListRhythm {
                list_id: p.list_id,
                title: p.title,
                last_published_at: p.last_published_at,
                rhythm: r,
                rhythm_label: r.label().to_owned(),
            }
        })
        .collect())
}

/// Each list's rhythm (joint office, county approver).
pub async fn rhythms(app: &App, actor: &Actor) -> AppResult<Vec<ListRhythm>> {
    actor.require_any(&[Role::JointOffice, Role::CountyApprover, Role::SystemAdmin])?;
    rhythms_now(app).await
}

/// The sweep: the joint office is reminded five months after a list's last publication and
/// told it is overdue at six (once per publication and step).
pub async fn rhythm_sweep(app: &App) -> AppResult<usize> {
    sync_publications(app).await?;
    let due: Vec<ListRhythm> = rhythms_now(app)
        .await?
        .into_iter()
        .filter(|r| r.rhythm != PublicationRhythm::OnTime)
        .collect();
    if due.is_empty() {
        return Ok(0);
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let mut n = 0;
    for r in due {
        let last = r.last_published_at.unwrap_or(0);
        let sent = notifications::insert_in(
            &mut tx,
            &Recipient::Role(Role::JointOffice),
            NotificationKind::Reminder,
            &format!(
                "【清单公布】“{}”上次公布于 {}：{}（A3 §5：原则上每半年公布一次）。",
                r.title,
                local_date(last),
                r.rhythm_label
            ),
            "/adjustments",
            &format!(
                "adjustment:rhythm:{}:{last}:{}",
                r.list_id,
                r.rhythm.as_str()
            ),
            now,
        )
        .await?;
        n += usize::from(sent);
    }
    tx.commit().await?;
    Ok(n)
}

/// The catalogue's feed entries with, for each published version, the decided adjustments
/// it gathered and their grounds (issue #19 §5).
pub async fn feed_entries(
    app: &App,
    entries: &[crate::catalogue::feeds::FeedEntry],
) -> AppResult<Vec<crate::catalogue::feeds::FeedEntry>> {
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let mut e = e.clone();
        for a in repo::of_version(&mut app.db.reader(), e.version.id)
            .await?
            .iter()
            .take(50)
        {
            let other = if a.ground_text.is_empty() {
                String::new()
            } else {
                format!("（{}）", a.ground_text)
            };
            e.summary.push_str(&format!(
                "\n动态调整：{}“{}”，理由：{}{other}",
                a.kind.label(),
                a.item_name,
                a.ground
            ));
        }
        out.push(e);
    }
    Ok(out)
}
