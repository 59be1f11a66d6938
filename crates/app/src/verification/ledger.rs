//! The requesting unit's ledger (台账) of supplementary material, on-site checks and
//! applicant-provided information (A2 §8, §9; SPEC R5.5, R5.6).

use proofless_domain::role::Role;
use proofless_domain::verification::{self as rules, Action, LedgerKind, SubjectKind};
use proofless_store::Tx;
use serde_json::json;

use super::access::require_action;
use super::input::{
    LedgerAbout, LedgerCommand, LedgerInput, SubjectCommand, invalid, ledger_case_ref,
};
use super::notify::event_in;
use super::records::LedgerEntry;
use super::repo::{self, NewLedger};
use super::send::subject_in;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

/// What an entry is about, as written.
struct About {
    verification_id: Option<i64>,
    subject_kind: SubjectKind,
    subject_id: i64,
    subject_name: String,
    proof_item_id: i64,
    proof_item_name: String,
    case_ref: String,
    purpose: String,
}

/// Records a ledger entry of the requesting unit (A2 §8, §9).
pub async fn record_ledger(
    app: &App,
    actor: &Actor,
    input: &LedgerInput,
) -> AppResult<LedgerEntry> {
    actor.require_staff()?;
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("台账记录须以本单位名义"))?;
    let cmd = input.parse().map_err(invalid)?;
    if !rules::role_may(Action::OnsiteCheck, &actor.roles) && !actor.has_any(&[Role::CounterClerk])
    {
        return Err(AppError::forbidden(
            "无权操作：需要联络员、代办员或窗口人员角色",
        ));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let about = match &cmd.about {
        LedgerAbout::Verification(vid) => {
            of_verification(&mut tx, app, actor, (org, *vid), cmd.kind, now).await?
        }
        LedgerAbout::Applicant {
            proof_item_id,
            subject,
            case_ref,
        } => {
            let loose = (*proof_item_id, subject.as_ref(), case_ref.as_deref());
            of_applicant(&mut tx, app, actor, cmd.kind, loose, now).await?
        }
    };
    let (name_enc, name_masked, key_version) =
        super::at_rest::seal_ledger_name(app, &about.subject_name).await?;
    let row = NewLedger {
        org_id: org,
        verification_id: about.verification_id,
        kind: cmd.kind,
        subject_kind: about.subject_kind,
        subject_id: about.subject_id,
        subject_name_enc: &name_enc,
        subject_name_masked: &name_masked,
        key_version,
        proof_item_id: about.proof_item_id,
        proof_item_name: &about.proof_item_name,
        case_ref: &about.case_ref,
        what: &cmd.what,
        why: &cmd.why,
        recorded_by_name: &actor.name,
        at: now,
    };
    let id = repo::insert_ledger(&mut tx, &row).await?;
    recorded_in(&mut tx, actor, (id, now), &cmd, &about).await?;
    let entry = repo::ledger_entry(&mut tx, id).await?;
    tx.commit().await?;
    let mut opened = super::at_rest::ledger_opened(app, vec![entry]).await?;
    opened
        .pop()
        .ok_or_else(|| AppError::Internal("台账记录读取失败".to_owned()))
}

/// An entry on one of the unit's own requests: the state machine says when (A2 §8).
async fn of_verification(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    (org, vid): (i64, i64),
    kind: LedgerKind,
    now: i64,
) -> AppResult<About> {
    let v = super::at_rest::opened(app, repo::load(tx, vid).await?).await?;
    if v.requester_org_id != org {
        return Err(AppError::forbidden(
            "无权操作：只有需求单位可以记录本核验的台账",
        ));
    }
    let action = match kind {
        LedgerKind::SupplementaryRequest => Some(Action::SupplementaryRequest),
        LedgerKind::OnsiteCheck => Some(Action::OnsiteCheck),
        LedgerKind::ApplicantProvided => None,
    };
    if let Some(a) = action {
        require_action(actor, &v, a, now)?;
    }
    let purpose = v.purpose_text();
    Ok(About {
        verification_id: Some(vid),
        subject_kind: v.subject_kind,
        subject_id: v.subject_id,
        subject_name: v.subject_name,
        proof_item_id: v.proof_item_id,
        proof_item_name: v.proof_item_name,
        case_ref: v.case_ref,
        purpose,
    })
}

/// Information the applicant provided without a request (A2 §9): the subject, the item
/// and the case named in the entry itself.
async fn of_applicant(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    kind: LedgerKind,
    (proof_item_id, subject, case_ref): (Option<i64>, Option<&SubjectCommand>, Option<&str>),
    now: i64,
) -> AppResult<About> {
    if kind != LedgerKind::ApplicantProvided {
        return Err(AppError::field(
            "verification_id",
            "补充材料和实地核查须关联一件核验",
        ));
    }
    let Some(item_id) = proof_item_id else {
        return Err(AppError::field("proof_item_id", "须指明证明事项"));
    };
    let case_ref = ledger_case_ref(case_ref)?;
    let Some(s) = subject else {
        return Err(AppError::field("subject", "须填写申请人（核验对象）"));
    };
    let item = crate::catalogue::public::item(app, item_id)
        .await
        .map_err(|_| {
            AppError::field(
                "proof_item_id",
                format!("证明事项 {item_id} 不在现行公布的证明事项清单中"),
            )
        })?;
    let s = subject_in(app, tx, actor, now, s).await?;
    Ok(About {
        verification_id: None,
        subject_kind: s.kind,
        subject_id: s.id,
        subject_name: s.name,
        proof_item_id: item_id,
        proof_item_name: item.name.clone(),
        purpose: format!("申请人自行提供证明信息（案件 {case_ref}）"),
        case_ref,
    })
}

/// The request's history (when there is one) and the audit row of an entry.
async fn recorded_in(
    tx: &mut Tx,
    actor: &Actor,
    (id, now): (i64, i64),
    cmd: &LedgerCommand,
    about: &About,
) -> AppResult<()> {
    let (kind, what, why) = (cmd.kind, &cmd.what, &cmd.why);
    if let Some(vid) = about.verification_id {
        let text = format!("{}：{what}（事由：{why}）", kind.label());
        event_in(tx, (vid, now), kind.into(), actor, &text).await?;
    }
    audit::append(
        tx,
        actor,
        now,
        Entry::new("verification.ledger", "verification_ledger", id)
            .subject(format!(
                "{}:{}",
                about.subject_kind.as_str(),
                about.subject_id
            ))
            .purpose(&about.purpose)
            .detail(
                json!({"kind": kind.as_str(), "verification_id": about.verification_id,
                "what": what, "why": why}),
            ),
    )
    .await
}

/// The unit's ledger, newest first.
pub async fn ledger(app: &App, actor: &Actor, limit: i64, offset: i64) -> AppResult<LedgerPage> {
    actor.require_staff()?;
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("台账按单位查看"))?;
    if offset < 0 {
        return Err(AppError::field("offset", "offset 不能为负数"));
    }
    let limit = limit.clamp(1, 500);
    let (items, total) = repo::unit_ledger(&mut app.db.reader(), org, (limit, offset)).await?;
    let items = super::at_rest::ledger_opened(app, items).await?;
    Ok(LedgerPage {
        has_more: offset + (items.len() as i64) < total,
        items,
        total,
        limit,
        offset,
    })
}

/// A page of a unit's ledger with the count of all its entries (issue #16 §8).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct LedgerPage {
    pub items: Vec<LedgerEntry>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    pub has_more: bool,
}
