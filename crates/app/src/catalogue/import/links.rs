//! One row's fields checked one by one: its level and list, its units, replacement methods,
//! legal bases and service items, with the warnings a real list calls for (no legal basis:
//! saved as proposed for cancellation; no service item; a basis below statute level).

use proofless_domain::catalogue::{BasisKind, CatalogueLevel, ReplacementMethod, ServiceItemKind};
use proofless_domain::codes::ImplementationCode;
use proofless_domain::region::RegionLevel;
use proofless_store::Exec;

use super::columns::Field;
use super::rows::{Cells, State, chosen_level};
use super::sheet::{LIST_SEPS, PART_SEPS, clip, levels_of, parse_basis, parse_guides, split};
use crate::catalogue::input::{BasisInput, MethodInput, ServiceItemDraft, ServiceItemInput};
use crate::catalogue::repo;
use crate::error::{AppError, AppResult};

/// The row's list level; an error when it names none of ours.
pub(super) fn level_of(st: &mut State<'_>, row: u32, raw: &str) -> Option<CatalogueLevel> {
    let col = st.h(Field::Level);
    let l = levels_of(raw);
    let Some(level) = chosen_level(&l.ours, st.regions) else {
        let msg = if l.above.is_empty() {
            format!(
                "“{}”无效，应为县级、镇（街道）级或村（社区）级（实施清单的行使层级写作县级、乡镇级及其他亦可）",
                clip(raw)
            )
        } else {
            format!(
                "行使层级为{}，不属于县、镇（街道）、村（社区）三级证明事项实施清单，不能导入",
                l.above.join("、")
            )
        };
        st.notes.err(row, &col, msg);
        return None;
    };
    if !l.unknown.is_empty() {
        st.notes
            .err(row, &col, format!("“{}”无效", clip(&l.unknown.join("、"))));
    }
    if l.ours.len() > 1 || !l.above.is_empty() {
        st.notes.warn(
            row,
            &col,
            format!(
                "列明了多个层级（{}），已按{}清单导入",
                clip(raw),
                level.label()
            ),
        );
    }
    Some(level)
}

