//! Demo catalogue for Gaoqing, loaded through the catalogue services by the demo staff:
//! unit admins draft, the justice bureau reviews (one item returned), the joint office
//! prepares, the approver approves, the joint office publishes: the county list twice
//! (so versions can be compared) and 田镇街道's list once.
//!
//! Items and legal bases come from `shared/data/proof-items-reference.md`: an article is
//! given only where that file confirms it; items without a confirmed basis are either
//! cancelled (民发〔2020〕20号 village-issued proofs, police proofs the household register
//! already shows) or left in draft/returned for the justice bureau. Service item codes and
//! approval document numbers are fictional (marked 演示).

use std::collections::HashMap;

use proofless_store::q;

use super::draft;
use super::input::ReviewInput;
use super::input::ServiceItemInput;
use super::input::{ApproveInput, PrepareInput, PublishInput};
use super::input::{BasisInput, MethodInput, ProofItemInput};
use super::items;
use super::lists;
use super::review;
use super::services;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::{App, auth};

const COUNTY: &str = "370322000000";
const TIANZHEN: &str = "370322001000";

/// (unit, service name, kind, level)
const SERVICES: &[(&str, &str, &str, &str)] = &[
    ("县公安局", "新生儿出生户籍登记", "行政确认", "county"),
    ("县公安局", "死亡人员户籍注销", "行政确认", "county"),
    ("县公安局", "户籍迁移登记", "行政确认", "county"),
    (
        "县公安局",
        "无迁移证件人员迁入户籍登记",
        "行政确认",
        "county",
    ),
    ("县公安局", "户籍登记项目变更更正", "行政确认", "county"),
    ("县公安局", "弃婴出生户籍登记", "行政确认", "county"),
    ("县公安局", "居住证申领", "行政确认", "county"),
    (
        "县公安局",
        "临时居民身份证明开具",
        "依申请公共服务",
        "county",
    ),
    ("县公安局", "无犯罪记录证明开具", "依申请公共服务", "county"),
    ("县司法局", "法律援助申请", "行政给付", "county"),
    ("县司法局", "继承公证", "依申请公共服务", "county"),
    ("县人力资源和社会保障局", "工伤认定", "行政确认", "county"),
    (
        "县人力资源和社会保障局",
        "养老金（社保待遇）领取资格认证",
        "依申请公共服务",
        "county",
    ),
    (
        "县人力资源和社会保障局",
        "丧葬补助金、抚恤金申领（社保）",
        "行政给付",
        "county",
    ),
    ("县市场监管局", "食品经营许可", "行政许可", "county"),
    (
        "县行政审批服务局",
        "市场主体（含个体工商户）设立登记",
        "行政许可",
        "county",
    ),
    ("县民政局", "结婚登记", "行政确认", "county"),
    ("县民政局", "最低生活保障审核确认", "行政给付", "county"),
    ("县教育和体育局", "教师资格认定", "行政许可", "county"),
    (
        "田镇街道办事处",
        "农村村民宅基地申请审批",
        "行政许可",
        "town",
    ),
    ("田镇街道办事处", "困难群众临时救助申请", "行政给付", "town"),
];

fn code_for(i: usize) -> String {
    // Fictional platform codes of the documented shape (12–33 of 0-9, A-Z, '-').
    format!("370322-DEMO-{:04}", i + 1)
}

pub(super) struct Demo<'a> {
    pub(super) name: &'a str,
    pub(super) owner: &'a str,
    pub(super) issuers: &'a [&'a str],
    pub(super) services: &'a [&'a str],
    /// (kind, law, article, text)
    pub(super) bases: &'a [(&'a str, &'a str, &'a str, &'a str)],
    pub(super) cancelled: bool,
    /// (method, citizen text, deadline class)
    pub(super) methods: &'a [(&'a str, &'a str, Option<&'a str>)],
    pub(super) risk: &'a [&'a str],
    pub(super) correctable: bool,
    pub(super) remarks: &'static str,
}

const GA: &str = "县公安局";

