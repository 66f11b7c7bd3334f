//! What a person says about themselves (their vCard and nickname), and what our server offers.

use serde::Serialize;

/// One line of a contact's public profile, in the order the vCard gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileEntry {
    pub label: &'static str,
    pub value: String,
}

/// A contact's public profile (XEP-0054 vcard-temp; Prosody also serves vCard4 through it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub entries: Vec<ProfileEntry>,
}

impl Profile {
    pub fn value(&self, label: &str) -> Option<&str> {
        self.entries.iter().find(|e| e.label == label).map(|e| e.value.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// What the account's server and its services offer, as service discovery (XEP-0030) found it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Services {
    /// XEP-0186: the server can hide us from everyone while we stay online.
    pub invisible: bool,
    /// Multi-user chat services (XEP-0045), by address.
    pub conference: Vec<String>,
    /// Where files go up (XEP-0363), if the server has such a service.
    pub upload: Option<UploadService>,
}

/// An HTTP File Upload service (XEP-0363).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadService {
    pub jid: String,
    /// The largest file it takes, in bytes, when it says.
    pub max_size: Option<u64>,
}
