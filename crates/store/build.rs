// `sqlx::migrate!` embeds the migration folders at compile time, and on stable Rust cargo
// does not know to rebuild when a migration file is added: without this a merged migration
// is silently missing from the binary until the store crate happens to be rebuilt.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations/sqlite");
    println!("cargo:rerun-if-changed=../../migrations/postgres");
}