const COUNTY_ITEMS: &[Demo<'static>] = &[
    Demo {
        name: "出生医学证明",
        owner: GA,
        issuers: &["县卫生健康局"],
        services: &["新生儿出生户籍登记"],
        bases: &[
            ("law", "《中华人民共和国母婴保健法》", "第二十三条", ""),
            (
                "administrative_regulation",
                "《中华人民共和国户口登记条例》",
                "第七条",
                "",
            ),
        ],
        cancelled: false,
        methods: &[(
            "data_sharing",
            "无需提交纸质出生医学证明，窗口通过卫健部门共享的电子出生医学证明核对。",
            None,
        )],
        risk: &[],
        correctable: false,
        remarks: "",
    },
    Demo {
        name: "居民死亡医学证明（推断）书",
        owner: GA,
        issuers: &["县卫生健康局"],
        services: &["死亡人员户籍注销", "丧葬补助金、抚恤金申领（社保）"],
        bases: &[(
            "administrative_regulation",
            "《中华人民共和国户口登记条例》",
            "第八条",
            "",
        )],
        cancelled: false,
        methods: &[(
            "data_sharing",
            "无需提交，窗口通过卫健、公安、民政信息共享核对死亡信息。",
            None,
        )],
        risk: &[],
        correctable: false,
        remarks: "",
    },
    Demo {
        name: "录用证明、录取证明或准予迁入证明",
        owner: GA,
        issuers: &["县人力资源和社会保障局", "县教育和体育局"],
        services: &["户籍迁移登记"],
        bases: &[(
            "administrative_regulation",
            "《中华人民共和国户口登记条例》",
            "第十条",
            "",
        )],
        cancelled: false,
        methods: &[(
            "proxy",
            "无需自行开具，由代办员到用人单位、学校或迁入地户口登记机关调取。",
            None,
        )],
        risk: &[],
        correctable: false,
        remarks: "",
    },
    Demo {
        name: "兵役机关证件或释放证明",
        owner: GA,
        issuers: &["县人力资源和社会保障局"],
        services: &["无迁移证件人员迁入户籍登记"],
        bases: &[(
            "administrative_regulation",
            "《中华人民共和国户口登记条例》",
            "第十三条",
            "",
        )],
        cancelled: false,
        methods: &[
            (
                "deficiency_acceptance",
                "可先行受理，由窗口向出具机关核实后办结。",
                None,
            ),
            (
                "verification",
                "窗口向出具机关发起部门核验。",
                Some("incomplete_archive"),
            ),
        ],
        risk: &[],
        correctable: false,
        remarks: "",
    },
    Demo {
        name: "户口项目变更证明（文化程度、身高、兵役状况等）",
        owner: GA,
        issuers: &["县教育和体育局", "县卫生健康局"],
        services: &["户籍登记项目变更更正"],
        bases: &[(
            "administrative_regulation",
            "《中华人民共和国户口登记条例》",
            "第十七条",
            "户口登记的内容需要变更或者更正的时候，由户主或者本人向户口登记机关申报；户口登记机关审查属实后予以变更或者更正。",
        )],
        cancelled: false,
        methods: &[(
            "commitment",
            "签署告知承诺书，承诺所报变更内容属实，无需另开证明。",
            None,
        )],
        risk: &[],
        correctable: true,
        remarks: "",
    },
    Demo {
        name: "捡拾弃婴（儿童）报案证明",
        owner: GA,
        issuers: &["县公安局"],
        services: &["弃婴出生户籍登记"],
        bases: &[(
            "administrative_regulation",
            "《中华人民共和国户口登记条例》",
            "第七条",
            "",
        )],
        cancelled: false,
        methods: &[(
            "verification",
            "无需提交，窗口向发现地派出所核验报案记录。",
            Some("electronic"),
        )],
        risk: &[],
        correctable: false,
        remarks: "",
    },
    Demo {
        name: "居住地址证明（租赁合同、住宿证明）",
        owner: GA,
        issuers: &["县住房和城乡建设局"],
        services: &["居住证申领"],
        bases: &[(
            "administrative_regulation",
            "《居住证暂行条例》",
            "第九条",
            "",
        )],
        cancelled: false,
        methods: &[(
            "data_sharing",
            "无需提交，窗口查询房屋租赁备案和不动产登记信息。",
            None,
        )],
        risk: &[],
        correctable: false,
        remarks: "",
    },
    Demo {
        name: "经济困难证明（法律援助）",
        owner: "县司法局",
        issuers: &["田镇街道办事处"],
        services: &["法律援助申请"],
        bases: &[("law", "《中华人民共和国法律援助法》", "第四十一条", "")],
        cancelled: false,
        methods: &[
            ("commitment", "如实说明家庭经济状况并签署承诺书。", None),
            (
                "data_sharing",
                "法律援助机构通过信息共享核查经济状况。",
                None,
            ),
        ],
        risk: &[],
        correctable: true,
        remarks: "",
    },
    Demo {
        name: "医疗诊断证明（工伤认定）",
        owner: "县人力资源和社会保障局",
        issuers: &["县卫生健康局"],
        services: &["工伤认定"],
        bases: &[(
            "administrative_regulation",
            "《工伤保险条例》",
            "第十八条",
            "",
        )],
        cancelled: false,
        methods: &[(
            "verification",
            "无需提交，人社部门向医疗机构核验诊断信息。",
            Some("paper_archive"),
        )],
        risk: &["personal_health"],
        correctable: false,
        remarks: "",
    },
    Demo {
        name: "健康证明（食品从业人员）",
        owner: "县市场监管局",
        issuers: &["县卫生健康局"],
        services: &["食品经营许可"],
        bases: &[("law", "《中华人民共和国食品安全法》", "第四十五条", "")],
        cancelled: false,
        methods: &[(
            "data_sharing",
            "无需提交纸质健康证明，窗口查询体检机构共享的健康证明信息。",
            None,
        )],
        risk: &["personal_health"],
        correctable: false,
        remarks: "直接关系人身健康，不适用告知承诺（国办发〔2020〕42号）。",
    },
    Demo {
        name: "亲属关系证明（仅限公证）",
        owner: "县司法局",
        issuers: &["田镇街道青苑社区居民委员会"],
        services: &["继承公证"],
        bases: &[("law", "《中华人民共和国公证法》", "第十一条", "")],
        cancelled: false,
        methods: &[
            (
                "data_sharing",
                "公证机构优先通过公安、民政、卫健信息共享及户口簿、结婚证、出生医学证明、档案核实。",
                None,
            ),
            (
                "verification",
                "上述途径均不能反映时，由公证机构向村（社区）核验。",
                Some("paper_archive"),
            ),
        ],
        risk: &[],
        correctable: false,
        remarks: "",
    },
    Demo {
        name: "住所（经营场所）使用证明",
        owner: "县行政审批服务局",
        issuers: &["田镇街道办事处"],
        services: &["市场主体（含个体工商户）设立登记"],
        bases: &[(
            "local_government_rule",
            "《山东省市场主体住所（经营场所）登记管理办法》",
            "第六条",
            "",
        )],
        cancelled: false,
        methods: &[(
            "commitment",
            "实行住所申报承诺制：填写住所信息并承诺真实合法。",
            None,
        )],
        risk: &[],
        correctable: true,
        remarks: "",
    },
    Demo {
        name: "非正常死亡证明",
        owner: GA,
        issuers: &["县公安局"],
        services: &["死亡人员户籍注销"],
        bases: &[(
            "policy_document",
            "公安部等12部门《关于改进和规范公安派出所出具证明工作的意见》（公通字〔2016〕21号）",
            "",
            "",
        )],
        cancelled: false,
        methods: &[(
            "verification",
            "无需提交，窗口在公安系统内核验。",
            Some("electronic"),
        )],
        risk: &[],
        correctable: false,
        remarks: "",
    },
    Demo {
        name: "注销户口证明",
        owner: GA,
        issuers: &["县公安局"],
        services: &["丧葬补助金、抚恤金申领（社保）", "继承公证"],
        bases: &[(
            "policy_document",
            "公安部等12部门《关于改进和规范公安派出所出具证明工作的意见》（公通字〔2016〕21号）",
            "",
            "",
        )],
        cancelled: false,
        methods: &[(
            "verification",
            "无需提交，办理单位向户籍地派出所核验户口注销信息。",
            Some("electronic"),
        )],
        risk: &[],
        correctable: false,
        remarks: "",
    },
    Demo {
        name: "亲属关系证明（派出所，户口簿不能反映的）",
        owner: GA,
        issuers: &["县公安局"],
        services: &["继承公证"],
        bases: &[(
            "policy_document",
            "公安部等12部门《关于改进和规范公安派出所出具证明工作的意见》（公通字〔2016〕21号）",
            "",
            "",
        )],
        cancelled: false,
        methods: &[(
            "verification",
            "同户亲属关系凭户口簿；其他情形由办理单位向派出所核验。",
            Some("paper_archive"),
        )],
        risk: &[],
        correctable: false,
        remarks: "",
    },
    Demo {
        name: "临时身份证明",
        owner: GA,
        issuers: &["县公安局"],
        services: &["临时居民身份证明开具"],
        bases: &[(
            "policy_document",
            "公安部等12部门《关于改进和规范公安派出所出具证明工作的意见》（公通字〔2016〕21号）",
            "",
            "",
        )],
        cancelled: false,
        methods: &[("other", "持电子身份证或在派出所自助设备即时办理。", None)],
        risk: &[],
        correctable: false,
        remarks: "",
    },
    Demo {
        name: "无犯罪记录证明（教师资格认定）",
        owner: "县教育和体育局",
        issuers: &["县公安局"],
        services: &["教师资格认定"],
        bases: &[(
            "policy_document",
            "公安部等12部门《关于改进和规范公安派出所出具证明工作的意见》（公通字〔2016〕21号）",
            "",
            "",
        )],
        cancelled: false,
        methods: &[(
            "verification",
            "无需提交，教育部门向公安机关核验。",
            Some("paper_archive"),
        )],
        risk: &["public_safety"],
        correctable: false,
        remarks: "",
    },
    Demo {
        name: "被拐儿童身份证明",
        owner: GA,
        issuers: &["县公安局"],
        services: &["新生儿出生户籍登记"],
        bases: &[(
            "policy_document",
            "公安部等12部门《关于改进和规范公安派出所出具证明工作的意见》（公通字〔2016〕21号）",
            "",
            "",
        )],
        cancelled: false,
        methods: &[(
            "verification",
            "无需提交，窗口向案件受理地派出所核验。",
            Some("paper_archive"),
        )],
        risk: &[],
        correctable: false,
        remarks: "",
    },
    Demo {
        name: "本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的证明",
        owner: "县民政局",
        issuers: &["田镇街道办事处"],
        services: &["结婚登记"],
        bases: &[(
            "administrative_regulation",
            "《婚姻登记条例》",
            "第五条",
            "",
        )],
        cancelled: false,
        methods: &[(
            "other",
            "在婚姻登记机关现场签署本人声明即可，无需任何单位出具证明。",
            None,
        )],
        risk: &[],
        correctable: false,
        remarks: "",
    },
    // Cancelled: the household register or ID card already proves these (公通字〔2016〕21号).
    Demo {
        name: "户籍证明（户口簿已记载的户口迁移、住址变动、项目变更等事项）",
        owner: GA,
        issuers: &["县公安局"],
        services: &["户籍迁移登记"],
        bases: &[],
        cancelled: true,
        methods: &[("abolished", "凭户口簿办理，不再开具。", None)],
        risk: &[],
        correctable: false,
        remarks: "户口簿能证明的不再出具。",
    },
    Demo {
        name: "居民身份信息证明（姓名、曾用名、性别、民族、出生日期等）",
        owner: GA,
        issuers: &["县公安局"],
        services: &[],
        bases: &[],
        cancelled: true,
        methods: &[("abolished", "凭居民身份证、户口簿办理，不再开具。", None)],
        risk: &[],
        correctable: false,
        remarks: "法定身份证件已能证明。",
    },
];

