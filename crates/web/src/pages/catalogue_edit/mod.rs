//! The unit admin's proof item form (every field of SPEC R1.2) and the `.xlsx` import page
//! (issue #3 §7). Plain HTML forms without JavaScript: a validation error or a stale version
//! brings the form back with everything the user typed and each Chinese message next to its
//! field; "再加一行" is a submit button that adds an empty row without saving.
//!
//! `state` is what the form holds, `page` builds the form page, `items` handles it, and
//! `import` is the upload page.

mod import;
mod items;
mod page;
mod state;

use proofless_domain::role::Role;

pub use import::{import_page, import_submit, import_template};
pub use items::{create_submit, edit_page, edit_submit, new_page};

/// Rows of legal bases and replacement methods shown at least, and at most.
const MIN_BASIS_ROWS: usize = 3;
const MIN_METHOD_ROWS: usize = 2;
const MAX_ROWS: usize = proofless_app::catalogue::items::MAX_LINKS;
const COUNTY: &str = "370322000000";

const EDITORS: [Role; 3] = [Role::UnitAdmin, Role::JointOffice, Role::SystemAdmin];
