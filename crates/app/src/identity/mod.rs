//! Citizens' and companies' portal identity: sign-in through the province's unified
//! identity platform (OpenID Connect), or local accounts opened only with a one-time
//! code that proves control of something the person already has (an ID card checked at
//! the counter, the phone on record). Registration with an ID number and name alone is
//! gone (issue #16 item 1).

mod activation;
mod input;
pub mod oidc;
mod repo;
mod service;
pub mod sms;

pub use crate::auth::portal_actor;
pub use activation::{
    ACTIVATION_FAILED, CounterCode, SMS_SENT, issue_counter_code, register, request_sms_code,
};
pub use input::{CounterCodeInput, PortalLoginInput, RegisterInput, Registration, SmsCodeInput};
pub use oidc::{Oidc, OidcConfig};
pub use service::{IdentityProvider, LocalIdentity, PORTAL_PROTECTED, login};
pub use sms::{FileSmsSender, SmsSender};
