//! Checking every row of the sheet before anything is written: each cell against its
//! column, units by name, service items by code (or name), duplicates within the file and
//! against the unit's existing items, then the checks of a drafted item (R1.2, R4.1). Every
//! error and every warning of every row is kept, so one answer reports them all.

use std::collections::HashMap;

use calamine::Data;
use proofless_domain::catalogue::{
    BasisKind, CatalogueLevel, Disposition, ReplacementMethod, ServiceItemKind,
};
use proofless_domain::region::RegionLevel;
use proofless_store::Exec;

use super::MAX_ROWS;
use super::columns::{FIELDS, Field};
use super::links;
use super::sheet::{Found, cell_text, column_of};
use crate::catalogue::clean_text;
use crate::catalogue::input::{ProofItemDraft, ProofItemInput, ServiceItemDraft};
use crate::error::{AppError, AppResult, FieldError};

/// Longest text accepted in one cell.
const MAX_CELL_CHARS: usize = 10_000;

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

/// Every good row, and every problem and warning of every row.
pub(super) struct Checked {
    pub rows: Vec<Row>,
    pub errors: Vec<FieldError>,
    pub warnings: Vec<FieldError>,
    pub bad_rows: Vec<u32>,
}

/// Errors and warnings, each `rows[N].列名` with "第 N 行“列名”：…".
#[derive(Default)]
pub(super) struct Notes {
    pub errors: Vec<FieldError>,
    pub warnings: Vec<FieldError>,
}

fn note(row: u32, col: &str, msg: &str) -> FieldError {
    FieldError::new(
        format!("rows[{row}].{col}"),
        format!("第 {row} 行“{col}”：{msg}"),
    )
}

impl Notes {
    pub fn err(&mut self, row: u32, col: &str, msg: impl AsRef<str>) {
        self.errors.push(note(row, col, msg.as_ref()));
    }
    pub fn warn(&mut self, row: u32, col: &str, msg: impl AsRef<str>) {
        self.warnings.push(note(row, col, msg.as_ref()));
    }
}

/// A write-time error of one row, with the row and column it belongs to.
pub(super) fn at_row(found: &Found, row: u32, e: AppError) -> AppError {
    match e {
        AppError::Validation(v) => AppError::Validation(
            v.into_iter()
                .map(|fe| note(row, &found.header_of(column_of(&fe.field)), &fe.message))
                .collect(),
        ),
        other => other,
    }
}

/// One row's text by field.
pub(super) struct Cells(HashMap<Field, String>);

impl Cells {
    pub fn get(&self, f: Field) -> &str {
        self.0.get(&f).map_or("", String::as_str)
    }
    fn is_blank(&self) -> bool {
        self.0.iter().all(|(f, s)| *f == Field::Seq || s.is_empty())
    }
}

/// What the check remembers from row to row.
pub(super) struct State<'a> {
    pub found: &'a Found,
    pub owner: i64,
    pub regions: &'a [(String, RegionLevel)],
    /// Legal-basis kinds that set a proof item by themselves (the setting in force).
    pub statutory: &'a [BasisKind],
    /// Risk domains barred from commitment (the setting in force, R4.1).
    pub excluded_domains: &'a [String],
    pub notes: Notes,
    pub orgs: HashMap<String, Result<i64, String>>,
    /// (level:region, name) → the first row with it.
    pub seen: HashMap<(String, String), u32>,
    /// Service item codes a good row will create → (that row, its kind).
    pub new_codes: HashMap<String, (u32, ServiceItemKind)>,
}

impl State<'_> {
    /// The column name for `f` as this sheet writes it.
    pub fn h(&self, f: Field) -> String {
        self.found.header_of(f)
    }
}

pub(super) async fn check_all(
    x: &mut impl Exec,
    found: &Found,
    owner: i64,
    regions: &[(String, RegionLevel)],
    statutory: &[BasisKind],
    excluded_domains: &[String],
) -> AppResult<Checked> {
    let range = &found.range;
    if range.rows().skip(found.header + 1).count() > MAX_ROWS {
        return Err(AppError::field(
            "file",
            format!("行数过多：一次最多导入 {MAX_ROWS} 行"),
        ));
    }
    let (r0, _) = range.start().unwrap_or((0, 0));
    let mut st = State {
        found,
        owner,
        regions,
        statutory,
        excluded_domains,
        notes: Notes::default(),
        orgs: HashMap::new(),
        seen: HashMap::new(),
        new_codes: HashMap::new(),
    };
    let mut rows = vec![];
    let mut bad_rows = vec![];
    for (i, cells) in range.rows().skip(found.header + 1).enumerate() {
        let abs_row = r0 + (found.header + 1 + i) as u32;
        let row = abs_row + 1;
        let before = st.notes.errors.len();
        let c = read_cells(found, cells, abs_row, &mut st.notes);
        if c.is_blank() && st.notes.errors.len() == before {
            continue;
        }
        let checked = check_row(x, &mut st, row, before, c).await?;
        match checked {
            Some(r) if st.notes.errors.len() == before => {
                for s in &r.new_services {
                    st.new_codes.entry(s.code.clone()).or_insert((row, s.kind));
                }
                rows.push(r);
            }
            _ => bad_rows.push(row),
        }
    }
    Ok(Checked {
        rows,
        errors: st.notes.errors,
        warnings: st.notes.warnings,
        bad_rows,
    })
}

