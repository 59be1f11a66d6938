//! Staff accounts, their roles, and the A/B duty posts of each unit (A2 §6: at least one
//! liaison and two proxy agents, each post with a B stand-in).

mod accounts;
mod input;
mod posts;
mod repo;
mod training;

pub use accounts::{Staff, create, get, list_for_org, set_active, set_roles};
pub use input::{DutyPostInput, NewDutyPost, NewStaff, StaffInput, parse_roles};
pub use posts::{
    DutyPost, UnitStaffing, add_post, posts, registry, remove_post, set_absent, staffing,
};
pub use proofless_domain::role::UNIT_ROLES;
pub use training::{TrainingInput, TrainingRecord, record_training, training};
