use super::*;
use iced::Rectangle;
use iced_test::selector::{Candidate, Target};

use crate::ui::fixtures::occupant;

fn shown(state: &State) -> Vec<String> {
    state
        .rows
        .iter()
        .map(|row| match row {
            Row::Header { role, count } => format!("[{} {count}]", role_heading(*role)),
            Row::Occupant(i) => state.occupants[*i].nick.clone(),
        })
        .collect()
}

fn room(own_role: Role, own_affiliation: Affiliation) -> State {
    let mut state = State::default();
    state.set(
        vec![
            occupant("zoe", Role::Participant, Affiliation::None),
            occupant("me", own_role, own_affiliation),
            occupant("Bob", Role::Moderator, Affiliation::Admin),
            occupant("amy", Role::Visitor, Affiliation::None),
            occupant("carl", Role::Participant, Affiliation::Member),
        ],
        "me",
    );
    state
}

#[test]
fn occupants_are_grouped_by_role_and_sorted_by_name() {
    let mut state = room(Role::Participant, Affiliation::None);
    assert_eq!(
        shown(&state),
        ["[Moderators 1]", "Bob", "[Participants 3]", "carl", "me", "zoe", "[Visitors 1]", "amy"]
    );
    state.update(Message::Filter("A".into()));
    assert_eq!(shown(&state), ["[Participants 1]", "carl", "[Visitors 1]", "amy"]);
}

#[test]
fn a_thousand_occupants_build_only_the_rows_in_view() {
    let mut state = State::default();
    let crowd =
        (0..1000).map(|i| occupant(&format!("n{i:04}"), Role::Participant, Affiliation::None));
    state.set(crowd.collect(), "n0000");
    assert_eq!(state.rows.len(), 1001);
    assert!(state.window.range(state.rows.len(), ROW_HEIGHT).len() < 60);
    let mut ui = iced_test::simulator(state.view());
    assert!(ui.find("n0010").is_ok());
    assert!(ui.find("n0900").is_err(), "rows far below are not built");
}

/// Where the `n`th (from 0) text reading `label` is drawn.
fn nth_text(ui: &mut iced_test::Simulator<'_, Message>, label: &str, n: usize) -> Rectangle {
    let label = label.to_owned();
    let mut seen = 0;
    let found = ui.find(move |candidate: Candidate<'_>| match candidate {
        Candidate::Text { content, .. } if content == label => {
            seen += 1;
            (seen == n + 1).then(|| Target::from(candidate))
        }
        _ => None,
    });
    found.expect("shown").bounds()
}

#[test]
fn a_card_opens_next_to_the_person_clicked() {
    let mut state = room(Role::Participant, Affiliation::None);
    state.update(Message::Select("carl".into()));
    let mut ui = iced_test::simulator(state.view());
    let row = nth_text(&mut ui, "carl", 0);
    let card = nth_text(&mut ui, "carl", 1);
    assert!(card.y > row.y, "under the row, near the top: {row:?} {card:?}");
    assert!(card.y - row.y < 2.0 * ROW_HEIGHT, "right under it: {row:?} {card:?}");

    let mut state = State::default();
    let crowd =
        (0..18).map(|i| occupant(&format!("n{i:02}"), Role::Participant, Affiliation::None));
    state.set(crowd.collect(), "n00");
    state.update(Message::Select("n16".into()));
    let mut ui = iced_test::simulator(state.view());
    let row = nth_text(&mut ui, "n16", 0);
    let button = nth_text(&mut ui, "Private message", 0);
    let bottom = button.y + button.height;
    assert!(bottom < row.y, "above the row, near the bottom: {row:?} {button:?}");
    assert!(row.y - bottom < 2.0 * ROW_HEIGHT, "right above it: {row:?} {button:?}");
}

#[test]
fn the_reason_typed_in_the_card_keeps_its_focus() {
    let mut state = room(Role::Moderator, Affiliation::Admin);
    state.update(Message::Select("zoe".into()));
    let update = |state: &mut State, message| {
        state.update(message);
        iced::Task::none()
    };
    let mut window = crate::ui::frames::Window::new(state, State::view, update);
    window.click("Reason (optional, they are told)");
    window.type_text("spam");
    assert_eq!(window.state.menu.map(|m| m.reason).as_deref(), Some("spam"));
}

#[test]
fn moderation_is_offered_only_as_far_as_our_standing_allows() {
    let zoe = occupant("zoe", Role::Participant, Affiliation::None);
    let bob = occupant("Bob", Role::Moderator, Affiliation::Admin);
    let me = |role, affiliation| occupant("me", role, affiliation);
    assert!(allowed(Some(&me(Role::Participant, Affiliation::Member)), &zoe).is_empty());
    assert!(allowed(None, &zoe).is_empty(), "we are not in the room");
    assert_eq!(
        allowed(Some(&me(Role::Moderator, Affiliation::None)), &zoe),
        [Moderation::Kick, Moderation::RevokeVoice]
    );
    assert!(allowed(Some(&me(Role::Moderator, Affiliation::None)), &bob).is_empty());
    assert!(allowed(Some(&me(Role::Moderator, Affiliation::Admin)), &bob).is_empty());
    assert_eq!(
        allowed(Some(&me(Role::Moderator, Affiliation::Owner)), &bob),
        [Moderation::Ban, Moderation::GrantOwner]
    );
    let own = me(Role::Moderator, Affiliation::Owner);
    assert!(allowed(Some(&own), &own).is_empty(), "not on ourselves");
}

#[test]
fn the_menu_shows_moderation_only_to_moderators() {
    let mut state = room(Role::Participant, Affiliation::Member);
    state.update(Message::Select("zoe".into()));
    let mut ui = iced_test::simulator(state.view());
    ui.find("Private message").expect("anyone may write privately");
    assert!(ui.find("Kick").is_err(), "a participant cannot kick");
    ui.click("Private message").expect("clickable");
    let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
    assert_eq!(events, [Event::PrivateMessage("zoe".into())]);

    let mut state = room(Role::Moderator, Affiliation::Admin);
    state.update(Message::Select("zoe".into()));
    state.update(Message::Reason("spam".into()));
    let mut ui = iced_test::simulator(state.view());
    ui.find("Grant membership").expect("an admin manages membership");
    ui.click("Kick").expect("a moderator can kick");
    let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
    assert_eq!(events, [], "after asking");
    let mut ui = iced_test::simulator(state.view());
    ui.find("Kick zoe? They leave the room now; they may come back.").expect("what it does");
    ui.click("Kick zoe").expect("the confirmation");
    let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
    assert_eq!(
        events,
        [Event::Moderate {
            nick: "zoe".into(),
            action: Moderation::Kick,
            reason: Some("spam".into())
        }]
    );
    assert!(state.menu.is_none(), "the menu closes once acted on");
}

#[test]
fn a_ban_asks_first_and_can_be_called_off() {
    let mut state = room(Role::Moderator, Affiliation::Admin);
    state.update(Message::Select("zoe".into()));
    assert_eq!(state.update(Message::Moderate(Moderation::Ban)), None, "asks first");
    let mut ui = iced_test::simulator(state.view());
    ui.find("Ban zoe? They leave the room and cannot come back until unbanned.")
        .expect("what it does");
    ui.click("Cancel").expect("a way back");
    let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
    assert_eq!(events, []);
    assert_eq!(state.update(Message::Confirm), None, "nothing left to confirm");
    assert_eq!(
        state.update(Message::Moderate(Moderation::GrantVoice)),
        Some(Event::Moderate { nick: "zoe".into(), action: Moderation::GrantVoice, reason: None }),
        "what is easily undone does not ask"
    );
}
