//! Synthetic catalogue for `proofless gen` (issue #7 §1, issue #3 performance): per county
//! an implementation list, service items, published proof items with issuers, legal basis
//! and replacement methods, and one published exemption list version holding their
//! snapshots, exactly as `lists::publish` stores them. Rows carry explicit ids so the
//! links can be written in bulk; PostgreSQL sequences are moved past them afterwards.

use std::collections::BTreeMap;

use proofless_domain::catalogue::{BasisSnapshot, ItemSnapshot, MethodSnapshot, ServiceItemRef};
use proofless_store::{Value, q};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::synth::{bulk, progress};

const SUBJECTS: &[&str] = &[
    "户籍",
    "无犯罪记录",
    "社保缴纳",
    "亲属关系",
    "居住",
    "家庭收入",
    "婚姻状况",
    "死亡",
    "出生",
    "低保",
    "残疾",
    "学历",
    "工作经历",
    "房产",
    "土地承包",
    "宅基地",
    "纳税",
    "医保参保",
    "养老保险",
    "失业登记",
    "退役军人",
    "特困供养",
    "健康状况",
    "经营场所",
    "火化",
    "村民身份",
];
const SUFFIXES: &[&str] = &["证明", "情况证明", "证明材料", "核实证明"];
const SERVICES: &[(&str, &str)] = &[
    ("户籍迁移登记", "administrative_confirmation"),
    ("社保待遇领取资格认证", "public_service"),
    ("最低生活保障审核确认", "administrative_payment"),
    ("教师资格认定", "administrative_licence"),
    ("食品经营许可", "administrative_licence"),
    ("结婚登记", "administrative_confirmation"),
    ("法律援助申请", "administrative_payment"),
    ("居住证申领", "administrative_confirmation"),
    ("宅基地申请审批", "administrative_licence"),
    ("临时救助", "administrative_payment"),
];
/// (method, deadline class, period) in rotation; verification takes most of the share it
/// has in real lists.
const METHODS: &[(&str, Option<&str>, Option<&str>)] = &[
    ("verification", Some("electronic"), Some("30m")),
    ("data_sharing", None, None),
    ("commitment", None, None),
    ("verification", Some("paper_archive"), Some("1wd")),
    ("abolished", None, None),
    ("verification", Some("incomplete_archive"), Some("2wd")),
    ("proxy", None, None),
];
/// Synthetic but clearly marked: generated worlds never pass for real legal bases.
const BASIS_LAW: &str = "《合成测试法规》";

