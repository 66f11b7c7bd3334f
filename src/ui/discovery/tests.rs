use super::*;
use crate::model::{CommandStatus, EntityIdentity, EntityItem, Field, FieldKind, NoteKind};
use crate::ui::form;
use iced_test::simulator;

const SERVER: &str = "example.org";
const ROOMS: &str = "rooms.example.org";

fn identity(category: &str, kind: &str, name: Option<&str>) -> EntityIdentity {
    EntityIdentity { category: category.into(), kind: kind.into(), name: name.map(Into::into) }
}

fn info(identities: Vec<EntityIdentity>, features: &[&str]) -> Result<Discovered, String> {
    let features = features.iter().map(|f| (*f).to_owned()).collect();
    Ok(Discovered::Info(EntityInfo { identities, features, forms: Vec::new(), cut: false }))
}

fn item(jid: &str, node: Option<&str>, name: Option<&str>) -> EntityItem {
    EntityItem { jid: jid.into(), node: node.map(Into::into), name: name.map(Into::into) }
}

fn listed(items: Vec<EntityItem>, next: Option<&str>) -> Result<Discovered, String> {
    Ok(Discovered::Items { items, more: next.is_some(), next: next.map(Into::into) })
}

fn first_page() -> DiscoQuery {
    DiscoQuery::Items { after: None }
}

/// The asks an event carries, as (address, node, question).
fn asks(event: Option<Event>) -> Vec<(String, Option<String>, DiscoQuery)> {
    let Some(Event::Ask(asks)) = event else { panic!("questions expected, got {event:?}") };
    asks.into_iter().map(|a| (a.key.jid, a.key.node, a.query)).collect()
}

fn texts(state: &State) -> String {
    let mut ui = simulator(state.view());
    let mut seen = Vec::new();
    for needle in ["Multi-user chat", "Ping", "It lists nothing.", "Load more", "Listing…"] {
        if ui.find(needle).is_ok() {
            seen.push(needle);
        }
    }
    seen.join(", ")
}

/// The browser on our server, which says it is a server and lists its conference service.
fn on_server() -> State {
    let (mut state, event) = State::new(SERVER);
    assert_eq!(
        asks(event),
        [(SERVER.into(), None, DiscoQuery::Info), (SERVER.into(), None, first_page())],
        "the address's information and list are asked for at once"
    );
    let server = Key::new(SERVER, None);
    let features = ["urn:xmpp:ping", "http://jabber.org/protocol/commands"];
    state.answer(
        server.clone(),
        &DiscoQuery::Info,
        info(vec![identity("server", "im", None)], &features),
    );
    let items = vec![item(ROOMS, None, Some("Chat rooms")), item(SERVER, Some("announce"), None)];
    state.answer(server, &first_page(), listed(items, None));
    state
}

#[test]
fn an_address_shows_what_it_is_and_its_list_opens_lazily() {
    let mut state = on_server();
    let mut ui = simulator(state.view());
    ui.find("Ping").expect("a feature by its name");
    ui.find("Chat rooms").expect("the listed service by the name its list gave");
    ui.find("Show its commands").expect("offered because it announces commands");
    drop(ui);

    let rooms = Key::new(ROOMS, None);
    assert_eq!(
        asks(state.update(Message::Select(rooms.clone()))),
        [(ROOMS.into(), None, DiscoQuery::Info)]
    );
    let conference = vec![identity("conference", "text", Some("Rooms"))];
    state.answer(
        rooms.clone(),
        &DiscoQuery::Info,
        info(conference, &["http://jabber.org/protocol/muc"]),
    );
    assert_eq!(
        state.update(Message::Select(rooms.clone())),
        None,
        "known already: not asked again"
    );
    let mut ui = simulator(state.view());
    ui.find("Multi-user chat").expect("the service's feature");
    ui.click("Browse its rooms").expect("a conference service is browsed for rooms");
    let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
    assert_eq!(events, [Event::BrowseRooms(ROOMS.into())]);

    assert_eq!(
        asks(state.update(Message::Toggle(rooms.clone()))),
        [(ROOMS.into(), None, first_page())]
    );
    let room = format!("tea@{ROOMS}");
    state.answer(rooms.clone(), &first_page(), listed(vec![item(&room, None, Some("Tea"))], None));
    assert_eq!(state.update(Message::Toggle(rooms.clone())), None, "closing asks nothing");
    assert_eq!(state.update(Message::Toggle(rooms)), None, "a list already had is not asked again");
    let room_key = Key::new(&room, None);
    state.update(Message::Select(room_key.clone()));
    state.answer(
        room_key,
        &DiscoQuery::Info,
        info(vec![identity("conference", "text", None)], &["muc_public"]),
    );
    let mut ui = simulator(state.view());
    ui.find("Public room").expect("a room's feature by its name");
    ui.click("Join this room").expect("a room is joined");
    let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
    assert_eq!(events, [Event::JoinRoom(room)]);
}

