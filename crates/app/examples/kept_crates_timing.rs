//! Timing of the three document writers issue #14 item 8 moved onto kept crates: the list
//! export workbook (`rust_xlsxwriter`), the Atom feed (`atom_syndication`) and the
//! commitment letter PDF (`krilla`, embedded subset font).
//!
//! ```text
//! cargo run --release -p proofless-app --example kept_crates_timing
//! ```
//!
//! No database: the inputs are made here with the shape and text lengths of the demo
//! county's list (73 items), a 10,000-item list, a full feed (50 entries) and a letter with
//! the demo template's texts. Each figure is the mean of several runs after one warm-up.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use proofless_app::catalogue::feeds::{self, FeedEntry};
use proofless_app::catalogue::xlsx;
use proofless_app::commitment::letter_pdf;
use proofless_domain::catalogue::{BasisSnapshot, ItemSnapshot, MethodSnapshot, ServiceItemRef};

const METHODS: [&str; 4] = [
    "direct_cancel",
    "data_sharing",
    "commitment",
    "verification",
];

fn item(i: usize) -> ItemSnapshot {
    let n = i as i64;
    ItemSnapshot {
        id: n,
        name: format!("居民家庭经济状况证明（第{i}项）"),
        level: ["county", "town", "village"][i % 3].to_owned(),
        region_code: "370322000000".to_owned(),
        region_name: "高青县".to_owned(),
        disposition: "retain".to_owned(),
        owner_org_id: 1,
        owner_org_name: "县民政局".to_owned(),
        service_items: (0..1 + i % 3)
            .map(|k| ServiceItemRef {
                id: k as i64,
                name: format!("最低生活保障对象认定（{k}）"),
                code: format!("11370322MB28{i:05}{k}"),
                kind: "administrative_confirmation".to_owned(),
                org_name: "县民政局".to_owned(),
            })
            .collect(),
        legal_basis: vec![BasisSnapshot {
            kind: "regulation".to_owned(),
            law: "《社会救助暂行办法》".to_owned(),
            article: "第十一条".to_owned(),
            text: "申请最低生活保障，按照下列程序办理：共同生活的家庭成员向户籍所在地的乡镇人民政府、街道办事处提出书面申请，并如实申报家庭收入状况、财产状况。".to_owned(),
        }],
        issuer_ids: vec![2],
        issuers: vec!["村（居）民委员会".to_owned()],
        requester_ids: vec![1, 3],
        requesters: vec!["县民政局".to_owned(), "各镇人民政府（街道办事处）".to_owned()],
        methods: (0..1 + i % 2)
            .map(|k| MethodSnapshot {
                method: METHODS[(i + k) % METHODS.len()].to_owned(),
                citizen_text: "无需提交，由受理部门通过省大数据平台核验家庭经济状况。".to_owned(),
                guide: "高青县政务服务中心一楼综合受理窗口".to_owned(),
                deadline_class: None,
                deadline_period: None,
            })
            .collect(),
        remarks: if i.is_multiple_of(5) {
            "=仅限本县户籍居民".to_owned()
        } else {
            String::new()
        },
        ..ItemSnapshot::default()
    }
}

fn entry(i: i64) -> FeedEntry {
    let version = serde_json::from_value(serde_json::json!({
        "id": 100 + i, "list_id": 1, "title": "高青县证明事项免提交清单", "level": "county",
        "region_code": "370322000000", "number": i, "stage": "published", "item_count": 73,
        "note": "", "prepared_by": "县司法局", "prepared_at": 1_767_225_600_000i64 + i * 86_400_000,
        "approval_doc_no": format!("高政字〔2026〕{i}号"), "approver_name": "县政府",
        "approved_at": 1_767_225_600_000i64 + i * 86_400_000, "effective_date": "2026-03-01",
        "published_by": "县司法局", "published_at": 1_767_225_600_000i64 + i * 86_400_000,
    }))
    .unwrap();
    let mut summary = vec![format!("新增 {} 项，变更 {} 项，取消 {} 项。", 3, 5, 1)];
    for k in 0..9 {
        summary.push(format!(
            "变更：居民家庭经济状况证明（第{k}项）（替代取消方式、办理指引）"
        ));
    }
    FeedEntry {
        version,
        previous_id: Some(99 + i),
        title: format!("高青县证明事项免提交清单 第{i}版"),
        summary: summary.join("\n"),
        added: 3,
        changed: 5,
        cancelled: 1,
    }
}

