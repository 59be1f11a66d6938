//! Data key rotation and the start-up check of personal data at rest (issue #16 item 9).
//!
//! Rotating adds a data key version; from then on new rows are written under it, and a
//! sweep of the jobs runner (`applicants.reencrypt`, registered in `workflows`) re-encrypts
//! the older rows in batches of [`BATCH`], each batch its own short transaction, for at
//! most [`SWEEP_BUDGET`] per pass, so requests keep being served between batches. The work
//! left is the rows whose `key_version` is below the active one, so a restart (or another
//! instance) resumes where it stopped. Lookups never wait: the blind index does not depend
//! on the data key.

use proofless_domain::codes::ResidentId;
use proofless_domain::role::Role;
use proofless_seal::{DataKey, blind_index};
use proofless_store::Tx;
use serde::Serialize;
use std::time::{Duration, Instant};

use super::at_rest::{self, Field, Sealed};
use super::columns;
use super::repo::{self, StoredPerson};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

/// The name of the runner's sweep that re-encrypts persons under the active data key.
pub const SWEEP_REENCRYPT: &str = "applicants.reencrypt";

/// How long one pass of the runner spends re-encrypting before it lets the rest of the
/// pass (escalations, jobs) run; the next pass continues.
pub const SWEEP_BUDGET: Duration = Duration::from_secs(2);

/// Rows re-encrypted per transaction: short enough that the writer is held for a few
/// milliseconds, large enough that a county's persons take seconds.
pub const BATCH: i64 = 200;

/// How many persons one data key version holds.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KeyVersionCount {
    pub version: i64,
    pub persons: i64,
}

/// The data keys and how many persons each holds.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AtRestStatus {
    /// The version new rows are encrypted under.
    pub active_version: u32,
    /// How many persons each key version holds; version 0 means not yet encrypted.
    pub persons_per_version: Vec<KeyVersionCount>,
    /// Persons still under an older version (the background job's remaining work).
    pub pending: i64,
    /// Other rows holding personal data (verification subjects, ledger entries, commitment
    /// letters, sealed documents, proxy agents' scans) still under an older version.
    pub copies_pending: i64,
}

pub async fn status(app: &App, actor: &Actor) -> AppResult<AtRestStatus> {
    actor.require_any(&[Role::SystemAdmin])?;
    status_of(app).await
}

async fn status_of(app: &App) -> AppResult<AtRestStatus> {
    let active = app.pii.active(app).await?.version();
    let per = repo::persons_per_version(&mut app.db.reader()).await?;
    let pending = per
        .iter()
        .filter(|(v, _)| *v < i64::from(active))
        .map(|(_, n)| n)
        .sum();
    let copies_pending = columns::copies_pending(app, active).await?;
    Ok(AtRestStatus {
        copies_pending,
        active_version: active,
        persons_per_version: per
            .into_iter()
            .map(|(version, persons)| KeyVersionCount { version, persons })
            .collect(),
        pending,
    })
}

/// Adds a data key version and starts re-encrypting every person under it in the
/// background (system administrator; audited).
pub async fn rotate_data_key(app: &App, actor: &Actor) -> AppResult<AtRestStatus> {
    actor.require_any(&[Role::SystemAdmin])?;
    let next = app.pii.active(app).await?.version() + 1;
    let key = DataKey::generate(next).map_err(at_rest::seal_err)?;
    let wrapped = key.wrap(at_rest::master(app)?).map_err(at_rest::seal_err)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    repo::insert_data_key(&mut tx, next, &wrapped, now)
        .await
        .map_err(|e| match e.unique_violation() {
            Some(_) => AppError::Conflict("数据密钥刚刚已被轮换，请刷新后再试".to_owned()),
            None => e.into(),
        })?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("pii.rotate", "data_key", i64::from(next))
            .purpose("轮换个人信息数据密钥，后台重新加密"),
    )
    .await?;
    tx.commit().await?;
    app.pii.load(app).await?;
    status_of(app).await
}

/// The sweep: re-encrypts batches of persons still under an older key, each in its own
/// transaction, until none is left or the pass's budget is spent. How many rows it did.
pub async fn reencrypt_pending(app: &App, budget: Duration) -> AppResult<usize> {
    // Without a master key nothing can be re-encrypted (start-up refused to serve
    // encrypted data without one).
    if app.settings.master_key.is_none() {
        return Ok(0);
    }
    let key = app.pii.active(app).await?;
    let started = Instant::now();
    let (mut total, mut after) = (0, 0);
    // Most passes find nothing to do: ask a reader before taking the write lock.
    let persons_left = !repo::persons_below(&mut app.db.reader(), key.version(), 0, 1)
        .await?
        .is_empty();
    while persons_left {
        let mut tx = app.db.begin().await?;
        let (n, last) = reencrypt_batch(&mut tx, app, &key, key.version(), after).await?;
        tx.commit().await?;
        total += usize::try_from(n).unwrap_or_default();
        if n < BATCH {
            break;
        }
        if started.elapsed() >= budget {
            return Ok(total);
        }
        after = last;
    }
    // Then the other copies of personal data, with what is left of the budget.
    let left = budget.saturating_sub(started.elapsed());
    Ok(total + columns::reencrypt_copies(app, left, BATCH).await?)
}

