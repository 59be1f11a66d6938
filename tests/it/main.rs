//! One integration-test binary (zero2prod's habit): each module is a capability.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

mod accountability_flow;
mod accountability_sweep;
mod adjustment_flow;
mod adjustment_pipeline;
mod adjustment_voice;
mod cases;
mod cases_flow;
mod catalogue_flow;
mod catalogue_import;
mod catalogue_input;
mod catalogue_public;
mod catalogue_rules;
mod catalogue_ui;
mod city_platform;
mod commitment_flow;
mod commitment_input;
mod commitment_rules;
mod complaints_flow;
mod complaints_keys;
mod complaints_portal;
mod credit_flow;
mod credit_settings;
mod deadline_calendar_api;
mod deadline_engine;
mod foundation_audit;
mod foundation_auth;
mod foundation_input;
mod foundation_orgs;
mod foundation_portal;
mod identity_login;
mod identity_oidc;
mod identity_portal;
mod letter_pdf;
mod ops_backup;
mod persons_at_rest;
mod persons_at_rest_copies;
mod persons_public_refs;
mod portal_access_log;
mod seals;
mod sharing_batch;
mod sharing_city;
mod sharing_flow;
mod sharing_pulls;
mod store_group;
mod store_rows;
mod synth;
mod verification;
mod verification_grace_policy;
mod verification_rules;
mod violations;
mod web_contract;
mod web_security;
