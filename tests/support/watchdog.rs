//! A hung test fails within minutes and shows where it hung, instead of holding CI until its
//! time runs out (a lost wake-up in sign-up once did exactly that, with nothing to go on).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The longest a server may be up in one test. The slowest test takes under a minute; the
/// benches that flood a server take a few.
const LIMIT: Duration = Duration::from_secs(15 * 60);

/// Ends the watch when dropped.
pub struct Watch {
    done: Arc<AtomicBool>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
    }
}

/// Watch `what` until the returned guard is dropped; past [`LIMIT`], print every thread's
/// stack (when gdb is installed) and end the test process with a failure.
pub fn watch(what: String) -> Watch {
    let done = Arc::new(AtomicBool::new(false));
    let seen = done.clone();
    std::thread::spawn(move || {
        let deadline = Instant::now() + LIMIT;
        while Instant::now() < deadline {
            if seen.load(Ordering::Relaxed) {
                return;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
        eprintln!("{what} is still running after {} s: this test hangs", LIMIT.as_secs());
        let pid = std::process::id().to_string();
        let stacks = std::process::Command::new("gdb")
            .args(["-p", &pid, "-batch", "-ex", "thread apply all bt"])
            .output();
        match stacks {
            Ok(out) => eprintln!("{}", String::from_utf8_lossy(&out.stdout)),
            Err(e) => eprintln!("(no stacks: gdb could not run: {e})"),
        }
        std::process::exit(1);
    });
    Watch { done }
}
