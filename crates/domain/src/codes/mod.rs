//! Validated identifiers (GB 11643, GB 32100, GB/T 2260, GB/T 36904).
