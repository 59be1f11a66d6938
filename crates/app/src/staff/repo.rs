//! The SQL of staff accounts, their roles and duty posts.

use proofless_domain::role::{Duty, Role};
use proofless_store::{Exec, StoreError, q};
use serde::Deserialize;

use super::input::NewStaff;
use super::posts::DutyPost;

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct StaffRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub active: bool,
    pub version: i64,
}

const SELECT: &str = "SELECT s.id, s.org_id, o.name AS org_name, s.username, s.display_name, s.phone, s.active, \
    s.version FROM staff s JOIN orgs o ON o.id = s.org_id";

pub(crate) async fn insert(
    tx: &mut impl Exec,
    org_id: i64,
    s: &NewStaff,
    password_hash: &str,
    now: i64,
) -> Result<i64, StoreError> {
    tx.scalar_i64(
        q("INSERT INTO staff (org_id, username, display_name, phone, password_hash, created_at, updated_at) \
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")
        .bind(org_id)
        .bind(&s.username)
        .bind(&s.display_name)
        .bind(s.phone.clone())
        .bind(password_hash)
        .bind(now)
        .bind(now),
    )
    .await
}

/// Replaces the staff member's roles with `roles`.
pub(crate) async fn set_roles(
    tx: &mut impl Exec,
    staff_id: i64,
    roles: &[Role],
) -> Result<(), StoreError> {
    tx.execute(q("DELETE FROM staff_roles WHERE staff_id = ?").bind(staff_id))
        .await?;
    for r in roles {
        tx.execute(
            q("INSERT INTO staff_roles (staff_id, role) VALUES (?, ?)")
                .bind(staff_id)
                .bind(r.as_str()),
        )
        .await?;
    }
    Ok(())
}

/// Moves the version on if it is still `version`; 0 rows when someone changed it.
pub(crate) async fn bump_version(
    tx: &mut impl Exec,
    id: i64,
    version: i64,
    now: i64,
) -> Result<u64, StoreError> {
    tx.execute(
        q("UPDATE staff SET version = version + 1, updated_at = ? WHERE id = ? AND version = ?")
            .bind(now)
            .bind(id)
            .bind(version),
    )
    .await
}

pub(crate) async fn set_active(
    tx: &mut impl Exec,
    id: i64,
    active: bool,
    now: i64,
) -> Result<(), StoreError> {
    tx.execute(
        q("UPDATE staff SET active = ?, version = version + 1, updated_at = ? WHERE id = ?")
            .bind(active)
            .bind(now)
            .bind(id),
    )
    .await?;
    Ok(())
}

pub(crate) async fn roles_of(db: &mut impl Exec, id: i64) -> Result<Vec<Role>, StoreError> {
    let rows: Vec<(Role,)> = db
        .fetch_all(q("SELECT role FROM staff_roles WHERE staff_id = ? ORDER BY role").bind(id))
        .await?;
    Ok(rows.into_iter().map(|(r,)| r).collect())
}

pub(crate) async fn get(db: &mut impl Exec, id: i64) -> Result<Option<StaffRow>, StoreError> {
    db.fetch_optional(q(format!("{SELECT} WHERE s.id = ?")).bind(id))
        .await
}

pub(crate) async fn of_org(db: &mut impl Exec, org_id: i64) -> Result<Vec<StaffRow>, StoreError> {
    db.fetch_all(q(format!("{SELECT} WHERE s.org_id = ? ORDER BY s.id")).bind(org_id))
        .await
}

const POSTS: &str = "SELECT p.id, p.org_id, p.duty, p.a_staff_id, a.display_name AS a_name, p.b_staff_id, \
    b.display_name AS b_name, p.a_absent FROM duty_posts p JOIN staff a ON a.id = p.a_staff_id \
    LEFT JOIN staff b ON b.id = p.b_staff_id";

pub(crate) async fn posts_of_org(
    db: &mut impl Exec,
    org_id: i64,
) -> Result<Vec<DutyPost>, StoreError> {
    db.fetch_all(q(format!("{POSTS} WHERE p.org_id = ? ORDER BY p.duty, p.id")).bind(org_id))
        .await
}

pub(crate) async fn post(db: &mut impl Exec, id: i64) -> Result<Option<DutyPost>, StoreError> {
    db.fetch_optional(q(format!("{POSTS} WHERE p.id = ?")).bind(id))
        .await
}

pub(crate) async fn insert_post(
    tx: &mut impl Exec,
    org_id: i64,
    duty: Duty,
    a: i64,
    b: Option<i64>,
    now: i64,
) -> Result<i64, StoreError> {
    tx.scalar_i64(
        q("INSERT INTO duty_posts (org_id, duty, a_staff_id, b_staff_id, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id")
            .bind(org_id)
            .bind(duty.as_str())
            .bind(a)
            .bind(b)
            .bind(now),
    )
    .await
}

pub(crate) async fn delete_post(tx: &mut impl Exec, id: i64) -> Result<(), StoreError> {
    tx.execute(q("DELETE FROM duty_posts WHERE id = ?").bind(id))
        .await?;
    Ok(())
}

pub(crate) async fn set_absent(
    tx: &mut impl Exec,
    id: i64,
    absent: bool,
) -> Result<(), StoreError> {
    tx.execute(
        q("UPDATE duty_posts SET a_absent = ? WHERE id = ?")
            .bind(absent)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// Every org with its region's name, in region order (the registry).
pub(crate) async fn orgs_with_region(
    db: &mut impl Exec,
) -> Result<Vec<(i64, String, String)>, StoreError> {
    db.fetch_all(q(
        "SELECT o.id, o.name, r.name FROM orgs o JOIN regions r ON r.code = o.region_code \
         ORDER BY o.region_code, o.id",
    ))
    .await
}
