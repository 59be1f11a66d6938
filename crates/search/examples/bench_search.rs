//! In-process latency of the catalogue search on 100,000 synthetic proof items.
//!
//! Run: `cargo run --release -p proofless-search --example bench_search [docs] [queries]`
//!
//! Names combine real fragments of county proof catalogues (户籍, 无犯罪记录, 社保缴纳,
//! 亲属关系, …) with qualifiers, regions and suffixes, so that popular words such as 证明
//! match nearly every item, as in a real catalogue. The query mix holds one-character,
//! two-character, fragment, phrase, pinyin, initials, filtered, empty, paged and hostile
//! queries. Reported: build time, update costs, and p50/p90/p99/max latency single-threaded
//! and with 64 threads (std::thread) sharing one index.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use proofless_search::{Filters, Index, Query, SearchDoc};

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const SUBJECTS: &[&str] = &[
    "户籍",
    "无犯罪记录",
    "社保缴纳",
    "亲属关系",
    "居住",
    "收入",
    "婚姻状况",
    "死亡",
    "出生",
    "独生子女",
    "低保",
    "残疾",
    "学历",
    "工作经历",
    "房产",
    "土地承包",
    "宅基地",
    "计划生育",
    "纳税",
    "医保参保",
    "养老保险",
    "失业登记",
    "退役军人",
    "特困供养",
    "农业户口",
    "健康状况",
    "疫苗接种",
    "营业执照",
    "不动产登记",
    "车辆登记",
    "公积金缴存",
    "住房困难",
    "抚养关系",
    "监护关系",
    "赡养关系",
    "在读",
    "就业",
    "经营场所",
    "无违法记录",
    "无欠税",
    "个人信用",
    "火化",
    "现役军人",
    "烈士遗属",
    "老党员",
    "门牌号码",
    "村民身份",
    "种植面积",
    "养殖规模",
    "受灾情况",
];
const QUALIFIERS: &[&str] = &[
    "",
    "",
    "",
    "个人",
    "家庭",
    "本人",
    "子女",
    "父母",
    "配偶",
    "直系亲属",
    "企业",
    "村（居）民",
    "困难群众",
    "外出务工人员",
];
const SUFFIXES: &[&str] = &[
    "证明",
    "证明",
    "证明",
    "情况证明",
    "证明材料",
    "证明书",
    "说明",
    "登记证明",
    "核实证明",
    "证明（复印件）",
    "确认书",
];
const REGIONS: &[(&str, &str)] = &[
    ("", "370322000000"),
    ("高青县", "370322000000"),
    ("田镇街道", "370322001000"),
    ("芦湖街道", "370322002000"),
    ("青城镇", "370322101000"),
    ("高城镇", "370322102000"),
    ("黑里寨镇", "370322103000"),
    ("唐坊镇", "370322104000"),
    ("常家镇", "370322105000"),
    ("花沟镇", "370322106000"),
    ("木李镇", "370322108000"),
];
const SERVICE_SUBJECTS: &[&str] = &[
    "户口迁移",
    "最低生活保障",
    "养老保险待遇",
    "不动产",
    "医疗救助",
    "营业执照",
    "公租房",
    "残疾人两项补贴",
    "义务教育入学",
    "就业创业补贴",
    "临时救助",
    "高龄津贴",
    "殡葬补贴",
    "结婚登记",
    "出生医学证明",
    "居住证",
    "机动车",
    "建设工程规划许可",
    "取水许可",
    "食品经营许可",
    "城乡居民医保",
    "失业保险金",
    "住房公积金提取",
    "法律援助",
    "退役士兵安置",
];
const SERVICE_ACTIONS: &[&str] = &[
    "申请", "办理", "登记", "审批", "变更", "注销", "申领", "认定", "备案", "核发",
];
const METHODS: &[&str] = &[
    "data_sharing",
    "commitment",
    "verification",
    "cancelled",
    "other_evidence",
];

