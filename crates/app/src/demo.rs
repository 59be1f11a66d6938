//! Demo data for Gaoqing county, loaded through the same services as real data.
//! Staff, villages and citizens are fictional; units and towns are real names.

use proofless_domain::codes::{CreditCode, ResidentId, iso7064_mod11_2_check_char};
use proofless_domain::region::RegionLevel;
use proofless_domain::role::Role;
use proofless_store::q;

use crate::actor::Actor;
use crate::applicants::{self, EntityInput, PersonInput, RepresentativeInput};
use crate::error::{AppError, AppResult};
use crate::orgs::{self, OrgInput};
use crate::staff::{self, DutyPostInput, StaffInput};
use crate::{App, identity, regions};

/// Every demo account uses this password (listed in the README).
pub const DEMO_PASSWORD: &str = "Gaoqing2021";

const COUNTY: &str = "370322000000";

/// County units named in the seed (P 三(一)2 and the lead-unit lists), plus the units
/// that accountability and social affairs need.
const COUNTY_UNITS: &[(&str, &str)] = &[
    ("县政府办公室", "administrative_body"),
    ("县司法局", "administrative_body"),
    ("县行政审批服务局", "administrative_body"),
    ("县大数据中心", "public_service_institution"),
    ("县公安局", "administrative_body"),
    ("县发展和改革局", "administrative_body"),
    ("县市场监管局", "administrative_body"),
    ("县水利局", "administrative_body"),
    ("县住房和城乡建设局", "administrative_body"),
    ("县教育和体育局", "administrative_body"),
    ("县卫生健康局", "administrative_body"),
    ("县民政局", "administrative_body"),
    ("县人力资源和社会保障局", "administrative_body"),
    ("县纪委监委", "administrative_body"),
    ("经济开发区管委会", "administrative_body"),
    ("国网高青供电公司", "public_service_enterprise"),
    ("中国移动高青分公司", "public_service_enterprise"),
    ("中国联通高青分公司", "public_service_enterprise"),
    ("中国电信高青分公司", "public_service_enterprise"),
    ("山东广电高青分公司", "public_service_enterprise"),
    ("中国人民银行高青县支行", "authorised_organisation"),
    ("淄博银保监分局高青监管组", "authorised_organisation"),
];

/// Fictional villages and communities: (town code, 3-digit suffix, name).
/// 001–199 are communities (居委会), 200–399 villages (村委会).
const VILLAGES: &[(&str, &str, &str)] = &[
    ("370322001000", "001", "田镇街道青苑社区"),
    ("370322001000", "201", "田镇街道东关村"),
    ("370322002000", "001", "芦湖街道芦湖社区"),
    ("370322002000", "202", "芦湖街道西营村"),
    ("370322101000", "201", "青城镇北街村"),
    ("370322101000", "203", "青城镇孙家村"),
    ("370322102000", "201", "高城镇南王村"),
    ("370322103000", "201", "黑里寨镇前进村"),
    ("370322104000", "201", "唐坊镇李家村"),
    ("370322105000", "201", "常家镇常南村"),
    ("370322106000", "201", "花沟镇花沟村"),
    ("370322108000", "201", "木李镇木西村"),
];

/// (username, name, unit, roles). One account per role, and full A/B teams in the
/// police and market-regulation bureaus.
const ACCOUNTS: &[(&str, &str, &str, &[Role])] = &[
    ("admin", "王建国", "县大数据中心", &[Role::SystemAdmin]),
    ("joint", "李文静", "县行政审批服务局", &[Role::JointOffice]),
    (
        "window",
        "赵敏",
        "县行政审批服务局",
        &[Role::ComplaintWindow, Role::CounterClerk],
    ),
    ("justice", "孙立法", "县司法局", &[Role::LegalReviewer]),
    (
        "justice_cp",
        "周正义",
        "县司法局",
        &[Role::ComplaintJustice],
    ),
    (
        "approver",
        "钱为民",
        "县政府办公室",
        &[Role::CountyApprover],
    ),
    (
        "hotline",
        "吴晓春",
        "县政府办公室",
        &[Role::ComplaintHotline],
    ),
    ("credit", "郑信", "县发展和改革局", &[Role::CreditOffice]),
    ("account", "冯纪", "县纪委监委", &[Role::Accountability]),
    ("ga_admin", "陈警官", "县公安局", &[Role::UnitAdmin]),
    ("ga_liaison", "刘联络", "县公安局", &[Role::Liaison]),
    ("ga_proxy1", "杨代办", "县公安局", &[Role::ProxyAgent]),
    ("ga_proxy2", "黄代办", "县公安局", &[Role::ProxyAgent]),
    ("ga_clerk", "何窗口", "县公安局", &[Role::CounterClerk]),
    ("sj_admin", "林管理", "县市场监管局", &[Role::UnitAdmin]),
    ("sj_liaison", "高联络", "县市场监管局", &[Role::Liaison]),
    ("sj_proxy1", "马代办", "县市场监管局", &[Role::ProxyAgent]),
    ("sj_proxy2", "罗代办", "县市场监管局", &[Role::ProxyAgent]),
    ("sj_clerk", "梁窗口", "县市场监管局", &[Role::CounterClerk]),
    ("sj_inspector", "宋核查", "县市场监管局", &[Role::Inspector]),
    (
        "sl_liaison",
        "谢联络",
        "县水利局",
        &[Role::Liaison, Role::UnitAdmin],
    ),
];

