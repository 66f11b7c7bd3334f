//! A headless window for tests that keeps its widget tree from one view to the next, as the
//! running application does. `iced_test`'s simulator builds each view afresh, so it cannot
//! see what a change of state does to the widgets already on screen: whether the field being
//! typed in keeps its focus, and what state a widget finds under it when the view's shape
//! changes (iced matches widgets to their state by position).

use iced::advanced::clipboard;
use iced::advanced::renderer::{Headless, Style};
use iced::advanced::widget::Operation;
use iced::advanced::widget::operation::Outcome;
use iced::keyboard::Key;
use iced::{Element, Event, Font, Pixels, Point, Size, Task, Theme, mouse, window};
use iced_test::futures::futures::{FutureExt, StreamExt, executor};
use iced_test::runtime::user_interface::{Cache, UserInterface};
use iced_test::runtime::{Action, task};
use iced_test::selector::{self, Bounded, Selector, Target};
use iced_test::simulator;
use std::time::Instant;

/// The window's size: the simulator's default.
const SIZE: Size = Size::new(1024.0, 768.0);

/// How many times a redraw may be answered before the frame is drawn (iced's window loop).
const MOST_REDRAWS: usize = 3;

/// How many times a task that is not ready is polled again before it is left alone.
const PATIENCE: usize = 16;

/// A state, its view and its update, run the way the application runs them.
pub struct Window<S, M> {
    pub state: S,
    view: for<'a> fn(&'a S) -> Element<'a, M>,
    update: fn(&mut S, M) -> Task<M>,
    renderer: iced::Renderer,
    cache: Cache,
    cursor: mouse::Cursor,
    /// What was last written to the clipboard.
    pub copied: Option<String>,
}