fn letter() -> String {
    serde_json::json!({
        "kind": "commitment_letter", "title": "证明事项告知承诺书", "commitment_id": 1, "case_id": 1,
        "proof_item": "居民家庭经济状况证明",
        "template": {
            "id": 1, "number": 1,
            "obligation": "申请人应当提供“居民家庭经济状况证明”，证明其符合办理条件。",
            "content": "本人承诺：所填报的情况真实、准确、完整，已经符合告知的条件、标准和要求。",
            "checks": "行政机关可以通过数据比对、现场核查、书面核查等方式对承诺内容进行核查。",
            "cooperation": "申请人应当配合核查，如实提供有关材料和情况。",
            "liability": "承诺不实的，行政机关将终止办理、责令限期整改或者撤销已作出的决定，依法予以处罚，并将虚假承诺情况纳入信用记录，列入虚假承诺黑名单。",
        },
        "applicant": {"name": "张三", "resident_id": "370322199001011238"},
        "entity": null,
        "facts": "本人家庭共同生活成员三人，2025 年家庭人均月收入低于本县最低生活保障标准。",
        "declaration": "本人（单位）已知晓告知的全部内容，承诺所填写的内容真实、准确，已经符合告知的条件、标准和要求，愿意承担不实承诺的法律责任。",
        "post_check": {"plan": "受理后 5 个工作日内按 10% 比例抽查核实", "rule_number": 1, "standard": "数据比对"},
        "receiving_unit": "高青县民政局", "channel": "portal",
        "signature": "申请人通过政务服务门户实名登录后在线签署",
        "signed_at": "2026-03-12T09:30:00Z",
    })
    .to_string()
}

/// Mean milliseconds of `f` over `runs` runs after one warm-up, and the output's size.
fn time<T>(runs: u32, mut f: impl FnMut() -> T, size: impl Fn(&T) -> usize) -> (f64, usize) {
    let warm = f();
    let bytes = size(&warm);
    let start = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(f());
    }
    (
        start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs),
        bytes,
    )
}

fn workbook(title: &str, items: &[ItemSnapshot]) -> Vec<u8> {
    xlsx::workbook(title, items).unwrap()
}

fn main() {
    let county: Vec<ItemSnapshot> = (0..73).map(item).collect();
    let big: Vec<ItemSnapshot> = (0..10_000).map(item).collect();
    let entries: Vec<FeedEntry> = (1..=feeds::FEED_ENTRIES as i64).rev().map(entry).collect();
    let letter = letter();
    let sm3 = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0";

    let rows = [
        (
            "workbook, 73 items",
            time(
                50,
                || workbook("高青县证明事项免提交清单第3版", &county),
                Vec::len,
            ),
        ),
        (
            "workbook, 10,000 items",
            time(
                3,
                || workbook("高青县证明事项免提交清单第3版", &big),
                Vec::len,
            ),
        ),
        (
            "Atom feed, 50 entries",
            time(
                200,
                || feeds::atom("https://wzm.gaoqing.gov.cn", &entries).unwrap(),
                String::len,
            ),
        ),
        (
            "letter PDF",
            time(
                50,
                || letter_pdf::render(&letter, "9f3c2a7e5b1d4c08", sm3, "高青县民政局").unwrap(),
                Vec::len,
            ),
        ),
    ];
    println!("| document | ms (mean) | bytes |");
    println!("|---|---|---|");
    for (name, (ms, bytes)) in rows {
        println!("| {name} | {ms:.2} | {bytes} |");
    }
}
