//! One function per entry point that reads bytes from the network or from disk, shared by the
//! cargo-fuzz targets (`fuzz_targets/`) and the bounded run in the normal test suite
//! (`tests/fuzz_corpus.rs`, which includes this file). Each feeds the bytes to Confab's code the
//! way the app does and panics when a property the user relies on is broken; a panic anywhere
//! inside is a finding. docs/fuzzing.md says how to run them.

use confab::media::{self, Limits};
use confab::model::Form;
use confab::store::Store;
use confab::worker::fuzzing as worker;
use confab::worker::stanza;
use std::path::PathBuf;
use tokio_xmpp::jid::BareJid;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::data_forms::DataForm;
use tokio_xmpp::parsers::disco::DiscoInfoResult;
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::roster::Roster;
use tokio_xmpp::{Stanza, parsers::ns};

/// What a server says before the first stanza; the fuzzed bytes follow it, as on the wire.
const STREAM_HEADER: &[u8] = b"<stream:stream xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' from='example.org' id='s1' version='1.0'>";
const STREAM_END: &[u8] = b"</stream:stream>";
/// The box a chat's thumbnails and a contact's avatar are decoded into.
const THUMBNAIL_BOX: u32 = 320;
const AVATAR_BOX: u32 = 96;
/// The published avatar's side (media::prepare_avatar).
const PUBLISHED_AVATAR_SIDE: u32 = 192;
/// Stream headers the guard takes as a new root (the first, after STARTTLS, after SASL).
const STREAM_ROOTS: usize = 3;

/// The parser guard alone: never more than `MAX_DEPTH` deep, well-formed input stays
/// well-formed, the cut does not depend on how the bytes were split into reads, and nothing
/// shorter than the size limit trips it.
pub fn xml_guard(data: &[u8]) {
    let whole = guarded(data, data.len());
    // The first byte picks where the reads are split, so boundaries are fuzzed too.
    let split = guarded(data, usize::from(data.first().copied().unwrap_or(1)).max(1));
    assert_eq!(whole, split, "the guard's output depends on how the input was split");
    let out = match whole {
        Ok(out) => out,
        Err(violation) => {
            assert!(data.len() > worker::MAX_STANZA_BYTES, "{violation} for {} bytes", data.len());
            return;
        }
    };
    if let Ok(original) = Element::from_reader(data) {
        let kept = Element::from_reader(&out[..]).unwrap_or_else(|e| {
            panic!("well-formed input came out broken ({e}): {}", String::from_utf8_lossy(&out))
        });
        assert_eq!(kept.name(), original.name());
        let roots = STREAM_ROOTS - usize::from(kept.name() == "stream");
        let depth = depth(&kept, 1, roots);
        assert!(depth <= worker::MAX_DEPTH, "the parser was shown depth {depth}");
    }
}

/// `data` through a fresh guard in reads of `chunk` bytes.
fn guarded(data: &[u8], chunk: usize) -> Result<Vec<u8>, worker::Violation> {
    let mut guard = worker::XmlGuard::default();
    let mut out = Vec::new();
    for piece in data.chunks(chunk.max(1)) {
        guard.filter(piece, &mut out)?;
    }
    Ok(out)
}

/// Depth as the parser sees it, from where the guard starts counting: a stream header at the
/// top (the root, or a child of the root) starts a new stream at level 1, as after STARTTLS
/// and SASL, for as many headers as a connection has; the stream ends with it.
fn depth(element: &Element, level: usize, roots_left: usize) -> usize {
    let mut deepest = level;
    for child in element.children() {
        if level == 1 && roots_left > 0 && child.name() == "stream" {
            // Nothing after a stream's end is read.
            return deepest.max(depth(child, 1, roots_left - 1));
        }
        deepest = deepest.max(depth(child, level + 1, roots_left));
    }
    deepest
}

/// Bytes from the server after the stream header: through the guard and the XML parser, then
/// every top-level stanza through each conversion the session may apply to it.
pub fn stream_to_stanzas(data: &[u8]) {
    let mut guard = worker::XmlGuard::default();
    let mut out = Vec::new();
    for piece in [STREAM_HEADER, data, STREAM_END] {
        if guard.filter(piece, &mut out).is_err() {
            return;
        }
    }
    let Ok(stream) = Element::from_reader(&out[..]) else { return };
    for element in stream.children() {
        if element.ns() == ns::JABBER_CLIENT
            && let Ok(stanza) = Stanza::try_from(element.clone())
        {
            convert(stanza);
        }
    }
}

fn own() -> BareJid {
    BareJid::new("me@example.org").unwrap_or_else(|e| panic!("our own JID: {e}"))
}

fn room() -> BareJid {
    BareJid::new("room@rooms.example.org").unwrap_or_else(|e| panic!("the room's JID: {e}"))
}