pub(crate) async fn next_id(app: &App, table: &str) -> AppResult<i64> {
    Ok(app
        .db
        .reader()
        .scalar_i64(q(format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")))
        .await?)
}

/// Generates `total` published proof items spread over the counties given (code, name).
pub async fn generate(app: &App, counties: &[(String, String)], total: u64) -> AppResult<u64> {
    if counties.is_empty() || total == 0 {
        return Ok(0);
    }
    // Synthetic orgs by county (their region is a town under it).
    let orgs: Vec<(i64, String, String)> = app
        .db
        .reader()
        .fetch_all(q(
            "SELECT id, name, region_code FROM orgs WHERE name LIKE '合成单位%' ORDER BY id",
        ))
        .await?;
    let mut by_county: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    for (id, name, region) in orgs {
        by_county
            .entry(region.chars().take(6).collect())
            .or_default()
            .push((id, name));
    }
    // A county that already has a list was generated before: keep it as it is.
    let done: std::collections::HashSet<String> = app
        .db
        .reader()
        .fetch_all::<(String,)>(q("SELECT region_code FROM exemption_lists"))
        .await?
        .into_iter()
        .map(|(c,)| c)
        .collect();
    let now = app.now_ms();
    let per_county = total.div_ceil(counties.len() as u64);
    let mut impl_id = next_id(app, "implementation_lists").await?;
    let mut svc_id = next_id(app, "service_items").await?;
    let mut item_id = next_id(app, "proof_items").await?;
    let mut list_id = next_id(app, "exemption_lists").await?;
    let mut version_id = next_id(app, "list_versions").await?;
    let pb = progress("证明事项", total);
    let mut written = 0u64;
    for (code, name) in counties {
        if written >= total {
            break;
        }
        if done.contains(code) {
            continue;
        }
        let Some(units) = by_county.get(&code[..6]).filter(|u| !u.is_empty()) else {
            continue;
        };
        let n = per_county.min(total - written);
        bulk(
            app,
            "INSERT INTO implementation_lists (id, level, region_code, created_at) VALUES",
            std::iter::once(vec![
                impl_id.into(),
                "county".into(),
                code.clone().into(),
                now.into(),
            ]),
        )
        .await?;
        let services: Vec<ServiceItemRef> = SERVICES
            .iter()
            .enumerate()
            .map(|(k, (s, kind))| ServiceItemRef {
                id: svc_id + k as i64,
                name: (*s).to_owned(),
                code: format!("{}-SYN-{:04}", &code[..6], k + 1),
                kind: (*kind).to_owned(),
                org_name: units[k % units.len()].1.clone(),
            })
            .collect();
        bulk(
            app,
            "INSERT INTO service_items (id, org_id, name, code, kind, level, created_at, updated_at) VALUES",
            services.iter().enumerate().map(|(k, s)| {
                vec![
                    s.id.into(),
                    units[k % units.len()].0.into(),
                    s.name.clone().into(),
                    s.code.clone().into(),
                    s.kind.clone().into(),
                    "county".into(),
                    now.into(),
                    now.into(),
                ]
            }),
        )
        .await?;
        let snapshots: Vec<ItemSnapshot> = (0..n)
            .map(|i| {
                let id = item_id + i as i64;
                let owner = &units[(i as usize) % units.len()];
                let issuer = &units[(i as usize * 7 + 3) % units.len()];
                let (method, class, period) = METHODS[(i as usize) % METHODS.len()];
                ItemSnapshot {
                    id,
                    name: format!(
                        "{}{}（{}）",
                        SUBJECTS[(i as usize) % SUBJECTS.len()],
                        SUFFIXES[(i as usize / SUBJECTS.len()) % SUFFIXES.len()],
                        i + 1
                    ),
                    level: "county".into(),
                    region_code: code.clone(),
                    region_name: name.clone(),
                    disposition: if method == "abolished" {
                        "cancelled"
                    } else {
                        "retained"
                    }
                    .into(),
                    owner_org_id: owner.0,
                    owner_org_name: owner.1.clone(),
                    service_items: vec![services[(i as usize) % services.len()].clone()],
                    legal_basis: vec![BasisSnapshot {
                        kind: "local_regulation".into(),
                        law: BASIS_LAW.into(),
                        article: format!("第{}条", i % 90 + 1),
                        text: String::new(),
                    }],
                    issuer_ids: vec![issuer.0],
                    issuers: vec![issuer.1.clone()],
                    requester_ids: vec![owner.0],
                    requesters: vec![owner.1.clone()],
                    methods: vec![MethodSnapshot {
                        method: method.into(),
                        citizen_text: "无需提交，由办理单位按替代方式取得。".into(),
                        guide: "合成办事指南".into(),
                        deadline_class: class.map(str::to_owned),
                        deadline_period: period.map(str::to_owned),
                    }],
                    remarks: String::new(),
                }
            })
            .collect();
        bulk(
            app,
            "INSERT INTO proof_items (id, list_id, owner_org_id, name, disposition, stage, created_at, updated_at) VALUES",
            snapshots.iter().map(|s| {
                vec![
                    s.id.into(),
                    impl_id.into(),
                    s.owner_org_id.into(),
                    s.name.clone().into(),
                    s.disposition.clone().into(),
                    "published".into(),
                    now.into(),
                    now.into(),
                ]
            }),
        )
        .await?;
        let link = |table: &str, col: &str, pick: fn(&ItemSnapshot) -> i64| {
            (
                format!("INSERT INTO {table} (proof_item_id, {col}) VALUES"),
                snapshots
                    .iter()
                    .map(move |s| vec![Value::from(s.id), Value::from(pick(s))])
                    .collect::<Vec<_>>(),
            )
        };
        for (head, rows) in [
            link("proof_item_issuers", "org_id", |s| s.issuer_ids[0]),
            link("proof_item_requesters", "org_id", |s| s.requester_ids[0]),
            link("proof_item_services", "service_item_id", |s| {
                s.service_items[0].id
            }),
        ] {
            bulk(app, &head, rows.into_iter()).await?;
        }
        bulk(
            app,
            "INSERT INTO proof_item_bases (proof_item_id, position, kind, law, article, text) VALUES",
            snapshots.iter().map(|s| {
                let b = &s.legal_basis[0];
                vec![
                    s.id.into(),
                    0i64.into(),
                    b.kind.clone().into(),
                    b.law.clone().into(),
                    b.article.clone().into(),
                    "".into(),
                ]
            }),
        )
        .await?;
        bulk(
            app,
            "INSERT INTO replacements (proof_item_id, position, method, citizen_text, guide, deadline_class, deadline_period) VALUES",
            snapshots.iter().map(|s| {
                let m = &s.methods[0];
                vec![
                    s.id.into(),
                    0i64.into(),
                    m.method.clone().into(),
                    m.citizen_text.clone().into(),
                    m.guide.clone().into(),
                    m.deadline_class.clone().into(),
                    m.deadline_period.clone().into(),
                ]
            }),
        )
        .await?;
        bulk(
            app,
            "INSERT INTO exemption_lists (id, level, region_code, title, created_at) VALUES",
            std::iter::once(vec![
                list_id.into(),
                "county".into(),
                code.clone().into(),
                format!("{name}证明事项免提交清单").into(),
                now.into(),
            ]),
        )
        .await?;
        bulk(
            app,
            "INSERT INTO list_versions (id, list_id, number, stage, item_count, note, prepared_by, prepared_at, \
             approval_doc_no, approver_name, approved_at, effective_date, published_by, published_at) VALUES",
            std::iter::once(vec![
                version_id.into(),
                list_id.into(),
                1i64.into(),
                "published".into(),
                (n as i64).into(),
                "合成数据".into(),
                "合成".into(),
                now.into(),
                "合成〔2026〕1号".into(),
                "合成".into(),
                now.into(),
                "2026-01-01".into(),
                "合成".into(),
                now.into(),
            ]),
        )
        .await?;
        let mut rows = Vec::with_capacity(snapshots.len());
        for (pos, s) in snapshots.iter().enumerate() {
            let text = serde_json::to_string(s).map_err(|e| AppError::Internal(e.to_string()))?;
            rows.push(vec![
                version_id.into(),
                s.id.into(),
                (pos as i64).into(),
                s.name.clone().into(),
                text.into(),
            ]);
        }
        bulk(
            app,
            "INSERT INTO list_version_items (version_id, proof_item_id, position, name, snapshot) VALUES",
            rows.into_iter(),
        )
        .await?;
        impl_id += 1;
        svc_id += services.len() as i64;
        item_id += n as i64;
        list_id += 1;
        version_id += 1;
        written += n;
        pb.inc(n);
    }
    pb.finish();
    for table in [
        "implementation_lists",
        "service_items",
        "proof_items",
        "exemption_lists",
        "list_versions",
    ] {
        if let Some(reset) = app.db.dialect().reset_id_sequence(table) {
            app.db.reader().fetch_optional::<(i64,)>(reset).await?;
        }
    }
    Ok(written)
}
