//! The scripted walk through the real window (issue #13): Confab under Xvfb against a local
//! Prosody, driven with xdotool as a user would, each step checked in the store, the window's
//! title or the process, with a screenshot of each in `target/ui-walk/`.
//!
//! Run: `bash tests/ui-walk.sh` (installs Xvfb, xdotool and imagemagick when missing). Ignored
//! in the normal suite, which has no window to drive; it is counted as ignored there, never as
//! passed.

#[path = "../benches/desktop/mod.rs"]
mod desktop;
mod support;

use desktop::Display;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{DOMAIN, PASSWORD, Profile, Server};

const DISPLAY: &str = ":83";
/// Where things are in the 1000 × 680 window, read off the walk's own screenshots.
const CANCEL_REMOVE: (u32, u32) = (434, 103);
/// The status button sits a line higher while online, when the route shows under it.
const STATUS_MENU_ONLINE: (u32, u32) = (140, 582);
const STATUS_MENU_OFFLINE: (u32, u32) = (140, 602);
const ATTACH: (u32, u32) = (848, 648);
const STATUS_OFFLINE: (u32, u32) = (55, 555);
const STATUS_ONLINE: (u32, u32) = (55, 457);
/// "Discover" in the open contact's header.
const DISCOVER: (u32, u32) = (756, 27);
/// The discovery browser's filter field, and the first row under the tree's top.
const DISCOVERY_FILTER: (u32, u32) = (427, 107);
const DISCOVERY_FIRST_CHILD: (u32, u32) = (400, 175);
/// "⋯" beside the account picker: the account's settings.
const ACCOUNT_SETTINGS: (u32, u32) = (255, 658);

/// The walk's state: the window, the server, what each step found.
struct Walk {
    display: Display,
    app: Child,
    window: String,
    shots: PathBuf,
    log: PathBuf,
    step: usize,
    failed: Vec<String>,
}

impl Walk {
    /// One step: `act`, then `check` (polled for up to 10 s) names what went wrong, if
    /// anything; a screenshot is saved either way.
    fn step(
        &mut self,
        name: &str,
        act: impl FnOnce(&mut Walk),
        check: impl Fn(&Walk) -> Option<String>,
    ) {
        self.step += 1;
        act(self);
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut problem = check(self);
        while problem.is_some() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
            problem = check(self);
        }
        // The check may pass on the title before the window has drawn the same state.
        std::thread::sleep(Duration::from_millis(300));
        let shot = self.shots.join(format!("{:02}-{}.png", self.step, name.replace(' ', "-")));
        self.display.screenshot(&shot.display().to_string());
        let alive = self.app.try_wait().is_ok_and(|status| status.is_none());
        let problem = match (alive, problem) {
            (false, _) => Some(format!("Confab is gone: {}", self.panic().unwrap_or_default())),
            (true, problem) => problem,
        };
        match problem {
            None => println!("step {:2} ok: {name}", self.step),
            Some(problem) => {
                println!("step {:2} FAILED: {name}: {problem}", self.step);
                self.failed.push(format!("{name}: {problem}"));
            }
        }
    }

    /// Keys pressed in the window (xdotool names: "ctrl+k", "Return", "Up").
    fn keys(&self, keys: &[&str]) {
        self.display.xdotool(&["windowfocus", "--sync", &self.window]);
        let mut args = vec!["key", "--delay", "60"];
        args.extend_from_slice(keys);
        self.display.xdotool(&args);
    }

    /// Text typed in the window, a character at a time.
    fn type_text(&self, words: &str) {
        self.display.xdotool(&["windowfocus", "--sync", &self.window]);
        self.display.xdotool(&["type", "--delay", "80", words]);
        std::thread::sleep(Duration::from_millis(300));
    }

    /// A click at `x`, `y` in the window (which sits at the screen's top left).
    fn click(&self, x: u32, y: u32) {
        let (x, y) = (x.to_string(), y.to_string());
        self.display.xdotool(&["mousemove", "--sync", &x, &y, "click", "1"]);
        std::thread::sleep(Duration::from_millis(200));
    }

    fn title(&self) -> String {
        self.display.xdotool(&["getwindowname", &self.window])
    }

    /// The first panic in Confab's log, if it panicked.
    fn panic(&self) -> Option<String> {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        log.lines().find(|line| line.contains("panicked")).map(str::to_owned)
    }
}