fn synthetic_docs(n: usize) -> Vec<SearchDoc> {
    let mut rng = Rng(0x5EED_CAFE);
    (1..=n as i64)
        .map(|id| {
            let (region_name, region_code) = *rng.pick(REGIONS);
            let mut name = String::new();
            if rng.chance(30) {
                name.push_str(region_name);
            }
            name.push_str(*rng.pick(QUALIFIERS));
            name.push_str(*rng.pick(SUBJECTS));
            if rng.chance(15) {
                name.push_str(if rng.chance(50) { "及" } else { "和" });
                name.push_str(*rng.pick(SUBJECTS));
            }
            name.push_str(*rng.pick(SUFFIXES));
            let (level, region_code) = if region_code.ends_with("000000") && rng.chance(80) {
                ("county", region_code.to_string())
            } else if rng.chance(70) {
                ("town", region_code.to_string())
            } else {
                (
                    "village",
                    format!("{}{:03}", &region_code[..9], 1 + rng.below(399)),
                )
            };
            let services = 1 + rng.below(3);
            let service_item_names: Vec<String> = (0..services)
                .map(|_| {
                    format!(
                        "{}{}",
                        rng.pick(SERVICE_SUBJECTS),
                        rng.pick(SERVICE_ACTIONS)
                    )
                })
                .collect();
            let service_item_codes = (0..services)
                .map(|_| format!("11370322MB2850{:07}", rng.below(2000)))
                .collect();
            SearchDoc {
                id,
                name,
                service_item_names,
                service_item_codes,
                level: level.to_string(),
                region_code,
                issuer_ids: vec![1 + rng.below(300) as i64],
                methods: vec![rng.pick(METHODS).to_string()],
                aliases: vec![],
            }
        })
        .collect()
}

