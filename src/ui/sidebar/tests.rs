use super::*;
use crate::model::{Presence, Subscription};
use crate::notify::Unseen;

fn contact(jid: &str, name: &str, show: PresenceShow, groups: &[&str]) -> Contact {
    Contact {
        jid: jid.into(),
        name: Some(name.into()),
        subscription: Subscription::Both,
        ask_subscribe: false,
        groups: groups.iter().map(|g| g.to_string()).collect(),
        presence: Presence { show, status: None },
        avatar: None,
    }
}

fn shown(state: &State) -> Vec<String> {
    state
        .rows
        .iter()
        .map(|row| match row {
            Row::Header { group, count, .. } => format!("[{group} {count}]"),
            Row::Contact(i) => state.contacts[*i].jid.clone(),
            Row::RoomsHeader { count, .. } => format!("[Rooms {count}]"),
            Row::Room(i) => state.rooms[*i].jid.clone(),
            Row::JoinRoom => "join…".into(),
        })
        .collect()
}

#[test]
fn grouped_sorted_by_presence_then_name_and_filtered_flat() {
    let mut state = State::default();
    state.set_presence_known(true);
    state.set_contacts(vec![
        contact("zed@x", "Zed", PresenceShow::Online, &["Work"]),
        contact("amy@x", "Amy", PresenceShow::Offline, &[]),
        contact("bob@x", "Bob", PresenceShow::Online, &["Work", "Family"]),
    ]);
    state.update(Message::ToggleRooms);
    assert_eq!(
        shown(&state),
        ["[Rooms 0]", "[Family 1]", "bob@x", "[Work 2]", "bob@x", "zed@x", "[Contacts 1]", "amy@x"]
    );
    state.update(Message::ToggleGroup("Work".into()));
    assert_eq!(
        shown(&state),
        ["[Rooms 0]", "[Family 1]", "bob@x", "[Work 2]", "[Contacts 1]", "amy@x"]
    );
    state.update(Message::Filter("AM".into()));
    assert_eq!(shown(&state), ["amy@x"]);
}

#[test]
fn a_burst_of_presences_is_applied_and_resorted_once() {
    let mut state = State::default();
    state.set_presence_known(true);
    state.set_contacts(vec![
        contact("amy@x", "Amy", PresenceShow::Offline, &[]),
        contact("bob@x", "Bob", PresenceShow::Offline, &[]),
    ]);
    let online = Presence { show: PresenceShow::Online, status: Some("here".into()) };
    state.set_presences(&[("bob@x".into(), online.clone()), ("stranger@x".into(), online)]);
    assert_eq!(shown(&state), ["[Rooms 0]", "join…", "[Contacts 2]", "bob@x", "amy@x"]);
    assert_eq!(state.contact("bob@x").and_then(|c| c.presence.status.as_deref()), Some("here"));
}

fn room(jid: &str, name: &str, state: RoomState) -> Room {
    Room {
        jid: jid.into(),
        name: Some(name.into()),
        nick: "me".into(),
        autojoin: true,
        state,
        subject: None,
        members_only: false,
    }
}

#[test]
fn rooms_come_first_joined_ones_on_top_and_open_as_rooms() {
    let mut state = State::default();
    state.set_contacts(vec![contact("bob@x", "Bob", PresenceShow::Online, &[])]);
    state.set_rooms(vec![
        room("attic@muc.x", "Attic", RoomState::Left),
        room("zoo@muc.x", "Zoo", RoomState::Joined),
        room("cellar@muc.x", "Cellar", RoomState::Failed("banned".into())),
    ]);
    assert_eq!(
        shown(&state),
        ["[Rooms 3]", "zoo@muc.x", "cellar@muc.x", "attic@muc.x", "join…", "[Contacts 1]", "bob@x"]
    );
    let pictures = Pictures::default();
    let mut ui = shown_with(&state, &pictures, |_| 0);
    ui.find("could not join: banned").expect("a failed join says why");
    ui.click("Cellar").expect("the room is listed");
    ui.click("Join or create a room…").expect("the way to the room browser");
    let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
    assert_eq!(events, [Event::OpenRoom("cellar@muc.x".into()), Event::BrowseRooms]);
    state.update(Message::Filter("zo".into()));
    assert_eq!(shown(&state), ["zoo@muc.x"]);
}

