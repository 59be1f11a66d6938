//! Sending (A2 §5, SPEC R5.1), registered at once on receipt (A2 §7, SPEC R5.3); subjects
//! found or registered; reading with purpose (A2 §12, SPEC R5.9).

use proofless_domain::verification::{EventKind, SubjectKind};
use proofless_store::Tx;
use serde_json::{Map, Value as Json, json};

use super::access::{requesting_unit, require_read};
use super::case_clock;
use super::deadline::{DeadlinePlan, open_planned_deadline_in, plan_deadline};
use super::input::{SendCommand, SendInput, SubjectCommand, joined};
use super::notify::{event_in, flag_understaffed, notify_issuer_in};
use super::number;
use super::records::Template;
use super::records::{Detail, Verification, detail_of};
use super::repo::{self, DutyPost, NewSent};
use super::templates;
use super::templates::{Asked, check_facts, template_of, verifiable};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

/// A subject found or registered.
pub(super) struct Subject {
    pub(super) kind: SubjectKind,
    pub(super) id: i64,
    pub(super) name: String,
}

/// The registered subject's id; an error when the code is registered under another name.
fn known_subject(found: Option<(i64, String)>, name: &str) -> AppResult<Option<i64>> {
    match found {
        Some((id, known)) if known == name => Ok(Some(id)),
        Some(_) => Err(AppError::field(
            "subject.name",
            "核验对象名称与该证件号码登记的名称不一致",
        )),
        None => Ok(None),
    }
}

/// Finds or registers the subject inside `tx`.
pub(super) async fn subject_in(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    now: i64,
    s: &SubjectCommand,
) -> AppResult<Subject> {
    let kind = s.kind();
    let found = repo::find_subject(app, tx, &s.code).await?;
    let id = match known_subject(found, &s.name)? {
        Some(id) => id,
        None => {
            let id = repo::insert_subject(app, tx, &s.code, &s.name, now).await?;
            let action = match kind {
                SubjectKind::Person => "person.create",
                SubjectKind::Entity => "entity.create",
            };
            audit::append(
                tx,
                actor,
                now,
                Entry::new(action, kind.as_str(), id)
                    .subject(format!("{}:{id}", kind.as_str()))
                    .purpose("登记部门核验对象"),
            )
            .await?;
            id
        }
    };
    Ok(Subject {
        kind,
        id,
        name: s.name.clone(),
    })
}

/// What a send reads before taking the write lock: the template, the subject if already
/// registered, the deadline and its rule, the issuer's duty posts.
struct Prepared {
    tpl: Template,
    known: Option<i64>,
    plan: DeadlinePlan,
    posts: Vec<DutyPost>,
}

async fn prepare(
    app: &App,
    actor: &Actor,
    requester: i64,
    cmd: &SendCommand,
    asked: &Asked,
) -> AppResult<Prepared> {
    let mut reader = app.db.reader();
    let (item, issuer) = (cmd.proof_item_id, asked.issuer_org_id);
    let trow = templates::repo::template_row(&mut reader, item, issuer, requester).await?;
    let tpl = template_of(asked, item, requester, trow)?;
    check_facts(&tpl, &cmd.facts)?;
    let known = known_subject(
        repo::find_subject(app, &mut reader, &cmd.subject.code).await?,
        &cmd.subject.name,
    )?;
    let plan = plan_deadline(app, actor, issuer, asked.class).await?;
    let posts = repo::duty_posts(&mut reader, issuer).await?;
    Ok(Prepared {
        tpl,
        known,
        plan,
        posts,
    })
}

/// Sends a verification (A2 §5); it is registered in the issuer's inbox at once with its
/// deadline running (A2 §7).
pub async fn send(app: &App, actor: &Actor, input: &SendInput) -> AppResult<Detail> {
    let requester = requesting_unit(
        actor,
        "无权操作：只有联络员或代办员可以发起核验",
        "发起核验须以本单位名义",
    )?;
    let checked = verifiable(app, input.proof_item_id, input.issuer_org_id, actor.org_id).await;
    let (cmd, asked) = joined(input.parse(), checked)?;
    templates::require_requesting_unit(&asked, requester)?;
    // Everything that only reads is done before taking the write lock, which then holds
    // only the writes (SQLite has one writer; see docs/ARCHITECTURE.md, "Storage").
    let pre = prepare(app, actor, requester, &cmd, &asked).await?;
    // Sent when its deadline starts: registered at once (A2 §7).
    let now = pre.plan.start_ms();
    let mut tx = app.db.begin().await?;
    let subject = match pre.known {
        Some(id) => Subject {
            kind: cmd.subject.kind(),
            id,
            name: cmd.subject.name.clone(),
        },
        // Not registered when read: registered now (or found, if registered meanwhile).
        None => subject_in(app, &mut tx, actor, now, &cmd.subject).await?,
    };
    let facts = Json::Object(cmd.facts.clone()).to_string();
    let (sealed, facts) =
        super::at_rest::seal_subject(app, &subject.name, &cmd.subject.code, &facts).await?;
    let row = NewSent {
        requester_org_id: requester,
        issuer_org_id: asked.issuer_org_id,
        proof_item_id: cmd.proof_item_id,
        proof_item_name: &asked.item_name,
        template_id: pre.tpl.id,
        subject_kind: subject.kind,
        subject_id: subject.id,
        subject: &sealed,
        facts: &facts,
        case_ref: &cmd.case_ref,
        case_id: cmd.case_id,
        purpose: &cmd.purpose,
        class_code: proofless_domain::verification::ClassCode::of(asked.class),
        period: asked.class.period(),
        sent_by: actor.staff_id(),
        sent_by_name: &actor.name,
        sent_at: now,
    };
    let id = repo::insert_sent(&mut tx, &row).await?;
    let (did, due) = open_planned_deadline_in(&mut tx, app, actor, id, pre.plan).await?;
    repo::set_deadline(&mut tx, id, did, due).await?;
    sent_in(
        &mut tx,
        actor,
        (id, now),
        &cmd,
        &asked,
        &subject,
        (did, due),
    )
    .await?;
    let text = format!(
        "【核验】{} 请求核验“{}”（{}），请在 {} 前反馈。",
        actor.org_name.clone().unwrap_or_default(),
        asked.item_name,
        number(id),
        due.map(crate::local_time).unwrap_or_default()
    );
    let posts = (asked.issuer_org_id, pre.posts.as_slice());
    notify_issuer_in(&mut tx, posts, false, id, (&text, "new"), now).await?;
    if let Some(case_id) = cmd.case_id {
        case_clock::begin_wait_in(&mut tx, app, actor, (case_id, cmd.proof_item_id), id).await?;
    }
    tx.commit().await?;
    flag_understaffed(app, asked.issuer_org_id).await?;
    get_unaudited(app, id).await
}