fn convert(stanza: Stanza) {
    let now = chrono::Utc::now();
    let own = own();
    let known_room = |jid: &BareJid| *jid == room();
    match stanza {
        Stanza::Message(message) => {
            if let Some(Ok(carbon)) = worker::carbon(&message, &own) {
                match carbon {
                    worker::Carbon::Sent(inner) => {
                        let _ = stanza::outgoing_copy(inner, &own, &known_room, now);
                    }
                    worker::Carbon::Received(inner) => {
                        let _ = stanza::incoming_message(inner, &own, &known_room, now);
                    }
                }
            }
            let _ = worker::invite(&message, false);
            let _ = worker::invite(&message, true);
            let _ = worker::subject(&message);
            let _ = worker::avatar_notice(&message);
            let _ = worker::room_message(message.clone(), &room(), true, now);
            let _ = worker::room_message(message.clone(), &room(), false, now);
            if let Ok(new) = stanza::incoming_message(message, &own, &known_room, now) {
                assert!(!new.body.trim().is_empty(), "an empty message would be shown");
                assert!(new.timestamp <= now, "a message from the future would be shown");
            }
        }
        Stanza::Presence(presence) => {
            let _ = worker::occupant_change(&presence, "me");
            let _ = worker::vcard_photo_hint(&presence);
            let _ = worker::subscription_request(&presence);
            let _ = worker::presence_update(presence);
        }
        Stanza::Iq(iq) => {
            let payload = match iq {
                Iq::Get { payload, .. } | Iq::Set { payload, .. } => Some(payload),
                Iq::Result { payload, .. } | Iq::Error { payload, .. } => payload,
            };
            if let Some(payload) = payload {
                payload_conversions(payload);
            }
        }
    }
}

/// The answers the session reads from IQ payloads.
fn payload_conversions(payload: Element) {
    if let Ok(roster) = Roster::try_from(payload.clone()) {
        let _ = worker::roster_contacts(roster);
    }
    if let Ok(info) = DiscoInfoResult::try_from(payload.clone()) {
        let _ = worker::room_details(&info);
    }
    let _ = worker::profile_from_vcard(&payload);
    let _ = worker::avatar_data(Some(payload.clone()), "0");
    let _ = worker::vcard_photo(Some(payload.clone()), "0");
    let _ = worker::affiliation_list(Some(payload.clone()));
    if let Some(form) = worker::config_form(Some(payload)) {
        form_round_trip(form);
    }
}

/// A data form (XEP-0004) as a server sends it, alone or in a room's configuration query: to
/// the form the user fills in and back to the submission.
pub fn forms(data: &[u8]) {
    let Ok(element) = Element::from_reader(data) else { return };
    if let Some(form) = worker::config_form(Some(element.clone())) {
        form_round_trip(form);
    }
    if let Ok(form) = DataForm::try_from(element) {
        form_round_trip(worker::read_form(form));
    }
}

fn form_round_trip(form: Form) {
    let _ = form.check();
    let _ = form.missing_required();
    let _ = form.invalid_jids();
    let _ = form.has_media();
    let mut again = worker::read_form(worker::form_submission(&form));
    again.fill_from(&form);
    assert_eq!(
        worker::form_submission(&again).fields.len(),
        worker::form_submission(&form).fields.len(),
        "filling a form from its own answers changed what is sent"
    );
}

/// A picture someone shared, decoded for its thumbnail within [`Limits::IMAGE`].
pub fn image_decode(data: &[u8]) {
    picture(data, &Limits::IMAGE, THUMBNAIL_BOX);
}

/// A contact's avatar within [`Limits::AVATAR`], and a picture the user picks as their own.
pub fn avatar(data: &[u8]) {
    picture(data, &Limits::AVATAR, AVATAR_BOX);
    if let Ok(prepared) = media::prepare_avatar(data) {
        assert!(
            prepared.width <= PUBLISHED_AVATAR_SIDE && prepared.height <= PUBLISHED_AVATAR_SIDE
        );
        assert_eq!(prepared.sha1, media::sha1_hex(&prepared.png));
    }
}

fn picture(data: &[u8], limits: &Limits, box_side: u32) {
    if let Ok(picture) = media::decode(data, limits, box_side) {
        assert!(picture.width <= box_side && picture.height <= box_side, "{picture:?}");
        let pixels = u64::from(picture.width) * u64::from(picture.height);
        assert_eq!(picture.rgba.len() as u64, pixels * 4, "{picture:?}");
    }
}

/// Message text: the links found lie within it, on character boundaries, in order, apart;
/// "only emoji" (drawn large) never counts more than its limit.
pub fn linkify(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Some(count) = confab::emoji::is_only_emoji(&text) {
        assert!((1..=confab::emoji::BIG_EMOJI_MAX).contains(&count), "{count} in {text:?}");
    }
    let mut previous_end = 0;
    for range in confab::ui::linkify::find(&text) {
        assert!(previous_end <= range.start && range.start < range.end, "{range:?} in {text:?}");
        assert!(range.end <= text.len(), "{range:?} past the end of {text:?}");
        assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
        previous_end = range.end;
    }
}

/// A damaged database file: opened and migrated, or refused with an error, then read.
pub fn store_open(data: &[u8]) {
    let dir = scratch_dir();
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let path = dir.join("store.sqlite3");
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(dir.join(format!("store.sqlite3{suffix}")));
    }
    std::fs::write(&path, data).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    if let Ok(store) = Store::open(&path) {
        let _ = store.get_state("me@example.org", "roster_version");
    }
}

/// One directory per process (tests run in parallel with the fuzzer and each other).
fn scratch_dir() -> PathBuf {
    std::env::temp_dir().join(format!(
        "confab-fuzz-store-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ))
}