/// The list's region for the level: the owner's region or an ancestor at that level.
pub(super) fn region_of(st: &mut State<'_>, row: u32, l: CatalogueLevel) -> Option<String> {
    let want = match l {
        CatalogueLevel::County => RegionLevel::County,
        CatalogueLevel::Town => RegionLevel::Town,
        CatalogueLevel::Village => RegionLevel::Village,
    };
    let found = st.regions.iter().find(|r| r.1 == want).map(|r| r.0.clone());
    if found.is_none() {
        let col = st.h(Field::Level);
        st.notes.err(
            row,
            &col,
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
pub(super) async fn orgs_by_name(
    x: &mut impl Exec,
    st: &mut State<'_>,
    row: u32,
    field: Field,
    raw: &str,
) -> AppResult<Vec<i64>> {
    let col = st.h(field);
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
            Some(Err(e)) => st.notes.err(row, &col, e),
            _ => {}
        }
    }
    Ok(ids)
}

/// 替代取消方式 with their 办理指引; verification defaults to the paper archive class.
pub(super) fn methods_of(
    st: &mut State<'_>,
    row: u32,
    methods: &str,
    guides: &str,
) -> Vec<MethodInput> {
    let col = st.h(Field::Methods);
    let mut out: Vec<MethodInput> = vec![];
    for m in split(methods, &LIST_SEPS) {
        match ReplacementMethod::parse(&m) {
            Some(x) => out.push(MethodInput {
                method: x.as_str().to_owned(),
                deadline_class: (x == ReplacementMethod::Verification)
                    .then(|| "paper_archive".to_owned()),
                ..MethodInput::default()
            }),
            None => st.notes.err(
                row,
                &col,
                format!(
                    "“{}”无效（可用：{}）",
                    clip(&m),
                    ReplacementMethod::ALL
                        .iter()
                        .map(|r| r.label())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            ),
        }
    }
    parse_guides(guides, &mut out);
    out
}

/// 设定依据, with 依据条文及内容 put on the basis it belongs to. A list that gives only the
/// article column, starting with the law's name, is read from there.
pub(super) fn bases_of(st: &mut State<'_>, row: u32, basis: &str, text: &str) -> Vec<BasisInput> {
    let (col, from_text) = if basis.is_empty() && text.starts_with('《') {
        (st.h(Field::BasisText), true)
    } else {
        (st.h(Field::Basis), false)
    };
    let source = if from_text { text } else { basis };
    let mut out: Vec<BasisInput> = vec![];
    for b in split(source, &PART_SEPS) {
        match parse_basis(&b) {
            Ok(x) => out.push(x),
            Err(e) => st.notes.err(row, &col, e),
        }
    }
    if from_text || text.is_empty() {
        return out;
    }
    let mut rest = vec![];
    for part in split(text, &PART_SEPS) {
        let parsed = parse_basis(&part).ok();
        let slot = parsed.as_ref().and_then(|p| {
            out.iter_mut()
                .find(|b| b.law == p.law && b.text.is_empty())
                .map(|b| (b, p))
        });
        match slot {
            Some((b, p)) => {
                b.text = if p.text.is_empty() {
                    part.clone()
                } else {
                    p.text.clone()
                };
                if b.article.is_empty() {
                    b.article = p.article.clone();
                }
            }
            None => rest.push(part),
        }
    }
    if !rest.is_empty() {
        let extra = rest.join("；");
        if let Some(b) = out.iter_mut().find(|b| b.text.is_empty()) {
            b.text = extra;
        } else if let Some(b) = out.first_mut() {
            b.text = format!("{}；{extra}", b.text);
        }
    }
    out
}

/// SPEC R1.3: a proof without legal basis is cancelled. The row is saved as proposed for
/// cancellation (直接取消) and the warning says so and what was dropped.
pub(super) fn propose_cancellation(st: &mut State<'_>, row: u32, methods: &mut Vec<MethodInput>) {
    let dropped: Vec<&str> = methods
        .iter()
        .filter_map(|m| ReplacementMethod::parse(&m.method).map(|x| x.label()))
        .collect();
    let mut msg = "没有设定依据，已按“拟取消（直接取消）”保存（没有法律法规依据的证明事项一律取消）；如有依据，请补充后改为保留".to_owned();
    if !dropped.is_empty() {
        msg.push_str(&format!("；原填写的替代方式“{}”未保存", dropped.join("、")));
    }
    let col = st.h(Field::Basis);
    st.notes.warn(row, &col, msg);
    *methods = vec![MethodInput {
        method: ReplacementMethod::Abolished.as_str().to_owned(),
        ..MethodInput::default()
    }];
}

/// Warnings for what review will ask of a retained item (R1.2, R1.3, R4.1).
pub(super) fn warn_incomplete(
    st: &mut State<'_>,
    row: u32,
    retained: bool,
    bases: &[BasisInput],
    methods: &[MethodInput],
    service_codes: &[String],
    c: &Cells,
) {
    if !retained {
        return;
    }
    for b in bases {
        if let Some(k) = BasisKind::parse(&b.kind).filter(|k| !st.statutory.contains(k)) {
            let col = st.h(Field::Basis);
            st.notes.warn(
                row,
                &col,
                format!(
                    "{}按名称判断属于{}，不能单独设定证明事项，须由司法局审查决定（优化营商环境条例第四十四条）",
                    clip(&b.law),
                    k.label()
                ),
            );
        }
    }
    if service_codes.is_empty() {
        let col = service_column(st);
        st.notes.warn(row, &col, "未关联政务服务事项：保留的证明事项须逐项列明使用它的政务服务事项，提交审查前请补充（优化营商环境条例第四十四条）");
    }
    if methods.is_empty() {
        let col = st.h(Field::Methods);
        st.notes.warn(
            row,
            &col,
            "未填写替代取消方式：保留的证明事项须写明办理单位如何自行获取，提交审查前请补充",
        );
    }
    let commitment = ReplacementMethod::Commitment.as_str();
    if !c.get(Field::NoCommitmentReason).is_empty()
        && methods.iter().any(|m| m.method == commitment)
    {
        let col = st.h(Field::NoCommitmentReason);
        st.notes.warn(
            row,
            &col,
            "写明了不能实行告知承诺的原因，替代方式却含“告知承诺”，请核对",
        );
    }
}

/// The sheet's column that names service items (for messages about none being given).
fn service_column(st: &State<'_>) -> String {
    [
        Field::ServiceItems,
        Field::ServiceCodes,
        Field::ServiceNames,
    ]
    .into_iter()
    .find(|f| st.found.cols.contains_key(f))
    .map_or_else(|| st.h(Field::ServiceCodes), |f| st.h(f))
}

/// (name, code) pairs of the row: 名称 and 编码 columns side by side, or `名称（编码）` in one.
fn service_pairs(st: &mut State<'_>, row: u32, c: &Cells) -> Vec<(String, Option<String>)> {
    let mut out = vec![];
    for part in split(c.get(Field::ServiceItems), &PART_SEPS) {
        let pair = part
            .strip_suffix('）')
            .and_then(|p| p.rsplit_once('（'))
            .or_else(|| part.strip_suffix(')').and_then(|p| p.rsplit_once('(')));
        match pair {
            Some((n, code)) => out.push((n.trim().to_owned(), Some(code.trim().to_owned()))),
            None => out.push((part, None)),
        }
    }
    let names = split(c.get(Field::ServiceNames), &PART_SEPS);
    let codes = split(c.get(Field::ServiceCodes), &PART_SEPS);
    if !codes.is_empty() && names.len() != codes.len() {
        let col = st.h(Field::ServiceCodes);
        st.notes.err(
            row,
            &col,
            format!(
                "事项名称 {} 个、事项编码 {} 个，数量应一致（多个用“；”分隔）",
                names.len(),
                codes.len()
            ),
        );
        return out;
    }
    if codes.is_empty() {
        out.extend(names.into_iter().map(|n| (n, None)));
    } else {
        out.extend(names.into_iter().zip(codes).map(|(n, c)| (n, Some(c))));
    }
    out
}

/// 事项类型 of the row: the kind new service items are registered with.
fn kind_of(st: &mut State<'_>, row: u32, raw: &str) -> Option<ServiceItemKind> {
    if raw.is_empty() {
        return None;
    }
    let k = ServiceItemKind::from_list_text(raw);
    if k.is_none() {
        let col = st.h(Field::ServiceKind);
        st.notes.err(
            row,
            &col,
            format!(
                "“{}”无效（可用：{}）",
                clip(raw),
                ServiceItemKind::ALL
                    .iter()
                    .map(|k| k.label())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        );
    }
    k
}

/// 政务服务事项 by code; an unknown code becomes a new service item of the unit, of the row's
/// 事项类型. A name without a code is matched among the unit's registered service items.
pub(super) async fn services_of(
    x: &mut impl Exec,
    st: &mut State<'_>,
    row: u32,
    level: Option<CatalogueLevel>,
    c: &Cells,
) -> AppResult<(Vec<ServiceItemDraft>, Vec<String>)> {
    let kind = kind_of(st, row, c.get(Field::ServiceKind));
    let kind_missing = c.get(Field::ServiceKind).is_empty();
    let mut new_services = vec![];
    let mut codes = vec![];
    for (name, code) in service_pairs(st, row, c) {
        let code = match code {
            Some(code) => code,
            None => match by_name(x, st, row, &name).await? {
                Some(code) => code,
                None => continue,
            },
        };
        let code = match ImplementationCode::parse(&code) {
            Ok(x) => x.as_str().to_owned(),
            Err(e) => {
                let col = st.h(Field::ServiceCodes);
                st.notes.err(row, &col, format!("“{}”：{e}", clip(&code)));
                continue;
            }
        };
        let known = match repo::service_item_kind(x, &code).await? {
            Some(k) => Some(k),
            None => st.new_codes.get(&code).map(|n| n.1),
        };
        match known {
            Some(k) => warn_kind(st, row, &code, k, kind),
            None => {
                if let Some(d) = new_service(st, row, &name, &code, kind, kind_missing, level)? {
                    new_services.push(d);
                }
            }
        }
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    Ok((new_services, codes))
}

/// The code of the unit's one service item of this name, or a warning.
async fn by_name(
    x: &mut impl Exec,
    st: &mut State<'_>,
    row: u32,
    name: &str,
) -> AppResult<Option<String>> {
    let found = repo::service_items_named(x, st.owner, name).await?;
    let col = st.h(Field::ServiceNames);
    match found.as_slice() {
        [code] => return Ok(Some(code.clone())),
        [] => st.notes.warn(
            row,
            &col,
            format!(
                "政务服务事项“{}”没有事项编码，本单位也未登记同名事项，未关联；请登记后补充",
                clip(name)
            ),
        ),
        _ => st.notes.warn(
            row,
            &col,
            format!(
                "本单位有多个名为“{}”的政务服务事项，未关联；请填写事项编码",
                clip(name)
            ),
        ),
    }
    Ok(None)
}

fn warn_kind(
    st: &mut State<'_>,
    row: u32,
    code: &str,
    registered: ServiceItemKind,
    given: Option<ServiceItemKind>,
) {
    if let Some(g) = given.filter(|g| *g != registered) {
        let col = st.h(Field::ServiceKind);
        st.notes.warn(
            row,
            &col,
            format!(
                "事项编码 {code} 已登记为{}，与本行的{}不一致，未更改已登记的事项类型",
                registered.label(),
                g.label()
            ),
        );
    }
}

fn new_service(
    st: &mut State<'_>,
    row: u32,
    name: &str,
    code: &str,
    kind: Option<ServiceItemKind>,
    kind_missing: bool,
    level: Option<CatalogueLevel>,
) -> AppResult<Option<ServiceItemDraft>> {
    if kind.is_none() && kind_missing {
        let col = st.h(Field::ServiceKind);
        st.notes.warn(
            row,
            &col,
            format!(
                "未填写事项类型，新登记的政务服务事项“{}”按依申请公共服务登记，请核对",
                clip(name)
            ),
        );
    }
    let svc = ServiceItemInput {
        org_id: Some(st.owner),
        name: name.to_owned(),
        code: code.to_owned(),
        kind: kind
            .unwrap_or(ServiceItemKind::PublicService)
            .as_str()
            .to_owned(),
        level: level.unwrap_or(CatalogueLevel::County).as_str().to_owned(),
    };
    match svc.parse() {
        Ok(d) => Ok(Some(d)),
        Err(AppError::Validation(v)) => {
            for fe in v {
                let f = if fe.field == "code" {
                    Field::ServiceCodes
                } else {
                    Field::ServiceNames
                };
                let col = st.h(f);
                st.notes.err(row, &col, fe.message);
            }
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The same name twice at one level in the file, or already among the unit's items.
pub(super) async fn check_duplicate(
    x: &mut impl Exec,
    st: &mut State<'_>,
    row: u32,
    level: CatalogueLevel,
    region: &str,
    name: &str,
) -> AppResult<()> {
    let key = (format!("{}:{region}", level.as_str()), name.to_owned());
    let col = st.h(Field::Name);
    if let Some(first) = st.seen.get(&key) {
        let msg = format!("与第 {first} 行重复（同一层级同名）");
        st.notes.err(row, &col, msg);
        return Ok(());
    }
    st.seen.insert(key, row);
    if let Some(id) = repo::item_named(x, st.owner, level, region, name).await? {
        st.notes.err(
            row,
            &col,
            format!("本单位在该清单中已有同名证明事项（编号 {id}）"),
        );
    }
    Ok(())
}
