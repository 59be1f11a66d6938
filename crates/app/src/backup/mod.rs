//! Online backup and checked restore (issue #16 item 4, README "Backup and restore").
//!
//! A backup is a directory with everything needed to run on the data again:
//!
//! - `proofless.db`: a consistent copy of a SQLite database taken while the server runs
//!   (`VACUUM INTO` reads one snapshot; writers go on). PostgreSQL is backed up with
//!   `pg_dump`; the command prints how.
//! - `master-key.json`: the master key, encrypted with SM4-GCM under a key derived from the
//!   operator's passphrase by Argon2id ([`proofless_seal::wrap_master_key`]). Without it the
//!   seal keys in the database cannot be used.
//! - `manifest.json`: what the backup holds: backend, SM3 of the database file, the audit
//!   chain's length and head at the time, the master key's fingerprint.
//!
//! Restore checks before it installs anything: the passphrase opens the key, the file is the
//! one the manifest names, the audit chain verifies from the first row to the head, and the
//! key decrypts the stored seal keys. Only then is the database put in place and the key
//! file written, so a server never starts on a backup that would fail.

mod files;
mod repo;
mod service;

pub use files::{MANIFEST_FILE, MASTER_KEY_FILE, Manifest, SQLITE_FILE, write_key_file};
pub use service::{
    BackupOptions, BackupReport, RestoreOptions, RestoreReport, backup, postgres_guidance, restore,
};
