//! Reading the workbook: the sheet with the official header, cell text (formulas refused,
//! never evaluated), and the official columns' mini-syntax (lists, legal bases, guides).

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx};
use proofless_domain::catalogue::{BasisKind, CatalogueLevel, ReplacementMethod};

use super::columns::{self, Field};
use crate::catalogue::input::{BasisInput, MethodInput};
use crate::error::{AppError, AppResult};

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

/// One level as written: ours (县级, 镇（街道）级…) or a real list's 行使层级 (省级, 市级, 县级,
/// 乡镇级及其他). `Err` carries the levels above the county, which no list here carries.
fn one_level(s: &str) -> Result<Option<CatalogueLevel>, ()> {
    if let Some(l) = CatalogueLevel::parse(s) {
        return Ok(Some(l));
    }
    match s.trim() {
        "县级" | "县" | "县本级" | "县（区）级" | "县区级" => {
            Ok(Some(CatalogueLevel::County))
        }
        "镇级"
        | "镇"
        | "街道"
        | "镇（街道）"
        | "镇街"
        | "乡镇级"
        | "乡镇级及其他"
        | "乡镇（街道）级"
        | "乡镇" => Ok(Some(CatalogueLevel::Town)),
        "村级" | "村" | "社区" | "村（社区）" | "村（社区）级" => {
            Ok(Some(CatalogueLevel::Village))
        }
        "省级" | "省" | "市级" | "市" | "国家级" => Err(()),
        _ => Ok(None),
    }
}

/// The levels a row names (a real list may name several: 省级、市级、县级), the ones above the
/// county apart, and the values not understood.
pub(super) struct Levels {
    pub ours: Vec<CatalogueLevel>,
    pub above: Vec<String>,
    pub unknown: Vec<String>,
}

