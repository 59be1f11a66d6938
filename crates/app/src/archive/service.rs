//! Building, storing, serving and looking up case e-archives.

use proofless_domain::case::{CaseState, ResolutionMethod};
use proofless_domain::role::ActorKind;
use proofless_seal::{canonical_json, sm3_hex};
use proofless_store::Tx;
use serde_json::{Map, Value as Json, json};

use super::package::{
    self, JSON_FORMAT, ManifestSeal, Part, PartSeal, SIG_FORMAT, manifest, manifest_bytes,
};
use super::pdf::{self, Doc};
use super::repo::{self, ArchiveInfo, NewArchive};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::cases::{self, CaseDetail};
use crate::error::{AppError, AppResult};
use crate::jobs::{BoxFuture, Job, Outcome, Prepared};
use crate::seals::{self, SealKind};

/// GB/T 18894-2016 保管期限 of a case record (定期 30 年).
pub const RETENTION: &str = "30年";

/// A package built and not yet stored.
pub struct Built {
    pub case_id: i64,
    pub org_id: i64,
    pub archive_no: String,
    pub bytes: Vec<u8>,
    /// SM3 of `bytes`, computed when built: not inside the writer's transaction.
    pub sm3: String,
    pub manifest_sm3: String,
    pub key_id: String,
    pub files: usize,
}

fn beijing(ms: Option<i64>) -> String {
    ms.and_then(crate::deadlines::to_utc)
        .map(|t| {
            t.with_timezone(&crate::beijing())
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

/// 档号: fonds (the unit's credit code) - year - retention - case number.
fn archive_no(fonds: &str, decided_at: Option<i64>, case_no: &str) -> String {
    let year = beijing(decided_at).get(..4).unwrap_or("0000").to_owned();
    format!("{fonds}-{year}-D30-{case_no}")
}

fn case_record(d: &CaseDetail, no: &str) -> Doc {
    let mut lines = vec![
        (String::new(), "办件信息".to_owned()),
        ("档号".into(), no.to_owned()),
        ("办件编号".into(), d.case_no.clone()),
        ("受理单位".into(), d.org_name.clone()),
        (
            "政务服务事项".into(),
            format!("{}（{}）", d.service_item_name, d.service_item_code),
        ),
        (
            "申请人".into(),
            format!("{}（{}）", d.applicant_name, d.applicant),
        ),
        (
            "办件类型".into(),
            if d.immediate {
                "即办件"
            } else {
                "承诺件"
            }
            .to_owned(),
        ),
        ("受理人".into(), d.created_by.clone()),
        ("受理时间".into(), beijing(Some(d.created_at))),
        (String::new(), "证明事项办理情况".to_owned()),
    ];
    for p in &d.proofs {
        lines.push((
            p.proof_item_name.clone(),
            format!(
                "{}；{}；{}{}",
                p.state.label(),
                p.method.map_or("未办理", ResolutionMethod::label),
                if p.evidence.is_empty() {
                    "无说明"
                } else {
                    p.evidence.as_str()
                },
                match (&p.resolved_by, p.resolved_at) {
                    (Some(by), Some(at)) => format!("（{by}，{}）", beijing(Some(at))),
                    _ => String::new(),
                }
            ),
        ));
    }
    lines.push((String::new(), "办理结果".to_owned()));
    lines.push((
        "决定".into(),
        d.outcome.map_or("", |o| o.label()).to_owned(),
    ));
    if let Some(r) = d.decision_reason.as_deref().filter(|r| !r.is_empty()) {
        lines.push(("理由".into(), r.to_owned()));
    }
    lines.push(("办结时间".into(), beijing(d.decided_at)));
    Doc {
        title: format!("办件电子档案：{}", d.service_item_name),
        lines,
        at_ms: d.decided_at.unwrap_or(d.created_at),
    }
}

/// A sealed document's body flattened into labelled lines for its rendering.
fn flat(prefix: &str, v: &Json, out: &mut Vec<(String, String)>) {
    match v {
        Json::Object(m) => {
            for (k, x) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flat(&key, x, out);
            }
        }
        Json::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                flat(&format!("{prefix}[{}]", i + 1), x, out);
            }
        }
        Json::String(s) => out.push((prefix.to_owned(), s.clone())),
        Json::Null => {}
        x => out.push((prefix.to_owned(), x.to_string())),
    }
}

