//! The worker's byte-reading entry points, named for the fuzz targets in `fuzz/` and the
//! corpus test (`tests/fuzz_corpus.rs`), which drive them with hostile input exactly as the
//! session does. Only re-exports: nothing here is called by Confab itself.

pub use super::contact_stanza::{presence_update, roster_contacts, subscription_request};
pub use super::data_form::{read as read_form, submission as form_submission};
pub use super::delivery::{Carbon, carbon};
pub use super::invite::invite;
pub use super::muc::{affiliation_list, config_form, occupant_change, room_details, subject};
pub use super::profile::{
    avatar_data, avatar_notice, profile_from_vcard, vcard_photo, vcard_photo_hint,
};
pub use super::room_stanza::room_message;
pub use super::xml_guard::{MAX_DEPTH, MAX_STANZA_BYTES, Violation, XmlGuard};
