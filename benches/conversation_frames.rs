//! The open conversation, painted: on the generated store of a million lines (shared with the
//! store's search bench, `crates/store/benches/generated`), the 100,900-line conversation is
//! opened to its first painted page, then scrolled from its newest line to its oldest, and
//! every frame is timed. A frame here is what the window does for one input: the input handed
//! to the view on screen, the state updated, the view built again and laid out, the redraw
//! answered as iced's window loop does, the view drawn and rasterised by the CPU renderer the
//! app uses (tiny-skia) into a kept 1024 × 768 buffer, only where it changed, as iced's
//! tiny-skia window presents (the copy of that buffer to the display server is not counted). A page the conversation
//! asks for while scrolling is read from the store inside the frame that asked (the app
//! answers it from the worker a frame later), so such a frame holds more work than the
//! app's. Only the conversation pane is drawn, not the sidebar beside it.
//! Prints figures; asserts nothing about them. Run: `cargo bench --bench conversation_frames`
//! (`LINES=100000` for a smaller store).

#[allow(dead_code)] // Shared with the store's search bench, which uses the rest.
#[path = "../crates/store/benches/generated/mod.rs"]
mod generated;

use confab::model::HistoryPage;
use confab::store::Store;
use confab::ui::conversation::{self, Event as Asked, Message, State};
use generated::{ACCOUNT, median, ms, percentile, worst};
use iced::advanced::clipboard;
use iced::advanced::renderer::{Headless, Style};
use iced::advanced::widget::operation::Outcome;
use iced::mouse::{self, ScrollDelta};
use iced::{Color, Event, Font, Pixels, Point, Rectangle, Size, Theme, window};
use iced_test::futures::futures::{FutureExt, StreamExt, executor};
use iced_test::runtime::user_interface::{Cache, UserInterface};
use iced_test::runtime::{Action, task};
use iced_tiny_skia::Layer;
use iced_tiny_skia::graphics::{Viewport, damage};
use std::path::Path;
use std::time::{Duration, Instant};

const SIZE: Size = Size::new(1024.0, 768.0);
/// One turn of a wheel: three lines, as iced counts them.
const WHEEL: ScrollDelta = ScrollDelta::Lines { x: 0.0, y: 3.0 };
/// A bound on the scroll, so a run that is slow to reach the start still ends.
const MOST_TIME: Duration = Duration::from_secs(300);
/// How many times a redraw may be answered by a view built again before the frame is drawn,
/// as in the application (iced's window loop).
const MOST_REDRAWS: usize = 3;
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
    surface: Surface,
}

/// The window's pixels, kept from frame to frame, and what was drawn in them last.
struct Surface {
    pixels: Vec<u8>,
    clip_mask: tiny_skia::Mask,
    last: Option<Vec<Layer>>,
}

impl Surface {
    fn new() -> Self {
        let (width, height) = (SIZE.width as u32, SIZE.height as u32);
        Self {
            pixels: vec![0; width as usize * height as usize * 4],
            clip_mask: tiny_skia::Mask::new(width, height).expect("a clip mask"),
            last: None,
        }
    }

