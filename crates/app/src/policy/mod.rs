//! Trial-period settings (SPEC "Trial rules"; A2 §14, A3 §13, A4 §14, A5 §12): each workflow
//! declares its limits, grounds and thresholds as typed [`Setting`]s next to the rule that
//! uses them; this module stores their versions, answers the value in force on a day, and lets
//! the responsible office add a version (audited). The list of every setting is composed in
//! the composition root, `workflows.rs` (this module knows no workflow).

mod input;
mod repo;
mod service;

pub use input::VersionInput;
pub use proofless_domain::policy::{AnySetting, Setting, Words, checks};
pub use service::{
    Follower, SettingView, StoredVersion, add_version, describe, in_force, in_force_now, settings,
};