#[test]
fn a_members_only_room_carries_a_lock() {
    let mut state = State::default();
    let closed = Room { members_only: true, ..room("den@muc.x", "Den", RoomState::Joined) };
    state.set_rooms(vec![closed]);
    let pictures = Pictures::default();
    let mut ui = shown_with(&state, &pictures, |_| 0);
    ui.find(crate::ui::widget::LOCK).expect("the den is for members only");
    drop(ui);
    state.set_rooms(vec![room("zoo@muc.x", "Zoo", RoomState::Joined)]);
    let mut ui = shown_with(&state, &pictures, |_| 0);
    assert!(ui.find(crate::ui::widget::LOCK).is_err(), "the zoo is open to all");
}

#[test]
fn typing_an_unknown_address_offers_a_chat_with_it() {
    let mut state = State::default();
    state.set_contacts(vec![contact("bob@x", "Bob", PresenceShow::Online, &[])]);
    state.update(Message::Filter("carol@example.org".into()));
    let pictures = Pictures::default();
    let mut ui = shown_with(&state, &pictures, |_| 0);
    ui.click("Chat with carol@example.org").expect("the offer is shown");
    let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
    assert_eq!(events, [Event::Open("carol@example.org".into())]);
}

#[test]
fn unread_counts_show_as_badges() {
    let mut state = State::default();
    state.set_contacts(vec![
        contact("bob@x", "Bob", PresenceShow::Online, &[]),
        contact("amy@x", "Amy", PresenceShow::Online, &[]),
    ]);
    state.set_rooms(vec![room("zoo@muc.x", "Zoo", RoomState::Joined)]);
    let pictures = Pictures::default();
    let unread = |jid: &str| match jid {
        "bob@x" => 3,
        "zoo@muc.x" => 150,
        _ => 0,
    };
    let mut ui = shown_with(&state, &pictures, unread);
    ui.find("3").expect("Bob's badge");
    ui.find("99+").expect("the room's badge, kept short");
    assert!(ui.find("0").is_err(), "no badge without unread messages");
}

#[test]
fn only_rows_near_the_viewport_are_built() {
    let mut state = State::default();
    state.set_contacts(
        (0..5000)
            .map(|i| contact(&format!("c{i}@x"), &format!("C{i:04}"), PresenceShow::Offline, &[]))
            .collect(),
    );
    let window = state.window();
    assert_eq!(window.start, 0);
    assert!(window.len() < 60, "{window:?}");
    state.window = Window::at(2500.0 * ROW_HEIGHT);
    let window = state.window();
    assert!(window.contains(&2500) && window.len() < 60, "{window:?}");
}

/// The sidebar as the user sees it, with these unread counts (none naming us).
fn shown_with<'a>(
    state: &'a State,
    pictures: &'a Pictures,
    unread: impl Fn(&str) -> u32,
) -> iced_test::Simulator<'a, Message> {
    let unseen = move |jid: &str| Unseen { count: unread(jid), mention: false };
    iced_test::simulator(state.view(None, text("").into(), pictures, unseen, |m| m))
}

fn apply(state: &mut State, messages: Vec<Message>) -> Vec<Event> {
    messages.into_iter().filter_map(|m| state.update(m)).collect()
}