#[test]
fn errors_and_silence_show_in_place() {
    let (mut state, _) = State::new("nobody.example");
    let key = Key::new("nobody.example", None);
    state.answer(key.clone(), &DiscoQuery::Info, Err("its server could not be found".into()));
    let mut ui = simulator(state.view());
    ui.find("its server could not be found").expect("the refusal in words");
    assert_eq!(texts(&state), "Listing…", "the list is still awaited");

    let (mut state, event) = State::new("slow.example");
    let Some(Event::Ask(first)) = event else { panic!("asked") };
    let Some(Event::Ask(again)) = state.update(Message::Refresh) else { panic!("asked again") };
    state.update(Message::TimedOut(first));
    let mut ui = simulator(state.view());
    ui.find("It did not answer in time.").expect("the list's silence is told");
    assert!(ui.find("Asking…").is_ok(), "the information asked again since is still awaited");
    drop(ui);
    state.update(Message::TimedOut(again));
    let mut ui = simulator(state.view());
    assert!(ui.find("Asking…").is_err(), "now both are given up");
    drop(ui);
    let slow = Key::new("slow.example", None);
    assert_eq!(state.update(Message::Toggle(slow.clone())), None, "closed");
    let retried = asks(state.update(Message::Toggle(slow)));
    assert_eq!(retried, [("slow.example".into(), None, first_page())], "opened again: asked again");
}

#[test]
fn a_paged_list_loads_more_without_repeating_anything() {
    let (mut state, _) = State::new(ROOMS);
    let service = Key::new(ROOMS, None);
    let page = |from: usize, to: usize| {
        (from..to).map(|i| item(&format!("room{i}@{ROOMS}"), None, None)).collect::<Vec<_>>()
    };
    state.answer(service.clone(), &first_page(), listed(page(0, 100), Some("room99")));
    assert!(texts(&state).contains("Load more"));
    let more = asks(state.update(Message::LoadMore(service.clone())));
    let after = DiscoQuery::Items { after: Some("room99".into()) };
    assert_eq!(more, [(ROOMS.into(), None, after.clone())]);
    state.answer(service.clone(), &after, listed(page(95, 130), None));
    let children = &state.entities[&service].items.children;
    assert_eq!(children.len(), 130, "the overlap is not listed twice");
    assert_eq!(state.entities[&service].items.state, ListState::Complete);
    assert!(!texts(&state).contains("Load more"));
    assert_eq!(state.update(Message::LoadMore(service)), None, "nothing more to load");
}

#[test]
fn hostile_lists_stay_bounded_loops_end_and_the_filter_finds_rows() {
    let (mut state, _) = State::new("evil.example");
    let root = Key::new("evil.example", None);
    let flood = |page: usize| {
        (0..1_000).map(|i| item(&format!("x{page}-{i}.evil.example"), None, None)).collect()
    };
    for page in 0..6 {
        let cursor = format!("c{page}");
        state.answer(root.clone(), &first_page(), listed(flood(page), Some(&cursor)));
    }
    assert!(state.entities.len() <= MAX_ENTITIES);
    assert!(state.full);
    assert_eq!(state.entities[&root].items.state, ListState::Cut, "no more pages asked for");
    let mut ui = simulator(state.view());
    ui.find("The list is too long to keep more; filter or start from a deeper address.")
        .expect("said");
    drop(ui);
    state.update(Message::Filter("x3-999.".into()));
    let mut ui = simulator(state.view());
    ui.find("x3-999.evil.example").expect("a row far down found by the filter");

    // A list that lists its own parent, and a chain deeper than is drawn.
    let (mut state, _) = State::new("loop.example");
    let a = Key::new("loop.example", None);
    let b = Key::new("loop.example", Some("b"));
    state.answer(
        a.clone(),
        &first_page(),
        listed(vec![item("loop.example", Some("b"), None)], None),
    );
    state.update(Message::Toggle(b.clone()));
    state.answer(b, &first_page(), listed(vec![item("loop.example", None, None)], None));
    assert!(state.entities[&a].open, "the top lists itself below its child, opened");
    let mut previous = Key::new("loop.example", Some("b"));
    for depth in 0..40 {
        let node = format!("deep{depth}");
        let next = Key::new("loop.example", Some(&node));
        state.answer(
            previous.clone(),
            &first_page(),
            listed(vec![item("loop.example", Some(&node), None)], None),
        );
        state.update(Message::Toggle(next.clone()));
        previous = next;
    }
    let mut ui = simulator(state.view());
    ui.find("deep5").expect("drawn");
    assert!(ui.find("deep30").is_err(), "deeper than the tree draws");
}