/// The history and the audit row of a request just sent.
async fn sent_in(
    tx: &mut Tx,
    actor: &Actor,
    (id, now): (i64, i64),
    cmd: &SendCommand,
    asked: &Asked,
    subject: &Subject,
    (did, due): (i64, Option<i64>),
) -> AppResult<()> {
    let (purpose, case_ref) = (&cmd.purpose, &cmd.case_ref);
    let text = format!(
        "发起核验：{}{}，用途：{purpose}，办件 {case_ref}；开具单位即时登记受理，时限类别 {}，{} 前反馈",
        asked.item_name,
        if asked.pending_adjustment {
            "（清单调整待公布，本单位按附件3第九条自行选择部门核验）"
        } else {
            ""
        },
        asked.class.label(),
        due.map(crate::local_time).unwrap_or_default()
    );
    event_in(tx, (id, now), EventKind::Send, actor, &text).await?;
    let purpose_full = format!("{purpose}（案件 {case_ref}）");
    audit::append(
        tx,
        actor,
        now,
        Entry::new("verification.send", "verification", id)
            .subject(format!("{}:{}", subject.kind.as_str(), subject.id))
            .purpose(&purpose_full)
            .detail(json!({
                "number": number(id), "proof_item_id": cmd.proof_item_id,
                "issuer_org_id": asked.issuer_org_id, "deadline_id": did, "due_at": due,
                "class": asked.class.code(), "pending_adjustment": asked.pending_adjustment,
            })),
    )
    .await
}

/// An offline-recorded request's template check (A2 §4) and subject, found or registered,
/// inside its transaction (a sent one does the same reads before taking the write lock).
pub(super) async fn request_in(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    now: i64,
    asked: &Asked,
    (proof_item_id, requester): (i64, i64),
    (facts, subject): (&Map<String, Json>, &SubjectCommand),
) -> AppResult<(Template, Subject)> {
    let trow =
        templates::repo::template_row(tx, proof_item_id, asked.issuer_org_id, requester).await?;
    let tpl = template_of(asked, proof_item_id, requester, trow)?;
    check_facts(&tpl, facts)?;
    let subject = subject_in(app, tx, actor, now, subject).await?;
    Ok((tpl, subject))
}

/// The record after a change by its own actor: read from the committed state, outside
/// any write transaction (a reader does not wait for the write lock).
pub(super) async fn get_unaudited(app: &App, id: i64) -> AppResult<Detail> {
    with_history(app, read(app, id).await?).await
}

/// The committed record, its subject in clear, read outside any write transaction.
pub(super) async fn read(app: &App, id: i64) -> AppResult<Verification> {
    super::at_rest::load(app, id).await
}

async fn with_history(app: &App, v: Verification) -> AppResult<Detail> {
    let events = repo::events(&mut app.db.reader(), v.id).await?;
    let ledger = repo::ledger_of(&mut app.db.reader(), v.id).await?;
    let ledger = super::at_rest::ledger_opened(app, ledger).await?;
    Ok(detail_of(app, v, events, ledger))
}

/// Reads a verification (A2 §12): every read is recorded with who, when, the case and the
/// purpose, under the subject, so the citizen sees it.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<Detail> {
    actor.require_staff()?;
    let v = read(app, id).await?;
    require_read(actor, &v)?;
    let now = app.now_ms();
    let purpose = v.purpose_text();
    audit::record_read(
        &app.db,
        actor,
        now,
        Entry::new("verification.read", "verification", id)
            .subject(v.subject_ref())
            .purpose(&purpose)
            .detail(json!({"number": number(id), "case_ref": v.case_ref})),
    )
    .await?;
    let acts = super::access::acts_on(actor, &v);
    let mut d = with_history(app, v).await?;
    if !acts {
        // Full identifiers only to those who send or answer it (issue #16 item 6).
        d.v.subject_code = super::records::mask_code(&d.v.subject_code);
    }
    Ok(d)
}