/// 民发〔2020〕20号: proofs a village or community committee shall not issue (cancelled).
pub(super) const VILLAGE_CANCELLED: &[(&str, &str, &str)] = &[
    (
        "亲属关系证明（村居）",
        "凭户口簿、结婚证、出生医学证明或信息共享办理。",
        "继承公证",
    ),
    (
        "婚姻状况证明（村居）",
        "结婚登记凭户口簿、身份证和本人声明办理。",
        "结婚登记",
    ),
    ("出生证明（村居）", "凭出生医学证明办理。", ""),
    (
        "健在证明（村居）",
        "养老金领取资格通过大数据比对或人脸识别自助认证。",
        "养老金（社保待遇）领取资格认证",
    ),
    (
        "死亡证明（村居）",
        "凭医疗机构死亡医学证明及信息共享办理。",
        "丧葬补助金、抚恤金申领（社保）",
    ),
    ("无犯罪记录证明（村居）", "由公安机关出具或部门核验。", ""),
    ("疾病状况证明（村居）", "不再开具。", "困难群众临时救助申请"),
    ("残疾状况证明（村居）", "不再开具。", "困难群众临时救助申请"),
    ("婚育状况证明（村居）", "不再开具。", ""),
    ("居民就业状况证明（村居）", "不再开具。", ""),
    ("居民个人档案证明（村居）", "不再开具。", ""),
    ("居民财产证明（村居）", "不再开具。", "最低生活保障审核确认"),
    ("遗产继承权证明（村居）", "不再开具。", "继承公证"),
    (
        "市场主体住所证明（村居）",
        "实行住所申报承诺制。",
        "市场主体（含个体工商户）设立登记",
    ),
    ("证件遗失证明（村居）", "不再开具。", ""),
    ("居民养犬证明（村居）", "不再开具。", ""),
    ("人员失踪证明（村居）", "不再开具。", ""),
    ("社区戒毒社区康复人员情况证明（村居）", "不再开具。", ""),
    (
        "户口登记项目内容变更申请证明（村居）",
        "由派出所核实。",
        "户籍登记项目变更更正",
    ),
];