/// Fictional citizens: (name, birth date yyyymmdd, serial3, portal account?).
const CITIZENS: &[(&str, &str, &str, bool)] = &[
    ("张三", "19900101", "123", true),
    ("李四", "19851215", "246", true),
    ("王芳", "19780630", "332", false),
    ("刘洋", "20000308", "451", false),
];

/// A valid resident ID for Gaoqing: region 370322, birth date, serial, check digit.
pub fn demo_resident_id(birth: &str, serial3: &str) -> AppResult<ResidentId> {
    let first17 = format!("370322{birth}{serial3}");
    let check = iso7064_mod11_2_check_char(&first17)
        .ok_or_else(|| AppError::Internal("身份证校验位计算失败".to_owned()))?;
    ResidentId::parse(&format!("{first17}{check}")).map_err(|e| AppError::Internal(e.to_string()))
}

/// The next valid demo credit code (distinct serials give distinct codes).
fn credit_code(serial: &mut u64, authority: char, category: char) -> AppResult<String> {
    *serial += 1;
    Ok(
        CreditCode::generate(authority, category, "370322", 0x51_0000 + *serial)
            .map_err(err)?
            .as_str()
            .to_owned(),
    )
}

fn err(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

pub async fn is_loaded(app: &App) -> AppResult<bool> {
    Ok(app
        .db
        .reader()
        .fetch_optional::<(String,)>(q("SELECT value FROM settings WHERE key = 'demo_loaded'"))
        .await?
        .is_some())
}

/// Load the demo county once; a second call does nothing and says so.
pub async fn load(app: &App) -> AppResult<bool> {
    if is_loaded(app).await? {
        return Ok(false);
    }
    let sys = Actor::system("demo");
    regions::ensure_builtin(app).await?;

    let mut serial = 0u64;

    let mut county_ids = std::collections::HashMap::new();
    for (name, kind) in COUNTY_UNITS {
        // GB 32100: authority 1 = 机构编制 (category 1 机关, 2 事业单位), 9 = 市场监管 (1 企业).
        let (authority, category) = match *kind {
            "public_service_enterprise" => ('9', '1'),
            "public_service_institution" => ('1', '2'),
            _ => ('1', '1'),
        };
        let code = credit_code(&mut serial, authority, category)?;
        let org = orgs::create(
            app,
            &sys,
            OrgInput {
                name: (*name).to_owned(),
                credit_code: Some(code),
                kind: (*kind).to_owned(),
                region_code: COUNTY.to_owned(),
                supervisor_id: None,
                confirm_warnings: false,
            },
        )
        .await?;
        county_ids.insert(*name, org.id);
    }

    // Towns and streets: their governments, then villages and committees under them.
    for town in regions::list(app, Some(COUNTY), Some(RegionLevel::Town)).await? {
        let gov = if town.name.ends_with("街道") {
            format!("{}办事处", town.name)
        } else {
            format!("{}人民政府", town.name)
        };
        let town_org = orgs::create(
            app,
            &sys,
            OrgInput {
                name: gov,
                credit_code: Some(credit_code(&mut serial, '1', '1')?),
                kind: "administrative_body".to_owned(),
                region_code: town.code.clone(),
                supervisor_id: county_ids.get("县政府办公室").copied(),
                confirm_warnings: false,
            },
        )
        .await?;
        for (town_code, suffix, name) in VILLAGES.iter().filter(|v| v.0 == town.code) {
            let code = format!("{}{}", &town_code[..9], suffix);
            regions::create(
                app,
                &sys,
                regions::NewRegion {
                    code: code.clone(),
                    name: (*name).to_owned(),
                    parent_code: Some((*town_code).to_owned()),
                },
            )
            .await?;
            let committee = if suffix.starts_with('0') || suffix.starts_with('1') {
                "居民委员会"
            } else {
                "村民委员会"
            };
            orgs::create(
                app,
                &sys,
                OrgInput {
                    name: format!("{name}{committee}"),
                    // GB 32100: authority 5 = 民政, category 4 would be 基层群众性自治组织 under N;
                    // village committees carry authority N, category 2 (村民委员会) or 1 (居民委员会).
                    credit_code: Some(credit_code(
                        &mut serial,
                        'N',
                        if committee == "居民委员会" {
                            '1'
                        } else {
                            '2'
                        },
                    )?),
                    kind: "village_committee".to_owned(),
                    region_code: code,
                    supervisor_id: Some(town_org.id),
                    confirm_warnings: false,
                },
            )
            .await?;
        }
    }

    // Staff: one account per role, teams with A/B posts.
    let mut staff_ids = std::collections::HashMap::new();
    for (username, name, unit, roles) in ACCOUNTS {
        let org_id = *county_ids
            .get(unit)
            .ok_or_else(|| err(format!("演示单位不存在：{unit}")))?;
        let s = staff::create(
            app,
            &sys,
            org_id,
            StaffInput {
                username: (*username).to_owned(),
                display_name: (*name).to_owned(),
                phone: None,
                password: DEMO_PASSWORD.to_owned(),
                roles: roles.iter().map(|r| r.as_str().to_owned()).collect(),
            },
        )
        .await?;
        staff_ids.insert(*username, (s.id, org_id));
    }
    for (prefix, unit) in [("ga", "县公安局"), ("sj", "县市场监管局")] {
        let org_id = county_ids[unit];
        let id = |u: &str| staff_ids.get(format!("{prefix}_{u}").as_str()).map(|x| x.0);
        let (Some(l), Some(p1), Some(p2)) = (id("liaison"), id("proxy1"), id("proxy2")) else {
            continue;
        };
        // A proxy agent may be the liaison's B (A2 §6).
        staff::add_post(
            app,
            &sys,
            org_id,
            DutyPostInput {
                duty: "liaison".into(),
                a_staff_id: l,
                b_staff_id: Some(p1),
            },
        )
        .await?;
        staff::add_post(
            app,
            &sys,
            org_id,
            DutyPostInput {
                duty: "proxy_agent".into(),
                a_staff_id: p1,
                b_staff_id: Some(p2),
            },
        )
        .await?;
        staff::add_post(
            app,
            &sys,
            org_id,
            DutyPostInput {
                duty: "proxy_agent".into(),
                a_staff_id: p2,
                b_staff_id: Some(p1),
            },
        )
        .await?;
    }
    // The water bureau has only a liaison and no stand-in: flagged to the joint office.
    if let Some((sl, org)) = staff_ids.get("sl_liaison") {
        staff::add_post(
            app,
            &sys,
            *org,
            DutyPostInput {
                duty: "liaison".into(),
                a_staff_id: *sl,
                b_staff_id: None,
            },
        )
        .await?;
    }

    // Citizens, a company, and a lookup at the counter that the citizen can see.
    let mut first_person = None;
    for (name, birth, serial3, portal) in CITIZENS {
        let rid = demo_resident_id(birth, serial3)?;
        if *portal {
            identity::register(
                app,
                "demo",
                identity::RegisterInput {
                    resident_id: rid.as_str().to_owned(),
                    name: (*name).to_owned(),
                    phone: Some("13800000000".to_owned()),
                    password: DEMO_PASSWORD.to_owned(),
                },
            )
            .await?;
        } else {
            applicants::create_person(
                app,
                &sys,
                PersonInput {
                    resident_id: rid.as_str().to_owned(),
                    name: (*name).to_owned(),
                    phone: None,
                },
            )
            .await?;
        }
        if first_person.is_none() {
            let (pid,): (i64,) = app
                .db
                .reader()
                .fetch_one(q("SELECT id FROM persons WHERE resident_id = ?").bind(rid.as_str()))
                .await?;
            first_person = Some(pid);
        }
    }
    let entity = applicants::create_entity(
        app,
        &sys,
        EntityInput {
            credit_code: credit_code(&mut serial, '9', '1')?,
            name: "高青县黄河湾食品有限公司".to_owned(),
        },
    )
    .await?;
    if let Some(pid) = first_person {
        applicants::add_representative(
            app,
            &sys,
            entity.id,
            RepresentativeInput {
                person_id: pid,
                capacity: "法定代表人".to_owned(),
            },
        )
        .await?;
        if let Some(clerk) = crate::auth::staff_actor(app, staff_ids["ga_clerk"].0, "demo").await? {
            applicants::read_person(app, &clerk, pid, "办理户籍业务时核对申请人身份").await?;
        }
    }

    crate::catalogue::demo::load(app).await?;
    crate::deadlines::load_demo(app, &sys).await?;
    crate::commitment::demo::load(app).await?;
    crate::verification::load_demo(app).await?;

    let mut tx = app.db.begin().await?;
    tx.execute(
        q("INSERT INTO settings (key, value) VALUES ('demo_loaded', ?)")
            .bind(app.now_ms().to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
