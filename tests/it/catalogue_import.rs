//! Spreadsheet import of a unit's proof items (issue #3 §7 and "Bad input": malformed,
//! huge, wrong-sheet and formula-bearing xlsx files; duplicate items; wrong role).

use proofless_domain::catalogue::{BasisSnapshot, ItemSnapshot, MethodSnapshot, ServiceItemRef};
use rust_xlsxwriter::{Formula, Workbook};
use serde_json::Value;

use crate::common::{Backend, Client, spawn_demo};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const IMPORT: &str = "/api/v1/catalogue/items/import";
const HEADER: [&str; 11] = [
    "序号",
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

/// A workbook with the header and `rows` (序号 is filled in); `formulas` puts
/// (row index, column index, formula) cells in place of text.
fn book(
    sheet: &str,
    header: &[&str],
    rows: &[[&str; 10]],
    formulas: &[(u32, u16, &str)],
) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_number(row, 0, f64::from(row)).unwrap();
        for (c, v) in r.iter().enumerate() {
            ws.write_string(row, c as u16 + 1, *v).unwrap();
        }
    }
    for (r, c, f) in formulas {
        ws.write_formula(*r, *c, Formula::new(*f)).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

fn good_row<'a>(name: &'a str, code: &'a str, remarks: &'a str) -> [&'a str; 10] {
    [
        name,
        "户口迁移登记",
        code,
        "《中华人民共和国户口登记条例》第十条",
        "县公安局",
        "",
        "部门核验",
        "部门核验：无需提交，窗口向开具单位核验（电子档案）",
        "县级",
        remarks,
    ]
}

async fn ga_count(c: &Client) -> usize {
    c.json("/api/v1/catalogue/items")
        .await
        .as_array()
        .unwrap()
        .len()
}

async fn post(c: &Client, q: &str, body: Vec<u8>) -> (u16, Value) {
    let r = c.post_raw(&format!("{IMPORT}{q}"), XLSX, body).await;
    let status = r.status().as_u16();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    (status, v)
}

fn fields(v: &Value) -> Vec<(String, String)> {
    v["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {v}"))
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn a_good_file_imports_as_drafts(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    let before = ga_count(&ga).await;
    let file = book(
        "证明事项",
        &HEADER,
        &[
            good_row(
                "迁入地住房证明（导入测试）",
                "370322000000IMP0001",
                "=HYPERLINK(\"http://x\")",
            ),
            good_row("亲属关系证明（导入测试）", "370322000000IMP0001", "=1+1"),
        ],
        &[],
    );
    let (s, v) = post(&ga, "", file).await;
    assert_eq!(s, 201, "{v}");
    let created = v["created"].as_array().unwrap();
    assert_eq!(created.len(), 2);
    assert_eq!(created[0]["row"], 2);
    // One new service item, shared by both rows.
    assert_eq!(v["service_items_created"], 1);
    assert_eq!(ga_count(&ga).await, before + 2);
    let id = created[0]["id"].as_i64().unwrap();
    let item = ga.json(&format!("/api/v1/catalogue/items/{id}")).await;
    assert_eq!(item["stage"], "draft");
    // Text that looks like a formula is kept literally, never evaluated.
    assert_eq!(item["item"]["remarks"], "=HYPERLINK(\"http://x\")");
    assert_eq!(item["item"]["methods"][0]["method"], "verification");
    assert_eq!(
        item["item"]["methods"][0]["citizen_text"],
        "无需提交，窗口向开具单位核验"
    );
    assert_eq!(item["item"]["methods"][0]["guide"], "电子档案");
    assert_eq!(item["item"]["issuers"][0], "县公安局");
    assert_eq!(
        item["item"]["legal_basis"][0]["law"],
        "《中华人民共和国户口登记条例》"
    );
    assert_eq!(item["item"]["legal_basis"][0]["article"], "第十条");
    assert_eq!(
        item["item"]["service_items"][0]["code"],
        "370322000000IMP0001"
    );
    let id2 = created[1]["id"].as_i64().unwrap();
    let item2 = ga.json(&format!("/api/v1/catalogue/items/{id2}")).await;
    assert_eq!(item2["item"]["remarks"], "=1+1");
    // Audited in the same transaction.
    let n: i64 = t
        .app
        .db
        .reader()
        .scalar_i64(proofless_store::q(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'catalogue.item.import'",
        ))
        .await
        .unwrap();
    assert_eq!(n, 1);
}

