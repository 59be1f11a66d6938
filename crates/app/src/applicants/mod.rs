//! Applicants: natural persons by resident ID, entities by credit code with their
//! authorised representatives. Reading a person's data is always audited with a purpose,
//! and the person can see who looked and why (A2 §12), and needs a case, verification or
//! check of the reader's unit involving the person (issue #16 item 6). A person's resident
//! ID, name and phone are encrypted at rest with a blind index for lookups (item 9,
//! `at_rest.rs`, `rotation.rs`); persons are addressed by opaque public ids.

mod access_view;
mod at_rest;
mod blobs;
mod columns;
mod entities;
mod input;
mod persons;
mod public_refs;
mod repo;
mod rotation;

pub use at_rest::{
    Keyring, PersonSealer, SealedContact, SealedPerson, login_index, phone_index, reveal_name,
    reveal_phone, reveal_resident_id, seal_contact,
};
// The 12345 callback secret, kept under the rotated data key (issue #20).
pub use at_rest::{open_secret, seal_secret};
// Proxy agents' scans, encrypted as files under the same rotated data key (R5.10).
pub use blobs::{FileSealer, SealedFile, open_scan};
pub use columns::{
    CopySealer, SealedSubject, open_facts, open_ledger_name, open_letter, open_sealed_body,
    open_subject,
};
pub(crate) use persons::{insert_person_in, person_by_resident_id_in};
pub use public_refs::{
    SubjectRef, internal_ref, internal_ref_of, public_ref, publish_audit_rows, publish_subject,
    publish_subjects,
};
pub(crate) use repo::represents;
pub use rotation::{
    AtRestStatus, BATCH as REENCRYPT_BATCH, SWEEP_BUDGET, SWEEP_REENCRYPT, prepare_at_rest,
    reencrypt_pending, rotate_data_key, status as at_rest_status,
};

pub use access_view::{AccessView, access_page, access_view};
pub use entities::{Entity, add_representative, create_entity, entities_of, get_entity};
pub use input::{
    EntityInput, NewEntity, NewPerson, NewRepresentative, PersonInput, RepresentativeInput,
};
pub use persons::{
    APPLICANT_ROLES, Person, create_person, ensure_person, find_person, person_id_by_resident_id,
    person_id_for_proofing, person_id_of, phone_for_proofing, public_id_of, read_person,
    read_person_by_public_id,
};
