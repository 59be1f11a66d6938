//! Checking every row of the sheet before anything is written: each cell against its
//! column, units by name, service items by code, duplicates within the file and against
//! the unit's existing items, then the checks of a drafted item (R1.2, R4.1).

use std::collections::HashMap;

use calamine::Data;
use proofless_domain::catalogue::{CatalogueLevel, ReplacementMethod};
use proofless_domain::codes::ImplementationCode;
use proofless_domain::region::RegionLevel;
use proofless_store::Exec;

use super::MAX_ROWS;
use super::sheet::{
    Found, LIST_SEPS, PART_SEPS, cell_text, clip, column_of, level_of, parse_basis, parse_guides,
    split,
};
use crate::catalogue::clean_text;
use crate::catalogue::input::{
    MethodInput, ProofItemDraft, ProofItemInput, ServiceItemDraft, ServiceItemInput,
};
use crate::catalogue::repo;
use crate::error::{AppError, AppResult, FieldError};

/// Longest text accepted in one cell.
const MAX_CELL_CHARS: usize = 10_000;

/// The columns read, in this order.
const COLUMNS: [&str; 10] = [
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
];

/// One checked row, ready to write.
pub(super) struct Row {
    pub row: u32,
    pub name: String,
    /// The item, without its service items (their ids are known once written).
    pub draft: ProofItemDraft,
    /// Service items to create before the item.
    pub new_services: Vec<ServiceItemDraft>,
    /// Service item codes, in file order (existing or new).
    pub service_codes: Vec<String>,
}

/// Every good row, and every problem of the bad ones.
pub(super) struct Checked {
    pub rows: Vec<Row>,
    pub errors: Vec<FieldError>,
    pub bad_rows: Vec<u32>,
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

/// A write-time error of one row, with the row and column it belongs to.
pub(super) fn at_row(row: u32, e: AppError) -> AppError {
    match e {
        AppError::Validation(v) => AppError::Validation(
            v.into_iter()
                .map(|fe| {
                    let col = column_of(&fe.field);
                    FieldError::new(
                        format!("rows[{row}].{col}"),
                        format!("第 {row} 行“{col}”：{}", fe.message),
                    )
                })
                .collect(),
        ),
        other => other,
    }
}

/// One row's cells by column.
struct Cells {
    name: String,
    svc_names: String,
    svc_codes: String,
    basis: String,
    issuers: String,
    requesters: String,
    methods: String,
    guides: String,
    level: String,
    remarks: String,
}

impl Cells {
    fn is_blank(&self) -> bool {
        [
            &self.name,
            &self.svc_names,
            &self.svc_codes,
            &self.basis,
            &self.issuers,
            &self.requesters,
            &self.methods,
            &self.guides,
            &self.level,
            &self.remarks,
        ]
        .iter()
        .all(|s| s.is_empty())
    }
}

/// What the check remembers from row to row.
struct State<'a> {
    owner: i64,
    regions: &'a [(String, RegionLevel)],
    errors: Errors,
    orgs: HashMap<String, Result<i64, String>>,
    /// (level:region, name) → the first row with it.
    seen: HashMap<(String, String), u32>,
    /// Service item codes a good row will create → that row.
    new_codes: HashMap<String, u32>,
}

pub(super) async fn check_all(
    x: &mut impl Exec,
    found: &Found,
    owner: i64,
    regions: &[(String, RegionLevel)],
) -> AppResult<Checked> {
    let (_, range, _, header, _) = found;
    if range.rows().skip(header + 1).count() > MAX_ROWS {
        return Err(AppError::field(
            "file",
            format!("行数过多：一次最多导入 {MAX_ROWS} 行"),
        ));
    }
    let (r0, _) = range.start().unwrap_or((0, 0));
    let mut st = State {
        owner,
        regions,
        errors: Errors(vec![]),
        orgs: HashMap::new(),
        seen: HashMap::new(),
        new_codes: HashMap::new(),
    };
    let mut rows = vec![];
    let mut bad_rows = vec![];
    for (i, cells) in range.rows().skip(header + 1).enumerate() {
        let abs_row = r0 + (header + 1 + i) as u32;
        let row = abs_row + 1;
        let before = st.errors.0.len();
        let c = read_cells(found, cells, abs_row, &mut st.errors);
        if c.is_blank() && st.errors.0.len() == before {
            continue;
        }
        let checked = check_row(x, &mut st, row, before, c).await?;
        match checked {
            Some(r) if st.errors.0.len() == before => {
                for s in &r.new_services {
                    st.new_codes.entry(s.code.clone()).or_insert(row);
                }
                rows.push(r);
            }
            _ => bad_rows.push(row),
        }
    }
    Ok(Checked {
        rows,
        errors: st.errors.0,
        bad_rows,
    })
}

