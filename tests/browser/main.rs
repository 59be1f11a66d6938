//! Browser tests: Debian's Chromium, headless, driven through chromedriver (WebDriver).
//! Skipped with a message when chromedriver is not installed, unless
//! `PROOFLESS_REQUIRE_BROWSER=1` (CI) makes a missing browser a failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

#[path = "../it/common.rs"]
mod common;

mod accountability_ui;
mod adjustment_ui;
mod cases_ui;
mod catalogue_ui;
mod commitment_ui;
mod complaints_ui;
mod driver;
mod forms_ui;
mod foundation_ui;
mod furniture_ui;
mod identity_ui;
mod joint_ui;
mod paths_ui;
mod policy_ui;
mod sealed_ui;
mod sharing_ui;
mod supervision_ui;
mod touch_ui;
mod verification_ui;
