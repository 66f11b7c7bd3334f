use super::*;

fn console() -> State {
    State::new("alice@example.org")
}

fn shows(state: &State, words: &str) -> bool {
    iced_test::simulator(state.view(false)).find(words).is_ok()
}

/// Whether a drawn stanza has a line with `words`.
fn draws(state: &State, words: &str) -> bool {
    state.drawn_lines().iter().any(|line| line.contains(words))
}

const MESSAGE: &str = "<message xmlns='jabber:client' from='bob@example.org/x' type='chat'>\
                       <body>hello there</body></message>";
const PRESENCE: &str = "<presence xmlns='jabber:client' from='carol@example.org/y'/>";

#[test]
fn stanzas_show_pretty_with_direction_and_kind_and_filters_hide_them() {
    let mut state = console();
    assert!(shows(
        &state,
        "Stanzas in and out of this account show here while the console is open."
    ));
    state.stanza(false, MESSAGE);
    state.stanza(true, PRESENCE);
    assert!(draws(&state, "<body>hello there</body>"), "the body on a line of its own");
    assert!(
        state.view_text().iter().any(|t| t.starts_with("← received") && t.ends_with("· message"))
    );
    assert!(state.view_text().iter().any(|t| t.starts_with("→ sent") && t.ends_with("· presence")));

    state.update(Message::Kind(Kind::Message, false));
    assert!(!draws(&state, "hello there"), "messages filtered out");
    state.update(Message::Kind(Kind::Message, true));
    state.update(Message::Incoming(false));
    assert!(!draws(&state, "hello there"), "incoming filtered out");
    state.update(Message::Incoming(true));
    state.update(Message::Filter("CAROL@".into()));
    assert!(!draws(&state, "hello there"), "the text filter, any case");
    assert!(draws(&state, "carol@example.org/y"));
    state.update(Message::Filter("nobody".into()));
    assert!(shows(&state, "No stanza matches the filters."));
}

#[test]
fn a_paused_console_holds_new_stanzas_until_resumed() {
    let mut state = console();
    state.update(Message::Pause(true));
    state.stanza(false, MESSAGE);
    assert!(!draws(&state, "hello there"));
    assert!(shows(&state, "Paused: 1 new stanzas wait."));
    state.update(Message::Pause(false));
    assert!(draws(&state, "hello there"));
}

#[test]
fn memory_is_bounded_by_count_bytes_and_the_cut_of_one_stanza() {
    let mut state = console();
    for _ in 0..MAX_ENTRIES + 10 {
        state.stanza(false, PRESENCE);
    }
    assert_eq!(state.entries.len(), MAX_ENTRIES);
    let huge = format!("<message><body>{}</body></message>", "é".repeat(MAX_SHOWN));
    for _ in 0..(MAX_BYTES / MAX_SHOWN) + 5 {
        state.stanza(false, &huge);
    }
    assert!(state.bytes <= MAX_BYTES, "{} bytes kept", state.bytes);
    assert_eq!(state.bytes, state.entries.iter().map(|e| e.xml.len()).sum::<usize>());
    let last = state.entries.back().expect("kept");
    assert!(last.xml.len() <= MAX_SHOWN && last.cut > 0);
    assert!(shows(&state, &format!("… {} more bytes not kept", last.cut)));
}

#[test]
fn a_template_fills_the_box_and_send_hands_the_stanza_to_the_worker() {
    let mut state = console();
    assert_eq!(state.update(Message::Send), None, "nothing to send");
    state.update(Message::Template(Kind::Presence));
    let Some(Event::Send(xml)) = state.update(Message::Send) else { panic!("sent") };
    assert!(xml.starts_with("<presence>"), "{xml}");
    assert!(state.outcome(&Err("not connected; try again once online".into())));
    assert!(shows(&state, "not connected; try again once online"));
    assert!(!state.outcome(&Ok("sent".into())), "only the answer to our own send is taken");
}

#[test]
fn copy_hands_over_the_stanza_as_it_came() {
    let mut state = console();
    state.stanza(false, MESSAGE);
    assert_eq!(state.update(Message::Copy(0)), Some(Event::Copy(MESSAGE.into())));
    assert_eq!(state.update(Message::Close), Some(Event::Close));
}
