use super::*;
use crate::model::{Delivery, Direction, Message as ChatMessage, MessageKind};
use chrono::DateTime;
use iced_test::simulator;

fn hit(account: &str, id: i64, secs: i64, body: &str) -> SearchHit {
    SearchHit {
        account: account.into(),
        message: ChatMessage {
            id,
            chat: ChatId("bob@x".into()),
            kind: MessageKind::Message,
            nick: None,
            edited: false,
            scheduled_for: None,
            late: false,
            direction: Direction::In,
            from: "bob@x/phone".into(),
            to: account.into(),
            body: body.into(),
            timestamp: DateTime::from_timestamp(secs, 0).unwrap_or_default(),
            state: Delivery::Received,
            origin_id: None,
            attachment: None,
            reply: None,
            unstyled: false,
        },
    }
}

fn searched(state: &mut State, words: &str, serial: u64) -> Vec<SearchQuery> {
    match state.update(Message::Query(words.into()), serial) {
        Some(Event::Search { serial: asked, queries }) => {
            assert_eq!(asked, serial);
            queries
        }
        other => panic!("expected a search, got {other:?}"),
    }
}

#[test]
fn typing_searches_every_account_with_the_filters() {
    let mut state = State::default();
    let _ = state.update(Message::From("bob@x".into()), 1);
    let _ = state.update(Message::Since("2026-01-01".into()), 2);
    let _ = state.update(Message::WithImage(true), 3);
    let queries = searched(&mut state, "café", 4);
    assert_eq!(queries.len(), 1);
    let query = &queries[0];
    assert_eq!((query.text.as_str(), query.account.as_deref()), ("café", None));
    assert_eq!(query.from.as_deref(), Some("bob@x"));
    assert!(query.since.is_some() && query.with_image);
}

#[test]
fn nothing_is_asked_for_signs_alone_and_a_bad_date_is_said() {
    let mut state = State::default();
    assert_eq!(state.update(Message::Query("\" *".into()), 1), None);
    let _ = state.update(Message::Query("lunch".into()), 2);
    assert_eq!(state.update(Message::Until("last week".into()), 3), None);
    assert!(state.problem.as_deref().is_some_and(|p| p.contains("YYYY-MM-DD")));
}

#[test]
fn answers_of_every_account_are_merged_newest_first_and_stale_ones_dropped() {
    let mut state = State::default();
    let _ = searched(&mut state, "lun", 1);
    let _ = searched(&mut state, "lunch", 2);
    let alice = AccountId("alice@x".into());
    let work = AccountId("alice@work.x".into());
    let stale = SearchResults { hits: vec![hit("alice@x", 9, 90, "lun")], more: false };
    state.answer(&alice, 1, Ok(stale));
    assert!(state.hits.is_empty(), "an answer to words typed before");
    let home = SearchResults { hits: vec![hit("alice@x", 1, 10, "lunch at home")], more: true };
    let office =
        SearchResults { hits: vec![hit("alice@work.x", 7, 20, "lunch at work")], more: false };
    state.answer(&alice, 2, Ok(home));
    state.answer(&work, 2, Ok(office));
    let bodies: Vec<_> = state.hits.iter().map(|h| h.message.body.as_str()).collect();
    assert_eq!(bodies, ["lunch at work", "lunch at home"]);

    // More asks only the account that has more, from its last hit.
    match state.update(Message::More, 3) {
        Some(Event::Search { queries, .. }) => {
            assert_eq!(queries.len(), 1);
            assert_eq!(queries[0].account.as_deref(), Some("alice@x"));
            assert_eq!(queries[0].before, Some(1));
        }
        other => panic!("expected the next page, got {other:?}"),
    }
}

#[test]
fn a_hit_clicked_opens_its_line_in_its_account() {
    let mut state = State::default();
    let _ = searched(&mut state, "lunch", 1);
    let results =
        SearchResults { hits: vec![hit("alice@work.x", 7, 20, "Lunch at noon")], more: false };
    state.answer(&AccountId("alice@work.x".into()), 1, Ok(results));
    let mut ui = simulator(state.view(false, |_, chat| chat.to_string()));
    ui.find("1 found, newest first.").expect("the count");
    ui.click("bob@x").expect("the hit's conversation");
    let messages: Vec<_> = ui.into_messages().collect();
    let events: Vec<_> = messages.into_iter().filter_map(|m| state.update(m, 2)).collect();
    assert_eq!(
        events,
        [Event::Open {
            account: AccountId("alice@work.x".into()),
            chat: ChatId("bob@x".into()),
            message_id: 7
        }]
    );
}