fn command_stage(status: CommandStatus, form: Option<Form>) -> CommandStage {
    CommandStage {
        session: Some("s1".into()),
        status,
        allowed: vec![CommandAction::Complete],
        suggested: Some(CommandAction::Complete),
        notes: vec![(NoteKind::Info, "Service is ready".into())],
        form,
    }
}

#[test]
fn commands_are_listed_and_run_through_their_stages_with_the_shared_form() {
    let mut state = on_server();
    let mut ui = simulator(state.view());
    ui.click("Show its commands").expect("offered");
    let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
    let commands = Key::new(SERVER, Some(COMMANDS_NODE));
    let list = DiscoQuery::Items { after: None };
    let [Event::Ask(asked)] = events.as_slice() else { panic!("{events:?}") };
    let asked: Vec<_> = asked.iter().map(|a| (&a.key, &a.query)).collect();
    assert_eq!(
        asked,
        [(&commands, &DiscoQuery::Info), (&commands, &list)],
        "what it is, and its list"
    );
    state.answer(commands.clone(), &DiscoQuery::Info, info(Vec::new(), &[]));
    let announce =
        item(SERVER, Some("http://jabber.org/protocol/admin#announce"), Some("Send Announcement"));
    state.answer(commands, &list, listed(vec![announce], None));

    let node = "http://jabber.org/protocol/admin#announce";
    let key = Key::new(SERVER, Some(node));
    state.update(Message::Select(key.clone()));
    let node_identity = vec![identity("automation", "command-node", None)];
    state.answer(key, &DiscoQuery::Info, info(node_identity, &[]));
    let mut ui = simulator(state.view());
    ui.click("Run this command").expect("a listed command runs");
    let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
    let Some(Event::Step { action: CommandAction::Execute, session: None, .. }) = events.first()
    else {
        panic!("started: {events:?}")
    };

    let body = Field {
        var: "body".into(),
        label: Some("Announcement".into()),
        kind: FieldKind::TextSingle,
        ..Field::default()
    };
    let form = Form { fields: vec![body], ..Form::default() };
    state.command_stage(SERVER, node, Ok(command_stage(CommandStatus::Executing, Some(form))));
    let mut ui = simulator(state.view());
    ui.find("Service is ready").expect("the note");
    ui.click("Announcement").expect("the field's label");
    drop(ui);
    state.update(Message::Command(command::Message::Form(form::Message::Input(
        0,
        "Hello all".into(),
    ))));
    let step = state.update(Message::Command(command::Message::Step(CommandAction::Complete)));
    let Some(Event::Step { action: CommandAction::Complete, session, form: Some(sent), .. }) = step
    else {
        panic!("finished: {step:?}")
    };
    assert_eq!(session.as_deref(), Some("s1"));
    assert_eq!(sent.fields[0].values, ["Hello all"]);
    state.command_stage(SERVER, node, Ok(command_stage(CommandStatus::Completed, None)));
    let mut ui = simulator(state.view());
    ui.find("Done.").expect("the end is told");
    drop(ui);
    assert_eq!(state.update(Message::ClosePanel), None, "a finished command is just closed");
}

#[test]
fn closing_a_command_half_way_cancels_it() {
    let mut state = on_server();
    state.update(Message::Act(Action::RunCommand {
        jid: SERVER.into(),
        node: "list".into(),
        name: "List".into(),
    }));
    state.command_stage(SERVER, "list", Ok(command_stage(CommandStatus::Executing, None)));
    let cancel = state.update(Message::ClosePanel);
    let Some(Event::Step { action: CommandAction::Cancel, session, .. }) = cancel else {
        panic!("cancelled: {cancel:?}")
    };
    assert_eq!(session.as_deref(), Some("s1"));
    assert!(state.panel.is_none());
}

#[test]
fn a_service_that_takes_registrations_is_registered_with_through_its_form() {
    let (mut state, _) = State::new(ROOMS);
    let service = Key::new(ROOMS, None);
    let conference = vec![identity("conference", "text", None)];
    let features = ["http://jabber.org/protocol/muc", "jabber:iq:register"];
    state.answer(service, &DiscoQuery::Info, info(conference, &features));
    let mut ui = simulator(state.view());
    ui.click("Register with it").expect("offered by its feature");
    let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
    assert_eq!(events, [Event::Register { jid: ROOMS.into(), form: None }]);

    let nick = Field {
        label: Some("Nickname".into()),
        required: true,
        ..Field::new("nick", FieldKind::TextSingle)
    };
    let form = Form { fields: vec![nick], ..Form::default() };
    state.registration(ROOMS, Ok(ServiceRegistration::Asked { form, registered: false }));
    let send = Message::Registration(registration::Message::Send);
    assert_eq!(state.update(send.clone()), None, "a required field is empty");
    let mut ui = simulator(state.view());
    ui.find("Please fill in Nickname.").expect("said before anything is sent");
    drop(ui);
    let typed = form::Message::Input(0, "Ally".into());
    state.update(Message::Registration(registration::Message::Form(typed)));
    let Some(Event::Register { form: Some(sent), .. }) = state.update(send) else { panic!("sent") };
    assert_eq!(sent.fields[0].values, ["Ally"]);
    state.registration(ROOMS, Ok(ServiceRegistration::Done));
    let mut ui = simulator(state.view());
    ui.find("Registered.").expect("the service took it");
}