/// Builds the package of a decided case from the committed records (reads only).
pub async fn build(app: &App, case_id: i64) -> AppResult<Built> {
    let d = cases::detail(app, case_id).await?;
    if d.state == CaseState::Open {
        return Err(AppError::Conflict("办件尚未办结，无法归档".to_owned()));
    }
    let mut r = app.db.reader();
    let credit = repo::org_credit_code(&mut r, d.org_id).await?;
    let fonds = credit.clone().unwrap_or_else(|| format!("ORG{}", d.org_id));
    let no = archive_no(&fonds, d.decided_at, &d.case_no);
    let mut parts = vec![];
    let case_json =
        serde_json::to_value(&d).map_err(|e| AppError::Internal(format!("办件无法序列化：{e}")))?;
    let mut meta_only = case_json.clone();
    if let Some(m) = meta_only.as_object_mut() {
        m.remove("proofs");
    }
    parts.push(Part {
        path: "case.json".into(),
        title: "办件元数据".into(),
        format: JSON_FORMAT,
        bytes: canonical_json(&meta_only),
        seal: None,
    });
    parts.push(Part {
        path: "proofs.json".into(),
        title: "证明事项办理情况".into(),
        format: JSON_FORMAT,
        bytes: canonical_json(&case_json["proofs"]),
        seal: None,
    });
    let decision = json!({
        "case_no": d.case_no, "state": d.state, "outcome": d.outcome,
        "outcome_label": d.outcome.map(|o| o.label()), "reason": d.decision_reason,
        "decided_at": d.decided_at, "decided_at_beijing": beijing(d.decided_at),
    });
    parts.push(Part {
        path: "decision.json".into(),
        title: "办理结果".into(),
        format: JSON_FORMAT,
        bytes: canonical_json(&decision),
        seal: None,
    });
    let (pdf, format) = pdf::render(&case_record(&d, &no))?;
    parts.push(Part {
        path: "case.pdf".into(),
        title: "办件归档表".into(),
        format,
        bytes: pdf,
        seal: None,
    });
    for id in repo::sealed_ids(&mut r, case_id).await? {
        let doc = seals::get(app, &id).await?;
        let keys = seals::keys_of_org(app, doc.org_id).await?;
        let key = keys
            .iter()
            .find(|k| k.key_id == doc.key_id)
            .ok_or_else(|| AppError::Internal(format!("电子文件 {id} 的签章公钥不存在")))?;
        let base = format!("sealed/{}-{id}", doc.kind.as_str());
        let sig_path = format!("{base}.sig");
        parts.push(Part {
            path: format!("{base}.json"),
            title: format!("{}（电子签章原件）", doc.kind.label()),
            format: JSON_FORMAT,
            bytes: doc.body.clone().into_bytes(),
            seal: Some(PartSeal {
                org_name: doc.org_name.clone(),
                key_id: doc.key_id.clone(),
                public_pem: key.public_pem.clone(),
                signature_path: sig_path.clone(),
            }),
        });
        parts.push(Part {
            path: sig_path,
            title: format!("{}的签名值", doc.kind.label()),
            format: SIG_FORMAT,
            bytes: seals::signature_der(&doc)?,
            seal: None,
        });
        let (bytes, format) = if doc.kind == SealKind::CommitmentLetter {
            let b = crate::commitment::letter_pdf::render_for(
                &doc.body,
                &doc.public_id,
                &doc.body_sm3,
                &doc.org_name,
                &app.settings.public_base_url,
            )?;
            let f = if String::from_utf8_lossy(&b).contains("pdfaid:part") {
                package::PDF_A
            } else {
                package::PDF_PLAIN
            };
            (b, f)
        } else {
            let body: Json = serde_json::from_str(&doc.body).unwrap_or(Json::Null);
            let mut lines = vec![
                ("签章单位".to_owned(), doc.org_name.clone()),
                ("电子印章编号".to_owned(), doc.public_id.clone()),
                ("SM3 摘要".to_owned(), doc.body_sm3.clone()),
                ("签章时间".to_owned(), beijing(Some(doc.sealed_at))),
                (String::new(), "文件内容".to_owned()),
            ];
            flat("", &body, &mut lines);
            pdf::render(&Doc {
                title: doc.kind.label().to_owned(),
                lines,
                at_ms: doc.sealed_at,
            })?
        };
        parts.push(Part {
            path: format!("{base}.pdf"),
            title: format!("{}（版式文件）", doc.kind.label()),
            format,
            bytes,
            seal: None,
        });
    }
    let metadata = json!({
        "档号": no,
        "题名": format!("{}办件电子档案（{}）", d.service_item_name, d.case_no),
        "责任者": d.org_name,
        "立档单位名称": d.org_name,
        "统一社会信用代码": credit,
        "办件编号": d.case_no,
        "事项名称": d.service_item_name,
        "事项编码": d.service_item_code,
        "申请人": d.applicant_name,
        "申请人标识": d.applicant,
        "受理日期": beijing(Some(d.created_at)),
        "办结日期": beijing(d.decided_at),
        "办理结果": d.outcome.map(|o| o.label()),
        "保管期限": RETENTION,
        "件数": parts.len(),
        "语种": "汉语",
        "归档方式": "办结即时归档（P 三(三)）",
    });
    let signed_at = beijing(d.decided_at);
    // The manifest names the key that signs it: the unit's active key (made at the first
    // sealing if the unit has none). A key made or rotated between naming and signing (two
    // first sealings at once) is caught by comparing the ids, and the manifest named again.
    let mut tries = 0;
    let (kid, mbytes, sig) = loop {
        let probe = seals::sign_bytes(app, d.org_id, b"").await?;
        let m = manifest(
            metadata.clone(),
            &parts,
            &ManifestSeal {
                org_name: &d.org_name,
                key_id: &probe.key_id,
                public_pem: &probe.public_pem,
                signed_at: &signed_at,
            },
        );
        let mbytes = manifest_bytes(&m);
        let sig = seals::sign_bytes(app, d.org_id, &mbytes).await?;
        if sig.key_id == probe.key_id {
            break (probe.key_id, mbytes, sig);
        }
        tries += 1;
        if tries >= 3 {
            return Err(AppError::Internal(
                "印章密钥在归档时被轮换，稍后重试".to_owned(),
            ));
        }
    };
    let bytes = package::write_zip(&mbytes, &sig.der, &parts)
        .map_err(|e| AppError::Internal(format!("电子档案打包失败：{e}")))?;
    Ok(Built {
        case_id,
        org_id: d.org_id,
        archive_no: no,
        sm3: sm3_hex(&bytes),
        manifest_sm3: sm3_hex(&mbytes),
        key_id: kid,
        files: parts.len(),
        bytes,
    })
}

