//! The staff catalogue pages (issue #3): the proof item form and the `.xlsx` import page,
//! driven as a browser without JavaScript would: url-encoded and multipart posts carrying
//! the CSRF token as a form field.

use rust_xlsxwriter::Workbook;
use serde_json::Value;

use crate::common::{Backend, Client, TestApp, spawn_demo};

type Pairs = Vec<(&'static str, String)>;

struct Reply {
    status: u16,
    location: String,
    body: String,
}

/// POST an HTML form the way the page does: the token only as the `csrf` field.
async fn form(c: &Client, path: &str, pairs: &Pairs, csrf: bool) -> Reply {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    if csrf {
        ser.append_pair("csrf", &c.csrf);
    }
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    let res = c
        .http
        .post(c.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(ser.finish())
        .send()
        .await
        .unwrap();
    reply(res).await
}

async fn reply(res: reqwest::Response) -> Reply {
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = res.text().await.unwrap_or_default();
    Reply {
        status,
        location,
        body,
    }
}

async fn page(c: &Client, path: &str) -> Reply {
    let res = c.http.get(c.url(path)).send().await.unwrap();
    reply(res).await
}

async fn org_id(c: &Client, name: &str) -> i64 {
    let page: Value = c.json("/api/v1/orgs?limit=500").await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == name)
        .unwrap_or_else(|| panic!("no org {name}"))["id"]
        .as_i64()
        .unwrap()
}

fn item_form(name: &str, issuer: i64) -> Pairs {
    vec![
        ("name", name.to_owned()),
        ("level", "county".to_owned()),
        ("region_code", "370322000000".to_owned()),
        ("disposition", "retained".to_owned()),
        ("issuer_ids", issuer.to_string()),
        ("issuer_can_verify", "1".to_owned()),
        ("basis_rows", "3".to_owned()),
        ("lb0_kind", "administrative_regulation".to_owned()),
        ("lb0_law", "《中华人民共和国户口登记条例》".to_owned()),
        ("lb0_article", "第十条".to_owned()),
        ("lb0_text", "".to_owned()),
        ("lb1_kind", "".to_owned()),
        ("lb1_law", "".to_owned()),
        ("method_rows", "2".to_owned()),
        ("m0_method", "verification".to_owned()),
        ("m0_citizen_text", "无需提交，窗口向开具单位核验".to_owned()),
        ("m0_deadline_class", "paper_archive".to_owned()),
        ("m1_method", "".to_owned()),
        ("remarks", "表单测试".to_owned()),
        ("action", "save".to_owned()),
    ]
}

fn set(p: &mut Pairs, key: &'static str, value: &str) {
    p.retain(|(k, _)| *k != key);
    p.push((key, value.to_owned()));
}

fn id_from(location: &str) -> i64 {
    location
        .strip_prefix("/catalogue/items/")
        .and_then(|r| r.split('/').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not an edit location: {location}"))
}

async fn count(t: &TestApp) -> i64 {
    t.app
        .db
        .reader()
        .scalar_i64(proofless_store::q("SELECT COUNT(*) FROM proof_items"))
        .await
        .unwrap()
}

async fn create_edit_and_add_a_row_through_the_form(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    let issuer = org_id(&ga, "县教育和体育局").await;

    // The list links to the form; the form offers every field.
    let list = page(&ga, "/catalogue/items").await;
    assert!(
        list.body.contains("href=\"/catalogue/items/new\""),
        "{}",
        list.body
    );
    assert!(list.body.contains("新增证明事项"));
    let blank = page(&ga, "/catalogue/items/new").await;
    assert_eq!(blank.status, 200);
    for control in [
        "id=\"name\"",
        "id=\"region_code\"",
        "id=\"lb2_law\"",
        "id=\"m1_deadline_class\"",
        "id=\"risk-public_safety\"",
        "name=\"issuer_ids\"",
        "id=\"correctable_afterwards\"",
        "再加一行设定依据",
        "<label for=\"lb0_law\">",
    ] {
        assert!(blank.body.contains(control), "missing {control}");
    }

    // "再加一行": a fourth row, nothing saved, the typed values kept.
    let before = count(&t).await;
    let mut f = item_form("学生毕业派遣证明（表单）", issuer);
    set(&mut f, "action", "add_basis");
    let r = form(&ga, "/catalogue/items/new", &f, true).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("id=\"lb3_law\""), "a fourth basis row");
    assert!(r.body.contains("value=\"学生毕业派遣证明（表单）\""));
    assert_eq!(count(&t).await, before, "adding a row saves nothing");

    let r = form(
        &ga,
        "/catalogue/items/new",
        &item_form("学生毕业派遣证明（表单）", issuer),
        true,
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id = id_from(&r.location);
    let item = ga.json(&format!("/api/v1/catalogue/items/{id}")).await;
    assert_eq!(item["stage"], "draft");
    assert_eq!(item["item"]["name"], "学生毕业派遣证明（表单）");
    assert_eq!(item["item"]["issuer_ids"][0], issuer);
    assert_eq!(
        item["item"]["legal_basis"].as_array().unwrap().len(),
        1,
        "empty rows are not saved"
    );
    assert_eq!(item["item"]["methods"][0]["deadline_period"], "1wd");
    assert_eq!(item["item"]["remarks"], "表单测试");
    assert_eq!(item["item"]["owner_org_name"], "县公安局");

    // The edit page shows the saved values and the submit button.
    let edit = page(&ga, &r.location).await;
    assert_eq!(edit.status, 200);
    assert!(edit.body.contains("已保存为草稿"));
    assert!(
        edit.body
            .contains("value=\"《中华人民共和国户口登记条例》\"")
    );
    assert!(edit.body.contains("提交合法性审查"));
    let list = page(&ga, "/catalogue/items").await;
    assert!(
        list.body
            .contains(&format!("href=\"/catalogue/items/{id}/edit\""))
    );

    // Edit against the version read: saved, version moves on.
    let v = item["version"].as_i64().unwrap();
    let mut f = item_form("学生毕业派遣证明（已改）", issuer);
    f.push(("version", v.to_string()));
    set(&mut f, "lb1_kind", "law");
    set(&mut f, "lb1_law", "《中华人民共和国行政许可法》");
    set(&mut f, "lb1_article", "第三十一条");
    let r = form(&ga, &format!("/catalogue/items/{id}/edit"), &f, true).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let item = ga.json(&format!("/api/v1/catalogue/items/{id}")).await;
    assert_eq!(item["item"]["name"], "学生毕业派遣证明（已改）");
    assert_eq!(
        item["item"]["legal_basis"][1]["law"],
        "《中华人民共和国行政许可法》"
    );
    assert!(item["version"].as_i64().unwrap() > v);

    // R1.3 is shown on the form: without a legal basis the item cannot be retained.
    let v = item["version"].as_i64().unwrap();
    let mut f = item_form("学生毕业派遣证明（已改）", issuer);
    f.push(("version", v.to_string()));
    set(&mut f, "lb0_kind", "");
    set(&mut f, "lb0_law", "");
    set(&mut f, "lb0_article", "");
    let r = form(&ga, &format!("/catalogue/items/{id}/edit"), &f, true).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let edit = page(&ga, &r.location).await;
    assert!(edit.body.contains("发布前须解决的问题"), "{}", edit.body);
    assert!(edit.body.contains("建议直接取消"));

    // Submitting for review from the item's page.
    let r = form(&ga, &format!("/catalogue/items/{id}/submit"), &vec![], true).await;
    assert_eq!(r.status, 303);
    let edit = page(&ga, &format!("/catalogue/items/{id}/edit")).await;
    assert!(edit.body.contains("审查期间不能修改"));
    assert!(
        !edit.body.contains("id=\"save\""),
        "no save button under review"
    );
}

async fn field_errors_come_back_next_to_their_fields_with_the_input(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    let issuer = org_id(&ga, "县教育和体育局").await;
    let before = count(&t).await;
    let mut f = item_form("", issuer);
    set(&mut f, "lb0_kind", "");
    set(&mut f, "m0_deadline_class", "");
    set(&mut f, "remarks", "我写的备注要保留");
    f.push(("issuer_ids", "not-a-number".to_owned()));
    let r = form(&ga, "/catalogue/items/new", &f, true).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("选项无效"), "bad id named: {}", r.body);
    assert_eq!(count(&t).await, before);

    let mut f = item_form("", issuer);
    set(&mut f, "lb0_kind", "");
    set(&mut f, "m0_deadline_class", "");
    set(&mut f, "remarks", "我写的备注要保留");
    let r = form(&ga, "/catalogue/items/new", &f, true).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let body = &r.body;
    assert!(body.contains("id=\"name-err\""), "{body}");
    assert!(body.contains("aria-describedby=\"name-err\""));
    assert!(body.contains("证明名称不能为空"));
    assert!(
        body.contains("id=\"lb0_kind-err\""),
        "the basis row's own error"
    );
    assert!(body.contains("依据类别无效"));
    assert!(body.contains("id=\"m0_deadline_class-err\""));
    assert!(body.contains("部门核验须写明"));
    // Every typed value is still there.
    assert!(body.contains("value=\"《中华人民共和国户口登记条例》\""));
    assert!(body.contains("无需提交，窗口向开具单位核验"));
    assert!(body.contains("我写的备注要保留"));
    assert!(body.contains(&format!("value=\"{issuer}\" checked")));
    assert_eq!(count(&t).await, before, "nothing saved");
}

async fn a_stale_form_is_refused_plainly_and_keeps_the_input(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    let issuer = org_id(&ga, "县教育和体育局").await;
    let r = form(
        &ga,
        "/catalogue/items/new",
        &item_form("并发测试证明", issuer),
        true,
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id = id_from(&r.location);
    let v = ga.json(&format!("/api/v1/catalogue/items/{id}")).await["version"]
        .as_i64()
        .unwrap();
    // A colleague saves first.
    let mut first = item_form("并发测试证明（同事改）", issuer);
    first.push(("version", v.to_string()));
    let r = form(&ga, &format!("/catalogue/items/{id}/edit"), &first, true).await;
    assert_eq!(r.status, 303);
    // The stale form: refused, says so, keeps what was typed.
    let mut stale = item_form("并发测试证明（我的修改）", issuer);
    stale.push(("version", v.to_string()));
    set(&mut stale, "remarks", "我的备注");
    let r = form(&ga, &format!("/catalogue/items/{id}/edit"), &stale, true).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("已被他人修改"), "{}", r.body);
    assert!(r.body.contains("value=\"并发测试证明（我的修改）\""));
    assert!(r.body.contains("我的备注"));
    let item = ga.json(&format!("/api/v1/catalogue/items/{id}")).await;
    assert_eq!(
        item["item"]["name"], "并发测试证明（同事改）",
        "not overwritten"
    );
    // The refused page carries the current version: a deliberate second save goes through.
    let current = item["version"].as_i64().unwrap();
    assert!(
        r.body
            .contains(&format!("name=\"version\" value=\"{current}\""))
    );
    set(&mut stale, "version", &current.to_string());
    let r = form(&ga, &format!("/catalogue/items/{id}/edit"), &stale, true).await;
    assert_eq!(r.status, 303, "{}", r.body);
}

async fn hostile_input_is_refused_or_escaped(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    let sj = t.staff("sj_admin").await;
    let issuer = org_id(&ga, "县教育和体育局").await;
    let before = count(&t).await;

    // 10 KB name: a Chinese error next to the field, nothing written.
    let r = form(
        &ga,
        "/catalogue/items/new",
        &item_form(&"证".repeat(10_240), issuer),
        true,
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("证明名称过长"),
        "{}",
        &r.body[..2000.min(r.body.len())]
    );
    assert_eq!(count(&t).await, before);

    // Missing CSRF token: refused before anything happens.
    let r = form(
        &ga,
        "/catalogue/items/new",
        &item_form("无令牌证明", issuer),
        false,
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("CSRF"));
    assert_eq!(count(&t).await, before);

    // Script tags are stored as text and rendered escaped.
    let evil = "<script>alert('x')</script>证明";
    let mut f = item_form(evil, issuer);
    set(&mut f, "remarks", "<img src=x onerror=alert(1)>");
    let r = form(&ga, "/catalogue/items/new", &f, true).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id = id_from(&r.location);
    for path in [
        format!("/catalogue/items/{id}/edit"),
        "/catalogue/items".to_owned(),
    ] {
        let p = page(&ga, &path).await;
        assert!(!p.body.contains("<script>alert"), "{path} escapes");
        assert!(!p.body.contains("<img src=x"), "{path} escapes");
        assert!(
            p.body.contains("&lt;script&gt;") || p.body.contains("&#60;script&#62;"),
            "{path} shows the text"
        );
    }

    // Another unit's admin may neither open nor save the item.
    let p = page(&sj, &format!("/catalogue/items/{id}/edit")).await;
    assert_eq!(p.status, 403);
    assert!(!p.body.contains("alert("), "nothing of the item leaks");
    let v = ga.json(&format!("/api/v1/catalogue/items/{id}")).await["version"]
        .as_i64()
        .unwrap();
    let mut f = item_form("被他人改名", issuer);
    f.push(("version", v.to_string()));
    let r = form(&sj, &format!("/catalogue/items/{id}/edit"), &f, true).await;
    assert_eq!(r.status, 403);
    let item = ga.json(&format!("/api/v1/catalogue/items/{id}")).await;
    assert_eq!(item["item"]["name"], evil);
    // ...nor create one in the other unit's name (the owner field is ignored for them).
    let mut f = item_form("冒名证明", issuer);
    f.push(("owner_org_id", org_id(&ga, "县公安局").await.to_string()));
    let r = form(&sj, "/catalogue/items/new", &f, true).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let other = sj
        .json(&format!("/api/v1/catalogue/items/{}", id_from(&r.location)))
        .await;
    assert_eq!(other["item"]["owner_org_name"], "县市场监管局");

    // A clerk is refused the form; the anonymous are sent to log in.
    let clerk = t.staff("ga_clerk").await;
    assert_eq!(page(&clerk, "/catalogue/items/new").await.status, 403);
    let anon = t.client();
    let p = page(&anon, "/catalogue/items/new").await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location, "/login?next=%2Fcatalogue%2Fitems%2Fnew");
}

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

