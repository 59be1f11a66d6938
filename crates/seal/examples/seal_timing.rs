//! Times the SM2 steps of sealing: `cargo run --release -p proofless-seal --example seal_timing`.
#![allow(clippy::unwrap_used)]
use std::time::Instant;

use proofless_seal::{MasterKey, SealKey};

fn main() {
    let n = 300;
    let m = MasterKey::generate().unwrap();
    let t = Instant::now();
    let keys: Vec<SealKey> = (0..n).map(|_| SealKey::generate().unwrap()).collect();
    println!(
        "generate        {:>8.1} µs",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
    let enc: Vec<Vec<u8>> = keys
        .iter()
        .map(|k| k.encrypt_at_rest(&m).unwrap())
        .collect();
    let t = Instant::now();
    for e in &enc {
        SealKey::decrypt_at_rest(e, &m).unwrap();
    }
    println!(
        "decrypt_at_rest {:>8.1} µs",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
    let msg = vec![b'x'; 1500];
    let t = Instant::now();
    for k in &keys {
        k.sign(&msg).unwrap();
    }
    println!(
        "sign            {:>8.1} µs",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
}
