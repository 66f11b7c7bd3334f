//! Debian's tinyproxy as the HTTP proxy (CONNECT) a test's connections go through, on a free
//! loopback port with a throwaway configuration and log, stopped when dropped.

use super::server::free_port;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub const PROXY_USER: &str = "proxyuser";
/// tinyproxy's configuration takes no quoted or spaced password.
pub const PROXY_PASSWORD: &str = "proxy-s3cret";

pub struct Tinyproxy {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Child,
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Tinyproxy {
    /// A proxy that asks for [`PROXY_USER`] and [`PROXY_PASSWORD`].
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("proxy dir");
        let port = free_port();
        let config = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 600\nMaxClients 200\nAllow 127.0.0.1\n\
             BasicAuth {PROXY_USER} {PROXY_PASSWORD}\nLogLevel Connect\n\
             LogFile \"{log}\"\nPidFile \"{pid}\"\n",
            log = dir.path().join("tinyproxy.log").display(),
            pid = dir.path().join("tinyproxy.pid").display(),
        );
        let config_file = dir.path().join("tinyproxy.conf");
        std::fs::write(&config_file, config).expect("proxy config");
        let child = Command::new("tinyproxy")
            .arg("-d")
            .arg("-c")
            .arg(&config_file)
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("stderr.log")).expect("stderr file"))
            .spawn()
            .expect("tinyproxy runs; the README's test command installs it");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            let said = std::fs::read_to_string(dir.path().join("stderr.log")).unwrap_or_default();
            assert!(Instant::now() < deadline, "tinyproxy did not start listening: {said}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { port, dir, child }
    }

    /// `http://user:password@127.0.0.1:port` with this password.
    pub fn url_with(&self, password: &str) -> String {
        let password = password.replace(' ', "%20");
        format!("http://{PROXY_USER}:{password}@127.0.0.1:{}", self.port)
    }

    fn log_file(&self) -> PathBuf {
        self.dir.path().join("tinyproxy.log")
    }

    /// The proxy's log: who connected where.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_file()).unwrap_or_default()
    }
}
