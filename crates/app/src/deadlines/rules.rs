//! Deadline rules as versioned settings (DESIGN "Deadlines"): the seed's rules are written on
//! first use; a system administrator adds versions with later effective dates.

use proofless_domain::deadline::{DeadlineRule, RuleBook};
use proofless_domain::role::Role;
use proofless_store::Tx;
use serde_json::json;

use super::compute::rule_of;
use super::input::RuleInput;
use super::records::RuleVersion;
use super::repo;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

/// The rules the system ships with, built once (every new deadline compares against them).
pub(super) static BUILT_IN_RULES: std::sync::LazyLock<RuleBook> =
    std::sync::LazyLock::new(RuleBook::defaults);

/// Writes the seed's rules (version 1) unless present. Idempotent.
pub async fn seed_rules(tx: &mut Tx, now_ms: i64) -> AppResult<()> {
    for key in BUILT_IN_RULES.keys() {
        for r in BUILT_IN_RULES.versions(key) {
            repo::insert_rule(
                tx,
                r,
                "附件试行一年（种子规则）",
                "系统（内置规则）",
                now_ms,
            )
            .await?;
        }
    }
    Ok(())
}

/// The rule book of a key's stored versions.
pub(super) fn book_of(versions: &[RuleVersion]) -> AppResult<RuleBook> {
    RuleBook::new(
        versions
            .iter()
            .map(rule_of)
            .collect::<AppResult<Vec<_>>>()?,
    )
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// Every version of every rule.
pub async fn rules(app: &App) -> AppResult<Vec<RuleVersion>> {
    let mut tx = app.db.begin().await?;
    seed_rules(&mut tx, app.now_ms()).await?;
    let rows = repo::all_rules(&mut tx).await?;
    tx.commit().await?;
    Ok(rows)
}

/// A new version of a rule (system administrator), e.g. when the trial annexes are replaced.
pub async fn add_rule_version(
    app: &App,
    actor: &Actor,
    input: &RuleInput,
) -> AppResult<RuleVersion> {
    actor.require_any(&[Role::SystemAdmin])?;
    let cmd = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    seed_rules(&mut tx, now).await?;
    let existing = repo::rule_versions(&mut tx, cmd.rule_key.as_str()).await?;
    if existing.is_empty() {
        return Err(AppError::field(
            "rule_key",
            format!("规则 {} 不存在", input.rule_key),
        ));
    }
    let mut book = book_of(&existing)?;
    let version = existing.iter().map(|r| r.version).max().unwrap_or(0) + 1;
    let rule = DeadlineRule {
        key: cmd.rule_key.as_str().to_owned(),
        period: cmd.period,
        max_extension: cmd.max_extension,
        version: u32::try_from(version)
            .map_err(|_| AppError::Internal(format!("规则 {} 的版本过多", cmd.rule_key)))?,
        effective_from: cmd.effective_from,
    };
    book.insert(rule.clone())
        .map_err(|e| AppError::field("effective_from", e.to_string()))?;
    repo::insert_rule_version(&mut tx, &rule, &cmd.note, &actor.name, now).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new(
            "deadline.rule.version",
            "deadline_rule",
            format!("{}#{version}", rule.key),
        )
        .detail(json!({"period": rule.period.to_string(),
            "max_extension": rule.max_extension.map(|m| m.to_string()),
            "effective_from": rule.effective_from.to_string()})),
    )
    .await?;
    let row = repo::rule_version(&mut tx, &cmd.rule_key, version)
        .await?
        .ok_or_else(|| AppError::Internal("规则版本写入后未找到".into()))?;
    tx.commit().await?;
    Ok(row)
}
