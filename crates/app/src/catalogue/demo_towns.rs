//! Demo lists of the other eight towns and streets of Gaoqing: each town approves rural
//! homestead applications (宅基地) and keeps the "one household, one homestead" check as a
//! verification with its village committees (《土地管理法》第六十二条, the only basis the
//! reference data confirms for it), and cancels the village-issued proofs of 民发〔2020〕20号
//! that its villages were most often asked for. Loaded through the same services.

use std::collections::HashMap;

use super::demo::{Demo, VILLAGE_CANCELLED, id_of, input, org_ids, pass, staff};
use super::draft;
use super::input::ServiceItemInput;
use super::input::{ApproveInput, PrepareInput, PublishInput};
use super::lists;
use super::review;
use super::services;
use crate::App;
use crate::actor::Actor;
use crate::error::AppResult;

/// (town region code, town name, first village suffix)
const TOWNS: &[(&str, &str, &str)] = &[
    ("370322002000", "芦湖街道", "202"),
    ("370322101000", "青城镇", "201"),
    ("370322102000", "高城镇", "201"),
    ("370322103000", "黑里寨镇", "201"),
    ("370322104000", "唐坊镇", "201"),
    ("370322105000", "常家镇", "201"),
    ("370322106000", "花沟镇", "201"),
    ("370322108000", "木李镇", "201"),
];

/// The village-issued proofs each town list cancels (by name in [`VILLAGE_CANCELLED`]).
const CANCELLED_IN_EVERY_TOWN: [&str; 3] = [
    "亲属关系证明（村居）",
    "健在证明（村居）",
    "居民财产证明（村居）",
];

fn government(town: &str) -> String {
    if town.ends_with("街道") {
        format!("{town}办事处")
    } else {
        format!("{town}人民政府")
    }
}

pub(super) async fn load(app: &App) -> AppResult<()> {
    let sys = Actor::system("demo-catalogue-towns");
    let justice = staff(app, "justice").await?;
    let joint = staff(app, "joint").await?;
    let approver = staff(app, "approver").await?;
    // Village committees were created after the county map was read: read all orgs again.
    let orgs = org_ids(app).await?;
    for (n, (town_code, town, village_suffix)) in TOWNS.iter().enumerate() {
        let gov = government(town);
        let village_code = format!("{}{}", &town_code[..9], village_suffix);
        let village_org = app
            .db
            .reader()
            .fetch_one::<(String,)>(
                proofless_store::q(
                    "SELECT name FROM orgs WHERE region_code = ? ORDER BY id LIMIT 1",
                )
                .bind(&village_code),
            )
            .await?
            .0;
        let service = services::create(
            app,
            &sys,
            &ServiceItemInput {
                org_id: Some(id_of(&orgs, &gov)?),
                name: format!("农村村民宅基地申请审批（{town}）"),
                code: format!("370322-DEMO-T{:03}", n + 1),
                kind: "行政许可".to_owned(),
                level: "town".to_owned(),
            }
            .parse()?,
        )
        .await?;
        let mut svc = HashMap::new();
        svc.insert(service.name.clone(), service.id);
        let service_names = [service.name.as_str()];
        let issuers = [village_org.as_str()];
        let homestead = Demo {
            name: "农村村民一户一宅情况证明",
            owner: &gov,
            issuers: &issuers,
            services: &service_names,
            bases: &[(
                "law",
                "《中华人民共和国土地管理法》",
                "第六十二条",
                "农村村民一户只能拥有一处宅基地。",
            )],
            cancelled: false,
            methods: &[(
                "verification",
                "无需提交，镇（街道）向不动产登记机构和村委会核验。",
                Some("paper_archive"),
            )],
            risk: &[],
            correctable: false,
            remarks: "",
        };
        let mut ids = vec![
            draft::create(
                app,
                &sys,
                &input(&homestead, &orgs, &svc, "town", town_code)?.parse()?,
            )
            .await?
            .id,
        ];
        for (name, text, _) in VILLAGE_CANCELLED
            .iter()
            .filter(|(name, _, _)| CANCELLED_IN_EVERY_TOWN.contains(name))
        {
            let methods = [("abolished", *text, None)];
            let d = Demo {
                name,
                owner: &gov,
                issuers: &issuers,
                services: &[],
                bases: &[],
                cancelled: true,
                methods: &methods,
                risk: &[],
                correctable: false,
                remarks: "民发〔2020〕20号：不应由村（居）委会出具。",
            };
            ids.push(
                draft::create(
                    app,
                    &sys,
                    &input(&d, &orgs, &svc, "village", &village_code)?.parse()?,
                )
                .await?
                .id,
            );
        }
        for id in &ids {
            draft::submit(app, &sys, *id).await?;
            review::review(app, &justice, *id, &pass().parse()?).await?;
        }
        let v = lists::prepare(
            app,
            &joint,
            &PrepareInput {
                region_code: (*town_code).to_owned(),
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
                approval_doc_no: format!("高政字〔2021〕演示{}号", 20 + n),
            }
            .parse()?,
        )
        .await?;
        lists::publish(
            app,
            &joint,
            v.version.id,
            PublishInput {
                effective_date: "2021-05-10".to_owned(),
            }
            .parse()?,
        )
        .await?;
    }
    Ok(())
}