fn query_mix() -> Vec<(&'static str, Query)> {
    let county = || Filters {
        region_code: Some("370322000000".into()),
        include_subregions: true,
        ..Filters::default()
    };
    let town = || Filters {
        level: Some("town".into()),
        ..Filters::default()
    };
    let issuer = || Filters {
        issuer_id: Some(42),
        ..Filters::default()
    };
    let method = || Filters {
        method: Some("data_sharing".into()),
        ..Filters::default()
    };
    let long: String = "户籍证明".repeat(2_600); // ≈ 31 KB of UTF-8, ten thousand characters
    let mut mix: Vec<(&'static str, Query)> = Vec::new();
    for t in ["户", "证", "保", "房"] {
        mix.push(("1 char", Query::new(t)));
    }
    for t in ["户籍", "社保", "证明", "收入", "婚姻", "居住", "低保"] {
        mix.push(("2 chars", Query::new(t)));
    }
    for t in ["籍证", "罪记", "保缴", "关系证"] {
        mix.push(("fragment", Query::new(t)));
    }
    for t in [
        "无犯罪记录证明",
        "户籍证明",
        "社保缴纳证明",
        "亲属关系证明",
        "婚姻状况证明",
        "高青县居住证明",
        "家庭收入情况证明",
    ] {
        mix.push(("phrase", Query::new(t)));
    }
    for t in ["户口迁移", "养老保险待遇申领", "公租房"] {
        mix.push(("service", Query::new(t)));
    }
    for t in [
        "hujizhengming",
        "huji",
        "shebao",
        "zhengming",
        "hunyinzhuangkuang",
        "wufanzui",
        "h",
        "zh",
    ] {
        mix.push(("pinyin", Query::new(t)));
    }
    for t in ["hjzm", "sbjn", "wfzjl", "zm", "qsgx"] {
        mix.push(("initials", Query::new(t)));
    }
    mix.push(("filtered", Query::new("户籍").with_filters(town())));
    mix.push(("filtered", Query::new("证明").with_filters(county())));
    mix.push(("filtered", Query::new("shebao").with_filters(issuer())));
    mix.push(("filtered", Query::new("").with_filters(method())));
    mix.push((
        "filtered",
        Query::new("hjzm").with_filters(Filters {
            level: Some("village".into()),
            ..county()
        }),
    ));
    mix.push(("empty", Query::new("")));
    mix.push(("paged", Query::new("证明").page(20, 2_000)));
    mix.push(("paged", Query::new("zm").page(50, 500)));
    mix.push(("hostile", Query::new(long)));
    mix.push(("hostile", Query::new("'; DROP TABLE proof_items; --")));
    mix.push(("hostile", Query::new("户籍😀ＺＨＥＮＧ明")));
    mix
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn report(label: &str, mut latencies: Vec<Duration>, wall: Duration) {
    latencies.sort_unstable();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "{label:<34} n={:>7}  p50={:>8.1}µs  p90={:>8.1}µs  p99={:>8.1}µs  max={:>9.1}µs  {:>8.0} q/s",
        latencies.len(),
        us(percentile(&latencies, 50.0)),
        us(percentile(&latencies, 90.0)),
        us(percentile(&latencies, 99.0)),
        us(*latencies.last().unwrap_or(&Duration::ZERO)),
        latencies.len() as f64 / wall.as_secs_f64(),
    );
}

fn run_queries(
    index: &Index,
    mix: &[(&'static str, Query)],
    count: usize,
    seed: u64,
) -> Vec<Duration> {
    let mut rng = Rng(seed | 1);
    (0..count)
        .map(|_| {
            let (_, q) = rng.pick(mix);
            let start = Instant::now();
            let result = index.search(q);
            let elapsed = start.elapsed();
            std::hint::black_box(result);
            elapsed
        })
        .collect()
}

/// `clients` threads each send `per_client` queries to `workers` worker threads and wait for
/// the answer; returns each query's time from sending to answer.
fn pooled_clients(
    index: &Arc<Index>,
    mix: &[(&'static str, Query)],
    clients: usize,
    per_client: usize,
    workers: usize,
) -> Vec<Duration> {
    use std::sync::mpsc;
    type Job = (usize, mpsc::Sender<()>);
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = std::sync::Mutex::new(queue);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let queue = &queue;
            let index = index.clone();
            scope.spawn(move || {
                loop {
                    let job = queue.lock().unwrap().recv();
                    let Ok((q, reply)) = job else { break };
                    std::hint::black_box(index.search(&mix[q].1));
                    let _ = reply.send(());
                }
            });
        }
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let jobs = jobs.clone();
                scope.spawn(move || {
                    let mut rng = Rng(7000 + c as u64);
                    let (reply, answers) = mpsc::channel();
                    (0..per_client)
                        .map(|_| {
                            let q = rng.below(mix.len());
                            let s = Instant::now();
                            jobs.send((q, reply.clone())).unwrap();
                            answers.recv().unwrap();
                            s.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        drop(jobs);
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let queries: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50_000);
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    println!("proofless-search bench: {n} documents, {cores} cores");

    let docs = synthetic_docs(n);
    let distinct: std::collections::HashSet<&str> = docs.iter().map(|d| d.name.as_str()).collect();
    println!(
        "sample names: {}",
        docs.iter()
            .take(6)
            .map(|d| d.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    );
    println!("distinct names: {}", distinct.len());

    let start = Instant::now();
    let index = Arc::new(Index::build(docs.clone()));
    println!("build: {:.0} ms", start.elapsed().as_secs_f64() * 1e3);

    let mix = query_mix();
    println!("\nper query kind (single thread, 200 runs each, median):");
    let mut kinds: Vec<&str> = mix.iter().map(|(k, _)| *k).collect();
    kinds.dedup();
    for (kind, q) in &mix {
        let mut times: Vec<Duration> = (0..200)
            .map(|_| {
                let s = Instant::now();
                std::hint::black_box(index.search(q));
                s.elapsed()
            })
            .collect();
        times.sort_unstable();
        let shown: String = q.text.chars().take(12).collect();
        let filtered = if q.filters == Filters::default() {
            ""
        } else {
            " +filters"
        };
        println!(
            "  {kind:<9} {:<16} total={:>6}  median={:>7.1}µs{filtered}",
            format!("{shown:?}"),
            index.search(q).total,
            percentile(&times, 50.0).as_secs_f64() * 1e6
        );
    }

    println!("\nlatency over the mix:");
    let start = Instant::now();
    let single = run_queries(&index, &mix, queries, 7);
    report("1 thread", single, start.elapsed());

    let threads = 64;
    let per_thread = (queries / threads).max(100);
    let start = Instant::now();
    let all: Vec<Duration> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let index = index.clone();
                let mix = &mix;
                scope.spawn(move || run_queries(&index, mix, per_thread, 1000 + t as u64))
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    report(
        "64 threads calling search (oversubscribed)",
        all,
        start.elapsed(),
    );

    // 64 clients served by a pool of one worker per core, as the web server's runtime does:
    // latency includes the wait in the queue, nobody is preempted mid-query.
    let start = Instant::now();
    let pooled = pooled_clients(&index, &mix, threads, per_thread, cores);
    report(
        &format!("64 clients → {cores} workers (queue incl.)"),
        pooled,
        start.elapsed(),
    );

    // Same, clients pausing 1–3 ms between queries (people type and read).
    let start = Instant::now();
    let paced: Vec<Duration> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let index = index.clone();
                let mix = &mix;
                scope.spawn(move || {
                    let mut rng = Rng(5000 + t as u64);
                    (0..per_thread / 2)
                        .map(|_| {
                            std::thread::sleep(Duration::from_micros(
                                1000 + rng.below(2000) as u64,
                            ));
                            let (_, q) = rng.pick(mix);
                            let s = Instant::now();
                            std::hint::black_box(index.search(q));
                            s.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    report("64 threads, 1–3 ms think time", paced, start.elapsed());

    println!("\nupdates on {n} documents:");
    let mut next_id = n as i64 + 1;
    let timed = |label: &str, f: &mut dyn FnMut()| {
        let runs = 20;
        let start = Instant::now();
        for _ in 0..runs {
            f();
        }
        println!(
            "  {label:<44} {:>8.2} ms each",
            start.elapsed().as_secs_f64() * 1e3 / runs as f64
        );
    };
    timed("upsert new item (next id)", &mut || {
        let mut d = docs[next_id as usize % n].clone();
        d.id = next_id;
        next_id += 1;
        index.upsert(d);
    });
    let mut k = 0usize;
    timed("replace existing item (new name)", &mut || {
        let mut d = docs[k * 997 % n].clone();
        d.name = format!("{}及收入证明", d.name);
        k += 1;
        index.upsert(d);
    });
    timed("remove item", &mut || {
        k += 1;
        index.remove((k * 7919 % n) as i64 + 1);
    });
    let start = Instant::now();
    index.apply((0..1000).map(|i| {
        let mut d = docs[i * 31 % n].clone();
        d.id = next_id + i as i64;
        proofless_search::Change::Upsert(d)
    }));
    println!(
        "  {:<44} {:>8.2} ms",
        "batch of 1,000 new items",
        start.elapsed().as_secs_f64() * 1e3
    );
    let start = Instant::now();
    index.remove(5);
    index.upsert(docs[4].clone());
    println!(
        "  {:<44} {:>8.2} ms",
        "re-publish an old id (out of id order)",
        start.elapsed().as_secs_f64() * 1e3
    );
    let start = Instant::now();
    index.rebuild(docs.clone());
    println!(
        "  {:<44} {:>8.2} ms",
        "full rebuild (compaction)",
        start.elapsed().as_secs_f64() * 1e3
    );

    // Queries while a writer applies one change every 10 ms.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let start = Instant::now();
    let during: Vec<Duration> = std::thread::scope(|scope| {
        let writer_index = index.clone();
        let stop = &stop;
        let docs = &docs;
        scope.spawn(move || {
            let mut i = 0usize;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let mut d = docs[i * 13 % n].clone();
                d.name.push_str("材料");
                writer_index.upsert(d);
                i += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let index = index.clone();
                let mix = &mix;
                scope.spawn(move || run_queries(&index, mix, per_thread / 2, 9000 + t as u64))
            })
            .collect();
        let all = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        all
    });
    report("64 threads + a change every 10 ms", during, start.elapsed());
}