/// Stores a built package in `tx` (once per case) with its audit row; returns whether it
/// was stored now (false: the case already had one).
pub async fn store_in(tx: &mut Tx, actor: &Actor, now: i64, b: &Built) -> AppResult<bool> {
    let stored = insert_in(tx, now, b).await?;
    if stored {
        audit::append(
            tx,
            actor,
            now,
            Entry::new("case.archive", "case", b.case_id).detail(json!({
                "archive_no": b.archive_no, "sm3": b.sm3, "manifest_sm3": b.manifest_sm3,
                "key_id": b.key_id, "files": b.files, "size": b.bytes.len(),
            })),
        )
        .await?;
    }
    Ok(stored)
}

async fn insert_in(tx: &mut Tx, now: i64, b: &Built) -> AppResult<bool> {
    repo::insert(
        tx,
        &NewArchive {
            case_id: b.case_id,
            org_id: b.org_id,
            archive_no: &b.archive_no,
            sm3: &b.sm3,
            manifest_sm3: &b.manifest_sm3,
            key_id: &b.key_id,
            files: b.files as i64,
            content: &b.bytes,
            now,
        },
    )
    .await
}

/// The job `case.archive` (enqueued when the case is decided): builds and stores the
/// package; a case that already has one (built on first download) is skipped. A failure
/// leaves the job to the runner's retries.
pub fn archive_job<'a>(tx: &'a mut Tx, app: &'a App, job: &'a Job) -> BoxFuture<'a, Outcome> {
    Box::pin(async move {
        let case_id = job.payload["case_id"]
            .as_i64()
            .ok_or_else(|| AppError::Internal("归档任务缺少 case_id".to_owned()))?;
        if repo::info(tx, case_id).await?.is_some() {
            return Ok(Outcome::Skipped);
        }
        let actor = Actor::system(&format!("job-{}", job.id));
        // Built before the transaction by `prepare_archive` (rendering and sealing outside
        // the writer); built here only when that did not happen.
        match job
            .prepared
            .as_ref()
            .and_then(|p| p.downcast_ref::<Built>())
        {
            Some(built) => Ok(Outcome::of(store_in(tx, &actor, job.now, built).await?)),
            None => {
                let built = build(app, case_id).await?;
                Ok(Outcome::of(store_in(tx, &actor, job.now, &built).await?))
            }
        }
    })
}

