//! Applicants: natural persons by resident ID, entities by credit code with their
//! authorised representatives. Reading a person's data is always audited with a purpose,
//! and the person can see who looked and why (A2 §12).

mod entities;
mod input;
mod persons;
mod repo;

pub(crate) use repo::represents;

pub use entities::{
    AccessRecord, Entity, access_log, add_representative, create_entity, entities_of, get_entity,
};
pub use input::{
    EntityInput, NewEntity, NewPerson, NewRepresentative, PersonInput, RepresentativeInput,
};
pub use persons::{
    APPLICANT_ROLES, Person, create_person, ensure_person, find_person, person_id_for_proofing,
    phone_for_proofing, read_person,
};
