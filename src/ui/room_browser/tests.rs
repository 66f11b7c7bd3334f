use super::*;
use iced_test::selector::{Candidate, Target};
use iced_test::{selector, simulator};

/// The `n`th (from 0) text reading `label`, for buttons that share one.
fn nth(label: &'static str, n: usize) -> impl FnMut(Candidate<'_>) -> Option<Target> + Send {
    let mut seen = 0;
    move |candidate| match candidate {
        Candidate::Text { content, .. } if content == label => {
            seen += 1;
            (seen == n + 1).then(|| Target::from(candidate))
        }
        _ => None,
    }
}

fn public(jid: &str, name: &str, description: &str, occupants: u32) -> PublicRoom {
    PublicRoom {
        jid: jid.into(),
        name: Some(name.into()),
        description: Some(description.into()),
        occupants: Some(occupants),
        members_only: false,
    }
}

fn browser() -> State {
    let (mut state, list) =
        State::new(&AccountId("alice@example.org".into()), &["muc.example.org".into()]);
    assert_eq!(list, Event::List { service: Some("muc.example.org".into()) });
    state.set_public(
        "muc.example.org".into(),
        Ok(vec![
            public("tea@muc.example.org", "Tea Room", "All about tea", 3),
            public("rust@muc.example.org", "Rustaceans", "Ferris and friends", 120),
            public("xmpp@muc.example.org", "XMPP", "Standards talk, also tea", 40),
        ]),
    );
    state
}

#[test]
fn the_search_filters_as_you_type_and_join_uses_the_nickname() {
    let mut state = browser();
    state.update(Message::Search("TEA".into()));
    let mut ui = simulator(state.view());
    ui.find("Tea Room").expect("matches by name");
    ui.find("XMPP").expect("matches by description");
    assert!(ui.find("Rustaceans").is_err(), "filtered out");
    drop(ui);
    state.update(Message::Search("rust".into()));
    let mut ui = simulator(state.view());
    ui.click(nth("Join", 1)).expect("after the join form's, the listed room's button");
    let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
    assert_eq!(
        events,
        [Event::Join {
            room: "rust@muc.example.org".into(),
            nick: Some("alice".into()),
            password: None
        }]
    );
}

#[test]
fn join_by_address_takes_a_name_on_the_service_a_link_or_a_full_address() {
    let mut state = browser();
    let mut ui = simulator(state.view());
    ui.click(selector::id(ADDRESS_ID)).expect("the address field");
    ui.typewrite("Lounge");
    ui.tap_key(iced::keyboard::key::Named::Enter);
    let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
    assert_eq!(
        events,
        [Event::Join {
            room: "lounge@muc.example.org".into(),
            nick: Some("alice".into()),
            password: None
        }]
    );
    assert_eq!(room_address("xmpp:a@b.org?join", ""), Ok("a@b.org".into()));
    assert!(room_address("lounge", "").is_err(), "no service to put it on");
    state.update(Message::Address("not an address@".into()));
    assert_eq!(state.update(Message::Join), None);
    assert!(state.join.error.is_some());
}

#[test]
fn create_builds_the_preset_from_the_form() {
    let mut state = browser();
    state.update(Message::OpenCreate);
    state.update(Message::CreateAddress("den".into()));
    state.update(Message::CreateName("The Den".into()));
    state.update(Message::CreateModerated(true));
    let mut ui = simulator(state.view());
    ui.click("Create").expect("the create button");
    let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
    assert_eq!(
        events,
        [Event::Create {
            room: "den@muc.example.org".into(),
            preset: RoomPreset::Public { moderated: true },
            name: Some("The Den".into())
        }]
    );
    state.update(Message::OpenCreate);
    state.update(Message::CreateAddress("vault@muc.example.org".into()));
    state.update(Message::CreatePrivate(true));
    state.update(Message::CreatePassword("sesame".into()));
    assert_eq!(
        state.update(Message::Create),
        Some(Event::Create {
            room: "vault@muc.example.org".into(),
            preset: RoomPreset::Private { password: Some("sesame".into()) },
            name: None
        })
    );
}

#[test]
fn a_members_only_room_says_so() {
    let (mut state, _) = State::new(&AccountId("alice@example.org".into()), &[]);
    let closed = PublicRoom { members_only: true, ..public("den@muc.example.org", "Den", "", 2) };
    state.set_public(String::new(), Ok(vec![closed, public("tea@muc.example.org", "Tea", "", 3)]));
    let mut ui = simulator(state.view());
    ui.find(crate::ui::widget::LOCK).expect("the sign");
    ui.find("members only").expect("in words");
    assert!(ui.find(nth("members only", 1)).is_err(), "once: the tea room is open to all");
}

#[test]
fn a_stale_listing_is_dropped() {
    let mut state = browser();
    state.update(Message::Service("other.example.org".into()));
    state.update(Message::Refresh);
    state.set_public("muc.example.org".into(), Ok(vec![]));
    assert_eq!(state.listing, Listing::Loading(Some("other.example.org".into())));
    state.set_public("other.example.org".into(), Err("not found".into()));
    assert_eq!(state.listing, Listing::Failed("not found".into()));
}