/// Re-encrypts up to [`BATCH`] persons under a version below `below`, after id `after`,
/// with `key`. Returns how many rows were read and the last id.
async fn reencrypt_batch(
    tx: &mut Tx,
    app: &App,
    key: &DataKey,
    below: u32,
    after: i64,
) -> AppResult<(i64, i64)> {
    let rows = repo::persons_below(tx, below, after, BATCH).await?;
    let n = i64::try_from(rows.len()).unwrap_or(BATCH);
    let last = rows.last().map_or(after, |r| r.id);
    for r in rows {
        let (id, old) = (r.id, r.key_version);
        let sealed = resealed(app, key, r).await?;
        repo::reseal_person(tx, id, old, &sealed).await?;
    }
    Ok((n, last))
}

/// A row's identifiers in clear (a row from before encryption holds them in clear), sealed
/// again under `key`.
async fn resealed(app: &App, key: &DataKey, r: StoredPerson) -> AppResult<Sealed> {
    let (rid, name, phone) = if r.key_version == 0 {
        (r.rid_index, r.name_enc, r.phone_enc)
    } else {
        let rid_enc = r
            .resident_id_enc
            .ok_or_else(|| AppError::Internal(format!("申请人 {} 缺少身份证号码密文", r.id)))?;
        let phone = match r.phone_enc {
            Some(p) => Some(at_rest::reveal(app, Field::Phone, &p).await?),
            None => None,
        };
        (
            at_rest::reveal(app, Field::ResidentId, &rid_enc).await?,
            at_rest::reveal(app, Field::Name, &r.name_enc).await?,
            phone,
        )
    };
    // The index of a valid ID is taken on its normal form; a legacy value that is not one
    // (never accepted by the inputs) is indexed as stored.
    let rid_index = match ResidentId::parse(&rid) {
        Ok(p) => at_rest::rid_index(app, &p)?,
        Err(_) => blind_index(at_rest::master(app)?, &rid),
    };
    Ok(Sealed {
        rid_index,
        resident_id: at_rest::encrypt(key, Field::ResidentId, &rid)?,
        name: at_rest::encrypt(key, Field::Name, &name)?,
        name_masked: at_rest::mask_name(&name),
        phone: phone
            .map(|p| at_rest::encrypt(key, Field::Phone, &p))
            .transpose()?,
        version: key.version(),
    })
}

/// At start-up, before serving: fails when the master key cannot decrypt the data keys
/// (or there is none while persons are stored encrypted) rather than serve 500s; encrypts
/// rows from before encryption at rest (a one-time upgrade, batch by batch) and portal
/// logins stored as resident IDs. An unfinished rotation resumes in the runner's sweep.
pub async fn prepare_at_rest(app: &App) -> AppResult<()> {
    if app.settings.master_key.is_none() {
        let per = repo::persons_per_version(&mut app.db.reader()).await?;
        if per.iter().any(|(v, n)| *v > 0 && *n > 0) {
            return Err(AppError::Internal(
                "数据库中的个人信息已加密，但未配置主密钥：请提供生成这些数据时的主密钥\
                 （PROOFLESS_MASTER_KEY 或 data/master.key）"
                    .to_owned(),
            ));
        }
        return Ok(());
    }
    app.pii.load(app).await?;
    for (v, name) in repo::name_per_version(&mut app.db.reader()).await? {
        if at_rest::reveal(app, Field::Name, &name).await.is_err() {
            return Err(AppError::Internal(format!(
                "个人信息（数据密钥第 {v} 版）无法用当前主密钥解密：请提供生成这些数据时的主密钥\
                 （PROOFLESS_MASTER_KEY 或 data/master.key），不要另行生成新的主密钥"
            )));
        }
    }
    let key = app.pii.active(app).await?;
    let mut after = 0;
    loop {
        let mut tx = app.db.begin().await?;
        let (n, last) = reencrypt_batch(&mut tx, app, &key, 1, after).await?;
        tx.commit().await?;
        if n < BATCH {
            break;
        }
        after = last;
    }
    // The other copies from before (version 0, in clear), encrypted the same way.
    let copies = columns::reencrypt_below_one(app, BATCH).await?;
    if copies > 0 {
        tracing::info!(copies, "个人信息副本已加密保存");
    }
    let old = repo::clear_logins(&mut app.db.reader()).await?;
    if !old.is_empty() {
        let mut tx = app.db.begin().await?;
        for (id, login) in old {
            repo::set_login(&mut tx, id, &at_rest::login_index(app, &login)?).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}