#[test]
fn enter_in_the_search_opens_the_first_hit() {
    let mut state = State::default();
    state.set_contacts(vec![
        contact("bob@x", "Bob", PresenceShow::Online, &[]),
        contact("amy@x", "Amy", PresenceShow::Online, &[]),
    ]);
    state.update(Message::Filter("am".into()));
    let pictures = Pictures::default();
    let mut ui = shown_with(&state, &pictures, |_| 0);
    ui.click(iced_test::selector::id(FILTER_ID)).expect("the search field");
    ui.tap_key(iced::keyboard::key::Named::Enter);
    let messages = ui.into_messages().collect();
    assert_eq!(apply(&mut state, messages), [Event::Open("amy@x".into())]);
    assert_eq!(shown(&state).len(), 5, "the search is done: the whole list is back");

    state.update(Message::Filter("carol@example.org".into()));
    let mut ui = shown_with(&state, &pictures, |_| 0);
    ui.click(iced_test::selector::id(FILTER_ID)).expect("the search field");
    ui.tap_key(iced::keyboard::key::Named::Enter);
    let messages = ui.into_messages().collect();
    let events = apply(&mut state, messages);
    assert_eq!(events, [Event::Open("carol@example.org".into())], "no hit: the address");
}

#[test]
fn escape_in_the_search_clears_it_and_the_filter() {
    let mut state = State::default();
    state.set_contacts(vec![
        contact("bob@x", "Bob", PresenceShow::Online, &[]),
        contact("amy@x", "Amy", PresenceShow::Online, &[]),
    ]);
    state.update(Message::Filter("am".into()));
    let pictures = Pictures::default();
    let mut ui = shown_with(&state, &pictures, |_| 0);
    assert!(ui.find("Bob").is_err(), "filtered out");
    ui.click(iced_test::selector::id(FILTER_ID)).expect("the search field");
    ui.tap_key(iced::keyboard::key::Named::Escape);
    let messages = ui.into_messages().collect();
    assert_eq!(apply(&mut state, messages), []);
    let mut ui = shown_with(&state, &pictures, |_| 0);
    ui.find("Bob").expect("the whole list is back");
    ui.find("Search contacts (Ctrl+K)").expect("the search box is empty again");
}

#[test]
fn a_folded_group_shows_its_members_unread_messages() {
    let mut state = State::default();
    state.set_contacts(vec![
        contact("bob@x", "Bob", PresenceShow::Online, &["Work"]),
        contact("zed@x", "Zed", PresenceShow::Online, &["Work"]),
        contact("amy@x", "Amy", PresenceShow::Online, &["Family"]),
    ]);
    state.set_rooms(vec![room("zoo@muc.x", "Zoo", RoomState::Joined)]);
    state.update(Message::ToggleGroup("Work".into()));
    state.update(Message::ToggleRooms);
    let unread = |jid: &str| match jid {
        "bob@x" => 3,
        "zed@x" => 4,
        "zoo@muc.x" => 5,
        _ => 0,
    };
    let pictures = Pictures::default();
    let mut ui = shown_with(&state, &pictures, unread);
    ui.find("7").expect("Bob's 3 and Zed's 4 on the folded Work group");
    ui.find("5").expect("the folded rooms' unread");
    assert!(ui.find("3").is_err() && ui.find("4").is_err(), "the members are hidden");
}

#[test]
fn a_mention_has_its_own_badge_also_on_a_folded_section() {
    let mut state = State::default();
    state.set_contacts(vec![contact("bob@x", "Bob", PresenceShow::Online, &[])]);
    state.set_rooms(vec![
        room("zoo@muc.x", "Zoo", RoomState::Joined),
        room("den@muc.x", "Den", RoomState::Joined),
    ]);
    let unseen = |jid: &str| match jid {
        "bob@x" => Unseen { count: 3, mention: false },
        "zoo@muc.x" => Unseen { count: 2, mention: true },
        "den@muc.x" => Unseen { count: 4, mention: false },
        _ => Unseen::default(),
    };
    let pictures = Pictures::default();
    let mut ui = iced_test::simulator(state.view(None, text("").into(), &pictures, unseen, |m| m));
    ui.find("@2").expect("the room that named us");
    ui.find("4").expect("the other room's plain count");
    ui.find("3").expect("Bob's plain count");
    drop(ui);
    state.update(Message::ToggleRooms);
    let mut ui = iced_test::simulator(state.view(None, text("").into(), &pictures, unseen, |m| m));
    ui.find("@6").expect("the folded rooms: all their unread, and a mention among them");
}

