//! The audit log's SM3 hash chain.

/// `prev_hash` of the first row: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// `SM3(prev_hash_hex || row_bytes)` as lowercase hex.
///
/// `prev_hash_hex` enters the hash as its ASCII hex characters (64 bytes), not decoded,
/// so the function is total and a row's hash depends on the exact stored text of the
/// previous hash. The first row uses [`GENESIS_HASH`].
pub fn chain_hash(prev_hash_hex: &str, row_bytes: &[u8]) -> String {
    let mut buf = Vec::with_capacity(prev_hash_hex.len() + row_bytes.len());
    buf.extend_from_slice(prev_hash_hex.as_bytes());
    buf.extend_from_slice(row_bytes);
    crate::sm3_hex(&buf)
}

/// One link of the chain: the previous hash and this row's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLink {
    pub prev_hash: String,
    pub hash: String,
}

impl ChainLink {
    /// The link for `row_bytes` appended after `prev_hash`.
    pub fn new(prev_hash: &str, row_bytes: &[u8]) -> Self {
        Self {
            prev_hash: prev_hash.to_owned(),
            hash: chain_hash(prev_hash, row_bytes),
        }
    }

    /// The first link of a chain.
    pub fn genesis(row_bytes: &[u8]) -> Self {
        Self::new(GENESIS_HASH, row_bytes)
    }

    /// The link for the next row, chained to this one.
    pub fn next(&self, row_bytes: &[u8]) -> Self {
        Self::new(&self.hash, row_bytes)
    }

    /// Whether `row_bytes` still hash to this link (detects an edited row).
    pub fn verify(&self, row_bytes: &[u8]) -> bool {
        chain_hash(&self.prev_hash, row_bytes) == self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_is_sm3_of_prev_and_row() {
        let h = chain_hash(GENESIS_HASH, b"row1");
        let mut expect = GENESIS_HASH.as_bytes().to_vec();
        expect.extend_from_slice(b"row1");
        assert_eq!(h, crate::sm3_hex(&expect));
        assert_eq!(h.len(), 64);
    }

    #[test]
    fn links_detect_edits_and_reordering() {
        let a = ChainLink::genesis(b"a");
        let b = a.next(b"b");
        let c = b.next(b"c");
        assert_eq!(b.prev_hash, a.hash);
        assert!(a.verify(b"a") && b.verify(b"b") && c.verify(b"c"));
        assert!(!b.verify(b"B"));
        // Removing row b: c no longer chains to a.
        assert_ne!(ChainLink::new(&a.hash, b"c").hash, c.hash);
    }
}
