//! The import's fields and the header names that stand for them (SPEC "Real lists"): one
//! table, canonical field → accepted header names, kept as a versioned setting
//! ([`crate::catalogue::settings::IMPORT_HEADER_ALIASES`]) so the joint office can add the
//! names another county's list uses without a second importer.

use std::collections::{BTreeMap, HashMap};

/// A field the import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Seq,
    Name,
    Purpose,
    ServiceNames,
    ServiceCodes,
    /// 名称（编码） pairs in one cell, as the seed's own list format has them.
    ServiceItems,
    ServiceKind,
    Basis,
    BasisText,
    Issuers,
    Requesters,
    Methods,
    Guides,
    Level,
    NoCommitmentReason,
    Remarks,
}

/// One field: its setting key, the header our template writes, its built-in names, what it
/// holds (for the template), and whether a sheet must have it.
pub struct Spec {
    pub field: Field,
    pub key: &'static str,
    pub names: &'static [&'static str],
    pub what: &'static str,
    pub required: bool,
}

impl Spec {
    /// The header our template and messages use.
    pub fn label(&self) -> &'static str {
        self.names[0]
    }
}

pub const FIELDS: &[Spec] = &[
    Spec {
        field: Field::Seq,
        key: "seq",
        names: &["序号", "编号"],
        what: "行号，可不填，导入时不读",
        required: false,
    },
    Spec {
        field: Field::Name,
        key: "name",
        names: &["证明名称", "证明事项名称", "证明材料名称", "证明事项"],
        what: "证明事项名称",
        required: true,
    },
    Spec {
        field: Field::Purpose,
        key: "purpose",
        names: &["证明用途", "用途"],
        what: "证明用于办理什么",
        required: false,
    },
    Spec {
        field: Field::ServiceNames,
        key: "service_names",
        names: &[
            "涉及的政务服务事项名称",
            "政务服务事项名称",
            "涉及的政务服务事项",
            "事项名称",
        ],
        what: "多个用“；”分隔，与事项编码一一对应；无编码时按本单位已登记的事项名称匹配",
        required: false,
    },
    Spec {
        field: Field::ServiceCodes,
        key: "service_codes",
        names: &["事项编码", "政务服务事项编码", "实施编码", "事项实施编码"],
        what: "多个用“；”分隔；未登记的编码按本行名称和事项类型新登记",
        required: false,
    },
    Spec {
        field: Field::ServiceItems,
        key: "service_items",
        names: &["涉及的政务服务事项名称及编码", "政务服务事项名称及编码"],
        what: "写成“名称（编码）”，多个用“；”分隔",
        required: false,
    },
    Spec {
        field: Field::ServiceKind,
        key: "service_kind",
        names: &["事项类型", "政务服务事项类型", "权力类型"],
        what: "行政许可、行政确认、行政给付、行政奖励、行政裁决、其他行政权力、依申请公共服务",
        required: false,
    },
    Spec {
        field: Field::Basis,
        key: "basis",
        names: &["设定依据", "法律依据", "法律法规依据", "依据"],
        what: "《法律法规名称》第X条：条文，多个用“；”分隔",
        required: false,
    },
    Spec {
        field: Field::BasisText,
        key: "basis_text",
        names: &["依据条文及内容", "依据条文", "条文内容", "依据条款及内容"],
        what: "设定依据的条文内容",
        required: false,
    },
    Spec {
        field: Field::Issuers,
        key: "issuers",
        names: &["开具单位", "出具单位", "证明开具单位"],
        what: "单位全称，多个用“、”分隔",
        required: true,
    },
    Spec {
        field: Field::Requesters,
        key: "requesters",
        names: &["索要单位", "证明索要单位", "需求单位", "使用单位"],
        what: "单位全称，多个用“、”分隔；不填为本单位",
        required: false,
    },
    Spec {
        field: Field::Methods,
        key: "methods",
        names: &["替代取消方式", "替代方式", "取消替代方式", "免提交方式"],
        what: "直接取消、数据共享、告知承诺、部门核验、干部代办、容缺受理、其他方式",
        required: false,
    },
    Spec {
        field: Field::Guides,
        key: "guides",
        names: &["办理指引", "办事指南"],
        what: "“方式：群众须知（指引）”，多个用“；”分隔",
        required: false,
    },
    Spec {
        field: Field::Level,
        key: "level",
        names: &["层级", "行使层级", "清单层级"],
        what: "县级、镇（街道）级、村（社区）级；或省级、市级、县级、乡镇级及其他",
        required: true,
    },
    Spec {
        field: Field::NoCommitmentReason,
        key: "no_commitment_reason",
        names: &[
            "不能实行告知承诺及保留原因",
            "不能实行告知承诺的原因",
            "不适用告知承诺原因",
            "不实行告知承诺原因",
        ],
        what: "为什么不能用告知承诺代替",
        required: false,
    },
    Spec {
        field: Field::Remarks,
        key: "remarks",
        names: &["备注"],
        what: "其他说明",
        required: false,
    },
];

