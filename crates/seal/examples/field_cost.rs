//! What encrypting a person at rest costs per request (issue #16 item 9), measured in
//! process: a create seals three fields and computes the blind index; a lookup computes
//! the blind index and opens three fields. `cargo run --release -p proofless-seal --example
//! field_cost`; the figures go into bench/RESULTS.md.

use std::time::Instant;

use proofless_seal::{DataKey, MasterKey, SealError, blind_index};

const N: u32 = 200_000;

fn main() -> Result<(), SealError> {
    let master = MasterKey::generate()?;
    let key = DataKey::derived(&master, 1);
    let (rid, name, phone) = ("37032219900101123X", "欧阳明月", "13912345678");
    let t = Instant::now();
    let mut sealed = Vec::new();
    for _ in 0..N {
        let idx = blind_index(&master, rid);
        let r = key.encrypt("persons.resident_id", rid)?;
        let n = key.encrypt("persons.name", name)?;
        let p = key.encrypt("persons.phone", phone)?;
        sealed.push((idx, r, n, p));
    }
    let create = t.elapsed().as_secs_f64() * 1e6 / f64::from(N);
    let t = Instant::now();
    let mut bytes = 0usize;
    for (_, r, n, p) in &sealed {
        let idx = blind_index(&master, rid);
        bytes += idx.len();
        bytes += key.decrypt("persons.resident_id", r)?.len();
        bytes += key.decrypt("persons.name", n)?.len();
        bytes += key.decrypt("persons.phone", p)?.len();
    }
    let lookup = t.elapsed().as_secs_f64() * 1e6 / f64::from(N);
    println!("create: index + 3 seals   {create:.2} µs");
    println!("lookup: index + 3 opens   {lookup:.2} µs  ({bytes} bytes)");
    Ok(())
}