/// The words of the conversation with `with`, oldest first, as stored ("edited" marked).
fn stored(profile: &Profile, with: &str) -> Vec<String> {
    profile
        .json_lines(&["history", with, "--json"])
        .iter()
        .map(|m| {
            let body = m["body"].as_str().unwrap_or_default().to_owned();
            if m["edited"].as_bool() == Some(true) { format!("{body} (edited)") } else { body }
        })
        .collect()
}

fn in_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

fn launch(profile: &Path, log: &Path) -> Child {
    let log = std::fs::File::create(log).expect("log file");
    Command::new(env!("CARGO_BIN_EXE_confab"))
        .arg("--profile")
        .arg(profile)
        .env("DISPLAY", DISPLAY)
        .env("CONFAB_PASSWORD_STORE", "file")
        .env("RUST_BACKTRACE", "1")
        // No session bus, so no desktop portal: the 📎 button must say there is no dialog.
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("confab starts")
}

#[test]
#[ignore = "drives a real window: run with bash tests/ui-walk.sh"]
fn walk_through_the_window() {
    for kind in support::servers() {
        let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/ui-walk");
        let _ = std::fs::remove_dir_all(&shots);
        std::fs::create_dir_all(&shots).expect("screenshot folder");
        let mut server = Server::start_with_groups(
            kind,
            &format!("[Friends]\nalice@{DOMAIN}=Alice\nbob@{DOMAIN}=Bob\n"),
        );
        for user in ["alice", "bob"] {
            server.register(user, PASSWORD);
        }
        let alice = Profile::new(&server, "alice", PASSWORD);
        let bob = Profile::new(&server, "bob", PASSWORD);
        let alice_jid = alice.jid.clone();
        let bob_jid = bob.jid.clone();
        bob.ok(&["send", &alice_jid, "Hi Alice, ready for the launch?"]);

        let display = Display::start(DISPLAY);
        let log = shots.join("confab.log");
        let app = launch(alice.path(), &log);
        let window = display.wait_for_window();
        let mut walk = Walk { display, app, window, shots, log, step: 0, failed: Vec::new() };

        walk.step(
            "online",
            |_| {},
            |walk| (!walk.title().contains("Online")).then(|| format!("title {:?}", walk.title())),
        );
        walk.step(
            "search opens the conversation",
            |walk| {
                walk.keys(&["ctrl+k"]);
                walk.type_text("Bob");
                walk.keys(&["Return"]);
            },
            |_| None,
        );
        walk.step(
            "a shortcode typed in two goes",
            |walk| {
                walk.type_text("Launch :ro");
                std::thread::sleep(Duration::from_millis(500));
                walk.type_text("cket: ");
                walk.keys(&["Return"]);
            },
            |_| {
                let words = stored(&alice, &bob_jid);
                (!words.iter().any(|w| w == "Launch 🚀")).then(|| format!("stored {words:?}"))
            },
        );
        walk.step(
            "Up corrects the last message",
            |walk| {
                walk.keys(&["Up"]);
                walk.type_text(" now");
                walk.keys(&["Return"]);
            },
            |_| {
                let words = stored(&alice, &bob_jid);
                let corrected = words.iter().any(|w| w == "Launch 🚀 now (edited)");
                (!corrected).then(|| format!("stored {words:?}"))
            },
        );
        walk.step(
            "Esc cancels a correction",
            |walk| {
                walk.keys(&["Up"]);
                walk.type_text(" NOT");
                walk.keys(&["Escape"]);
                walk.keys(&["Return"]);
            },
            |_| {
                let words = stored(&alice, &bob_jid);
                let untouched = words.last().is_some_and(|w| w == "Launch 🚀 now (edited)");
                (!untouched).then(|| format!("stored {words:?}"))
            },
        );
        walk.step(
            "the server goes away with the conversation open",
            |_| server.stop(),
            |walk| walk.title().contains("Online").then(|| format!("title {:?}", walk.title())),
        );
        walk.step(
            "back online with the conversation open",
            |_| server.resume(),
            |walk| (!walk.title().contains("Online")).then(|| format!("title {:?}", walk.title())),
        );
        walk.step(
            "the corrected message is not doubled by the archive",
            |_| std::thread::sleep(Duration::from_secs(2)),
            |_| {
                let words = stored(&alice, &bob_jid);
                let launches = words.iter().filter(|w| w.starts_with("Launch")).count();
                (launches != 1).then(|| format!("stored {words:?}"))
            },
        );
        walk.step(
            "a received smiley is shown as the emoji a typed one becomes",
            |_| {
                bob.ok(&["send", &alice_jid, "see you there :)"]);
            },
            |_| {
                let words = stored(&alice, &bob_jid);
                (!words.iter().any(|w| w == "see you there :)"))
                    .then(|| format!("stored {words:?}"))
            },
        );
        walk.step(
            "a reply shows the line it answers",
            |walk| {
                bob.ok(&["sync"]);
                let lines = bob.json_lines(&["history", &alice_jid, "--json"]);
                let launch = lines.iter().find(|l| l["body"] == "Launch 🚀 now");
                let id = launch.map(|l| l["id"].to_string()).unwrap_or_default();
                bob.ok(&["reply", &alice_jid, &id, "Counting down from ten"]);
                std::thread::sleep(Duration::from_millis(1500));
                walk.display.screenshot(&walk.shots.join("reply.png").display().to_string());
            },
            |_| {
                let lines = alice.json_lines(&["history", &bob_jid, "--json"]);
                let reply = lines.iter().find(|l| l["body"] == "Counting down from ten");
                let answers = reply.map(|l| l["reply_to"]["text"].clone());
                (answers != Some(serde_json::json!("Launch 🚀 now")))
                    .then(|| format!("reply {reply:?}"))
            },
        );
        walk.step(
            "Remove asks first and Cancel leaves Bob be",
            |walk| {
                walk.click(896, 26);
                std::thread::sleep(Duration::from_millis(1500));
                walk.display.screenshot(&walk.shots.join("remove-asked.png").display().to_string());
                walk.click(CANCEL_REMOVE.0, CANCEL_REMOVE.1);
            },
            |_| {
                let roster = alice.ok(&["roster", "--json"]);
                (!roster.contains(&bob_jid)).then(|| format!("roster {roster}"))
            },
        );
        walk.step(
            "Offline from the status menu",
            |walk| {
                walk.click(STATUS_MENU_ONLINE.0, STATUS_MENU_ONLINE.1);
                std::thread::sleep(Duration::from_millis(500));
                walk.display.screenshot(&walk.shots.join("status-menu.png").display().to_string());
                walk.click(STATUS_OFFLINE.0, STATUS_OFFLINE.1);
                // The title follows the choice at once; the banner, when the worker has let go.
                std::thread::sleep(Duration::from_millis(1500));
            },
            |walk| (!walk.title().contains("Offline")).then(|| format!("title {:?}", walk.title())),
        );

        walk.step(
            "a status chosen while offline connects again",
            |walk| {
                walk.click(STATUS_MENU_OFFLINE.0, STATUS_MENU_OFFLINE.1);
                std::thread::sleep(Duration::from_millis(500));
                walk.click(STATUS_ONLINE.0, STATUS_ONLINE.1);
            },
            |walk| (!walk.title().contains("Online")).then(|| format!("title {:?}", walk.title())),
        );
        let picture = alice.path().join("walk-picture.png");
        image::RgbImage::from_pixel(64, 48, image::Rgb([40, 120, 200]))
            .save(&picture)
            .expect("picture written");
        if in_path("zenity") {
            println!("step skipped: 📎 without a file dialog (zenity is installed here)");
        } else {
            walk.step(
                "attach without a file dialog: says so, sends a typed path",
                |walk| {
                    walk.click(ATTACH.0, ATTACH.1);
                    std::thread::sleep(Duration::from_millis(1000));
                    walk.display
                        .screenshot(&walk.shots.join("no-dialog.png").display().to_string());
                    walk.type_text(&picture.display().to_string());
                    walk.keys(&["Return"]);
                },
                |_| {
                    let sent = alice.json_lines(&["history", &bob_jid, "--json"]);
                    let named =
                        |m: &serde_json::Value| m["attachment"]["name"] == "walk-picture.png";
                    (!sent.iter().any(named)).then(|| "no message with walk-picture.png".to_owned())
                },
            );
        }
        walk.step(
            "after a restart the conversation is open again",
            |walk| {
                let _ = walk.app.kill();
                let _ = walk.app.wait();
                walk.app = launch(alice.path(), &walk.log);
                walk.window = walk.display.wait_for_window();
                std::thread::sleep(Duration::from_secs(2));
                walk.type_text("back again");
                walk.keys(&["Return"]);
            },
            |_| {
                let words = stored(&alice, &bob_jid);
                (words.last().map(String::as_str) != Some("back again"))
                    .then(|| format!("stored {words:?}"))
            },
        );
        walk.step(
            "Ctrl+F finds a word in the open conversation",
            |walk| {
                walk.keys(&["ctrl+f"]);
                std::thread::sleep(Duration::from_millis(300));
                walk.type_text("launch");
                std::thread::sleep(Duration::from_secs(1));
            },
            // The hit outlined and "1 of 1" are judged from the screenshot.
            |_| None,
        );
        walk.step(
            "Escape closes the find bar",
            |walk| {
                walk.keys(&["Escape"]);
                std::thread::sleep(Duration::from_millis(300));
            },
            |_| None,
        );
        walk.step(
            "Discover in the header browses the contact, then the server typed in",
            |walk| {
                walk.click(DISCOVER.0, DISCOVER.1);
                std::thread::sleep(Duration::from_millis(800));
                walk.keys(&["ctrl+a"]);
                walk.type_text(DOMAIN);
                walk.keys(&["Return"]);
                std::thread::sleep(Duration::from_secs(2));
            },
            // What the browser shows is judged from its screenshot; the step fails if Confab
            // is gone.
            |_| None,
        );
        walk.step(
            "the filter finds the conference service, which offers its rooms",
            |walk| {
                walk.click(DISCOVERY_FILTER.0, DISCOVERY_FILTER.1);
                walk.type_text("rooms");
                walk.click(DISCOVERY_FIRST_CHILD.0, DISCOVERY_FIRST_CHILD.1);
                std::thread::sleep(Duration::from_secs(1));
            },
            |_| None,
        );
        walk.step(
            "F12 opens the XML console, which sends a stanza written in it",
            |walk| {
                walk.keys(&["F12"]);
                std::thread::sleep(Duration::from_millis(500));
                walk.type_text(&format!(
                    "<message to='{bob_jid}' type='chat'><body>from the console</body></message>"
                ));
                walk.keys(&["ctrl+Return"]);
            },
            |_| {
                bob.ok(&["sync", "--wait", "1"]);
                let words = stored(&bob, &alice_jid);
                let arrived = words.iter().any(|w| w == "from the console");
                (!arrived).then(|| format!("bob has {words:?}"))
            },
        );
        walk.step(
            "Ctrl+Shift+F searches every conversation",
            |walk| {
                walk.keys(&["ctrl+shift+f"]);
                std::thread::sleep(Duration::from_millis(300));
                walk.type_text("launch");
                std::thread::sleep(Duration::from_secs(1));
            },
            |_| None,
        );
        for (width, height) in [(800, 600), (640, 480)] {
            walk.step(
                &format!("window at {width}x{height}"),
                |walk| {
                    let (w, h) = (width.to_string(), height.to_string());
                    walk.display.xdotool(&["windowsize", "--sync", &walk.window, &w, &h]);
                    // Under bare Xvfb (no window manager) the layout for the new size came only
                    // with the next input event (seen in this walk's screenshots; not
                    // investigated further), as it would when the pointer comes back.
                    walk.display.xdotool(&["mousemove", "--sync", "300", "300"]);
                    std::thread::sleep(Duration::from_millis(500));
                },
                |_| None,
            );
        }

        walk.step(
            "dark, chosen on the command line",
            |walk| {
                let _ = walk.app.kill();
                let _ = walk.app.wait();
                alice.ok(&["config", "set", "appearance.theme", "dark"]);
                walk.app = launch(alice.path(), &walk.log);
                walk.window = walk.display.wait_for_window();
                walk.keys(&["ctrl+k"]);
                walk.type_text("Bob");
                walk.keys(&["Return"]);
            },
            |walk| (!walk.title().contains("Online")).then(|| format!("title {:?}", walk.title())),
        );
        walk.step(
            "the XML console in the dark",
            |walk| {
                walk.keys(&["F12"]);
                std::thread::sleep(Duration::from_millis(500));
                walk.type_text(&format!(
                    "<message to='{bob_jid}' type='chat'><body>in the dark</body></message>"
                ));
                walk.keys(&["ctrl+Return"]);
            },
            |_| None,
        );
        walk.step(
            "the account settings, where the look is chosen",
            |walk| {
                walk.keys(&["Escape"]);
                walk.click(ACCOUNT_SETTINGS.0, ACCOUNT_SETTINGS.1);
            },
            |_| None,
        );
        walk.step("Ctrl+slash lists the shortcuts", |walk| walk.keys(&["ctrl+slash"]), |_| None);

        let _ = walk.app.kill();
        let _ = walk.app.wait();
        if let Some(panic) = walk.panic() {
            walk.failed.push(format!("Confab panicked: {panic}"));
        }
        assert!(walk.failed.is_empty(), "steps failed:\n{}", walk.failed.join("\n"));
    }
}
