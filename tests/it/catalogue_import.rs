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
    let skipped = fields(&serde_json::json!({"errors": v["skipped"]}));
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
);