/// The colours of the sidebar's pixels, as drawn (at the simulator's scale of 2).
fn pixels(ui: &mut iced_test::Simulator<'_, Message>) -> image::RgbaImage {
    let snapshot = ui.snapshot(&iced::Theme::Light).expect("drawn");
    let dir = tempfile::tempdir().expect("temporary directory");
    snapshot.matches_image(dir.path().join("sidebar.png")).expect("written");
    let file = std::fs::read_dir(dir.path())
        .expect("listed")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|e| e == "png"))
        .expect("the snapshot");
    image::open(file).expect("decoded").to_rgba8()
}

#[test]
fn a_long_room_address_stops_short_of_the_unread_badge() {
    let mut state = State::default();
    let jid = "developersdevelopersdevelopers@conference.example.org";
    state.set_rooms(vec![room(jid, "Zoo", RoomState::Joined)]);
    let pictures = Pictures::default();
    let mut ui = shown_with(&state, &pictures, |_| 5);
    let badge = ui.find("5").expect("the badge").bounds();
    let address = ui.find(jid).expect("the address").bounds();
    let image = pixels(&mut ui);
    // The space between the address's column and the badge's pill holds nothing but the row.
    let pill = badge.x - (theme::SPACE_XS + 2.0);
    let (left, right) = ((pill - theme::SPACE_S + 1.0) * 2.0, (pill - 1.0) * 2.0);
    let (top, bottom) = (address.y * 2.0, (address.y + address.height) * 2.0);
    let background = *image.get_pixel(left as u32, top as u32);
    for x in left as u32..right as u32 {
        for y in top as u32..bottom as u32 {
            assert_eq!(*image.get_pixel(x, y), background, "something drawn at {x},{y}");
        }
    }
}

#[test]
fn while_offline_nobody_looks_available_and_the_list_is_by_name() {
    let mut state = State::default();
    state.set_presence_known(true);
    let mut zed = contact("zed@x", "Zed", PresenceShow::Online, &[]);
    zed.presence.status = Some("around".into());
    state.set_contacts(vec![zed, contact("amy@x", "Amy", PresenceShow::Offline, &[])]);
    assert_eq!(shown(&state), ["[Rooms 0]", "join…", "[Contacts 2]", "zed@x", "amy@x"]);
    state.set_presence_known(false);
    assert_eq!(shown(&state), ["[Rooms 0]", "join…", "[Contacts 2]", "amy@x", "zed@x"]);
    let pictures = Pictures::default();
    let mut ui = shown_with(&state, &pictures, |_| 0);
    assert!(ui.find("around").is_err(), "his old status is not shown");
    ui.find("zed@x").expect("his address instead");
}

#[test]
fn alt_up_and_down_step_through_the_conversations_as_listed() {
    let mut state = State::default();
    state.set_presence_known(true);
    state.set_contacts(vec![
        contact("zed@x", "Zed", PresenceShow::Online, &["Work"]),
        contact("amy@x", "Amy", PresenceShow::Offline, &[]),
        contact("bob@x", "Bob", PresenceShow::Online, &["Work", "Family"]),
    ]);
    let step = |state: &mut State, forward| state.update(Message::Step { forward });
    // Nothing open: the first listed. Bob is in two groups and is stepped past once.
    assert_eq!(step(&mut state, true), Some(Event::Open("bob@x".into())));
    assert_eq!(step(&mut state, true), Some(Event::Open("zed@x".into())));
    assert_eq!(step(&mut state, true), Some(Event::Open("amy@x".into())));
    assert_eq!(step(&mut state, true), None, "the last stays");
    assert_eq!(step(&mut state, false), Some(Event::Open("zed@x".into())));
    // A folded group's people are not listed, so not stepped to.
    state.update(Message::ToggleGroup("Work".into()));
    state.update(Message::Open("bob@x".into()));
    assert_eq!(step(&mut state, true), Some(Event::Open("amy@x".into())));
}
