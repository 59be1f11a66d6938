//! Demo verifications (issue #5 §13) in every state, loaded through the services. Past
//! events are made by the same services on a copy of the app whose clock stands at that
//! past instant (the services' own time input), never by writing rows directly.

use std::sync::Arc;

use chrono::Duration;
use proofless_store::q;
use serde_json::{Map, Value as Json, json};

use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::verification::{
    self, AnswerInput, LedgerInput, OfflineInput, OrderInput, ReclassifyInput, ReturnInput,
    SendInput, SubjectInput, SummonInput,
};
use crate::{App, TestClock, auth};

async fn staff(app: &App, username: &str) -> AppResult<Actor> {
    let (id,): (i64,) = app
        .db
        .reader()
        .fetch_optional(q("SELECT id FROM staff WHERE username = ?").bind(username))
        .await?
        .ok_or_else(|| AppError::Internal(format!("演示账号不存在：{username}")))?;
    auth::staff_actor(app, id, "demo-verification")
        .await?
        .ok_or_else(|| AppError::Internal(format!("演示账号不可用：{username}")))
}

async fn item(app: &App, name: &str) -> AppResult<i64> {
    let (id,): (i64,) = app
        .db
        .reader()
        .fetch_optional(q("SELECT id FROM proof_items WHERE name = ?").bind(name))
        .await?
        .ok_or_else(|| AppError::Internal(format!("演示证明事项不存在：{name}")))?;
    Ok(id)
}

/// The app as it was `ago` before now: same database, a clock standing then.
fn back(app: &App, ago: Duration) -> App {
    App {
        clock: Arc::new(TestClock::new(app.clock.now() - ago)),
        ..app.clone()
    }
}

fn facts(text: &str) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("facts".into(), json!(text));
    m
}

fn person(code: &str, name: &str) -> SubjectInput {
    SubjectInput {
        kind: "person".into(),
        code: code.into(),
        name: name.into(),
    }
}

