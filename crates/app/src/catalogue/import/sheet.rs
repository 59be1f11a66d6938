//! Reading the workbook: the sheet with the official header, cell text (formulas refused,
//! never evaluated), and the official columns' mini-syntax (lists, legal bases, guides).

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx};
use proofless_domain::catalogue::{BasisKind, CatalogueLevel, ReplacementMethod};

use crate::catalogue::input::{BasisInput, MethodInput};
use crate::error::{AppError, AppResult};

const REQUIRED: [&str; 3] = ["证明名称", "开具单位", "层级"];

pub(super) fn split(s: &str, seps: &[char]) -> Vec<String> {
    s.split(|c| seps.contains(&c))
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

pub(super) const LIST_SEPS: [char; 6] = ['、', ',', '，', ';', '；', '\n'];
pub(super) const PART_SEPS: [char; 3] = [';', '；', '\n'];

pub(super) fn cell_text(d: &Data) -> Result<String, String> {
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

pub(super) fn level_of(s: &str) -> Option<CatalogueLevel> {
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
pub(super) fn parse_basis(s: &str) -> Result<BasisInput, String> {
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

pub(super) fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

/// `部门核验：群众须知（指引）` pieces of 办理指引, by method.
pub(super) fn parse_guides(s: &str, methods: &mut [MethodInput]) {
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
pub(super) type Found = (
    String,
    Range<Data>,
    Range<String>,
    usize,
    HashMap<String, usize>,
);

pub(super) fn find_sheet(bytes: &[u8]) -> AppResult<Found> {
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

/// The sheet column a field of [`ProofItemInput`] comes from.
pub(super) fn column_of(field: &str) -> &'static str {
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
