use super::*;
use chrono::{DateTime, Utc};
use iced::keyboard::key::Named;
use iced_test::{selector, simulator};

pub(super) fn message(id: i64, secs: i64) -> ChatMessage {
    ChatMessage {
        edited: false,
        late: false,
        scheduled_for: None,
        id,
        chat: ChatId("bob@x".into()),
        kind: crate::model::MessageKind::Message,
        nick: None,
        direction: Direction::In,
        from: "bob@x/a".into(),
        to: "me@x".into(),
        body: format!("m{id}"),
        timestamp: DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or_default(),
        state: Delivery::Received,
        origin_id: None,
        attachment: None,
        reply: None,
        unstyled: false,
    }
}

#[test]
fn typing_and_enter_sends_to_the_open_chat() {
    let mut state = State::new(ChatId("bob@x".into()));
    state.history(HistoryPage { chat: state.chat.clone(), messages: vec![], has_more: false });
    let mut ui = simulator(state.view());
    ui.click(selector::id(COMPOSER_ID)).expect("composer is there");
    ui.typewrite("hello bob");
    ui.tap_key(Named::Enter);
    let messages: Vec<_> = ui.into_messages().collect();
    let events: Vec<_> = messages.into_iter().filter_map(|m| state.update(m).1).collect();
    let sent: Vec<_> = events.iter().filter(|e| !matches!(e, Event::Typing { .. })).collect();
    assert_eq!(sent, [&Event::Send { to: ChatId("bob@x".into()), body: "hello bob".into() }]);
    assert!(state.draft.is_empty());
}

#[test]
fn older_pages_go_in_front_and_live_messages_in_time_order() {
    let mut state = State::new(ChatId("bob@x".into()));
    state.history(HistoryPage {
        chat: state.chat.clone(),
        messages: vec![message(3, 30)],
        has_more: true,
    });
    state.history(HistoryPage {
        chat: state.chat.clone(),
        messages: vec![message(1, 10), message(2, 20)],
        has_more: false,
    });
    state.push(message(5, 25));
    state.push(message(5, 25));
    let ids: Vec<_> = state.messages.iter().map(|m| m.id).collect();
    assert_eq!(ids, [1, 2, 5, 3]);
    assert!(!state.has_more);
}

#[test]
fn a_message_moved_to_a_later_time_moves_down_and_a_corrected_one_stays() {
    let mut state = State::new(ChatId("bob@x".into()));
    state.history(HistoryPage {
        chat: state.chat.clone(),
        messages: vec![message(1, 10), message(2, 20), message(3, 30)],
        has_more: false,
    });
    state.replace(message(1, 25));
    state.replace(ChatMessage { body: "fixed".into(), ..message(3, 30) });
    let shown: Vec<_> = state.messages.iter().map(|m| (m.id, m.body.as_str())).collect();
    assert_eq!(shown, [(2, "m2"), (1, "m1"), (3, "fixed")]);
}

pub(super) fn room_line(id: i64, nick: &str, body: &str, kind: MessageKind) -> ChatMessage {
    ChatMessage {
        chat: ChatId("tea@muc.x".into()),
        kind,
        nick: Some(nick.into()),
        from: format!("tea@muc.x/{nick}"),
        body: body.into(),
        ..message(id, id)
    }
}

pub(super) fn room(nicks: &[&str]) -> State {
    let mut state = State::new(ChatId("tea@muc.x".into()));
    state.set_room(RoomContext {
        own_nick: "me".into(),
        nicks: nicks.iter().map(|n| n.to_string()).collect(),
        joined: true,
        moderator: false,
    });
    state
}

#[test]
fn room_lines_name_the_sender_and_events_are_quiet_lines() {
    let mut state = room(&["alice", "me"]);
    state.history(HistoryPage {
        chat: state.chat.clone(),
        messages: vec![
            room_line(1, "alice", "alice joined", MessageKind::Event),
            room_line(2, "alice", "hello", MessageKind::Message),
        ],
        has_more: false,
    });
    let mut ui = simulator(state.view());
    ui.find("alice joined").expect("the event is told");
    ui.find("alice").expect("the sender is named above her message");
    ui.find("hello").expect("the message");
    let mut left = room(&["alice"]);
    left.set_room(RoomContext { joined: false, ..RoomContext::default() });
    let mut ui = simulator(left.view());
    ui.find("Join the room to write here").expect("no composer outside the room");
}

#[test]
fn a_message_of_only_emoji_is_drawn_large() {
    let mut state = State::new(ChatId("bob@x".into()));
    let emoji = ChatMessage { body: "👍🎉".into(), ..message(1, 10) };
    let words = ChatMessage { body: "nice 👍".into(), ..message(2, 20) };
    state.history(HistoryPage {
        chat: state.chat.clone(),
        messages: vec![emoji, words],
        has_more: false,
    });
    let mut ui = simulator(state.view());
    let large = ui.find("👍🎉").expect("the emoji").bounds().height;
    let plain = ui.find("nice 👍").expect("the words").bounds().height;
    assert!(large > plain * 2.0, "{large} is not large beside {plain}");
}

#[test]
fn the_window_stays_bounded() {
    let mut state = State::new(ChatId("bob@x".into()));
    for i in 0..(MAX_WINDOW as i64 + 50) {
        state.push(message(i, i));
    }
    assert_eq!(state.messages.len(), MAX_WINDOW);
    assert!(state.has_more);
}
