//! The applicants' SQL: persons, entities, representatives.

use proofless_domain::codes::ResidentId;
use proofless_store::{Exec, StoreError, q};

use super::entities::Entity;
use super::input::{NewEntity, NewRepresentative};
use super::persons::PersonRow;

/// The id and registered name of the person with this resident ID.
pub(crate) async fn person_by_resident_id(
    db: &mut impl Exec,
    rid: &ResidentId,
) -> Result<Option<(i64, String)>, StoreError> {
    db.fetch_optional(q("SELECT id, name FROM persons WHERE resident_id = ?").bind(rid.as_str()))
        .await
}

pub(crate) async fn insert_person(
    tx: &mut impl Exec,
    rid: &ResidentId,
    name: &str,
    phone: Option<&str>,
    now: i64,
) -> Result<i64, StoreError> {
    tx.scalar_i64(
        q("INSERT INTO persons (resident_id, name, phone, created_at) VALUES (?, ?, ?, ?) RETURNING id")
            .bind(rid.as_str())
            .bind(name)
            .bind(phone)
            .bind(now),
    )
    .await
}

pub(crate) async fn person(db: &mut impl Exec, id: i64) -> Result<Option<PersonRow>, StoreError> {
    db.fetch_optional(q("SELECT id, resident_id, name, phone FROM persons WHERE id = ?").bind(id))
        .await
}

pub(crate) async fn insert_entity(
    tx: &mut impl Exec,
    e: &NewEntity,
    now: i64,
) -> Result<i64, StoreError> {
    tx.scalar_i64(
        q("INSERT INTO entities (credit_code, name, created_at) VALUES (?, ?, ?) RETURNING id")
            .bind(e.credit_code.as_str())
            .bind(&e.name)
            .bind(now),
    )
    .await
}

pub(crate) async fn entity(db: &mut impl Exec, id: i64) -> Result<Option<Entity>, StoreError> {
    db.fetch_optional(q("SELECT id, credit_code, name FROM entities WHERE id = ?").bind(id))
        .await
}

pub(crate) async fn insert_representative(
    tx: &mut impl Exec,
    entity_id: i64,
    r: &NewRepresentative,
) -> Result<(), StoreError> {
    tx.execute(
        q("INSERT INTO entity_representatives (entity_id, person_id, capacity) VALUES (?, ?, ?)")
            .bind(entity_id)
            .bind(r.person_id)
            .bind(&r.capacity),
    )
    .await?;
    Ok(())
}

/// Entities the person represents.
pub(crate) async fn entities_of(
    db: &mut impl Exec,
    person_id: i64,
) -> Result<Vec<Entity>, StoreError> {
    db.fetch_all(
        q("SELECT e.id, e.credit_code, e.name FROM entities e JOIN entity_representatives r ON r.entity_id = e.id \
           WHERE r.person_id = ? ORDER BY e.id")
        .bind(person_id),
    )
    .await
}

/// Whether the person is on record as a representative of the entity (a company commits and
/// reads its credit record through its representatives).
pub(crate) async fn represents(
    db: &mut impl Exec,
    entity_id: i64,
    person_id: i64,
) -> Result<bool, StoreError> {
    let row: Option<(i64,)> = db
        .fetch_optional(
            q("SELECT entity_id FROM entity_representatives WHERE entity_id = ? AND person_id = ?")
                .bind(entity_id)
                .bind(person_id),
        )
        .await?;
    Ok(row.is_some())
}
