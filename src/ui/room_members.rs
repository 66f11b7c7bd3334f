//! A room's lists of members, admins, owners and banned people, beside its conversation
//! (XEP-0045 §9.2, §9.5, §10.5, §10.8): one list at a time, read from the room when its tab
//! is shown, each person with a button to take them off it, and a field to add someone by
//! address, whether they are in the room or not.

use super::theme;
use crate::model::{Affiliated, Affiliation};
use iced::widget::{Row, button, column, container, row, scrollable, text, text_input};
use iced::{Center, Element, Fill, Padding};

/// The lists an admin may read and change (XEP-0045 §9): members and banned people.
const ADMIN_TABS: &[Affiliation] = &[Affiliation::Member, Affiliation::Outcast];
/// An owner also manages the admins and the owners (XEP-0045 §10).
const OWNER_TABS: &[Affiliation] =
    &[Affiliation::Member, Affiliation::Admin, Affiliation::Owner, Affiliation::Outcast];

/// The open panel: which list is shown, and the address being added to it.
#[derive(Debug)]
pub struct State {
    tabs: &'static [Affiliation],
    tab: Affiliation,
    list: List,
    /// The address to add to the shown list.
    jid: String,
    /// Why someone is banned; only the banned list keeps one.
    reason: String,
    /// The address was not one, or the room refused the last change.
    error: Option<String>,
    /// A change went to the worker and its outcome has not come back yet.
    changing: bool,
}

/// The shown list, as far as the room has answered.
#[derive(Debug)]
enum List {
    Loading,
    Loaded(Vec<Affiliated>),
    Failed(String),
}

/// What the panel's widgets emit.
#[derive(Debug, Clone)]
pub enum Message {
    /// Show this list (again, if it is the one shown).
    Tab(Affiliation),
    /// The address to add.
    Jid(String),
    /// Why the person added to the banned list is banned.
    Reason(String),
    Add,
    /// Take this address off the shown list.
    Remove(String),
    /// Read the shown list again, once a change has been sent.
    Refresh,
    Close,
}

/// What the room must act on.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Ask the room for everyone with this affiliation.
    List(Affiliation),
    /// Give the address this affiliation (`None` takes it off every list).
    Change {
        jid: String,
        affiliation: Affiliation,
        reason: Option<String>,
    },
    Close,
}

impl State {
    /// The panel on its first list (the members), with the request that list needs;
    /// `owner` adds the admins' and owners' lists.
    pub fn new(owner: bool) -> (Self, Event) {
        let mut state = Self {
            tabs: if owner { OWNER_TABS } else { ADMIN_TABS },
            tab: Affiliation::Member,
            list: List::Loading,
            jid: String::new(),
            reason: String::new(),
            error: None,
            changing: false,
        };
        let list = state.load();
        (state, list)
    }

    /// A list arrived. One for another tab is dropped: the user has moved on, and the tab
    /// asks again when shown.
    pub fn set_list(&mut self, affiliation: Affiliation, list: Result<Vec<Affiliated>, String>) {
        if affiliation != self.tab {
            return;
        }
        self.list = match list {
            Ok(mut people) => {
                people.sort_by_cached_key(|p| p.jid.to_lowercase());
                List::Loaded(people)
            }
            Err(reason) => List::Failed(reason),
        };
    }