pub async fn load(app: &App) -> AppResult<()> {
    app.catalogue.refresh(app).await?;
    let sj = staff(app, "sj_liaison").await?;
    let sj2 = staff(app, "sj_proxy1").await?;
    let ga = staff(app, "ga_proxy1").await?;
    let ga_l = staff(app, "ga_liaison").await?;
    let joint = staff(app, "joint").await?;
    let hukou = item(app, "注销户口证明").await?;
    let crime = item(app, "无犯罪记录证明（教师资格认定）").await?;
    let zhang = person("370322199001011238", "张三");
    let li = person("370322198512152468", "李四");
    let send =
        |subject: &SubjectInput, item_id: i64, f: &str, case: &str, purpose: &str| SendInput {
            proof_item_id: item_id,
            issuer_org_id: None,
            subject: subject.clone(),
            facts: facts(f),
            case_ref: case.into(),
            case_id: None,
            purpose: purpose.into(),
        };

    // Items 1–5 happened two days ago: everything their jobs had to do is then due and is
    // settled below by the runner pass, as a running `proofless serve` would have done.
    let past = back(app, Duration::days(2));

    // 1. Registered, clock running; the issuer reclassified it on registering: a statutory
    //    procedure of 30 days.
    let d = verification::send(
        &past,
        &sj,
        &send(
            &zhang,
            hukou,
            "张三户口已于2025年迁出本县",
            "SJ-2026-0101",
            "办理个体工商户注销登记，核对经营者户籍状态",
        ),
    )
    .await?;
    verification::reclassify(
        &past,
        &ga,
        d.v.id,
        &ReclassifyInput {
            deadline_class: "statutory".into(),
            statutory_limit: Some("30cd".into()),
            reason: "迁出地户籍信息须经法定的户口调查程序核实（30日）。".into(),
        },
    )
    .await?;

    // 2. Answered, confirmed, sealed.
    let d = verification::send(
        &past,
        &sj2,
        &send(
            &li,
            crime,
            "李四无犯罪记录",
            "SJ-2026-0102",
            "食品经营许可负责人资格审查",
        ),
    )
    .await?;
    verification::answer(
        &past,
        &ga,
        d.v.id,
        &AnswerInput {
            outcome: "confirmed".into(),
            answer: facts_remarks("经查询违法犯罪信息系统，未发现犯罪记录。"),
            records_say: None,
        },
    )
    .await?;

    // 3. Not matching, supplementary material asked (A2 §8).
    let d = verification::send(
        &past,
        &sj,
        &send(
            &zhang,
            crime,
            "张三无犯罪记录",
            "SJ-2026-0103",
            "食品经营许可负责人资格审查",
        ),
    )
    .await?;
    verification::answer(
        &past,
        &ga_l,
        d.v.id,
        &AnswerInput {
            outcome: "not_matching".into(),
            answer: facts_remarks("与申请人填报不符。"),
            records_say: Some("2015年有一条已执行完毕的轻微交通肇事记录。".into()),
        },
    )
    .await?;
    verification::record_ledger(
        &past,
        &sj,
        &LedgerInput {
            kind: "supplementary_request".into(),
            verification_id: Some(d.v.id),
            what: "请申请人补充刑罚执行完毕的证明材料（仅限与负责人资格有关的部分）".into(),
            why: "核验结果与申请人填报不符".into(),
            ..Default::default()
        },
    )
    .await?;

    // 4. Returned as outside the remit, then an on-site check (A2 §7, §8).
    let d = verification::send(
        &past,
        &sj2,
        &send(
            &li,
            hukou,
            "李四户口已注销",
            "SJ-2026-0104",
            "核对经营者身份状态",
        ),
    )
    .await?;
    verification::return_request(
        &past,
        &ga,
        d.v.id,
        &ReturnInput {
            reason: "申请人户籍不在本县，应向户籍地公安机关核验。".into(),
        },
    )
    .await?;
    verification::record_ledger(
        &past,
        &sj2,
        &LedgerInput {
            kind: "onsite_check".into(),
            verification_id: Some(d.v.id),
            what: "工作人员上门核实经营场所及经营者身份".into(),
            why: "开具单位退回，无法通过部门核验获取".into(),
            ..Default::default()
        },
    )
    .await?;

    // 5. Reclassified on registration: a statutory procedure is needed (A2 §7, P 三(二)3).
    let d = verification::send(
        &past,
        &sj,
        &send(
            &li,
            hukou,
            "李四1998年户口迁入本县",
            "SJ-2026-0105",
            "核对历史住所信息",
        ),
    )
    .await?;
    verification::reclassify(
        &past,
        &ga_l,
        d.v.id,
        &ReclassifyInput {
            deadline_class: "statutory".into(),
            statutory_limit: Some("20wd".into()),
            reason: "1998年迁入记录存疑，须经户口登记更正的法定调查程序后方能答复。".into(),
        },
    )
    .await?;

    // 6. Overdue: sent two weeks ago, unanswered (the runner reports it after the grace).
    verification::send(
        &back(app, Duration::days(14)),
        &sj2,
        &send(
            &zhang,
            hukou,
            "张三户籍地址为田镇街道青苑社区",
            "SJ-2026-0090",
            "个体工商户变更登记，核对住所",
        ),
    )
    .await?;

    // 7. Overdue, reported by the sender, ordered by the joint office, summon requested.
    let d = verification::send(
        &back(app, Duration::days(10)),
        &sj,
        &send(
            &li,
            crime,
            "李四无犯罪记录",
            "SJ-2026-0095",
            "食品经营许可负责人资格审查",
        ),
    )
    .await?;
    verification::report(app, &sj, d.v.id).await?;
    verification::order(
        app,
        &joint,
        d.v.id,
        &OrderInput {
            finish_by: crate::deadlines::rfc3339(app.now_ms() + 24 * 3600 * 1000)
                .unwrap_or_default(),
            text: "请县公安局于限期内反馈，并说明逾期原因。".into(),
        },
    )
    .await?;
    verification::summon(
        app,
        &joint,
        d.v.id,
        &SummonInput {
            text: "逾期十日未反馈，致申请人两次往返，提请县政府约谈县公安局相关负责人。".into(),
        },
    )
    .await?;

    // 8. Recorded after the fact: done by fax (A2 §3).
    verification::record_offline(
        app,
        &sj2,
        &OfflineInput {
            channel: "fax".into(),
            proof_item_id: hukou,
            issuer_org_id: None,
            subject: zhang.clone(),
            facts: facts("张三户口已于2025年迁出本县"),
            case_ref: "SJ-2026-0080".into(),
            purpose: "个体工商户注销登记".into(),
            outcome: "confirmed".into(),
            records_say: None,
            offline_ref: "传真 0533-6961234 第2026-015号".into(),
            answered_at: None,
            no_secret_confirmed: true,
        },
    )
    .await?;

    // What fell due in the past is settled the way the job runner settles it at start-up
    // (deadlines escalated, the automatic report after the grace), so the demo starts in a
    // steady state.
    crate::jobs::run_once(app, "demo-verification").await?;

    // 9. The applicant chose to provide the information themselves (A2 §9).
    verification::record_ledger(
        app,
        &sj,
        &LedgerInput {
            kind: "applicant_provided".into(),
            verification_id: None,
            proof_item_id: Some(crime),
            subject: Some(li),
            case_ref: Some("SJ-2026-0106".into()),
            what: "申请人自行提交了无犯罪记录证明原件".into(),
            why: "申请人表示能够提供并愿意提供".into(),
        },
    )
    .await?;
    Ok(())
}

fn facts_remarks(text: &str) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("remarks".into(), json!(text));
    m
}
