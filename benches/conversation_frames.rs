//! The open conversation, painted: on the generated store of a million lines (shared with the
//! store's search bench, `crates/store/benches/generated`), the 100,900-line conversation is
//! opened to its first painted page, then scrolled from its newest line to its oldest, and
//! every frame is timed. A frame here is what the window does for one input: the view built
//! from the conversation's state, the input handed to it, the state updated, the view built
//! again, laid out, drawn and rasterised by the CPU renderer the app uses (tiny-skia), 1024 ×
//! 768. A page the conversation asks for while scrolling is read from the store inside the
//! frame that asked (the app answers it from the worker a frame later), so each frame
//! counted here holds more work than the app's. Only the conversation pane is drawn, not the
//! sidebar beside it.
//! Prints figures; asserts nothing about them. Run: `cargo bench --bench conversation_frames`
//! (`LINES=100000` for a smaller store).

#[allow(dead_code)] // Shared with the store's search bench, which uses the rest.
#[path = "../crates/store/benches/generated/mod.rs"]
mod generated;

use confab::store::Store;
use confab::ui::conversation::{self, Event as Asked, Message, State};
use generated::{ACCOUNT, median, ms, percentile, worst};
use iced::advanced::clipboard;
use iced::advanced::renderer::{Headless, Style};
use iced::mouse::{self, ScrollDelta};
use iced::{Color, Event, Font, Pixels, Point, Size, Theme};
use iced_test::futures::futures::executor;
use iced_test::runtime::user_interface::{Cache, UserInterface};
use std::path::Path;
use std::time::{Duration, Instant};

const SIZE: Size = Size::new(1024.0, 768.0);
/// One turn of a wheel: three lines, as iced counts them.
const WHEEL: ScrollDelta = ScrollDelta::Lines { x: 0.0, y: 3.0 };
/// A bound on the scroll, so a run that is slow to reach the start still ends.
const MOST_TIME: Duration = Duration::from_secs(300);
/// A frame slower than this misses a 60 Hz display.
const FRAME_BUDGET: Duration = Duration::from_millis(16);

fn main() {
    let lines = generated::lines();
    let store_path =
        generated::kept_store(&Path::new(env!("CARGO_MANIFEST_DIR")).join("target"), lines);
    let mut window = Window::new(&store_path);
    for _ in 0..3 {
        let took = window.open();
        println!("opened to its first painted page: {}", ms(took));
    }
    let mut opening = Vec::new();
    for _ in 0..21 {
        opening.push(window.open());
    }
    println!(
        "opening the {} conversation, 21 times: median {}, worst {}",
        generated::long_conversation().0,
        ms(median(&mut opening.clone())),
        ms(worst(&opening))
    );
    window.scroll_to_start();
}

/// The conversation pane, its widget tree kept from frame to frame as the app keeps it.
struct Window {
    store: Store,
    state: State,
    renderer: iced::Renderer,
    cache: Cache,
    cursor: mouse::Cursor,
}

impl Window {
    fn new(store_path: &Path) -> Self {
        let renderer = executor::block_on(<iced::Renderer as Headless>::new(
            Font::with_name("Fira Sans"),
            Pixels(16.0),
            Some("tiny-skia"),
        ))
        .expect("a headless renderer");
        Self {
            store: Store::open(store_path).expect("the generated store"),
            state: State::new(generated::long_conversation()),
            renderer,
            cache: Cache::default(),
            // Over the lines, above the composer.
            cursor: mouse::Cursor::Available(Point::new(SIZE.width / 2.0, SIZE.height / 3.0)),
        }
    }

    /// Open the long conversation afresh: its newest page read, taken in and painted.
    fn open(&mut self) -> Duration {
        let started = Instant::now();
        let chat = generated::long_conversation();
        self.state = State::new(chat.clone());
        self.cache = Cache::default();
        self.load(None);
        self.paint();
        started.elapsed()
    }

    /// Scroll up a wheel turn at a time until the oldest line is on screen, timing each frame.
    fn scroll_to_start(&mut self) {
        let mut frames = Vec::new();
        let mut pages = 0;
        let mut last_page_at = None;
        let started = Instant::now();
        while started.elapsed() < MOST_TIME {
            let began = Instant::now();
            let wheel = Event::Mouse(mouse::Event::WheelScrolled { delta: WHEEL });
            let asked = self.input(&[wheel]);
            if let Some(Asked::LoadOlder { before, .. }) = asked {
                pages += 1;
                if !self.load(Some(before)) {
                    last_page_at = Some(frames.len());
                }
            }
            self.paint();
            frames.push(began.elapsed());
            if frames.len().is_multiple_of(500) {
                let last = &mut frames[frames.len() - 500..].to_vec();
                println!(
                    "… {} frames, {pages} pages read: the last 500 median {}, worst {}",
                    frames.len(),
                    ms(median(last)),
                    ms(worst(last))
                );
            }
            // Enough turns after the last page to bring its oldest line into view.
            if last_page_at.is_some_and(|at| frames.len() > at + 200) {
                break;
            }
        }
        let over = frames.iter().filter(|f| **f > FRAME_BUDGET).count();
        let reached =
            if last_page_at.is_some() { "to the oldest" } else { "towards the oldest (stopped)" };
        println!(
            "scrolled from the newest line {reached} in {} frames ({} pages of {} read \
             on the way, {:.1} s): median {}, p95 {}, p99 {}, worst {}; {over} over 16 ms",
            frames.len(),
            pages,
            conversation::PAGE,
            started.elapsed().as_secs_f64(),
            ms(median(&mut frames.clone())),
            ms(percentile(&mut frames.clone(), 0.95)),
            ms(percentile(&mut frames.clone(), 0.99)),
            ms(worst(&frames))
        );
    }

    /// What the worker does for the conversation: a page of the store, before `before` or
    /// the newest; whether older lines remain.
    fn load(&mut self, before: Option<i64>) -> bool {
        let chat = generated::long_conversation();
        let page = self.store.history(ACCOUNT, &chat, before, conversation::PAGE).expect("a page");
        let more = page.has_more;
        self.state.history(page);
        more
    }

    /// Hand `events` to the view on screen and the messages they make to the state; what the
    /// conversation asks of the worker, if anything.
    fn input(&mut self, events: &[Event]) -> Option<Asked> {
        let mut messages: Vec<Message> = Vec::new();
        let cache = std::mem::take(&mut self.cache);
        let mut ui = UserInterface::build(self.state.view(), SIZE, cache, &mut self.renderer);
        let _ =
            ui.update(events, self.cursor, &mut self.renderer, &mut clipboard::Null, &mut messages);
        self.cache = ui.into_cache();
        messages.into_iter().filter_map(|message| self.state.update(message).1).last()
    }

    /// Build the view, lay it out, draw it and rasterise it.
    fn paint(&mut self) {
        let cache = std::mem::take(&mut self.cache);
        let mut ui = UserInterface::build(self.state.view(), SIZE, cache, &mut self.renderer);
        ui.draw(&mut self.renderer, &Theme::Light, &Style::default(), self.cursor);
        self.cache = ui.into_cache();
        let size = iced::Size::new(SIZE.width as u32, SIZE.height as u32);
        let _ = self.renderer.screenshot(size, 1.0, Color::WHITE);
    }
}
