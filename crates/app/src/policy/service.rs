//! Reading the value in force and adding versions.

use chrono::NaiveDate;
use proofless_domain::policy::{self as rule, AnySetting, Setting};
use proofless_domain::role::Role;
use proofless_store::Exec;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::input::VersionInput;
use super::repo;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

/// A stored version.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StoredVersion {
    pub key: String,
    pub version: i64,
    pub value: serde_json::Value,
    #[serde(skip)]
    pub value_text: String,
    pub effective_from: NaiveDate,
    pub note: String,
    pub created_by: String,
    pub created_at: i64,
}

/// A setting with its seed value, its versions and the value in force today.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SettingView {
    pub key: &'static str,
    pub label: &'static str,
    pub basis: &'static str,
    pub unit: &'static str,
    pub owners: &'static [Role],
    /// The seed's value (version 0).
    pub default: serde_json::Value,
    /// The value governing cases started today.
    pub in_force: serde_json::Value,
    /// The version in force today; 0 = the seed's value.
    pub in_force_version: i64,
    pub versions: Vec<StoredVersion>,
    /// The words for the codes its values hold (the page's, not the API's).
    #[serde(skip)]
    pub words: Option<rule::Words>,
}

fn local_day(ms: i64) -> NaiveDate {
    use chrono::TimeZone;
    crate::beijing()
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

/// The value of `setting` for a case or act that started at `at_ms` (SPEC "Trial rules": the
/// version in force then, never a later one).
pub async fn in_force<T>(ex: &mut impl Exec, setting: &Setting<T>, at_ms: i64) -> AppResult<T>
where
    T: Serialize + DeserializeOwned + 'static,
{
    let rows = repo::versions(ex, setting.key).await?;
    let versions = repo::domain_versions(&rows);
    match rule::in_force(&versions, local_day(at_ms)) {
        None => Ok((setting.default)()),
        Some(v) => setting.decode(&v.value).map_err(AppError::Internal),
    }
}

/// The value in force now.
pub async fn in_force_now<T>(app: &App, setting: &Setting<T>) -> AppResult<T>
where
    T: Serialize + DeserializeOwned + 'static,
{
    let mut r = app.db.reader();
    in_force(&mut r, setting, app.now_ms()).await
}

fn find(app: &App, key: &str) -> AppResult<&'static dyn AnySetting> {
    app.policies
        .iter()
        .copied()
        .find(|s| s.key() == key)
        .ok_or_else(|| AppError::NotFound(format!("设置 {key}")))
}

async fn view(
    ex: &mut impl Exec,
    s: &'static dyn AnySetting,
    today: NaiveDate,
) -> AppResult<SettingView> {
    let versions = repo::versions(ex, s.key()).await?;
    let picked = rule::in_force(&repo::domain_versions(&versions), today).map(|v| v.version);
    let in_force = picked
        .and_then(|n| versions.iter().find(|v| v.version == n))
        .map_or_else(|| s.default_json(), |v| v.value.clone());
    Ok(SettingView {
        key: s.key(),
        label: s.label(),
        basis: s.basis(),
        unit: s.unit(),
        owners: s.owners(),
        default: s.default_json(),
        in_force,
        in_force_version: picked.unwrap_or(0),
        versions,
        words: s.words(),
    })
}

/// Every setting (public: the rules citizens are held to are no secret).
pub async fn settings(app: &App) -> AppResult<Vec<SettingView>> {
    let today = local_day(app.now_ms());
    let mut r = app.db.reader();
    let mut out = Vec::with_capacity(app.policies.len());
    for s in app.policies.iter().copied() {
        out.push(view(&mut r, s, today).await?);
    }
    Ok(out)
}

/// One setting.
pub async fn describe(app: &App, key: &str) -> AppResult<SettingView> {
    let s = find(app, key)?;
    let mut r = app.db.reader();
    view(&mut r, s, local_day(app.now_ms())).await
}

/// A new version, by the responsible office or the system administrator; audited.
pub async fn add_version(
    app: &App,
    actor: &Actor,
    key: &str,
    input: &VersionInput,
) -> AppResult<SettingView> {
    let s = find(app, key)?;
    let mut allowed = s.owners().to_vec();
    allowed.push(Role::SystemAdmin);
    actor.require_any(&allowed)?;
    let cmd = input.parse(s)?;
    let now = app.now_ms();
    let today = local_day(now);
    rule::check_effective_from(cmd.effective_from, today)
        .map_err(|e| AppError::field("effective_from", e))?;
    let mut tx = app.db.begin().await?;
    let existing = repo::versions(&mut tx, s.key()).await?;
    let version = existing.iter().map(|v| v.version).max().unwrap_or(0) + 1;
    repo::insert(
        &mut tx,
        s.key(),
        version,
        &cmd.value_json,
        cmd.effective_from,
        &cmd.note,
        &actor.name,
        now,
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new(
            "policy.version",
            "policy_setting",
            format!("{}#{version}", s.key()),
        )
        .detail(json!({"label": s.label(), "value": input.value,
                "effective_from": cmd.effective_from.to_string(), "note": cmd.note})),
    )
    .await?;
    let v = view(&mut tx, s, today).await?;
    tx.commit().await?;
    // The workflow follows its new version (e.g. pending jobs it now governs move).
    for (k, follow) in app.policy_followers {
        if *k == s.key() {
            follow(app, cmd.effective_from).await?;
        }
    }
    Ok(v)
}

/// What a workflow does after a new version of its setting is stored: given the version's
/// effective date (registered in `workflows::POLICY_FOLLOWERS`).
pub type Follower = for<'a> fn(
    &'a App,
    NaiveDate,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = AppResult<()>> + Send + 'a>,
>;