#[test]
fn a_directory_is_searched_and_the_people_found_can_be_added() {
    let directory = "vjud.example.org";
    let (mut state, _) = State::new(directory);
    let key = Key::new(directory, None);
    let identities = vec![identity("directory", "user", Some("vCard User Search"))];
    state.answer(key, &DiscoQuery::Info, info(identities, &["jabber:iq:search"]));
    let mut ui = simulator(state.view());
    ui.click("Search its directory").expect("offered by its feature");
    let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
    assert_eq!(events, [Event::Search { jid: directory.into(), form: None }]);

    let nick =
        Field { label: Some("Nickname".into()), ..Field::new("nick", FieldKind::TextSingle) };
    let form = Form { fields: vec![nick], ..Form::default() };
    state.directory(directory, Ok(DirectorySearch::Asked(form)));
    let typed = form::Message::Input(0, "Builder".into());
    state.update(Message::Search(search::Message::Form(typed)));
    let Some(Event::Search { form: Some(sent), .. }) =
        state.update(Message::Search(search::Message::Search))
    else {
        panic!("searched")
    };
    assert_eq!(sent.fields[0].values, ["Builder"]);
    let bob = crate::model::DirectoryRow {
        jid: Some("bob@example.org".into()),
        cells: vec!["bob@example.org".into(), "Builder".into()],
    };
    let table = crate::model::Directory {
        columns: vec!["Jabber ID".into(), "Nickname".into()],
        rows: vec![bob],
        cut: false,
    };
    state.directory(directory, Ok(DirectorySearch::Found(table)));
    let mut ui = simulator(state.view());
    ui.find("One found.").expect("the count");
    ui.click("Add").expect("the person can be added");
    let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
    assert_eq!(events, [Event::AddContact("bob@example.org".into())]);
    state.update(Message::Search(search::Message::Again));
    let mut ui = simulator(state.view());
    ui.find("Nickname").expect("back to the form, as filled in");
}

#[test]
fn lists_that_share_their_entries_draw_quickly_and_each_opens_once() {
    let (mut state, _) = State::new("shared.example");
    let root = Key::new("shared.example", None);
    let nodes: Vec<EntityItem> =
        (0..10).map(|i| item("shared.example", Some(&format!("k{i}")), None)).collect();
    state.answer(root, &first_page(), listed(nodes.clone(), None));
    for i in 0..10 {
        let key = Key::new("shared.example", Some(&format!("k{i}")));
        state.update(Message::Toggle(key.clone()));
        state.answer(key, &first_page(), listed(nodes.clone(), None));
    }
    // Walked naively, ten lists of the same ten open are ten billion rows: this view would
    // not come back. Each entity opens once, and the walk stops past what is drawn.
    let mut ui = simulator(state.view());
    ui.find("k9").expect("drawn");
}

#[test]
fn a_panel_that_gets_no_answer_says_so_and_a_stale_cancel_is_not_taken() {
    let mut state = on_server();
    state.update(Message::Act(Action::Register(ROOMS.into())));
    let stale = state.panel_serial() - 1;
    state.update(Message::PanelTimedOut(stale));
    let mut ui = simulator(state.view());
    ui.find("Waiting for the service…").expect("an older step's silence changes nothing");
    drop(ui);
    state.update(Message::PanelTimedOut(state.panel_serial()));
    let mut ui = simulator(state.view());
    ui.find("It did not answer in time.").expect("said");
    drop(ui);

    let run =
        || Action::RunCommand { jid: SERVER.into(), node: "list".into(), name: "List".into() };
    state.update(Message::Act(run()));
    state.command_stage(SERVER, "list", Ok(command_stage(CommandStatus::Executing, None)));
    state.update(Message::ClosePanel);
    state.update(Message::Act(run()));
    let mut cancelled = command_stage(CommandStatus::Canceled, None);
    cancelled.session = Some("s1".into());
    state.command_stage(SERVER, "list", Ok(cancelled));
    let mut ui = simulator(state.view());
    ui.find("Waiting for the answer…").expect("the earlier run's cancel is not this run's answer");
}
