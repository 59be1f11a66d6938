//! Import of a unit's proof items from `.xlsx` in the columns officials use (issue #3 §7),
//! the same columns [`super::xlsx`] exports, so an exported file re-imports.
//!
//! The whole file is checked first and every bad row and cell is reported in Chinese
//! (`rows[5].开具单位`: 第 5 行“开具单位”：找不到单位“县某局”). Nothing is written unless
//! every row is good, or the caller asks to import only the good rows. Rows go through the
//! same checks as [`super::items::create`] (R1.2, R4.1…), all in one transaction, audited.
//! Cells holding a formula are refused, never evaluated; text that merely starts with `=`
//! is taken literally.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx};
use proofless_domain::catalogue::{BasisKind, CatalogueLevel, ReplacementMethod};
use proofless_domain::codes::ImplementationCode;
use proofless_domain::role::Role;
use proofless_store::q;
use serde::Serialize;

use super::items::{self, BasisInput, MethodInput, ProofItemInput};
use super::services::{self, ServiceItemInput};
use super::{clean_text, require_unit_editor};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, FieldError};

/// Largest upload accepted (bytes); the web layer answers 413 above it.
pub const MAX_BYTES: usize = 1024 * 1024;
/// Most data rows one file may carry.
pub const MAX_ROWS: usize = 2000;
/// Longest text accepted in one cell.
const MAX_CELL_CHARS: usize = 10_000;

