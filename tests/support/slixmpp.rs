//! slixmpp, an independent XMPP library in Python, as a peer through the real server: it logs
//! in, takes commands and reports what its own plugins understood (`tests/peers/slix_peer.py`).
//! It runs from the virtual environment `tests/fetch-slixmpp.sh` makes, which the README's test
//! command runs first.

use super::{DOMAIN, Server, WAIT};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Instant;

/// The peer's Python, in the environment `tests/fetch-slixmpp.sh` made.
fn python() -> PathBuf {
    let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/slixmpp/venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run `bash tests/fetch-slixmpp.sh` (the README's test command does)",
        python.display()
    );
    python
}

pub struct SlixPeer {
    child: Child,
    input: ChildStdin,
    events: Receiver<Value>,
    pub jid: String,
}

impl SlixPeer {
    /// Logs `user` in through `server`'s STARTTLS port and waits until it is online.
    pub fn login(server: &Server, user: &str, password: &str) -> Self {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/slix_peer.py");
        let jid = format!("{user}@{DOMAIN}");
        let mut child = Command::new(python())
            .arg(script)
            .args([&jid, password, "127.0.0.1", &server.port.to_string()])
            .arg(&server.ca_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("slixmpp starts");
        let input = child.stdin.take().expect("its input");
        let output = child.stdout.take().expect("its output");
        let (sender, events) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(output).lines().map_while(Result::ok) {
                match serde_json::from_str::<Value>(&line) {
                    Ok(event) => {
                        if sender.send(event).is_err() {
                            break;
                        }
                    }
                    Err(_) => eprintln!("slixmpp: {line}"),
                }
            }
        });
        let mut peer = Self { child, input, events, jid };
        // Waiting blocks this thread; the worker under test runs on the runtime's others.
        peer.expect("online", |e| e["event"] == "online");
        peer
    }

    /// Gives the peer one command (see the script) and waits until it has carried it out.
    pub fn command(&mut self, command: Value) {
        let op = command["op"].clone();
        writeln!(self.input, "{command}").expect("command written");
        self.expect(&format!("{op} done"), |e| e["event"] == "done" && e["op"] == op);
    }

    /// The next event that `wanted` accepts; others before it are passed over.
    pub fn expect(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            // Called from the tests' multi-threaded runtime: the worker goes on meanwhile.
            match tokio::task::block_in_place(|| self.events.recv_timeout(left)) {
                Ok(event) if wanted(&event) => return event,
                Ok(event) if event["event"] == "error" => panic!("slixmpp, before {what}: {event}"),
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => panic!("slixmpp: no {what} in {WAIT:?}"),
                Err(RecvTimeoutError::Disconnected) => panic!("slixmpp ended before {what}"),
            }
        }
    }

    /// A chat message with this id (also its origin-id).
    pub fn send(&mut self, to: &str, id: &str, body: &str) {
        self.command(json!({"op": "send", "to": to, "id": id, "body": body}));
    }
}

impl Drop for SlixPeer {
    fn drop(&mut self) {
        let _ = writeln!(self.input, "{}", json!({"op": "quit"}));
        let deadline = Instant::now() + std::time::Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
