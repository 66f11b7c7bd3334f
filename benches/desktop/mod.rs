//! The real window under Xvfb, for the benches that drive it: a private X display, the app
//! launched on it with a profile, xdotool to click and type, and the process's memory figures.
//! Shared by several benches and the UI walk, each using a part.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A private X server, stopped when dropped.
pub struct Display {
    name: &'static str,
    xvfb: Child,
}

impl Display {
    /// Start Xvfb on `name` (e.g. ":77") with a 1000 × 680 screen and wait until it takes clients.
    pub fn start(name: &'static str) -> Self {
        let answers = || {
            Command::new("xdotool")
                .arg("getdisplaygeometry")
                .env("DISPLAY", name)
                .stderr(Stdio::null())
                .output()
                .is_ok_and(|o| o.status.success())
        };
        // A server left over from an interrupted run would take the new window's place, and
        // its own Confab would get the keys meant for the new one.
        assert!(!answers(), "display {name} is already in use: stop the X server left on it");
        let xvfb = Command::new("Xvfb")
            .args([name, "-screen", "0", "1000x680x24", "-nolisten", "tcp"])
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts (apt-get install xvfb)");
        let display = Self { name, xvfb };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if answers() {
                return display;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("Xvfb did not start on {name} (is another X server using it?)");
    }

    /// Confab on this display with the profile in `profile`.
    pub fn launch(&self, profile: &Path) -> Child {
        Command::new(env!("CARGO_BIN_EXE_confab"))
            .arg("--profile")
            .arg(profile)
            .env("DISPLAY", self.name)
            .env("CONFAB_PASSWORD_STORE", "file")
            .env_remove("WAYLAND_DISPLAY")
            .spawn()
            .expect("confab starts")
    }

    pub fn xdotool(&self, args: &[&str]) -> String {
        let out = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", self.name)
            .output()
            .expect("xdotool runs");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// The id of Confab's window once it is visible.
    pub fn wait_for_window(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let id = self.xdotool(&["search", "--onlyvisible", "--name", "Confab"]);
            if let Some(first) = id.lines().next().filter(|l| !l.is_empty()) {
                return first.to_owned();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("no Confab window appeared");
    }

    /// Open the conversation with `name` as a user at the keyboard would: Ctrl+K to the
    /// search, the name, Enter for the hit.
    pub fn open_conversation(&self, window: &str, name: &str) {
        self.xdotool(&["windowfocus", "--sync", window]);
        self.xdotool(&["key", "ctrl+k"]);
        self.xdotool(&["type", "--delay", "50", name]);
        self.xdotool(&["key", "Return"]);
    }

    /// Save the whole screen to `path` (imagemagick's `import`).
    pub fn screenshot(&self, path: &str) {
        let status = Command::new("import")
            .args(["-display", self.name, "-window", "root", path])
            .status()
            .expect("import runs");
        println!("screenshot: {path} ({status})");
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}

/// A figure of /proc/PID/status in KiB: "VmRSS:" now, "VmHWM:" at its peak.
pub fn status_kib(child: &Child, field: &str) -> u64 {
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