const REQUIRED: [&str; 3] = ["证明名称", "开具单位", "层级"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportedItem {
    /// The row in the sheet (1-based, as the spreadsheet shows it).
    pub row: u32,
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportOutcome {
    pub sheet: String,
    pub created: Vec<ImportedItem>,
    /// Service items created because their 事项编码 was not yet registered.
    pub service_items_created: usize,
    /// Rows left out (only with `import_good_rows`), one entry per bad cell.
    #[schema(value_type = Vec<Object>)]
    pub skipped: Vec<FieldError>,
}

/// One checked row, ready to write.
struct Row {
    row: u32,
    input: ProofItemInput,
    /// (code, name) of service items to create before the item.
    new_services: Vec<(String, String)>,
    /// Service item codes, in file order (existing or new).
    service_codes: Vec<String>,
}

struct Errors(Vec<FieldError>);

impl Errors {
    fn add(&mut self, row: u32, col: &str, msg: impl AsRef<str>) {
        self.0.push(FieldError::new(
            format!("rows[{row}].{col}"),
            format!("第 {row} 行“{col}”：{}", msg.as_ref()),
        ));
    }
}

fn split(s: &str, seps: &[char]) -> Vec<String> {
    s.split(|c| seps.contains(&c))
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

const LIST_SEPS: [char; 6] = ['、', ',', '，', ';', '；', '\n'];
const PART_SEPS: [char; 3] = [';', '；', '\n'];

fn cell_text(d: &Data) -> Result<String, String> {
    Ok(match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        Data::DateTime(d) => d.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(format!("单元格含错误值（{e}）")),
    })
}

fn level_of(s: &str) -> Option<CatalogueLevel> {
    CatalogueLevel::parse(s).or(match s.trim() {
        "县级" | "县" | "县本级" => Some(CatalogueLevel::County),
        "镇级" | "镇" | "街道" | "镇（街道）" | "镇街" => Some(CatalogueLevel::Town),
        "村级" | "村" | "社区" | "村（社区）" => Some(CatalogueLevel::Village),
        _ => None,
    })
}

/// The kind of a legal basis, from the name of the law (the sheet carries no kind column).
fn basis_kind(law: &str) -> BasisKind {
    let l = law.trim_matches(['《', '》']);
    if l.contains("国务院") && l.contains("决定") {
        BasisKind::StateCouncilDecision
    } else if l.ends_with('法') || l.ends_with("法典") {
        BasisKind::Law
    } else if l.ends_with("条例") && (l.contains('省') || l.contains('市') || l.contains('县'))
    {
        BasisKind::LocalRegulation
    } else if l.ends_with("条例") {
        BasisKind::AdministrativeRegulation
    } else if (l.ends_with("办法") || l.ends_with("规定") || l.ends_with("细则"))
        && (l.contains("省") || l.contains("市人民政府"))
    {
        BasisKind::LocalGovernmentRule
    } else if l.ends_with("办法") || l.ends_with("规定") || l.ends_with("细则") {
        BasisKind::DepartmentalRule
    } else {
        BasisKind::PolicyDocument
    }
}

/// `《法》第七条：条文` → (law, article, text).
fn parse_basis(s: &str) -> Result<BasisInput, String> {
    let (head, text) = match s.split_once('：').or_else(|| s.split_once(':')) {
        Some((h, t)) => (h.trim(), t.trim()),
        None => (s.trim(), ""),
    };
    let (law, article) = if head.starts_with('《') {
        match head.find('》') {
            Some(i) => (
                &head[..i + '》'.len_utf8()],
                head[i + '》'.len_utf8()..].trim(),
            ),
            None => return Err(format!("依据“{}”缺少书名号“》”", clip(s))),
        }
    } else {
        return Err(format!(
            "依据“{}”应以《法律法规名称》开头，例如《中华人民共和国户口登记条例》第七条",
            clip(s)
        ));
    };
    Ok(BasisInput {
        kind: basis_kind(law).as_str().to_owned(),
        law: law.to_owned(),
        article: article.to_owned(),
        text: text.to_owned(),
    })
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

/// `部门核验：群众须知（指引）` pieces of 办理指引, by method.
fn parse_guides(s: &str, methods: &mut [MethodInput]) {
    let mut rest = vec![];
    for part in split(s, &PART_SEPS) {
        let hit = part
            .split_once('：')
            .and_then(|(l, t)| ReplacementMethod::parse(l).map(|m| (m, t.trim().to_owned())));
        let slot = hit.as_ref().and_then(|(m, _)| {
            methods
                .iter_mut()
                .find(|x| ReplacementMethod::parse(&x.method) == Some(*m))
        });
        match (hit.clone(), slot) {
            (Some((_, t)), Some(slot)) => {
                let (citizen, guide) = match (t.rfind('（'), t.ends_with('）')) {
                    (Some(i), true) => (
                        t[..i].trim().to_owned(),
                        t[i + '（'.len_utf8()..t.len() - '）'.len_utf8()].to_owned(),
                    ),
                    _ => (t, String::new()),
                };
                slot.citizen_text = citizen;
                slot.guide = guide;
            }
            _ => rest.push(part),
        }
    }
    if !rest.is_empty()
        && let Some(first) = methods.first_mut()
    {
        let extra = rest.join("；");
        first.guide = if first.guide.is_empty() {
            extra
        } else {
            format!("{}；{extra}", first.guide)
        };
    }
}

/// The sheet with the expected header: (sheet name, header row index in the range, columns).
type Found = (
    String,
    Range<Data>,
    Range<String>,
    usize,
    HashMap<String, usize>,
);

fn find_sheet(bytes: &[u8]) -> AppResult<Found> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        AppError::field(
            "file",
            format!(
                "无法读取文件：不是有效的 Excel（.xlsx）工作簿（{}）",
                clip(&e.to_string())
            ),
        )
    })?;
    let names = wb.sheet_names().to_vec();
    for name in &names {
        let Ok(range) = wb.worksheet_range(name) else {
            continue;
        };
        for (i, r) in range.rows().take(10).enumerate() {
            let cols: HashMap<String, usize> = r
                .iter()
                .enumerate()
                .filter_map(|(c, d)| match d {
                    Data::String(s) if !s.trim().is_empty() => Some((s.trim().to_owned(), c)),
                    _ => None,
                })
                .collect();
            if REQUIRED.iter().all(|h| cols.contains_key(*h)) {
                let formulas = wb.worksheet_formula(name).unwrap_or_default();
                return Ok((name.clone(), range, formulas, i, cols));
            }
        }
    }
    Err(AppError::field(
        "file",
        format!(
            "未找到含有表头“证明名称”“开具单位”“层级”的工作表（已检查 {} 个工作表：{}）",
            names.len(),
            clip(&names.join("、"))
        ),
    ))
}