impl<S, M: 'static> Window<S, M> {
    /// Opens the window on `state` and draws it once.
    pub fn new(
        state: S,
        view: for<'a> fn(&'a S) -> Element<'a, M>,
        update: fn(&mut S, M) -> Task<M>,
    ) -> Self {
        let backend = std::env::var("ICED_TEST_BACKEND").ok();
        let renderer = executor::block_on(<iced::Renderer as Headless>::new(
            Font::with_name("Fira Sans"),
            Pixels(16.0),
            backend.as_deref(),
        ))
        .expect("a headless renderer");
        let mut window = Self {
            state,
            view,
            update,
            renderer,
            cache: Cache::default(),
            cursor: mouse::Cursor::Unavailable,
            copied: None,
        };
        window.draw();
        window
    }

    /// Builds the view against the tree kept from the last frame, lets `act` use it, and
    /// keeps the tree for the next.
    fn frame<T>(
        &mut self,
        act: impl FnOnce(&mut UserInterface<'_, M, Theme, iced::Renderer>, &mut iced::Renderer) -> T,
    ) -> T {
        let cache = std::mem::take(&mut self.cache);
        let mut ui =
            UserInterface::build((self.view)(&self.state), SIZE, cache, &mut self.renderer);
        let out = act(&mut ui, &mut self.renderer);
        self.cache = ui.into_cache();
        out
    }

    /// Lays the view out and draws it, as after every change.
    pub fn draw(&mut self) {
        let cursor = self.cursor;
        self.frame(|ui, renderer| ui.draw(renderer, &Theme::Light, &Style::default(), cursor));
    }

    /// Something outside the view changed the state (the worker reported): draw again.
    pub fn change(&mut self, change: impl FnOnce(&mut S) -> Task<M>) {
        let task = change(&mut self.state);
        self.draw();
        self.run(task);
    }

    /// Feeds `events` to the view on screen, lets the state take the messages they made
    /// and the tasks those return, and draws the new view.
    pub fn send(&mut self, events: impl IntoIterator<Item = Event>) {
        let events: Vec<Event> = events.into_iter().collect();
        let cursor = self.cursor;
        let mut messages = Vec::new();
        self.frame(|ui, renderer| {
            let _ = ui.update(&events, cursor, renderer, &mut clipboard::Null, &mut messages);
        });
        for message in messages {
            let task = (self.update)(&mut self.state, message);
            self.draw();
            self.run(task);
        }
        self.draw();
    }

    /// Turns the mouse wheel over the middle of the window by `lines` (up is positive), then
    /// answers the redraw that follows.
    pub fn wheel(&mut self, lines: f32) {
        self.cursor = mouse::Cursor::Available(Point::new(SIZE.width / 2.0, SIZE.height / 3.0));
        let delta = mouse::ScrollDelta::Lines { x: 0.0, y: lines };
        self.send([Event::Mouse(mouse::Event::WheelScrolled { delta })]);
        self.redraw();
    }

    /// What the application does before it draws a frame: the widgets hear of the redraw (a
    /// list laid out anew reports where it now is) and what they say is taken in, at most
    /// three times as iced's window loop does, then the frame is drawn.
    pub fn redraw(&mut self) {
        for _ in 0..MOST_REDRAWS {
            let cursor = self.cursor;
            let redraw = Event::Window(window::Event::RedrawRequested(Instant::now()));
            let mut messages = Vec::new();
            self.frame(|ui, renderer| {
                let _ = ui.update(&[redraw], cursor, renderer, &mut clipboard::Null, &mut messages);
            });
            if messages.is_empty() {
                break;
            }
            for message in messages {
                let task = (self.update)(&mut self.state, message);
                self.run(task);
            }
        }
        self.draw();
    }

    /// Runs what a task does without waiting: its messages, its widget operations (focus) and
    /// what it writes to the clipboard.
    /// Work that waits for something (a timer, a file dialog) is left undone.
    pub fn run(&mut self, task: Task<M>) {
        let Some(mut actions) = task::into_stream(task) else { return };
        let mut waits = 0;
        loop {
            // Every task yields once before its first item: give it a few more polls.
            let action = match actions.next().now_or_never() {
                Some(Some(action)) => {
                    waits = 0;
                    action
                }
                Some(None) => break,
                None if waits < PATIENCE => {
                    waits += 1;
                    continue;
                }
                None => break,
            };
            match action {
                Action::Output(message) => {
                    let task = (self.update)(&mut self.state, message);
                    self.draw();
                    self.run(task);
                }
                Action::Widget(operation) => self.frame(|ui, renderer| {
                    let mut operation = Some(operation);
                    while let Some(mut current) = operation.take() {
                        ui.operate(renderer, &mut current);
                        if let Outcome::Chain(next) = current.finish() {
                            operation = Some(next);
                        }
                    }
                }),
                Action::Clipboard(iced_test::runtime::clipboard::Action::Write {
                    contents,
                    ..
                }) => self.copied = Some(contents),
                _ => {}
            }
        }
    }

    /// What `selector` picks in the view on screen.
    pub fn find<T: Selector + Send>(&mut self, selector: T) -> Option<T::Output>
    where
        T::Output: Clone + Send,
    {
        let mut operation = selector.find();
        self.frame(|ui, renderer| {
            ui.operate(renderer, &mut iced::advanced::widget::operation::black_box(&mut operation))
        });
        match operation.finish() {
            Outcome::Some(found) => found,
            _ => None,
        }
    }

    /// The widget that has the keyboard's focus, if any.
    pub fn focused(&mut self) -> Option<Target> {
        self.find(selector::is_focused())
    }

    /// Clicks the middle of what `selector` picks.
    pub fn click<T: Selector + Send>(&mut self, selector: T)
    where
        T::Output: Bounded + Clone + Send,
    {
        let target = self.find(selector).expect("something to click");
        let bounds = target.visible_bounds().expect("in view");
        self.cursor = mouse::Cursor::Available(bounds.center());
        self.send(simulator::click());
    }

    /// Moves the pointer to the middle of what `selector` picks.
    pub fn hover<T: Selector + Send>(&mut self, selector: T)
    where
        T::Output: Bounded + Clone + Send,
    {
        let target = self.find(selector).expect("something to point at");
        let position = target.visible_bounds().expect("in view").center();
        self.cursor = mouse::Cursor::Available(position);
        self.send([Event::Mouse(mouse::Event::CursorMoved { position })]);
    }

    /// Right-clicks the middle of what `selector` picks.
    pub fn right_click<T: Selector + Send>(&mut self, selector: T)
    where
        T::Output: Bounded + Clone + Send,
    {
        self.hover(selector);
        let button = mouse::Button::Right;
        self.send([
            Event::Mouse(mouse::Event::ButtonPressed(button)),
            Event::Mouse(mouse::Event::ButtonReleased(button)),
        ]);
    }

    /// Types `text` one key at a time, the view drawn again after each, as a user types.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.send(simulator::typewrite(&c.to_string()).collect::<Vec<_>>());
        }
    }

    /// Presses and releases `key`.
    pub fn tap(&mut self, key: impl Into<Key>) {
        self.send(simulator::tap_key(key, None));
    }

    /// Presses and releases `key` with `modifiers` held (Ctrl+Up).
    pub fn tap_with(&mut self, key: impl Into<Key>, modifiers: iced::keyboard::Modifiers) {
        use iced::keyboard::{Event as Keyboard, Location, key};
        let key = key.into();
        let physical_key = key::Physical::Unidentified(key::NativeCode::Unidentified);
        let pressed = Keyboard::KeyPressed {
            key: key.clone(),
            modified_key: key.clone(),
            physical_key,
            location: Location::Standard,
            modifiers,
            text: None,
            repeat: false,
        };
        let released = Keyboard::KeyReleased {
            key: key.clone(),
            modified_key: key,
            physical_key,
            location: Location::Standard,
            modifiers,
        };
        self.send([Event::Keyboard(pressed), Event::Keyboard(released)]);
    }
}