pub fn spec(f: Field) -> &'static Spec {
    FIELDS.iter().find(|s| s.field == f).unwrap_or(&FIELDS[0])
}

/// A header as written, compared without spaces, line breaks or the `*` of required columns.
pub fn normalise(h: &str) -> String {
    h.chars()
        .filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊')
        .collect()
}

/// The built-in table (the setting's seed value).
pub fn default_aliases() -> BTreeMap<String, Vec<String>> {
    FIELDS
        .iter()
        .map(|s| {
            (
                s.key.to_owned(),
                s.names.iter().map(|n| (*n).to_owned()).collect(),
            )
        })
        .collect()
}

/// A table is usable when it names only known fields, gives every required field a name,
/// and no name stands for two fields.
pub fn check_aliases(t: &BTreeMap<String, Vec<String>>) -> Result<(), String> {
    let mut owner: HashMap<String, &str> = HashMap::new();
    for (key, names) in t {
        if !FIELDS.iter().any(|s| s.key == key) {
            return Err(format!(
                "字段“{key}”无效（可用：{}）",
                FIELDS.iter().map(|s| s.key).collect::<Vec<_>>().join("、")
            ));
        }
        for n in names {
            let k = normalise(n);
            if k.is_empty() {
                return Err(format!("字段“{key}”的表头名称不能为空"));
            }
            if let Some(other) = owner.insert(k, key) {
                return Err(format!("表头名称“{n}”同时用于字段“{other}”和“{key}”"));
            }
        }
    }
    for s in FIELDS.iter().filter(|s| s.required) {
        if t.get(s.key).is_none_or(|v| v.is_empty()) {
            return Err(format!(
                "必填字段“{}”（{}）至少要有一个表头名称",
                s.key,
                s.label()
            ));
        }
    }
    Ok(())
}

/// Header name (normalised) → field, from a table in force.
pub fn lookup(t: &BTreeMap<String, Vec<String>>) -> HashMap<String, Field> {
    let mut out = HashMap::new();
    for s in FIELDS {
        for n in t.get(s.key).map(Vec::as_slice).unwrap_or(&[]) {
            out.insert(normalise(n), s.field);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn real_list_headers_and_ours_map_to_one_field() {
        // SPEC "Real lists": 行使层级 and 层级 both give the level.
        let l = lookup(&default_aliases());
        assert_eq!(l.get(&normalise("行使层级")), Some(&Field::Level));
        assert_eq!(l.get(&normalise("层 级")), Some(&Field::Level));
        assert_eq!(
            l.get(&normalise("依据条文\n及内容")),
            Some(&Field::BasisText)
        );
        assert_eq!(l.get(&normalise("*证明名称")), Some(&Field::Name));
    }

    #[test]
    fn a_table_that_loses_a_required_field_or_repeats_a_name_is_refused() {
        let mut t = default_aliases();
        t.remove("issuers");
        assert!(check_aliases(&t).unwrap_err().contains("开具单位"));
        let mut t = default_aliases();
        t.get_mut("purpose").unwrap().push("证明名称".into());
        assert!(check_aliases(&t).is_err());
        let mut t = default_aliases();
        t.insert("colour".into(), vec!["颜色".into()]);
        assert!(check_aliases(&t).is_err());
    }
}