/// Import the file's rows as draft proof items of `owner_org_id` (default: the actor's unit).
pub async fn import(
    app: &App,
    actor: &Actor,
    owner_org_id: Option<i64>,
    bytes: &[u8],
    import_good_rows: bool,
) -> AppResult<ImportOutcome> {
    actor.require_any(&[Role::UnitAdmin, Role::JointOffice, Role::SystemAdmin])?;
    let owner = owner_org_id
        .or(actor.org_id)
        .ok_or_else(|| AppError::field("owner_org_id", "请指定索要单位"))?;
    require_unit_editor(actor, owner)?;
    if bytes.len() > MAX_BYTES {
        return Err(AppError::field(
            "file",
            format!("文件过大：最多 {} MB", MAX_BYTES / 1024 / 1024),
        ));
    }
    let (sheet, range, formulas, header, cols) = find_sheet(bytes)?;
    let mut reader = app.db.reader();
    // The owner's region and its ancestors: a row's list is the one of its 层级 among them.
    let mut regions: Vec<(String, String)> = vec![];
    let first: Option<(String,)> = reader
        .fetch_optional(q("SELECT region_code FROM orgs WHERE id = ?").bind(owner))
        .await?;
    let Some((mut code,)) = first else {
        return Err(AppError::field(
            "owner_org_id",
            format!("单位 {owner} 不存在"),
        ));
    };
    for _ in 0..6 {
        let r: Option<(String, Option<String>)> = reader
            .fetch_optional(q("SELECT level, parent_code FROM regions WHERE code = ?").bind(&code))
            .await?;
        let Some((level, parent)) = r else { break };
        regions.push((code.clone(), level));
        match parent {
            Some(p) => code = p,
            None => break,
        }
    }
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let (f0r, f0c) = formulas.start().unwrap_or((0, 0));
    let mut errors = Errors(vec![]);
    let mut rows: Vec<Row> = vec![];
    let mut bad_rows: Vec<u32> = vec![];
    let mut org_cache: HashMap<String, Result<i64, String>> = HashMap::new();
    let mut seen: HashMap<(String, String), u32> = HashMap::new();
    let mut new_codes: HashMap<String, u32> = HashMap::new();
    let data_rows = range.rows().skip(header + 1);
    if range.rows().skip(header + 1).count() > MAX_ROWS {
        return Err(AppError::field(
            "file",
            format!("行数过多：一次最多导入 {MAX_ROWS} 行"),
        ));
    }
    for (i, cells) in data_rows.enumerate() {
        let abs_row = r0 + (header + 1 + i) as u32;
        let row = abs_row + 1;
        let before = errors.0.len();
        let get = |col: &str, errors: &mut Errors| -> String {
            let Some(&c) = cols.get(col) else {
                return String::new();
            };
            let abs_col = c0 + c as u32;
            if abs_row >= f0r && abs_col >= f0c {
                let f = formulas.get(((abs_row - f0r) as usize, (abs_col - f0c) as usize));
                if f.is_some_and(|f| !f.is_empty()) {
                    errors.add(row, col, "单元格含公式，系统不计算公式，请改为纯文本");
                    return String::new();
                }
            }
            let raw = match cells.get(c).map(cell_text).unwrap_or(Ok(String::new())) {
                Ok(s) => s,
                Err(e) => {
                    errors.add(row, col, e);
                    return String::new();
                }
            };
            match clean_text(&raw, MAX_CELL_CHARS) {
                Ok(s) => s,
                Err(e) => {
                    errors.add(row, col, e);
                    String::new()
                }
            }
        };
        let texts: Vec<String> = [
            "证明名称",
            "涉及的政务服务事项名称",
            "事项编码",
            "设定依据",
            "开具单位",
            "索要单位",
            "替代取消方式",
            "办理指引",
            "层级",
            "备注",
        ]
        .iter()
        .map(|c| get(c, &mut errors))
        .collect();
        let [
            name,
            svc_names,
            svc_codes,
            basis,
            issuers,
            requesters,
            methods,
            guides,
            level,
            remarks,
        ] = <[String; 10]>::try_from(texts).unwrap_or_default();
        let blank = [
            &name,
            &svc_names,
            &svc_codes,
            &basis,
            &issuers,
            &requesters,
            &methods,
            &guides,
            &level,
            &remarks,
        ]
        .iter()
        .all(|s| s.is_empty());
        if blank && errors.0.len() == before {
            continue;
        }
        if name.is_empty() && errors.0.len() == before {
            errors.add(row, "证明名称", "请填写证明名称");
        }
        // 层级 and the list's region.
        let lvl = level_of(&level);
        let region = match lvl {
            None => {
                errors.add(
                    row,
                    "层级",
                    format!(
                        "“{}”无效，应为县级、镇（街道）级或村（社区）级",
                        clip(&level)
                    ),
                );
                None
            }
            Some(l) => {
                let want = match l {
                    CatalogueLevel::County => "county",
                    CatalogueLevel::Town => "town",
                    CatalogueLevel::Village => "village",
                };
                match regions.iter().find(|r| r.1 == want) {
                    Some(r) => Some(r.0.clone()),
                    None => {
                        errors.add(
                            row,
                            "层级",
                            format!(
                                "本单位不在{}区划内，不能导入{}证明事项",
                                l.label(),
                                l.label()
                            ),
                        );
                        None
                    }
                }
            }
        };
        // 开具单位 / 索要单位 by name.
        let mut lookup = async |col: &str, raw: &str, errors: &mut Errors| -> AppResult<Vec<i64>> {
            let mut ids = vec![];
            for n in split(raw, &LIST_SEPS) {
                if !org_cache.contains_key(&n) {
                    let found: Vec<(i64,)> = app
                        .db
                        .reader()
                        .fetch_all(
                            q("SELECT id FROM orgs WHERE name = ? ORDER BY id LIMIT 2").bind(&n),
                        )
                        .await?;
                    let v = match found.as_slice() {
                        [(id,)] => Ok(*id),
                        [] => Err(format!("找不到单位“{}”", clip(&n))),
                        _ => Err(format!("单位名称“{}”不唯一，请联系联审办", clip(&n))),
                    };
                    org_cache.insert(n.clone(), v);
                }
                match org_cache.get(&n) {
                    Some(Ok(id)) if !ids.contains(id) => ids.push(*id),
                    Some(Err(e)) => errors.add(row, col, e),
                    _ => {}
                }
            }
            Ok(ids)
        };
        let issuer_ids = lookup("开具单位", &issuers, &mut errors).await?;
        if issuers.is_empty() {
            errors.add(row, "开具单位", "请至少填写一个开具单位");
        }
        let requester_ids = lookup("索要单位", &requesters, &mut errors).await?;
        // 替代取消方式.
        let mut method_inputs: Vec<MethodInput> = vec![];
        for m in split(&methods, &LIST_SEPS) {
            match ReplacementMethod::parse(&m) {
                Some(x) => method_inputs.push(MethodInput {
                    method: x.as_str().to_owned(),
                    deadline_class: (x == ReplacementMethod::Verification)
                        .then(|| "paper_archive".to_owned()),
                    ..MethodInput::default()
                }),
                None => errors.add(
                    row,
                    "替代取消方式",
                    format!(
                        "“{}”无效（可用：直接取消、数据共享、告知承诺、部门核验、干部代办、容缺受理、其他方式）",
                        clip(&m)
                    ),
                ),
            }
        }
        parse_guides(&guides, &mut method_inputs);
        let cancelled = method_inputs
            .iter()
            .any(|m| m.method == ReplacementMethod::Abolished.as_str());
        // 设定依据.
        let mut bases = vec![];
        for b in split(&basis, &PART_SEPS) {
            match parse_basis(&b) {
                Ok(x) => bases.push(x),
                Err(e) => errors.add(row, "设定依据", e),
            }
        }
        // 政务服务事项: by code; unknown codes become new service items of the unit.
        let names = split(&svc_names, &PART_SEPS);
        let codes = split(&svc_codes, &PART_SEPS);
        let mut new_services = vec![];
        let mut service_codes = vec![];
        if names.len() != codes.len() {
            errors.add(
                row,
                "事项编码",
                format!(
                    "事项名称 {} 个、事项编码 {} 个，数量应一致（多个用“；”分隔）",
                    names.len(),
                    codes.len()
                ),
            );
        } else {
            for (n, c) in names.iter().zip(&codes) {
                let code = match ImplementationCode::parse(c) {
                    Ok(x) => x.as_str().to_owned(),
                    Err(e) => {
                        errors.add(row, "事项编码", format!("“{}”：{e}", clip(c)));
                        continue;
                    }
                };
                let found: Option<(i64,)> = app
                    .db
                    .reader()
                    .fetch_optional(q("SELECT id FROM service_items WHERE code = ?").bind(&code))
                    .await?;
                if found.is_none() && !new_codes.contains_key(&code) {
                    let svc = ServiceItemInput {
                        org_id: Some(owner),
                        name: n.clone(),
                        code: code.clone(),
                        kind: "public_service".to_owned(),
                        level: lvl.unwrap_or(CatalogueLevel::County).as_str().to_owned(),
                    };
                    if let Err(AppError::Validation(v)) = services::precheck(&svc) {
                        for fe in v {
                            let col = if fe.field == "code" {
                                "事项编码"
                            } else {
                                "涉及的政务服务事项名称"
                            };
                            errors.add(row, col, fe.message);
                        }
                    } else {
                        new_services.push((code.clone(), n.clone()));
                    }
                }
                service_codes.push(code);
            }
        }
        let input = ProofItemInput {
            owner_org_id: Some(owner),
            name: name.clone(),
            level: lvl.map(|l| l.as_str().to_owned()).unwrap_or_default(),
            region_code: region.clone().unwrap_or_default(),
            disposition: if cancelled { "cancelled" } else { "retained" }.to_owned(),
            service_item_ids: vec![],
            legal_basis: bases,
            issuer_ids,
            requester_ids,
            issuer_can_verify: true,
            correctable_afterwards: false,
            risk_domains: vec![],
            methods: method_inputs,
            remarks,
        };
        if errors.0.len() == before
            && let Err(AppError::Validation(v)) = items::precheck(&input)
        {
            for fe in v {
                errors.add(row, column_of(&fe.field), fe.message);
            }
        }
        // Duplicates within the file and against the unit's existing items.
        if let (Some(l), Some(r)) = (lvl, region.as_ref())
            && !name.is_empty()
        {
            let key = (format!("{}:{r}", l.as_str()), name.clone());
            if let Some(first) = seen.get(&key) {
                errors.add(
                    row,
                    "证明名称",
                    format!("与第 {first} 行重复（同一层级同名）"),
                );
            } else {
                seen.insert(key, row);
                let existing: Option<(i64,)> = app
                        .db
                        .reader()
                        .fetch_optional(
                            q("SELECT p.id FROM proof_items p JOIN implementation_lists l ON l.id = p.list_id \
                               WHERE p.owner_org_id = ? AND l.level = ? AND l.region_code = ? AND p.name = ?")
                            .bind(owner)
                            .bind(l.as_str())
                            .bind(r)
                            .bind(&name),
                        )
                        .await?;
                if let Some((id,)) = existing {
                    errors.add(
                        row,
                        "证明名称",
                        format!("本单位在该清单中已有同名证明事项（编号 {id}）"),
                    );
                }
            }
        }
        if errors.0.len() > before {
            bad_rows.push(row);
            continue;
        }
        for (code, _) in &new_services {
            new_codes.entry(code.clone()).or_insert(row);
        }
        rows.push(Row {
            row,
            input,
            new_services,
            service_codes,
        });
    }
    if rows.is_empty() && errors.0.is_empty() {
        return Err(AppError::field(
            "file",
            format!("工作表“{}”在表头下没有任何数据行", clip(&sheet)),
        ));
    }
    if !errors.0.is_empty() && (!import_good_rows || rows.is_empty()) {
        return Err(AppError::Validation(errors.0));
    }

    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let mut service_ids: HashMap<String, i64> = HashMap::new();
    let mut service_items_created = 0;
    let mut created = vec![];
    for r in rows {
        let fail = |e: AppError| match e {
            AppError::Validation(v) => AppError::Validation(
                v.into_iter()
                    .map(|fe| {
                        let col = column_of(&fe.field);
                        FieldError::new(
                            format!("rows[{}].{col}", r.row),
                            format!("第 {} 行“{col}”：{}", r.row, fe.message),
                        )
                    })
                    .collect(),
            ),
            other => other,
        };
        for (code, name) in &r.new_services {
            if service_ids.contains_key(code) {
                continue;
            }
            let svc = ServiceItemInput {
                org_id: Some(owner),
                name: name.clone(),
                code: code.clone(),
                kind: "public_service".to_owned(),
                level: r.input.level.clone(),
            };
            let id = services::create_in(&mut tx, actor, &svc, now)
                .await
                .map_err(fail)?;
            service_ids.insert(code.clone(), id);
            service_items_created += 1;
        }
        let mut input = r.input;
        for code in &r.service_codes {
            let id = match service_ids.get(code) {
                Some(id) => *id,
                None => {
                    let (id,): (i64,) = tx
                        .fetch_one(q("SELECT id FROM service_items WHERE code = ?").bind(code))
                        .await?;
                    service_ids.insert(code.clone(), id);
                    id
                }
            };
            if !input.service_item_ids.contains(&id) {
                input.service_item_ids.push(id);
            }
        }
        let id = items::create_in(&mut tx, actor, &input, now)
            .await
            .map_err(fail)?;
        created.push(ImportedItem {
            row: r.row,
            id,
            name: input.name,
        });
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("catalogue.item.import", "org", owner).detail(serde_json::json!({
            "sheet": sheet, "bytes": bytes.len(), "created": created.len(),
            "service_items_created": service_items_created,
            "skipped_rows": bad_rows, "import_good_rows": import_good_rows,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(ImportOutcome {
        sheet,
        created,
        service_items_created,
        skipped: errors.0,
    })
}

/// The sheet column a field of [`ProofItemInput`] comes from.
fn column_of(field: &str) -> &'static str {
    let f = field.split(['[', '.']).next().unwrap_or(field);
    match f {
        "name" => "证明名称",
        "level" | "region_code" => "层级",
        "disposition" | "methods" => "替代取消方式",
        "issuer_ids" => "开具单位",
        "requester_ids" | "owner_org_id" => "索要单位",
        "legal_basis" => "设定依据",
        "service_item_ids" | "code" => "事项编码",
        "remarks" => "备注",
        "risk_domains" => "替代取消方式",
        _ => "证明名称",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn a_basis_splits_into_law_article_and_text() {
        let b = parse_basis("《中华人民共和国户口登记条例》第七条：婴儿出生后").unwrap();
        assert_eq!(b.law, "《中华人民共和国户口登记条例》");
        assert_eq!(b.article, "第七条");
        assert_eq!(b.text, "婴儿出生后");
        assert_eq!(b.kind, "administrative_regulation");
        assert_eq!(basis_kind("《中华人民共和国民法典》"), BasisKind::Law);
        assert_eq!(basis_kind("《中华人民共和国行政许可法》"), BasisKind::Law);
        assert_eq!(
            basis_kind("《山东省物业管理条例》"),
            BasisKind::LocalRegulation
        );
        assert!(parse_basis("某文件第三条").is_err());
    }

    #[test]
    fn guides_go_back_to_their_methods() {
        let mut m = vec![MethodInput {
            method: "verification".into(),
            ..MethodInput::default()
        }];
        parse_guides("部门核验：无需提交（向公安局核验）", &mut m);
        assert_eq!(m[0].citizen_text, "无需提交");
        assert_eq!(m[0].guide, "向公安局核验");
    }
}