async fn an_exported_file_reimports_also_as_multipart(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    let snap = ItemSnapshot {
        name: "无犯罪记录证明（往返测试）".to_owned(),
        level: "county".to_owned(),
        disposition: "retained".to_owned(),
        service_items: vec![ServiceItemRef {
            name: "往返测试事项".to_owned(),
            code: "370322000000IMP0002".to_owned(),
            ..ServiceItemRef::default()
        }],
        legal_basis: vec![BasisSnapshot {
            kind: "law".to_owned(),
            law: "《中华人民共和国行政许可法》".to_owned(),
            article: "第三十一条".to_owned(),
            text: String::new(),
        }],
        issuers: vec!["县公安局".to_owned()],
        requesters: vec!["县公安局".to_owned()],
        methods: vec![MethodSnapshot {
            method: "data_sharing".to_owned(),
            citizen_text: "无需提交".to_owned(),
            guide: "通过共享平台调取".to_owned(),
            ..MethodSnapshot::default()
        }],
        remarks: "往返".to_owned(),
        ..ItemSnapshot::default()
    };
    let file = proofless_app::catalogue::xlsx::workbook("高青县清单", &[snap]).unwrap();
    let boundary = "XLSXBOUNDARY42";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\nContent-Type: {XLSX}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = ga
        .post_raw(
            IMPORT,
            &format!("multipart/form-data; boundary={boundary}"),
            body,
        )
        .await;
    let s = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(s, 201, "{v}");
    let id = v["created"][0]["id"].as_i64().unwrap();
    let item = ga.json(&format!("/api/v1/catalogue/items/{id}")).await;
    assert_eq!(item["item"]["name"], "无犯罪记录证明（往返测试）");
    assert_eq!(item["item"]["legal_basis"][0]["kind"], "law");
    assert_eq!(item["item"]["methods"][0]["method"], "data_sharing");
    assert_eq!(item["item"]["methods"][0]["guide"], "通过共享平台调取");
    assert_eq!(item["item"]["requesters"][0], "县公安局");
}

