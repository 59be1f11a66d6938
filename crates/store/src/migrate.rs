//! Paired migrations: `migrations/sqlite` and `migrations/postgres` carry the same versions.

use sqlx::migrate::Migrator;

pub static MIGRATIONS_SQLITE: Migrator = sqlx::migrate!("../../migrations/sqlite");
pub static MIGRATIONS_POSTGRES: Migrator = sqlx::migrate!("../../migrations/postgres");

/// (version, description) of each migration, to check that the two sets stay paired.
pub fn migration_versions(m: &Migrator) -> Vec<(i64, String)> {
    m.iter()
        .map(|m| (m.version, m.description.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_and_postgres_migrations_stay_paired() {
        let s = migration_versions(&MIGRATIONS_SQLITE);
        let p = migration_versions(&MIGRATIONS_POSTGRES);
        assert!(!s.is_empty());
        assert_eq!(s, p, "每个迁移版本都必须同时有 SQLite 和 PostgreSQL 两份");
    }
}