pub(super) fn levels_of(s: &str) -> Levels {
    let mut l = Levels {
        ours: vec![],
        above: vec![],
        unknown: vec![],
    };
    for part in split(s, &['、', ',', '，', ';', '；', '/', '\n', ' ']) {
        match one_level(&part) {
            Ok(Some(x)) if !l.ours.contains(&x) => l.ours.push(x),
            Ok(Some(_)) => {}
            Ok(None) => l.unknown.push(part),
            Err(()) => l.above.push(part),
        }
    }
    l
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

/// How the names of laws, regulations, decisions and rules end.
const LAW_ENDINGS: [&str; 7] = ["法", "法典", "条例", "决定", "规定", "办法", "细则"];

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
        // Real lists sometimes leave the 书名号 out: added when the name ends like a law's.
        let (name, article) = match head.find('第') {
            Some(i) => (head[..i].trim(), head[i..].trim()),
            None => (head, ""),
        };
        if !LAW_ENDINGS.iter().any(|e| name.ends_with(e)) {
            return Err(format!(
                "依据“{}”应以《法律法规名称》开头，例如《中华人民共和国户口登记条例》第七条",
                clip(s)
            ));
        }
        let law = format!("《{name}》");
        return Ok(BasisInput {
            kind: basis_kind(&law).as_str().to_owned(),
            law,
            article: article.to_owned(),
            text: text.to_owned(),
        });
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

/// The sheet with a header the import knows: where it is and which column is which field.
pub(super) struct Found {
    pub name: String,
    pub range: Range<Data>,
    pub formulas: Range<String>,
    /// The header row's index in `range`.
    pub header: usize,
    /// Field → (column index in `range`, the header as written).
    pub cols: HashMap<Field, (usize, String)>,
    /// Headers of columns nothing reads, as written (with why, when it is a repeat).
    pub ignored: Vec<String>,
}

impl Found {
    /// The column name a message about `f` uses: the sheet's own header, or ours.
    pub fn header_of(&self, f: Field) -> String {
        self.cols
            .get(&f)
            .map_or_else(|| columns::spec(f).label().to_owned(), |c| c.1.clone())
    }
}

/// The fields of one row of cells, and the columns left over.
fn map_header(
    row: &[Data],
    lookup: &HashMap<String, Field>,
) -> (HashMap<Field, (usize, String)>, Vec<String>) {
    let mut cols: HashMap<Field, (usize, String)> = HashMap::new();
    let mut ignored = vec![];
    for (c, d) in row.iter().enumerate() {
        let Data::String(raw) = d else { continue };
        let h = raw.trim();
        if h.is_empty() {
            continue;
        }
        match lookup.get(&columns::normalise(h)) {
            Some(f) => match cols.get(f) {
                Some((_, first)) => ignored.push(format!("{h}（与“{first}”重复）")),
                None => {
                    cols.insert(*f, (c, h.to_owned()));
                }
            },
            None => ignored.push(h.to_owned()),
        }
    }
    (cols, ignored)
}

/// The first sheet with a header naming every required field within its first ten rows (real
/// lists put a title, and sometimes a date line, above the header).
pub(super) fn find_sheet(bytes: &[u8], lookup: &HashMap<String, Field>) -> AppResult<Found> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        AppError::field(
            "file",
            format!(
                "无法读取文件：不是有效的 Excel（.xlsx）工作簿（{}）",
                clip(&e.to_string())
            ),
        )
    })?;
    let required: Vec<&columns::Spec> = columns::FIELDS.iter().filter(|s| s.required).collect();
    let names = wb.sheet_names().to_vec();
    for name in &names {
        let Ok(range) = wb.worksheet_range(name) else {
            continue;
        };
        for (i, r) in range.rows().take(10).enumerate() {
            let (cols, ignored) = map_header(r, lookup);
            if required.iter().all(|s| cols.contains_key(&s.field)) {
                let formulas = wb.worksheet_formula(name).unwrap_or_default();
                return Ok(Found {
                    name: name.clone(),
                    range,
                    formulas,
                    header: i,
                    cols,
                    ignored,
                });
            }
        }
    }
    let wanted = required
        .iter()
        .map(|s| {
            let names: Vec<&str> = lookup
                .iter()
                .filter(|(_, f)| **f == s.field)
                .map(|(n, _)| n.as_str())
                .collect();
            let mut names = names;
            names.sort_unstable();
            format!("“{}”（或{}）", s.label(), names.join("、"))
        })
        .collect::<Vec<_>>()
        .join("、");
    Err(AppError::field(
        "file",
        format!(
            "未找到含有表头{wanted}的工作表（已检查 {} 个工作表：{}）",
            names.len(),
            clip(&names.join("、"))
        ),
    ))
}

/// The field of the sheet a field of [`ProofItemInput`] comes from.
pub(super) fn column_of(field: &str) -> Field {
    let f = field.split(['[', '.']).next().unwrap_or(field);
    match f {
        "name" => Field::Name,
        "level" | "region_code" => Field::Level,
        "disposition" | "methods" | "risk_domains" => Field::Methods,
        "issuer_ids" => Field::Issuers,
        "requester_ids" | "owner_org_id" => Field::Requesters,
        "legal_basis" => Field::Basis,
        "service_item_ids" | "code" => Field::ServiceCodes,
        "kind" => Field::ServiceKind,
        "remarks" => Field::Remarks,
        "purpose" => Field::Purpose,
        "no_commitment_reason" => Field::NoCommitmentReason,
        _ => Field::Name,
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
        // SPEC "Real lists": a law named without 书名号 still reads.
        let b = parse_basis("烟花爆竹安全管理条例第十九条").unwrap();
        assert_eq!(b.law, "《烟花爆竹安全管理条例》");
        assert_eq!(b.article, "第十九条");
    }

    #[test]
    fn real_list_levels_read_with_those_above_the_county_apart() {
        // SPEC "Real lists": 行使层级 省级 / 市级 / 县级 / 乡镇级及其他.
        let l = levels_of("省级、市级、县级");
        assert_eq!(l.ours, [CatalogueLevel::County]);
        assert_eq!(l.above, ["省级", "市级"]);
        assert_eq!(levels_of("乡镇级及其他").ours, [CatalogueLevel::Town]);
        assert_eq!(levels_of("镇（街道）级").ours, [CatalogueLevel::Town]);
        assert_eq!(levels_of("区级").unknown, ["区级"]);
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
