//! Proofless domain: pure types and rules. No I/O, no async.
//! Every rule cites the seed article or SPEC rule it implements.

pub mod accountability;
pub mod adjustment;
pub mod audit;
pub mod calendar;
pub mod case;
pub mod catalogue;
pub mod codes;
pub mod commitment;
pub mod complaint;
pub mod credit;
pub mod deadline;
pub mod joint;
pub mod notification;
pub mod org;
pub mod policy;
pub mod region;
pub mod role;
pub mod seal;
pub mod sharing;
pub mod supervision;
pub mod verification;
pub mod violation;