/// The row's text by column: formulas and error values refused, text cleaned.
fn read_cells(found: &Found, cells: &[Data], abs_row: u32, errors: &mut Errors) -> Cells {
    let (_, range, formulas, _, cols) = found;
    let (_, c0) = range.start().unwrap_or((0, 0));
    let (f0r, f0c) = formulas.start().unwrap_or((0, 0));
    let row = abs_row + 1;
    let mut get = |col: &str| -> String {
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
        clean_text(&raw, MAX_CELL_CHARS).unwrap_or_else(|e| {
            errors.add(row, col, e);
            String::new()
        })
    };
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
    ] = COLUMNS.map(&mut get);
    Cells {
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
    }
}

/// Check one non-blank row; `None` when it has problems (added to `st.errors`). `before`:
/// the number of problems before its cells were read.
async fn check_row(
    x: &mut impl Exec,
    st: &mut State<'_>,
    row: u32,
    before: usize,
    c: Cells,
) -> AppResult<Option<Row>> {
    if c.name.is_empty() && st.errors.0.len() == before {
        st.errors.add(row, "证明名称", "请填写证明名称");
    }
    let level = level_of(&c.level);
    let region = region_of(st, row, level, &c.level);
    let issuer_ids = orgs_by_name(x, st, row, "开具单位", &c.issuers).await?;
    if c.issuers.is_empty() {
        st.errors.add(row, "开具单位", "请至少填写一个开具单位");
    }
    let requester_ids = orgs_by_name(x, st, row, "索要单位", &c.requesters).await?;
    let methods = methods_of(st, row, &c.methods, &c.guides);
    let cancelled = methods
        .iter()
        .any(|m| m.method == ReplacementMethod::Abolished.as_str());
    let mut legal_basis = vec![];
    for b in split(&c.basis, &PART_SEPS) {
        match parse_basis(&b) {
            Ok(x) => legal_basis.push(x),
            Err(e) => st.errors.add(row, "设定依据", e),
        }
    }
    let (new_services, service_codes) = services_of(x, st, row, level, &c).await?;
    let input = ProofItemInput {
        owner_org_id: Some(st.owner),
        name: c.name.clone(),
        level: level.map(|l| l.as_str().to_owned()).unwrap_or_default(),
        region_code: region.clone().unwrap_or_default(),
        disposition: if cancelled { "cancelled" } else { "retained" }.to_owned(),
        service_item_ids: vec![],
        legal_basis,
        issuer_ids,
        requester_ids,
        issuer_can_verify: true,
        correctable_afterwards: false,
        risk_domains: vec![],
        methods,
        remarks: c.remarks,
    };
    let draft = if st.errors.0.len() == before {
        match input.parse() {
            Ok(d) => Some(d),
            Err(AppError::Validation(v)) => {
                for fe in v {
                    st.errors.add(row, column_of(&fe.field), fe.message);
                }
                None
            }
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    if let (Some(l), Some(r)) = (level, region.as_deref())
        && !c.name.is_empty()
    {
        check_duplicate(x, st, row, l, r, &c.name).await?;
    }
    Ok(draft.map(|draft| Row {
        row,
        name: c.name,
        draft,
        new_services,
        service_codes,
    }))
}

/// The list's region for the row's 层级: the owner's region or an ancestor at that level.
fn region_of(
    st: &mut State<'_>,
    row: u32,
    level: Option<CatalogueLevel>,
    raw: &str,
) -> Option<String> {
    let Some(l) = level else {
        st.errors.add(
            row,
            "层级",
            format!("“{}”无效，应为县级、镇（街道）级或村（社区）级", clip(raw)),
        );
        return None;
    };
    let want = match l {
        CatalogueLevel::County => RegionLevel::County,
        CatalogueLevel::Town => RegionLevel::Town,
        CatalogueLevel::Village => RegionLevel::Village,
    };
    let found = st.regions.iter().find(|r| r.1 == want).map(|r| r.0.clone());
    if found.is_none() {
        st.errors.add(
            row,
            "层级",
            format!(
                "本单位不在{}区划内，不能导入{}证明事项",
                l.label(),
                l.label()
            ),
        );
    }
    found
}

/// Units by exact name (开具单位, 索要单位), each looked up once per file.
async fn orgs_by_name(
    x: &mut impl Exec,
    st: &mut State<'_>,
    row: u32,
    col: &str,
    raw: &str,
) -> AppResult<Vec<i64>> {
    let mut ids = vec![];
    for n in split(raw, &LIST_SEPS) {
        if !st.orgs.contains_key(&n) {
            let v = match repo::orgs_named(x, &n).await?.as_slice() {
                [id] => Ok(*id),
                [] => Err(format!("找不到单位“{}”", clip(&n))),
                _ => Err(format!("单位名称“{}”不唯一，请联系联审办", clip(&n))),
            };
            st.orgs.insert(n.clone(), v);
        }
        match st.orgs.get(&n) {
            Some(Ok(id)) if !ids.contains(id) => ids.push(*id),
            Some(Err(e)) => st.errors.add(row, col, e),
            _ => {}
        }
    }
    Ok(ids)
}

/// 替代取消方式 with their 办理指引; verification defaults to the paper archive class.
fn methods_of(st: &mut State<'_>, row: u32, methods: &str, guides: &str) -> Vec<MethodInput> {
    let mut out: Vec<MethodInput> = vec![];
    for m in split(methods, &LIST_SEPS) {
        match ReplacementMethod::parse(&m) {
            Some(x) => out.push(MethodInput {
                method: x.as_str().to_owned(),
                deadline_class: (x == ReplacementMethod::Verification)
                    .then(|| "paper_archive".to_owned()),
                ..MethodInput::default()
            }),
            None => st.errors.add(
                row,
                "替代取消方式",
                format!(
                    "“{}”无效（可用：直接取消、数据共享、告知承诺、部门核验、干部代办、容缺受理、其他方式）",
                    clip(&m)
                ),
            ),
        }
    }
    parse_guides(guides, &mut out);
    out
}

/// 政务服务事项 by code; an unknown code becomes a new service item of the unit.
async fn services_of(
    x: &mut impl Exec,
    st: &mut State<'_>,
    row: u32,
    level: Option<CatalogueLevel>,
    c: &Cells,
) -> AppResult<(Vec<ServiceItemDraft>, Vec<String>)> {
    let names = split(&c.svc_names, &PART_SEPS);
    let codes = split(&c.svc_codes, &PART_SEPS);
    let mut new_services = vec![];
    let mut service_codes = vec![];
    if names.len() != codes.len() {
        st.errors.add(
            row,
            "事项编码",
            format!(
                "事项名称 {} 个、事项编码 {} 个，数量应一致（多个用“；”分隔）",
                names.len(),
                codes.len()
            ),
        );
        return Ok((new_services, service_codes));
    }
    for (n, c) in names.iter().zip(&codes) {
        let code = match ImplementationCode::parse(c) {
            Ok(x) => x.as_str().to_owned(),
            Err(e) => {
                st.errors
                    .add(row, "事项编码", format!("“{}”：{e}", clip(c)));
                continue;
            }
        };
        let known = repo::service_item_id(x, &code).await?.is_some();
        if !known && !st.new_codes.contains_key(&code) {
            let svc = ServiceItemInput {
                org_id: Some(st.owner),
                name: n.clone(),
                code: code.clone(),
                kind: "public_service".to_owned(),
                level: level.unwrap_or(CatalogueLevel::County).as_str().to_owned(),
            };
            match svc.parse() {
                Ok(d) => new_services.push(d),
                Err(AppError::Validation(v)) => {
                    for fe in v {
                        let col = if fe.field == "code" {
                            "事项编码"
                        } else {
                            "涉及的政务服务事项名称"
                        };
                        st.errors.add(row, col, fe.message);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        service_codes.push(code);
    }
    Ok((new_services, service_codes))
}

/// The same name twice at one level in the file, or already among the unit's items.
async fn check_duplicate(
    x: &mut impl Exec,
    st: &mut State<'_>,
    row: u32,
    level: CatalogueLevel,
    region: &str,
    name: &str,
) -> AppResult<()> {
    let key = (format!("{}:{region}", level.as_str()), name.to_owned());
    if let Some(first) = st.seen.get(&key) {
        st.errors.add(
            row,
            "证明名称",
            format!("与第 {first} 行重复（同一层级同名）"),
        );
        return Ok(());
    }
    st.seen.insert(key, row);
    if let Some(id) = repo::item_named(x, st.owner, level, region, name).await? {
        st.errors.add(
            row,
            "证明名称",
            format!("本单位在该清单中已有同名证明事项（编号 {id}）"),
        );
    }
    Ok(())
}