pub(super) async fn staff(app: &App, username: &str) -> AppResult<Actor> {
    let (id,): (i64,) = app
        .db
        .reader()
        .fetch_optional(q("SELECT id FROM staff WHERE username = ?").bind(username))
        .await?
        .ok_or_else(|| AppError::Internal(format!("演示账号不存在：{username}")))?;
    auth::staff_actor(app, id, "demo-catalogue")
        .await?
        .ok_or_else(|| AppError::Internal(format!("演示账号不可用：{username}")))
}

pub(super) async fn org_ids(app: &App) -> AppResult<HashMap<String, i64>> {
    let rows: Vec<(i64, String)> = app
        .db
        .reader()
        .fetch_all(q("SELECT id, name FROM orgs"))
        .await?;
    Ok(rows.into_iter().map(|(id, n)| (n, id)).collect())
}

pub(super) fn id_of(map: &HashMap<String, i64>, name: &str) -> AppResult<i64> {
    map.get(name)
        .copied()
        .ok_or_else(|| AppError::Internal(format!("演示数据缺少：{name}")))
}

pub(super) fn input(
    d: &Demo,
    orgs: &HashMap<String, i64>,
    svc: &HashMap<String, i64>,
    level: &str,
    region: &str,
) -> AppResult<ProofItemInput> {
    Ok(ProofItemInput {
        owner_org_id: Some(id_of(orgs, d.owner)?),
        name: d.name.to_owned(),
        level: level.to_owned(),
        region_code: region.to_owned(),
        disposition: if d.cancelled { "cancelled" } else { "retained" }.to_owned(),
        service_item_ids: d
            .services
            .iter()
            .map(|s| id_of(svc, s))
            .collect::<AppResult<_>>()?,
        legal_basis: d
            .bases
            .iter()
            .map(|(kind, law, article, text)| BasisInput {
                kind: (*kind).to_owned(),
                law: (*law).to_owned(),
                article: (*article).to_owned(),
                text: (*text).to_owned(),
            })
            .collect(),
        issuer_ids: d
            .issuers
            .iter()
            .map(|s| id_of(orgs, s))
            .collect::<AppResult<_>>()?,
        requester_ids: vec![],
        issuer_can_verify: !d.cancelled,
        correctable_afterwards: d.correctable,
        risk_domains: d.risk.iter().map(|s| (*s).to_owned()).collect(),
        methods: d
            .methods
            .iter()
            .map(|(m, text, class)| MethodInput {
                method: (*m).to_owned(),
                citizen_text: (*text).to_owned(),
                guide: "详见高青县政务服务网该事项办事指南。".to_owned(),
                deadline_class: class.map(str::to_owned),
                statutory_limit: None,
            })
            .collect(),
        remarks: d.remarks.to_owned(),
    })
}

