//! Notifications to a unit, a role (e.g. the joint office) or one staff member. Each event
//! notifies each recipient once: a `dedupe_key` per event and recipient is unique.
//! A foundation module: workflows notify through it, it uses none of them.

mod repo;
mod service;

pub use proofless_domain::notification::NotificationKind;
pub use service::{
    NewNotification, Notification, Recipient, insert_in, insert_many_in, list, mark_read,
    unread_count,
};
