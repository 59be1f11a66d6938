//! Measures deadline computations per second on one core.
//!
//! `cargo run --release -p proofless-domain --example bench_deadline [iterations]`
//!
//! A mix of 30m / 1wd / 2wd / 5wd records with receipts spread over 2026 (every hour of the
//! day, weekends and holidays included), a third of them with a closed suspension.

use std::hint::black_box;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use proofless_domain::calendar::{Calendar, OfficeHours};
use proofless_domain::deadline::{DeadlineRecord, Period, Suspension, compute};

fn main() {
    let iterations: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5_000_000);
    let calendar = Calendar::official();
    let hours = OfficeHours::standard();
    let periods = [
        Period::Minutes(30),
        Period::WorkingDays(1),
        Period::WorkingDays(2),
        Period::WorkingDays(5),
    ];
    // 2026-01-01T00:00+08:00
    let Some(base) = DateTime::<Utc>::from_timestamp(1_767_196_800, 0) else {
        eprintln!("bad base instant");
        return;
    };
    let records: Vec<DeadlineRecord> = (0..4_096u32)
        .map(|i| {
            // Spread receipts over the year at odd minutes (2 h 7 min apart, all within 2026).
            let start = base + Duration::minutes(i64::from(i) * 127);
            let mut r = DeadlineRecord::new(start, periods[i as usize % periods.len()]);
            if i % 3 == 0 {
                r.suspensions.push(Suspension {
                    reason: "等待核验".into(),
                    start: start + Duration::minutes(20),
                    end: Some(start + Duration::minutes(200)),
                });
            }
            r
        })
        .collect();

    // Warm up.
    let mut checksum = 0i64;
    for r in &records {
        checksum += compute(&calendar, &hours, r)
            .due
            .map_or(0, |d| d.timestamp());
    }

    let t = Instant::now();
    let mut incomplete = 0usize;
    for i in 0..iterations {
        let r = &records[i % records.len()];
        let c = compute(black_box(&calendar), black_box(&hours), black_box(r));
        checksum = checksum.wrapping_add(c.due.map_or(0, |d| d.timestamp()));
        incomplete += usize::from(!c.calendar_complete);
    }
    let secs = t.elapsed().as_secs_f64();
    let per_sec = iterations as f64 / secs;
    println!(
        "{iterations} deadline computations (30m/1wd/2wd/5wd, 1 in 3 suspended) in {secs:.3} s: \
         {per_sec:.0} per second on one core ({:.0} ns each); calendar {}; checksum {checksum}, \
         incomplete {incomplete}",
        secs * 1e9 / iterations as f64,
        calendar.version()
    );
}