/// The row's text by field: formulas and error values refused, text cleaned.
fn read_cells(found: &Found, cells: &[Data], abs_row: u32, notes: &mut Notes) -> Cells {
    let (_, c0) = found.range.start().unwrap_or((0, 0));
    let (f0r, f0c) = found.formulas.start().unwrap_or((0, 0));
    let row = abs_row + 1;
    let mut out = HashMap::new();
    for spec in FIELDS {
        let Some((c, header)) = found.cols.get(&spec.field) else {
            continue;
        };
        let abs_col = c0 + *c as u32;
        if abs_row >= f0r && abs_col >= f0c {
            let f = found
                .formulas
                .get(((abs_row - f0r) as usize, (abs_col - f0c) as usize));
            if f.is_some_and(|f| !f.is_empty()) {
                notes.err(row, header, "单元格含公式，系统不计算公式，请改为纯文本");
                continue;
            }
        }
        let text = cells
            .get(*c)
            .map(cell_text)
            .unwrap_or(Ok(String::new()))
            .and_then(|raw| clean_text(&raw, MAX_CELL_CHARS));
        match text {
            Ok(s) => {
                out.insert(spec.field, s);
            }
            Err(e) => notes.err(row, header, e),
        }
    }
    Cells(out)
}

/// Check one non-blank row; `None` when it has problems (added to `st.notes`). `before`:
/// the number of problems before its cells were read.
async fn check_row(
    x: &mut impl Exec,
    st: &mut State<'_>,
    row: u32,
    before: usize,
    c: Cells,
) -> AppResult<Option<Row>> {
    let name = c.get(Field::Name).to_owned();
    if name.is_empty() && st.notes.errors.len() == before {
        st.notes.err(row, &st.h(Field::Name), "请填写证明名称");
    }
    let level = links::level_of(st, row, c.get(Field::Level));
    let region = level.and_then(|l| links::region_of(st, row, l));
    let issuers = c.get(Field::Issuers);
    let issuer_ids = links::orgs_by_name(x, st, row, Field::Issuers, issuers).await?;
    if issuers.is_empty() {
        st.notes
            .err(row, &st.h(Field::Issuers), "请至少填写一个开具单位");
    }
    let requester_ids =
        links::orgs_by_name(x, st, row, Field::Requesters, c.get(Field::Requesters)).await?;
    let mut methods = links::methods_of(st, row, c.get(Field::Methods), c.get(Field::Guides));
    let legal_basis = links::bases_of(st, row, c.get(Field::Basis), c.get(Field::BasisText));
    let abolished = ReplacementMethod::Abolished.as_str();
    let mut disposition = if methods.iter().any(|m| m.method == abolished) {
        Disposition::Cancelled
    } else {
        Disposition::Retained
    };
    if disposition == Disposition::Retained && legal_basis.is_empty() {
        links::propose_cancellation(st, row, &mut methods);
        disposition = Disposition::Cancelled;
    }
    let (new_services, service_codes) = links::services_of(x, st, row, level, &c).await?;
    let retained = disposition == Disposition::Retained;
    links::warn_incomplete(
        st,
        row,
        retained,
        &legal_basis,
        &methods,
        &service_codes,
        &c,
    );
    let input = ProofItemInput {
        owner_org_id: Some(st.owner),
        name: name.clone(),
        level: level.map(|l| l.as_str().to_owned()).unwrap_or_default(),
        region_code: region.clone().unwrap_or_default(),
        disposition: disposition.as_str().to_owned(),
        issuer_can_verify: true,
        legal_basis,
        issuer_ids,
        requester_ids,
        methods,
        remarks: c.get(Field::Remarks).to_owned(),
        purpose: c.get(Field::Purpose).to_owned(),
        no_commitment_reason: c.get(Field::NoCommitmentReason).to_owned(),
        ..ProofItemInput::default()
    };
    let draft = if st.notes.errors.len() == before {
        parse_row(st, row, &input)?
    } else {
        None
    };
    if let (Some(l), Some(r)) = (level, region.as_deref())
        && !name.is_empty()
    {
        links::check_duplicate(x, st, row, l, r, &name).await?;
    }
    Ok(draft.map(|draft| Row {
        row,
        name,
        draft,
        new_services,
        service_codes,
    }))
}

/// The checks of a drafted item, their errors put on the row's columns.
fn parse_row(
    st: &mut State<'_>,
    row: u32,
    input: &ProofItemInput,
) -> AppResult<Option<ProofItemDraft>> {
    match input.parse() {
        Ok(d) => match d.commitment_problem(st.excluded_domains) {
            Some(why) => {
                let col = st.h(column_of("methods"));
                st.notes.err(row, &col, why);
                Ok(None)
            }
            None => Ok(Some(d)),
        },
        Err(AppError::Validation(v)) => {
            for fe in v {
                let col = st.h(column_of(&fe.field));
                st.notes.err(row, &col, fe.message);
            }
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The level a row's list is at, from 层级 / 行使层级; the owner's own level when a real list
/// names several.
pub(super) fn chosen_level(
    ours: &[CatalogueLevel],
    regions: &[(String, RegionLevel)],
) -> Option<CatalogueLevel> {
    let own = regions.first().and_then(|r| match r.1 {
        RegionLevel::County => Some(CatalogueLevel::County),
        RegionLevel::Town => Some(CatalogueLevel::Town),
        RegionLevel::Village => Some(CatalogueLevel::Village),
        _ => None,
    });
    own.filter(|o| ours.contains(o))
        .or_else(|| ours.first().copied())
}