    /// The worker's outcome of a command, taken as the answer to the change sent from here
    /// when one is waiting (outcomes do not say which command they answer). Returns whether
    /// it was taken, so a refusal is shown here rather than as a notice.
    pub fn outcome(&mut self, outcome: &Result<String, String>) -> bool {
        if !std::mem::take(&mut self.changing) {
            return false;
        }
        if let Err(why) = outcome {
            self.error = Some(why.clone());
        }
        true
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Tab(tab) => {
                self.tab = tab;
                self.error = None;
                Some(self.load())
            }
            Message::Refresh => Some(self.load()),
            Message::Jid(jid) => {
                self.jid = jid;
                self.error = None;
                None
            }
            Message::Reason(reason) => {
                self.reason = reason;
                None
            }
            Message::Add => {
                let jid = match crate::model::parse_bare_jid(&self.jid) {
                    Ok(jid) => jid,
                    Err(why) => {
                        self.error = Some(why);
                        return None;
                    }
                };
                let reason = Some(self.reason.trim().to_owned())
                    .filter(|r| !r.is_empty() && self.tab == Affiliation::Outcast);
                self.jid.clear();
                self.reason.clear();
                Some(self.change(jid, self.tab, reason))
            }
            Message::Remove(jid) => Some(self.change(jid, Affiliation::None, None)),
            Message::Close => Some(Event::Close),
        }
    }

    fn load(&mut self) -> Event {
        self.list = List::Loading;
        Event::List(self.tab)
    }

    fn change(&mut self, jid: String, affiliation: Affiliation, reason: Option<String>) -> Event {
        self.changing = true;
        self.error = None;
        Event::Change { jid, affiliation, reason }
    }

    pub fn view(&self) -> Element<'_, Message> {
        let small = |label: &'static str| text(label).size(theme::TEXT_SMALL);
        let title = row![
            text("Members and bans").size(theme::TEXT_TITLE).width(Fill),
            button(small("Close")).style(button::secondary).on_press(Message::Close),
        ]
        .align_y(Center);
        let tabs = self.tabs.iter().map(|&tab| {
            button(small(tab_label(tab)))
                .style(theme::contact_row(tab == self.tab))
                .padding([theme::SPACE_XS, theme::SPACE_S])
                .on_press(Message::Tab(tab))
                .into()
        });
        let about = text(about(self.tab)).size(theme::TEXT_SMALL).style(theme::muted);
        let error =
            self.error.as_deref().map(|e| text(e).size(theme::TEXT_SMALL).style(theme::error_text));
        container(
            column![
                title,
                Row::with_children(tabs).spacing(theme::SPACE_XS).wrap(),
                about,
                self.list(),
                error,
                self.add_form(),
            ]
            .spacing(theme::SPACE_S),
        )
        .padding(theme::SPACE_M)
        .width(theme::ROOM_CONFIG_WIDTH)
        .height(Fill)
        .style(theme::side_panel)
        .into()
    }

    fn list(&self) -> Element<'_, Message> {
        let people = match &self.list {
            List::Loading => return text("Loading…").style(theme::muted).height(Fill).into(),
            List::Failed(reason) => {
                return text(format!("The room did not give this list: {reason}"))
                    .style(theme::error_text)
                    .height(Fill)
                    .into();
            }
            List::Loaded(people) if people.is_empty() => {
                return text(empty(self.tab)).style(theme::muted).height(Fill).into();
            }
            List::Loaded(people) => people,
        };
        let remove = if self.tab == Affiliation::Outcast { "Unban" } else { "Remove" };
        let rows = people.iter().map(|person| {
            let details = person
                .nick
                .as_deref()
                .map(|nick| format!("Reserved nickname: {nick}"))
                .into_iter()
                .chain(person.reason.as_deref().map(|reason| format!("Why: {reason}")))
                .map(|line| text(line).size(theme::TEXT_SMALL).style(theme::muted).into());
            let who = column![text(&person.jid).size(theme::TEXT_BODY)].extend(details);
            container(
                row![
                    who.width(Fill),
                    button(text(remove).size(theme::TEXT_SMALL))
                        .style(button::secondary)
                        .on_press(Message::Remove(person.jid.clone())),
                ]
                .spacing(theme::SPACE_S)
                .align_y(Center),
            )
            .padding(theme::SPACE_S)
            .width(Fill)
            .style(theme::card)
            .into()
        });
        let rows = column(rows).spacing(theme::SPACE_XS);
        scrollable(rows.padding(Padding::ZERO.right(theme::SCROLLBAR_GUTTER))).height(Fill).into()
    }

    /// An address to put on the shown list (with a reason, when banning); the button waits
    /// for something that looks like `user@host`.
    fn add_form(&self) -> Element<'_, Message> {
        let banning = self.tab == Affiliation::Outcast;
        let valid = crate::model::parse_bare_jid(&self.jid).is_ok();
        let address = text_input("Address (name@server)", &self.jid)
            .on_input(Message::Jid)
            .on_submit(Message::Add)
            .size(theme::TEXT_SMALL)
            .padding(theme::SPACE_XS);
        let add = button(text(if banning { "Ban" } else { "Add" }).size(theme::TEXT_SMALL))
            .style(if banning { button::danger } else { button::primary })
            .on_press_maybe(valid.then_some(Message::Add));
        let mut form = column![row![address, add].spacing(theme::SPACE_XS).align_y(Center)];
        if banning {
            form = form.push(
                text_input("Why (optional)", &self.reason)
                    .on_input(Message::Reason)
                    .on_submit(Message::Add)
                    .size(theme::TEXT_SMALL)
                    .padding(theme::SPACE_XS),
            );
        }
        form.spacing(theme::SPACE_XS).into()
    }
}