    /// Rasterise what changed since the last frame (all of it the first time), as iced's
    /// tiny-skia window does before handing the buffer to the display server.
    fn present(&mut self, renderer: &mut iced::Renderer) {
        let window = Rectangle::with_size(SIZE);
        let damage = match &self.last {
            Some(last) => {
                damage::diff(last, renderer.layers(), |layer| vec![layer.bounds], Layer::damage)
            }
            None => vec![window],
        };
        self.last = Some(renderer.layers().to_vec());
        if damage.is_empty() {
            return;
        }
        let damage = damage::group(damage, window);
        let (width, height) = (SIZE.width as u32, SIZE.height as u32);
        let mut pixels =
            tiny_skia::PixmapMut::from_bytes(&mut self.pixels, width, height).expect("a pixel map");
        let viewport = Viewport::with_physical_size(iced::Size::new(width, height), 1.0);
        renderer.draw(&mut pixels, &mut self.clip_mask, &viewport, &damage, Color::WHITE);
    }
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
            surface: Surface::new(),
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
        self.surface = Surface::new();
        load(&self.store, &mut self.state, None);
        self.paint();
        started.elapsed()
    }

    /// Scroll up a wheel turn at a time until the oldest line is on screen, timing each frame.
    /// As the application does, the widget tree built for a frame's drawing takes the next
    /// input, and a view that changed is built again and answers the redraw (a list laid out
    /// anew reports where it is) before it is drawn.
    fn scroll_to_start(&mut self) {
        let Window { store, state, renderer, cache, cursor, surface } = self;
        let mut frames = Vec::new();
        let mut pages = 0;
        let mut last_page_at = None;
        let mut most_held = 0;
        let (mut built, mut drawn, mut rasterised) = (Vec::new(), Vec::new(), Vec::new());
        // Of the frames that took in a page: reading it, building and laying out the view
        // (every round), how many rounds, and rasterising.
        let mut paging = PageFrames::default();
        let mut ui = UserInterface::build(state.view(), SIZE, std::mem::take(cache), renderer);
        let started = Instant::now();
        while started.elapsed() < MOST_TIME {
            let began = Instant::now();
            let (pages_before, mut reading, mut taking_in, mut laying_out, mut rounds) =
                (pages, Duration::ZERO, Duration::ZERO, Duration::ZERO, 0);
            let wheel = Event::Mouse(mouse::Event::WheelScrolled { delta: WHEEL });
            let mut messages = Vec::new();
            let _ = ui.update(&[wheel], *cursor, renderer, &mut clipboard::Null, &mut messages);
            let redraw = Event::Window(window::Event::RedrawRequested(Instant::now()));
            for _ in 0..MOST_REDRAWS {
                if messages.is_empty() {
                    break;
                }
                let kept = ui.into_cache();
                let mut tasks = Vec::new();
                for message in messages.drain(..) {
                    let (task, asked) = state.update(message);
                    tasks.push(task);
                    if let Some(Asked::LoadOlder { before, .. }) = asked {
                        pages += 1;
                        let (page, took) = read(store, Some(before));
                        if !page.has_more {
                            last_page_at = Some(frames.len());
                        }
                        reading += took;
                        let intake = Instant::now();
                        state.history(page);
                        taking_in += intake.elapsed();
                    }
                }
                most_held = most_held.max(state.held());
                let building = Instant::now();
                ui = UserInterface::build(state.view(), SIZE, kept, renderer);
                laying_out += building.elapsed();
                rounds += 1;
                for task in tasks {
                    operate(&mut ui, renderer, task);
                }
                let _ = ui.update(
                    std::slice::from_ref(&redraw),
                    *cursor,
                    renderer,
                    &mut clipboard::Null,
                    &mut messages,
                );
            }
            let drawing = Instant::now();
            ui.draw(renderer, &Theme::Light, &Style::default(), *cursor);
            let rasterising = Instant::now();
            surface.present(renderer);
            built.push(drawing - began);
            drawn.push(rasterising - drawing);
            rasterised.push(rasterising.elapsed());
            frames.push(began.elapsed());
            if pages > pages_before {
                paging.frames.push(began.elapsed());
                paging.reading.push(reading);
                paging.taking_in.push(taking_in);
                paging.laying_out.push(laying_out);
                paging.rounds.push(rounds);
                paging.rasterising.push(rasterising.elapsed());
            }
            if frames.len().is_multiple_of(500) {
                let last = &mut frames[frames.len() - 500..].to_vec();
                println!(
                    "… {} frames, {pages} pages read, at most {most_held} lines held: the last \
                     500 median {}, worst {}",
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
        *cache = ui.into_cache();
        let over = frames.iter().filter(|f| **f > FRAME_BUDGET).count();
        let reached =
            if last_page_at.is_some() { "to the oldest" } else { "towards the oldest (stopped)" };
        println!(
            "scrolled from the newest line {reached} in {} frames ({} pages of {} read \
             on the way, at most {most_held} lines held, {:.1} s): median {}, p95 {}, p99 {}, \
             worst {}; {over} over 16 ms",
            frames.len(),
            pages,
            conversation::PAGE,
            started.elapsed().as_secs_f64(),
            ms(median(&mut frames.clone())),
            ms(percentile(&mut frames.clone(), 0.95)),
            ms(percentile(&mut frames.clone(), 0.99)),
            ms(worst(&frames))
        );
        println!(
            "where a frame goes (median, p95): input, view and layout {}, {}; drawing {}, {}; \
             rasterising {}, {}",
            ms(median(&mut built.clone())),
            ms(percentile(&mut built, 0.95)),
            ms(median(&mut drawn.clone())),
            ms(percentile(&mut drawn, 0.95)),
            ms(median(&mut rasterised.clone())),
            ms(percentile(&mut rasterised, 0.95)),
        );
        paging.report();
    }

    /// Build the view, lay it out, draw it and rasterise it.
    fn paint(&mut self) {
        let cache = std::mem::take(&mut self.cache);
        let mut ui = UserInterface::build(self.state.view(), SIZE, cache, &mut self.renderer);
        ui.draw(&mut self.renderer, &Theme::Light, &Style::default(), self.cursor);
        self.cache = ui.into_cache();
        self.surface.present(&mut self.renderer);
    }
}

/// What the frames that take in a page spend their time on.
#[derive(Default)]
struct PageFrames {
    frames: Vec<Duration>,
    reading: Vec<Duration>,
    taking_in: Vec<Duration>,
    laying_out: Vec<Duration>,
    rounds: Vec<usize>,
    rasterising: Vec<Duration>,
}

impl PageFrames {
    fn report(mut self) {
        if self.frames.is_empty() {
            return;
        }
        let rounds = self.rounds.iter().sum::<usize>() as f64 / self.rounds.len() as f64;
        println!(
            "the {} frames that took in a page (median): {} in all; reading the page from the \
             store {} (the worker's, in the app); the conversation taking it in {}; building \
             the view and laying it out {} over {rounds:.1} rounds; rasterising {}",
            self.frames.len(),
            ms(median(&mut self.frames)),
            ms(median(&mut self.reading)),
            ms(median(&mut self.taking_in)),
            ms(median(&mut self.laying_out)),
            ms(median(&mut self.rasterising)),
        );
    }
}

/// What the worker does for the conversation: a page of the store, before `before` or the
/// newest; whether older lines remain.
fn load(store: &Store, state: &mut State, before: Option<i64>) -> bool {
    let (page, _) = read(store, before);
    let more = page.has_more;
    state.history(page);
    more
}

/// The worker's part of [`load`]: the page read from the store, and how long that took.
fn read(store: &Store, before: Option<i64>) -> (HistoryPage, Duration) {
    let started = Instant::now();
    let chat = generated::long_conversation();
    let page = store.history(ACCOUNT, &chat, before, conversation::PAGE).expect("a page");
    (page, started.elapsed())
}

/// Apply what a task does to the widgets at once, as the application does with a widget
/// operation (the conversation scrolling its list to keep what is on screen in place).
fn operate(
    ui: &mut UserInterface<'_, Message, Theme, iced::Renderer>,
    renderer: &mut iced::Renderer,
    task: iced::Task<Message>,
) {
    let Some(mut actions) = task::into_stream(task) else { return };
    while let Some(Some(action)) = actions.next().now_or_never() {
        if let Action::Widget(mut operation) = action {
            loop {
                ui.operate(renderer, operation.as_mut());
                match operation.finish() {
                    Outcome::Chain(next) => operation = next,
                    _ => break,
                }
            }
        }
    }
}
