//! The reproducible random draw of 双随机 checks (P 四): units and inspectors drawn from
//! recorded pools with a recorded seed, so anyone can repeat the draw by hand or in another
//! language.
//!
//! Algorithm `SM3-CTR-FY-1`:
//! 1. The seed is 32 bytes (64 hex digits). Block `i` (i = 0, 1, 2, …) of the random stream
//!    is `SM3(seed ‖ i as 8-byte big-endian)` (GB/T 32905); each block gives four numbers,
//!    its bytes 0–7, 8–15, 16–23, 24–31 read as big-endian unsigned 64-bit integers.
//! 2. A number below `n` is taken by rejection: draw `x` from the stream until
//!    `x < 2^64 − (2^64 mod n)`, then use `x mod n` (no bias).
//! 3. The unit pool is sorted by id ascending; `k` units are the first `k` positions of a
//!    Fisher–Yates shuffle run forwards: for `i` in `0..k`, swap position `i` with position
//!    `i + below(n − i)`.
//! 4. Then for each drawn unit in drawing order, the inspectors: the inspector pool sorted
//!    by id ascending without those of the unit itself (回避), shuffled the same way with the
//!    same stream continuing, the first `m` taken.

use proofless_seal::sm3;

/// The algorithm's name as recorded with each draw.
pub const ALGORITHM: &str = "SM3-CTR-FY-1";

/// The random stream of a seed.
pub struct Stream {
    seed: [u8; 32],
    block: u64,
    buf: [u8; 32],
    pos: usize,
}

impl Stream {
    pub fn new(seed: [u8; 32]) -> Stream {
        Stream {
            seed,
            block: 0,
            buf: [0; 32],
            pos: 32,
        }
    }

    /// The next 64-bit number.
    pub fn next_u64(&mut self) -> u64 {
        if self.pos == 32 {
            let mut input = [0u8; 40];
            input[..32].copy_from_slice(&self.seed);
            input[32..].copy_from_slice(&self.block.to_be_bytes());
            self.buf = sm3(&input);
            self.block += 1;
            self.pos = 0;
        }
        let mut b = [0u8; 8];
        b.copy_from_slice(&self.buf[self.pos..self.pos + 8]);
        self.pos += 8;
        u64::from_be_bytes(b)
    }

    /// A number in `0..n` without bias (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        let n = n.max(1);
        // 2^64 mod n: the numbers at or above 2^64 − rem would favour the small residues.
        let rem = (u64::MAX % n + 1) % n;
        loop {
            let x = self.next_u64();
            if rem == 0 || x <= u64::MAX - rem {
                return x % n;
            }
        }
    }

    /// The first `k` of a forward Fisher–Yates shuffle of `pool` (sorted ascending first).
    pub fn pick(&mut self, pool: &[i64], k: usize) -> Vec<i64> {
        let mut v = pool.to_vec();
        v.sort_unstable();
        v.dedup();
        let k = k.min(v.len());
        for i in 0..k {
            let j = i + self.below((v.len() - i) as u64) as usize;
            v.swap(i, j);
        }
        v.truncate(k);
        v
    }
}

/// Parses a seed of 64 hex digits.
pub fn parse_seed(s: &str) -> Option<[u8; 32]> {
    let s = s.trim();
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

pub fn seed_hex(seed: &[u8; 32]) -> String {
    seed.iter().map(|b| format!("{b:02x}")).collect()
}

/// The drawn units and, for each in drawing order, its inspectors. `inspectors` pairs a
/// staff id with the unit the inspector belongs to.
pub fn draw(
    seed: [u8; 32],
    units: &[i64],
    unit_count: usize,
    inspectors: &[(i64, i64)],
    per_unit: usize,
) -> Vec<(i64, Vec<i64>)> {
    let mut s = Stream::new(seed);
    let drawn = s.pick(units, unit_count);
    drawn
        .into_iter()
        .map(|u| {
            let pool: Vec<i64> = inspectors
                .iter()
                .filter(|(_, org)| *org != u)
                .map(|(id, _)| *id)
                .collect();
            (u, s.pick(&pool, per_unit))
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    // SPEC R10.2, P 四 (双随机): the same seed and pools give the same draw.
    #[test]
    fn same_seed_same_draw() {
        let seed = parse_seed(&"ab".repeat(32)).unwrap();
        let units: Vec<i64> = (1..=40).collect();
        let insp: Vec<(i64, i64)> = (100..130).map(|i| (i, i % 40 + 1)).collect();
        let a = draw(seed, &units, 5, &insp, 2);
        let b = draw(seed, &units, 5, &insp, 2);
        assert_eq!(a, b);
        assert_eq!(a.len(), 5);
        for (u, ins) in &a {
            assert_eq!(ins.len(), 2);
            // 回避: no inspector of the drawn unit itself.
            assert!(ins.iter().all(|i| i % 40 + 1 != *u));
        }
        let other = draw(parse_seed(&"cd".repeat(32)).unwrap(), &units, 5, &insp, 2);
        assert_ne!(a, other);
    }

    // The pool's order does not matter (sorted first); duplicates count once.
    #[test]
    fn pool_order_does_not_matter() {
        let seed = parse_seed(&"01".repeat(32)).unwrap();
        let mut s1 = Stream::new(seed);
        let mut s2 = Stream::new(seed);
        assert_eq!(s1.pick(&[5, 3, 9, 1, 3], 3), s2.pick(&[1, 3, 5, 9], 3));
    }

    // The stream is SM3(seed ‖ counter): the first number is the first 8 bytes of block 0.
    #[test]
    fn stream_is_sm3_counter() {
        let seed = [7u8; 32];
        let mut input = [0u8; 40];
        input[..32].copy_from_slice(&seed);
        let block = sm3(&input);
        let mut s = Stream::new(seed);
        assert_eq!(
            s.next_u64(),
            u64::from_be_bytes(block[..8].try_into().unwrap())
        );
        assert!(parse_seed("xyz").is_none());
        assert_eq!(seed_hex(&seed).len(), 64);
    }

    // below(n) stays below n and covers it.
    #[test]
    fn below_is_in_range() {
        let mut s = Stream::new([3u8; 32]);
        let mut seen = [false; 7];
        for _ in 0..500 {
            let x = s.below(7);
            assert!(x < 7);
            seen[x as usize] = true;
        }
        assert!(seen.iter().all(|b| *b));
    }
}