/// The `case.archive` job's preparer: the package built and sealed before the claiming
/// transaction, so a batch of archives does not hold the database's writer while PDFs are
/// rendered (issue #17 §5: case-complete under load).
pub fn prepare_archive<'a>(app: &'a App, job: &'a Job) -> BoxFuture<'a, Prepared> {
    Box::pin(async move {
        let case_id = job.payload["case_id"]
            .as_i64()
            .ok_or_else(|| AppError::Internal("归档任务缺少 case_id".to_owned()))?;
        let built = build(app, case_id).await?;
        Ok(std::sync::Arc::new(built) as Prepared)
    })
}

/// The stored package of a case, building it now if the job has not run yet.
async fn ensure(app: &App, case_id: i64) -> AppResult<Vec<u8>> {
    if let Some(bytes) = repo::content(&mut app.db.reader(), case_id).await? {
        return Ok(bytes);
    }
    let built = build(app, case_id).await?;
    let mut tx = app.db.begin().await?;
    store_in(
        &mut tx,
        &Actor::system("archive-on-demand"),
        app.now_ms(),
        &built,
    )
    .await?;
    tx.commit().await?;
    repo::content(&mut app.db.reader(), case_id)
        .await?
        .ok_or_else(|| AppError::Internal("电子档案保存失败".to_owned()))
}