pub(super) fn pass() -> ReviewInput {
    ReviewInput {
        verdict: "pass".to_owned(),
        remarks: "设定依据、开具单位和替代方式经审查符合规定。".to_owned(),
    }
}

/// Load the demo catalogue (called once from `demo::load`).
pub async fn load(app: &App) -> AppResult<()> {
    let sys = Actor::system("demo-catalogue");
    let justice = staff(app, "justice").await?;
    let joint = staff(app, "joint").await?;
    let approver = staff(app, "approver").await?;
    let ga_admin = staff(app, "ga_admin").await?;
    let orgs = org_ids(app).await?;

    let mut svc = HashMap::new();
    for (i, (unit, name, kind, level)) in SERVICES.iter().enumerate() {
        let actor = if *unit == GA { &ga_admin } else { &sys };
        let s = services::create(
            app,
            actor,
            &ServiceItemInput {
                org_id: Some(id_of(&orgs, unit)?),
                name: (*name).to_owned(),
                code: code_for(i),
                kind: (*kind).to_owned(),
                level: (*level).to_owned(),
            }
            .parse()?,
        )
        .await?;
        svc.insert((*name).to_owned(), s.id);
    }

    // County list: drafted (the police bureau's by its own unit admin), submitted, reviewed.
    let mut county_ids = vec![];
    let mut changed_later = None;
    for d in COUNTY_ITEMS {
        let actor = if d.owner == GA { &ga_admin } else { &sys };
        let it = draft::create(
            app,
            actor,
            &input(d, &orgs, &svc, "county", COUNTY)?.parse()?,
        )
        .await?;
        draft::submit(app, actor, it.id).await?;
        review::review(app, &justice, it.id, &pass().parse()?).await?;
        county_ids.push(it.id);
        if d.name.starts_with("户口项目变更证明") {
            changed_later = Some((it.id, d));
        }
    }

    // Returned by the justice bureau: the article of the basis is missing.
    let dibao = Demo {
        name: "家庭收入、财产状况证明",
        owner: "县民政局",
        issuers: &["田镇街道青苑社区居民委员会"],
        services: &["最低生活保障审核确认"],
        bases: &[("administrative_regulation", "《社会救助暂行办法》", "", "")],
        cancelled: false,
        methods: &[(
            "verification",
            "由乡镇（街道）通过入户调查、信息核查核实。",
            Some("paper_archive"),
        )],
        risk: &[],
        correctable: false,
        remarks: "",
    };
    let it = draft::create(
        app,
        &sys,
        &input(&dibao, &orgs, &svc, "county", COUNTY)?.parse()?,
    )
    .await?;
    draft::submit(app, &sys, it.id).await?;
    review::review(
        app,
        &justice,
        it.id,
        &ReviewInput {
            verdict: "return".to_owned(),
            remarks: "设定依据未列明具体条款，请补充《社会救助暂行办法》的具体条款后重新提交。"
                .to_owned(),
        }
        .parse()?,
    )
    .await?;

    // A draft without any legal basis: the system proposes cancellation (R1.3).
    let cremation = Demo {
        name: "火化证明",
        owner: GA,
        issuers: &["县民政局"],
        services: &["死亡人员户籍注销"],
        bases: &[],
        cancelled: false,
        methods: &[("data_sharing", "通过火化数据比对户籍信息。", None)],
        risk: &[],
        correctable: false,
        remarks: "设定依据待查。",
    };
    draft::create(
        app,
        &ga_admin,
        &input(&cremation, &orgs, &svc, "county", COUNTY)?.parse()?,
    )
    .await?;

    // 田镇街道: village-issued proofs cancelled, one retained town item.
    let mut town_ids = vec![];
    let homestead = Demo {
        name: "农村村民一户一宅情况证明",
        owner: "田镇街道办事处",
        issuers: &["田镇街道东关村村民委员会"],
        services: &["农村村民宅基地申请审批"],
        bases: &[(
            "law",
            "《中华人民共和国土地管理法》",
            "第六十二条",
            "农村村民一户只能拥有一处宅基地。",
        )],
        cancelled: false,
        methods: &[(
            "verification",
            "无需提交，街道向不动产登记机构和村委会核验。",
            Some("paper_archive"),
        )],
        risk: &[],
        correctable: false,
        remarks: "",
    };
    let it = draft::create(
        app,
        &sys,
        &input(&homestead, &orgs, &svc, "town", TIANZHEN)?.parse()?,
    )
    .await?;
    town_ids.push(it.id);
    for (name, text, service) in VILLAGE_CANCELLED {
        let services: &[&str] = if service.is_empty() {
            &[]
        } else {
            std::slice::from_ref(service)
        };
        let methods = [("abolished", *text, None)];
        let d = Demo {
            name,
            owner: "田镇街道办事处",
            issuers: &["田镇街道青苑社区居民委员会", "田镇街道东关村村民委员会"],
            services,
            bases: &[],
            cancelled: true,
            methods: &methods,
            risk: &[],
            correctable: false,
            remarks: "民发〔2020〕20号：不应由村（居）委会出具。",
        };
        let it = draft::create(
            app,
            &sys,
            &input(&d, &orgs, &svc, "village", "370322001201")?.parse()?,
        )
        .await?;
        town_ids.push(it.id);
    }
    for id in &town_ids {
        draft::submit(app, &sys, *id).await?;
        review::review(app, &justice, *id, &pass().parse()?).await?;
    }

    // County list version 1 and 田镇街道 version 1.
    for (region, doc, date) in [
        (COUNTY, "高政字〔2021〕演示18号", "2021-04-15"),
        (TIANZHEN, "高政字〔2021〕演示19号", "2021-04-15"),
    ] {
        let v = lists::prepare(
            app,
            &joint,
            &PrepareInput {
                region_code: region.to_owned(),
                item_ids: None,
                note: "首次汇总".to_owned(),
            }
            .parse()?,
        )
        .await?;
        lists::approve(
            app,
            &approver,
            v.version.id,
            &ApproveInput {
                approval_doc_no: doc.to_owned(),
            }
            .parse()?,
        )
        .await?;
        lists::publish(
            app,
            &joint,
            v.version.id,
            PublishInput {
                effective_date: date.to_owned(),
            }
            .parse()?,
        )
        .await?;
    }

    // An adjustment (A3 §7): the police bureau adds data sharing to a commitment item; the
    // county publishes version 2, so the two versions can be compared.
    if let Some((id, d)) = changed_later {
        let mut changed = input(d, &orgs, &svc, "county", COUNTY)?;
        changed.methods.push(MethodInput {
            method: "data_sharing".to_owned(),
            citizen_text: "能通过学籍、卫健信息共享核对的，无需承诺。".to_owned(),
            guide: "详见高青县政务服务网该事项办事指南。".to_owned(),
            deadline_class: None,
            statutory_limit: None,
        });
        let current = items::get(app, &ga_admin, id).await?;
        draft::update(app, &ga_admin, id, Some(current.version), &changed.parse()?).await?;
        draft::submit(app, &ga_admin, id).await?;
        review::review(app, &justice, id, &pass().parse()?).await?;
        let v = lists::prepare(
            app,
            &joint,
            &PrepareInput {
                region_code: COUNTY.to_owned(),
                item_ids: None,
                note: "动态调整：变更替代方式".to_owned(),
            }
            .parse()?,
        )
        .await?;
        lists::approve(
            app,
            &approver,
            v.version.id,
            &ApproveInput {
                approval_doc_no: "高政字〔2021〕演示35号".to_owned(),
            }
            .parse()?,
        )
        .await?;
        lists::publish(
            app,
            &joint,
            v.version.id,
            PublishInput {
                effective_date: "2021-10-08".to_owned(),
            }
            .parse()?,
        )
        .await?;
    }
    let _ = county_ids;
    super::demo_towns::load(app).await
}