fn tab_label(affiliation: Affiliation) -> &'static str {
    match affiliation {
        Affiliation::Owner => "Owners",
        Affiliation::Admin => "Admins",
        Affiliation::Member => "Members",
        Affiliation::Outcast => "Banned",
        Affiliation::None => "Everyone else",
    }
}

/// What being on the list means, in a line (XEP-0045 §5.2).
fn about(affiliation: Affiliation) -> &'static str {
    match affiliation {
        Affiliation::Owner => "Owners configure the room and manage admins and owners.",
        Affiliation::Admin => "Admins ban people and manage the members.",
        Affiliation::Member => "Members may enter a members-only room.",
        Affiliation::Outcast => "Banned people cannot enter the room.",
        Affiliation::None => "",
    }
}

fn empty(affiliation: Affiliation) -> &'static str {
    match affiliation {
        Affiliation::Owner => "No one owns the room.",
        Affiliation::Admin => "No one is an admin.",
        Affiliation::Member => "No one is a member.",
        Affiliation::Outcast => "No one is banned.",
        Affiliation::None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced_test::simulator;

    fn person(jid: &str, nick: Option<&str>, reason: Option<&str>) -> Affiliated {
        Affiliated { jid: jid.into(), nick: nick.map(Into::into), reason: reason.map(Into::into) }
    }

    fn events(state: &mut State, messages: impl IntoIterator<Item = Message>) -> Vec<Event> {
        messages.into_iter().filter_map(|m| state.update(m)).collect()
    }

    #[test]
    fn each_tab_asks_for_its_list_when_shown_and_only_owners_see_admins_and_owners() {
        let (mut state, first) = State::new(false);
        assert_eq!(first, Event::List(Affiliation::Member), "opens on the members");
        let mut ui = simulator(state.view());
        ui.find("Loading…").expect("waits for the room");
        assert!(ui.find("Admins").is_err() && ui.find("Owners").is_err(), "owners only");
        ui.click("Banned").expect("the banned tab");
        let messages: Vec<_> = ui.into_messages().collect();
        assert_eq!(events(&mut state, messages), [Event::List(Affiliation::Outcast)]);

        let (mut state, _) = State::new(true);
        let mut ui = simulator(state.view());
        ui.click("Admins").expect("an owner manages admins");
        let messages: Vec<_> = ui.into_messages().collect();
        assert_eq!(events(&mut state, messages), [Event::List(Affiliation::Admin)]);
        let mut ui = simulator(state.view());
        ui.click("Owners").expect("and owners");
        let messages: Vec<_> = ui.into_messages().collect();
        assert_eq!(events(&mut state, messages), [Event::List(Affiliation::Owner)]);
    }

    #[test]
    fn a_list_shows_addresses_nicknames_and_reasons_or_says_it_is_empty_or_refused() {
        let (mut state, _) = State::new(false);
        state.set_list(Affiliation::Outcast, Ok(vec![person("eve@example.org", None, None)]));
        let mut ui = simulator(state.view());
        ui.find("Loading…").expect("another tab's list is not shown");
        drop(ui);

        let people =
            vec![person("zed@example.org", None, None), person("bob@example.org", Some("B"), None)];
        state.set_list(Affiliation::Member, Ok(people));
        let mut ui = simulator(state.view());
        ui.find("bob@example.org").expect("an address");
        ui.find("Reserved nickname: B").expect("the reserved nickname");
        ui.find("zed@example.org").expect("everyone on the list");
        drop(ui);

        state.update(Message::Tab(Affiliation::Outcast));
        state.set_list(Affiliation::Outcast, Ok(vec![]));
        simulator(state.view()).find("No one is banned.").expect("the empty state");
        let banned = person("eve@example.org", None, Some("spam"));
        state.set_list(Affiliation::Outcast, Ok(vec![banned]));
        let mut ui = simulator(state.view());
        ui.find("Why: spam").expect("the ban's reason");
        drop(ui);

        state.set_list(Affiliation::Outcast, Err("forbidden".into()));
        simulator(state.view())
            .find("The room did not give this list: forbidden")
            .expect("the refusal");
    }

    #[test]
    fn remove_and_unban_take_the_address_off_the_list() {
        let (mut state, _) = State::new(false);
        state.set_list(Affiliation::Member, Ok(vec![person("bob@example.org", None, None)]));
        let mut ui = simulator(state.view());
        ui.click("Remove").expect("a member can be removed");
        let messages: Vec<_> = ui.into_messages().collect();
        let removed = Event::Change {
            jid: "bob@example.org".into(),
            affiliation: Affiliation::None,
            reason: None,
        };
        assert_eq!(events(&mut state, messages), [removed]);

        state.update(Message::Tab(Affiliation::Outcast));
        state.set_list(Affiliation::Outcast, Ok(vec![person("eve@example.org", None, None)]));
        let mut ui = simulator(state.view());
        assert!(ui.find("Remove").is_err(), "a ban is lifted, not removed");
        ui.click("Unban").expect("a ban can be lifted");
        let messages: Vec<_> = ui.into_messages().collect();
        let unbanned = Event::Change {
            jid: "eve@example.org".into(),
            affiliation: Affiliation::None,
            reason: None,
        };
        assert_eq!(events(&mut state, messages), [unbanned]);
    }

    #[test]
    fn add_gives_the_tabs_affiliation_and_a_ban_keeps_its_reason() {
        let (mut state, _) = State::new(true);
        state.update(Message::Tab(Affiliation::Admin));
        state.update(Message::Jid(" ann@example.org ".into()));
        let mut ui = simulator(state.view());
        ui.click("Add").expect("the add button");
        let messages: Vec<_> = ui.into_messages().collect();
        let admin = Event::Change {
            jid: "ann@example.org".into(),
            affiliation: Affiliation::Admin,
            reason: None,
        };
        assert_eq!(events(&mut state, messages), [admin]);
        assert!(state.jid.is_empty(), "the field is cleared for the next one");

        state.update(Message::Tab(Affiliation::Outcast));
        state.update(Message::Jid("eve@example.org".into()));
        state.update(Message::Reason("  spam ".into()));
        let mut ui = simulator(state.view());
        ui.click("Ban").expect("the ban button");
        let messages: Vec<_> = ui.into_messages().collect();
        let ban = Event::Change {
            jid: "eve@example.org".into(),
            affiliation: Affiliation::Outcast,
            reason: Some("spam".into()),
        };
        assert_eq!(events(&mut state, messages), [ban]);
    }

    #[test]
    fn an_address_that_is_not_one_cannot_be_added() {
        let (mut state, _) = State::new(false);
        for draft in ["", "example.org", "not an address"] {
            state.update(Message::Jid(draft.into()));
            let mut ui = simulator(state.view());
            ui.click("Add").expect("the button is there");
            assert_eq!(ui.into_messages().count(), 0, "but does nothing for {draft:?}");
            assert_eq!(state.update(Message::Add), None, "nor does Enter");
            assert!(state.error.is_some(), "Enter says why");
        }
    }

    #[test]
    fn a_refused_change_is_shown_in_the_panel_once() {
        let (mut state, _) = State::new(false);
        assert!(!state.outcome(&Err("elsewhere".into())), "nothing was asked from here");
        state.update(Message::Remove("bob@example.org".into()));
        assert!(state.outcome(&Err("could not do that: forbidden".into())));
        simulator(state.view()).find("could not do that: forbidden").expect("the refusal");
        assert!(!state.outcome(&Err("later".into())), "one outcome per change");
        assert_eq!(state.update(Message::Refresh), Some(Event::List(Affiliation::Member)));
    }
}