/// A downloaded package: its file name (ASCII, for Content-Disposition) and bytes.
pub struct Download {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// The case's e-archive for the receiving unit's staff or the applicant on the portal; an
/// open case has none (409). The read is audited as a read of personal data.
pub async fn download(app: &App, actor: &Actor, case_id: i64) -> AppResult<Download> {
    let d = cases::repo::load(&mut app.db.reader(), case_id).await?;
    if actor.kind == ActorKind::Portal {
        // The applicant's own case only; another's reads as if it did not exist.
        let person = actor.id.ok_or_else(|| AppError::forbidden("请先登录"))?;
        if !cases::repo::is_applicant(&mut app.db.reader(), case_id, person).await? {
            return Err(AppError::NotFound(format!("办件 {case_id}")));
        }
    } else {
        actor.require_staff()?;
        actor.require_see_org(d.org_id)?;
    }
    if d.state == CaseState::Open {
        return Err(AppError::Conflict("办件尚未办结，无法归档".to_owned()));
    }
    let bytes = ensure(app, case_id).await?;
    let mut tx = app.db.begin().await?;
    audit::append(
        &mut tx,
        actor,
        app.now_ms(),
        Entry::new("case.archive.read", "case", case_id)
            .subject(format!("{}:{}", d.applicant_kind.as_str(), d.applicant_id))
            .purpose("电子档案查阅")
            .detail(json!({"sm3": sm3_hex(&bytes)})),
    )
    .await?;
    tx.commit().await?;
    Ok(Download {
        file_name: format!("{}-archive.zip", d.case_no),
        bytes,
    })
}

/// The stored package's record (no bytes), for the unit and the applicant.
pub async fn info(app: &App, case_id: i64) -> AppResult<Option<ArchiveInfo>> {
    repo::info(&mut app.db.reader(), case_id).await
}

/// The fields of an archive released as proof, in the order shown, with their Chinese
/// labels (the pull's result page, the portal's preview and the API's `data`). The case's
/// internal id, kept in older stored data, is not among them.
pub const PROOF_FIELDS: &[(&str, &str)] = &[
    ("source", "数据来源"),
    ("archive_no", "电子档案编号"),
    ("case_no", "办件编号"),
    ("org_name", "办理单位"),
    ("proof_item_name", "证明事项"),
    ("method", "证明方式"),
    ("evidence", "证明依据"),
    ("resolved_at", "证明确认时间"),
    ("decided_at", "办结时间"),
    ("archive_sm3", "电子档案 SM3 摘要"),
];

/// Whether released data is an archive serving as proof (written by [`established`]).
pub fn is_archive_proof(data: &Map<String, Json>) -> bool {
    data.get("source").and_then(Json::as_str) == Some(ARCHIVE_SOURCE)
        && data.contains_key("archive_no")
}

const ARCHIVE_SOURCE: &str = "电子档案";

/// SPEC R6.2 (P 三(三) "将电子档案作为电子证照证明库的有效补充证明"): what an archived case
/// of the person established for a proof item, as data a pull releases (`sharing::pulls`
/// asks here when the e-licence library has nothing).
pub async fn established(
    app: &App,
    person_id: i64,
    proof_item_id: i64,
) -> AppResult<Option<Map<String, Json>>> {
    let Some(e) = repo::established(&mut app.db.reader(), person_id, proof_item_id).await? else {
        return Ok(None);
    };
    let method =
        ResolutionMethod::parse(&e.method).map_or(e.method.clone(), |m| m.label().to_owned());
    let v = json!({
        "source": ARCHIVE_SOURCE,
        "archive_no": e.archive_no,
        "archive_sm3": e.archive_sm3,
        "case_no": e.case_no,
        "org_name": e.org_name,
        "proof_item_name": e.proof_item_name,
        "method": method,
        "evidence": e.evidence,
        "resolved_at": beijing(e.resolved_at),
        "decided_at": beijing(e.decided_at),
    });
    Ok(v.as_object().cloned())
}

/// Builds and stores the archives of decided cases without one directly, in bulk
/// (`proofless gen`, benchmarks): packages are built a few at a time on the runtime's
/// workers and stored in one transaction per chunk, without an audit row each (generated
/// data; the job audits). Returns how many were written.
pub async fn archive_missing(app: &App, limit: i64) -> AppResult<usize> {
    const CHUNK: i64 = 64;
    let mut n = 0;
    let mut left = limit;
    while left > 0 {
        let ids = repo::decided_without_archive(&mut app.db.reader(), left.min(CHUNK)).await?;
        if ids.is_empty() {
            break;
        }
        let mut set = tokio::task::JoinSet::new();
        for id in &ids {
            let (app, id) = (app.clone(), *id);
            set.spawn(async move { build(&app, id).await });
        }
        let mut built = Vec::with_capacity(ids.len());
        while let Some(r) = set.join_next().await {
            built.push(r.map_err(|e| AppError::Internal(format!("归档任务中断：{e}")))??);
        }
        let now = app.now_ms();
        let mut tx = app.db.begin().await?;
        for b in &built {
            n += usize::from(insert_in(&mut tx, now, b).await?);
        }
        tx.commit().await?;
        left -= ids.len() as i64;
    }
    Ok(n)
}