async fn bad_rows_write_nothing_unless_good_rows_are_asked_for(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    let before = ga_count(&ga).await;
    let mut bad3 = good_row("证明乙（导入测试）", "370322000000IMP0003", "");
    bad3[4] = "县某局";
    let mut bad5 = good_row("证明丁（导入测试）", "370322000000IMP0003", "");
    bad5[8] = "省级";
    bad5[6] = "快递";
    let rows = [
        good_row("证明甲（导入测试）", "370322000000IMP0003", ""),
        bad3,
        good_row("证明丙（导入测试）", "370322000000IMP0003", ""),
        bad5,
    ];
    let (s, v) = post(&ga, "", book("Sheet1", &HEADER, &rows, &[])).await;
    assert_eq!(s, 422, "{v}");
    let f = fields(&v);
    assert!(
        f.contains(&(
            "rows[3].开具单位".to_owned(),
            "第 3 行“开具单位”：找不到单位“县某局”".to_owned()
        )),
        "{f:?}"
    );
    assert!(f.iter().any(|(k, _)| k == "rows[5].层级"), "{f:?}");
    assert!(
        f.iter()
            .any(|(k, m)| k == "rows[5].替代取消方式" && m.contains("快递")),
        "{f:?}"
    );
    assert!(
        !f.iter()
            .any(|(k, _)| k.starts_with("rows[2]") || k.starts_with("rows[4]"))
    );
    assert_eq!(ga_count(&ga).await, before, "nothing written");
    let svc: i64 = t
        .app
        .db
        .reader()
        .scalar_i64(proofless_store::q(
            "SELECT COUNT(*) FROM service_items WHERE code = '370322000000IMP0003'",
        ))
        .await
        .unwrap();
    assert_eq!(svc, 0, "no service item written either");

    let (s, v) = post(
        &ga,
        "?import_good_rows=true",
        book("Sheet1", &HEADER, &rows, &[]),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let rows_done: Vec<i64> = v["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["row"].as_i64().unwrap())
        .collect();
    assert_eq!(rows_done, vec![2, 4]);
    let skipped = fields(&v);
    assert!(skipped.iter().any(|(k, _)| k == "rows[3].开具单位"));
    assert!(skipped.iter().any(|(k, _)| k == "rows[5].层级"));
    assert_eq!(ga_count(&ga).await, before + 2);
}

async fn malformed_huge_and_wrong_sheet_files_are_refused_in_chinese(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    let (s, v) = post(&ga, "", b"this is not a zip file at all".to_vec()).await;
    assert_eq!(s, 422, "{v}");
    assert!(fields(&v)[0].1.contains("不是有效的 Excel"), "{v}");
    let (s, v) = post(&ga, "", vec![]).await;
    assert_eq!(s, 422, "{v}");
    // A truncated workbook.
    let mut cut = book(
        "证明事项",
        &HEADER,
        &[good_row("截断", "370322000000IMP0009", "")],
        &[],
    );
    cut.truncate(cut.len() / 2);
    let (s, v) = post(&ga, "", cut).await;
    assert_eq!(s, 422, "{v}");
    // Huge: over the 1 MB limit.
    let (s, v) = post(&ga, "", vec![b'P'; 1_500_000]).await;
    assert_eq!(s, 413, "{v}");
    assert!(v["title"].as_str().unwrap().contains("过大"), "{v}");
    // Wrong sheet: no sheet carries the expected header.
    let other = book("花名册", &["姓名", "年龄"], &[], &[]);
    let (s, v) = post(&ga, "", other).await;
    assert_eq!(s, 422, "{v}");
    let msg = &fields(&v)[0].1;
    assert!(
        msg.contains("未找到含有表头") && msg.contains("花名册"),
        "{msg}"
    );
    // A header without any data row.
    let (s, v) = post(&ga, "", book("证明事项", &HEADER, &[], &[])).await;
    assert_eq!(s, 422, "{v}");
    assert!(fields(&v)[0].1.contains("没有任何数据行"), "{v}");
}

async fn formula_cells_are_refused_not_evaluated(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    let before = ga_count(&ga).await;
    let rows = [
        good_row("公式行", "370322000000IMP0004", ""),
        good_row("超链接行", "370322000000IMP0004", ""),
    ];
    let file = book(
        "证明事项",
        &HEADER,
        &rows,
        &[
            (1, 1, "=1+1"),
            (2, 10, "=HYPERLINK(\"http://evil.example\",\"点我\")"),
        ],
    );
    let (s, v) = post(&ga, "", file).await;
    assert_eq!(s, 422, "{v}");
    let f = fields(&v);
    assert!(
        f.iter()
            .any(|(k, m)| k == "rows[2].证明名称" && m.contains("公式")),
        "{f:?}"
    );
    assert!(
        f.iter()
            .any(|(k, m)| k == "rows[3].备注" && m.contains("公式")),
        "{f:?}"
    );
    assert_eq!(ga_count(&ga).await, before);
}

async fn duplicates_in_the_file_and_against_existing_items_are_named(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    let rows = [
        good_row("重复证明（导入测试）", "370322000000IMP0005", ""),
        good_row("重复证明（导入测试）", "370322000000IMP0005", ""),
    ];
    let (s, v) = post(&ga, "", book("证明事项", &HEADER, &rows, &[])).await;
    assert_eq!(s, 422, "{v}");
    let f = fields(&v);
    assert!(
        f.iter()
            .any(|(k, m)| k == "rows[3].证明名称" && m.contains("与第 2 行重复")),
        "{f:?}"
    );
    let one = [good_row("重复证明（导入测试）", "370322000000IMP0005", "")];
    let (s, v) = post(&ga, "", book("证明事项", &HEADER, &one, &[])).await;
    assert_eq!(s, 201, "{v}");
    let (s, v) = post(&ga, "", book("证明事项", &HEADER, &one, &[])).await;
    assert_eq!(s, 422, "{v}");
    let f = fields(&v);
    assert!(
        f.iter()
            .any(|(k, m)| k == "rows[2].证明名称" && m.contains("已有同名证明事项")),
        "{f:?}"
    );
}

async fn only_unit_admins_may_import(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let file = book(
        "证明事项",
        &HEADER,
        &[good_row("角色测试", "370322000000IMP0006", "")],
        &[],
    );
    let anon = t.client();
    assert_eq!(post(&anon, "", file.clone()).await.0, 401);
    for who in ["window", "justice", "ga_clerk"] {
        let c = t.staff(who).await;
        let (s, v) = post(&c, "", file.clone()).await;
        assert_eq!(s, 403, "{who}: {v}");
    }
    // Another unit's items: sj_admin may not import for 县公安局.
    let ga_id: i64 = t
        .app
        .db
        .reader()
        .scalar_i64(proofless_store::q(
            "SELECT id FROM orgs WHERE name = '县公安局'",
        ))
        .await
        .unwrap();
    let sj = t.staff("sj_admin").await;
    let (s, v) = post(&sj, &format!("?owner_org_id={ga_id}"), file).await;
    assert_eq!(s, 403, "{v}");
}

both_backends!(
    a_good_file_imports_as_drafts,
    an_exported_file_reimports_also_as_multipart,
    bad_rows_write_nothing_unless_good_rows_are_asked_for,
    malformed_huge_and_wrong_sheet_files_are_refused_in_chinese,
    formula_cells_are_refused_not_evaluated,
    duplicates_in_the_file_and_against_existing_items_are_named,
    only_unit_admins_may_import,
    a_real_county_list_imports_with_every_error_and_warning_reported,
    the_template_lists_every_accepted_header_name,
);

/// A workbook laid out like a real county list (SPEC "Real lists"): a merged title row
/// above the header, the real header names in their order (one with a line break, as such
/// lists are typeset), a column the import does not read, and rows as counties write them.
fn county_list(rows: &[[&str; 12]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("保留证明事项清单").unwrap();
    let title = rust_xlsxwriter::Format::new().set_bold();
    ws.merge_range(0, 0, 0, 11, "高青县县级保留证明事项清单（2026年）", &title)
        .unwrap();
    let header = [
        "序号",
        "证明名称",
        "证明用途",
        "设定依据",
        "依据条文\n及内容",
        "索要单位",
        "开具单位",
        "行使层级",
        "事项类型",
        "涉及的政务服务事项名称及编码",
        "不能实行告知承诺及保留原因",
        "联系电话",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 2;
        for (c, v) in r.iter().enumerate() {
            ws.write_string(row, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

fn has(list: &Value, field: &str, part: &str) -> bool {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .any(|e| e["field"] == field && e["message"].as_str().unwrap().contains(part))
}

async fn a_real_county_list_imports_with_every_error_and_warning_reported(b: Backend) {
    // SPEC "Real lists", R1.2: real header names map to our fields; 事项类型 gives the kind of
    // new service items; 证明用途, 依据条文及内容 and the reason commitment cannot be used are
    // kept; the report has the ignored columns and every error and warning of every row.
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    let before = ga_count(&ga).await;
    let rows = [
        [
            "1",
            "烟花爆竹零售经营场所证明（真实清单测试）",
            "办理烟花爆竹经营（零售）许可",
            "烟花爆竹安全管理条例",
            "《烟花爆竹安全管理条例》第十九条：申请从事烟花爆竹零售经营的，应当向所在地县级人民政府安全生产监督管理部门提出申请。",
            "县公安局",
            "县市场监管局",
            "省级、市级、县级",
            "行政许可",
            "烟花爆竹经营（零售）许可证核发（370322000000RL00001）",
            "涉及公共安全，不适用告知承诺",
            "0533-6961234",
        ],
        [
            "2",
            "居住情况证明（真实清单测试）",
            "办理户籍业务",
            "",
            "",
            "县公安局",
            "县民政局",
            "县级",
            "行政确认",
            "户籍信息核对（370322000000RL00002）",
            "",
            "",
        ],
        [
            "3",
            "经营资格证明（真实清单测试）",
            "办理省级许可",
            "《中华人民共和国行政许可法》第三十一条",
            "",
            "县公安局",
            "县市场监管局",
            "省级",
            "行政处罚",
            "",
            "",
            "",
        ],
        [
            "4",
            "无违法记录证明（真实清单测试）",
            "办理从业资格认定",
            "《中华人民共和国治安管理处罚法》第二条",
            "",
            "县公安局",
            "县公安局",
            "县级",
            "公共服务",
            "",
            "",
            "",
        ],
    ];
    let (s, v) = post(&ga, "", county_list(&rows)).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["written"], false);
    assert_eq!(v["header_row"], 2, "{v}");
    assert_eq!(v["ignored_columns"], serde_json::json!(["联系电话"]));
    // Row 5 fails: a level above the county, and a kind that no application service has.
    assert!(has(&v["errors"], "rows[5].行使层级", "省级"), "{v}");
    assert!(has(&v["errors"], "rows[5].事项类型", "行政处罚"), "{v}");
    assert!(!v["errors"].as_array().unwrap().iter().any(|e| {
        let f = e["field"].as_str().unwrap();
        f.starts_with("rows[3]") || f.starts_with("rows[4]") || f.starts_with("rows[6]")
    }));
    // …and in the same answer, the warnings of the other rows.
    assert!(has(&v["warnings"], "rows[4].设定依据", "拟取消"), "{v}");
    assert!(has(&v["warnings"], "rows[3].行使层级", "县级"), "{v}");
    assert!(
        has(
            &v["warnings"],
            "rows[6].涉及的政务服务事项名称及编码",
            "未关联政务服务事项"
        ),
        "{v}"
    );
    assert_eq!(ga_count(&ga).await, before, "nothing written");

    let (s, v) = post(&ga, "?import_good_rows=true", county_list(&rows)).await;
    assert_eq!(s, 201, "{v}");
    let created = v["created"].as_array().unwrap();
    let done: Vec<i64> = created.iter().map(|c| c["row"].as_i64().unwrap()).collect();
    assert_eq!(done, [3, 4, 6]);
    assert!(has(&v["errors"], "rows[5].行使层级", "省级"), "{v}");
    assert!(has(&v["warnings"], "rows[4].设定依据", "拟取消"), "{v}");

    let id = created[0]["id"].as_i64().unwrap();
    let it = ga.json(&format!("/api/v1/catalogue/items/{id}")).await;
    let item = &it["item"];
    assert_eq!(item["level"], "county");
    assert_eq!(item["purpose"], "办理烟花爆竹经营（零售）许可");
    assert_eq!(item["no_commitment_reason"], "涉及公共安全，不适用告知承诺");
    assert_eq!(item["legal_basis"][0]["law"], "《烟花爆竹安全管理条例》");
    assert_eq!(item["legal_basis"][0]["article"], "第十九条");
    assert!(
        item["legal_basis"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("申请从事烟花爆竹零售经营的")
    );
    assert_eq!(item["service_items"][0]["code"], "370322000000RL00001");
    assert_eq!(item["service_items"][0]["kind"], "administrative_licence");
    // No legal basis: saved as proposed for cancellation (R1.3).
    let id2 = created[1]["id"].as_i64().unwrap();
    let it2 = ga.json(&format!("/api/v1/catalogue/items/{id2}")).await;
    assert_eq!(it2["item"]["disposition"], "cancelled");
    assert_eq!(it2["item"]["methods"][0]["method"], "abolished");
    assert_eq!(
        it2["item"]["service_items"][0]["kind"],
        "administrative_confirmation"
    );
}

async fn the_template_lists_every_accepted_header_name(b: Backend) {
    // SPEC "Real lists": the template download lists the accepted header names.
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    let r = ga.get("/catalogue/import/template.xlsx").await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), ["证明事项", "可识别的表头"]);
    let names = wb.worksheet_range("可识别的表头").unwrap();
    let text: Vec<String> = names
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    let all = text.join("|");
    for h in [
        "行使层级",
        "证明用途",
        "依据条文及内容",
        "事项类型",
        "不能实行告知承诺及保留原因",
        "层级",
    ] {
        assert!(all.contains(h), "{h} missing from {all}");
    }
}