fn row<'a>(name: &'a str, issuer: &'a str) -> [&'a str; 10] {
    [
        name,
        "户口迁移登记",
        "370322000000UI00001",
        "《中华人民共和国户口登记条例》第十条",
        issuer,
        "",
        "部门核验",
        "部门核验：无需提交，窗口向开具单位核验（电子档案）",
        "县级",
        "",
    ]
}

fn book(rows: &[[&str; 10]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, r) in rows.iter().enumerate() {
        let n = i as u32 + 1;
        ws.write_number(n, 0, f64::from(n)).unwrap();
        for (c, v) in r.iter().enumerate() {
            ws.write_string(n, c as u16 + 1, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

/// The page's upload: multipart with the token as a `csrf` part.
async fn upload(c: &Client, file: &[u8], mode: &str, csrf: bool) -> Reply {
    let boundary = "----proofless-ui-test";
    let mut body = vec![];
    if csrf {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n",
                c.csrf
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\n{mode}\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"list.xlsx\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let res = c
        .http
        .post(c.url("/catalogue/import"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    reply(res).await
}

async fn good_and_bad_files_through_the_import_page(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    let p = page(&ga, "/catalogue/import").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("enctype=\"multipart/form-data\""));
    assert!(p.body.contains("全部无误才导入"));
    assert!(p.body.contains("下载导入模板"));

    // The template: an empty workbook with the official header row.
    let res = ga
        .http
        .get(ga.url("/catalogue/import/template.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let tpl = res.bytes().await.unwrap();
    assert_eq!(&tpl[..4], b"PK\x03\x04");
    // Read as the import reads it: the header row names the official columns.
    use calamine::Reader;
    let mut tpl_book = calamine::Xlsx::new(std::io::Cursor::new(tpl.to_vec())).unwrap();
    let sheet = tpl_book.sheet_names()[0].clone();
    let header: Vec<String> = tpl_book
        .worksheet_range(&sheet)
        .unwrap()
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(header.iter().any(|h| h == "开具单位"), "{header:?}");

    let before = count(&t).await;
    // A bad file: every bad row and cell listed, nothing written.
    let bad = book(&[
        row("导入页证明甲", "县公安局"),
        row("导入页证明乙", "县某局"),
        [
            "",
            "户口迁移登记",
            "370322000000UI00001",
            "",
            "县公安局",
            "",
            "快递",
            "",
            "省级",
            "",
        ],
    ]);
    let r = upload(&ga, &bad, "all_or_nothing", true).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("未导入任何事项"));
    assert!(r.body.contains("<td>3</td><td>开具单位</td>"), "{}", r.body);
    assert!(r.body.contains("找不到单位“县某局”"));
    assert!(r.body.contains("<td>4</td><td>层级</td>"), "{}", r.body);
    assert!(r.body.contains("快递"));
    assert_eq!(count(&t).await, before, "nothing written");

    // Missing token on the upload: refused.
    let r = upload(&ga, &bad, "good_rows", false).await;
    assert_eq!(r.status, 403);
    assert_eq!(count(&t).await, before);

    // Only the good rows, when asked: created with links, the rest listed as skipped.
    let r = upload(&ga, &bad, "good_rows", true).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("导入 1 个草稿事项"), "{}", r.body);
    assert!(r.body.contains("已跳过"));
    assert!(r.body.contains("<td>3</td><td>开具单位</td>"));
    assert_eq!(count(&t).await, before + 1);

    // A good file.
    let good = book(&[
        row("导入页证明丙", "县公安局"),
        row("导入页证明丁", "县公安局"),
    ]);
    let r = upload(&ga, &good, "all_or_nothing", true).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("导入 2 个草稿事项"));
    assert!(r.body.contains(">导入页证明丙</a>"));
    assert!(r.body.contains("/edit\">导入页证明丁</a>"));
    assert_eq!(count(&t).await, before + 3);

    // Not a workbook, and no file at all.
    let r = upload(&ga, b"this is not a spreadsheet", "all_or_nothing", true).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("不是有效的 Excel"));
    let r = upload(&ga, b"", "all_or_nothing", true).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请选择要上传的 .xlsx 文件"));

    // A clerk may not import.
    let clerk = t.staff("ga_clerk").await;
    let r = upload(&clerk, &good, "all_or_nothing", true).await;
    assert_eq!(r.status, 403);
    assert_eq!(count(&t).await, before + 3);
}

async fn the_joint_office_drafts_for_a_unit_it_chooses(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let joint = t.staff("joint").await;
    let issuer = org_id(&joint, "县教育和体育局").await;
    let police = org_id(&joint, "县公安局").await;
    let blank = page(&joint, "/catalogue/items/new").await;
    assert!(
        blank.body.contains("id=\"owner_org_id\""),
        "the joint office picks the unit"
    );
    let mut f = item_form("联席办代拟证明", issuer);
    f.push(("owner_org_id", police.to_string()));
    let r = form(&joint, "/catalogue/items/new", &f, true).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let item = joint
        .json(&format!("/api/v1/catalogue/items/{}", id_from(&r.location)))
        .await;
    assert_eq!(item["item"]["owner_org_name"], "县公安局");
    // The unit's own admin then sees it and may edit it.
    let ga = t.staff("ga_admin").await;
    let p = page(&ga, &r.location).await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("联席办代拟证明"));
}

both_backends!(
    the_joint_office_drafts_for_a_unit_it_chooses,
    create_edit_and_add_a_row_through_the_form,
    field_errors_come_back_next_to_their_fields_with_the_input,
    a_stale_form_is_refused_plainly_and_keeps_the_input,
    hostile_input_is_refused_or_escaped,
    good_and_bad_files_through_the_import_page,
);
