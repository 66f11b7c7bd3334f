//! HTTP for shared files: uploads into the slot our server hands out (XEP-0363) and downloads
//! of files others link. The account's CA file and pinned certificates count for its own
//! server's hosts (so a self-hosted server works for files exactly as for chat); every other
//! host is checked against the system's roots alone (`tls::scope`). Uploads go only to https
//! addresses, and redirects are followed only as [`redirects`] allows.
//!
//! Both directions stream in chunks and report progress at most every [`PROGRESS_EVERY`];
//! dropping the future cancels the transfer.

mod redirects;

use super::proxy::Proxy;
use super::tls::{self, RefusalSlot};
use crate::config::AccountConfig;
use crate::paths::private;
use futures::StreamExt;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_xmpp::parsers::http_upload::Put;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
/// A transfer that stalls this long is given up (a slow one that moves is not).
const STALL_TIMEOUT: Duration = Duration::from_secs(60);
const PROGRESS_EVERY: Duration = Duration::from_millis(150);
const CHUNK: usize = 64 * 1024;

/// An HTTP client for one account, through its proxy when it has one.
pub fn client(account: &AccountConfig, proxy: Option<&Proxy>) -> Result<reqwest::Client, String> {
    let config = tls::client_config(account, &[], RefusalSlot::default())?;
    let mut builder = reqwest::Client::builder().no_proxy();
    if let Some(proxy) = proxy {
        builder = builder.proxy(proxy.for_http()?);
    }
    builder
        .use_preconfigured_tls((*config).clone())
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(STALL_TIMEOUT)
        .redirect(redirects::policy())
        .user_agent(concat!("Confab/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot set up HTTP: {}", describe(&e)))
}

/// Calls `report` with the bytes done and the whole size (when known), no more often than
/// [`PROGRESS_EVERY`].
struct Progress<F> {
    done: u64,
    total: Option<u64>,
    last: Option<Instant>,
    report: F,
}

impl<F: FnMut(u64, Option<u64>)> Progress<F> {
    fn new(total: Option<u64>, report: F) -> Self {
        Self { done: 0, total, last: None, report }
    }

    fn add(&mut self, bytes: usize) {
        self.done += bytes as u64;
        if self.last.is_none_or(|last| last.elapsed() >= PROGRESS_EVERY) {
            self.last = Some(Instant::now());
            (self.report)(self.done, self.total);
        }
    }
}

/// A slot's addresses must both be https: the file goes up readable by anyone on the way
/// otherwise, and the address we send out would hand contacts an unencrypted download.
pub fn check_slot(put: &Put, get_url: &str) -> Result<(), String> {
    for url in [put.url.as_str(), get_url] {
        match reqwest::Url::parse(url) {
            Ok(parsed) if parsed.scheme() == "https" => {}
            _ => {
                return Err(format!(
                    "the upload service offered an address that is not https ({url}); Confab \
                     uploads only over encrypted connections"
                ));
            }
        }
    }
    Ok(())
}

/// PUT the file into the slot, with the headers the service asked for.
pub async fn upload(
    client: &reqwest::Client,
    put: &Put,
    file: &Path,
    size: u64,
    mime: &str,
    report: impl FnMut(u64, Option<u64>) + Send + 'static,
) -> Result<(), String> {
    let opened = tokio::fs::File::open(file)
        .await
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let progress = Progress::new(Some(size), report);
    let chunks = futures::stream::unfold(Some((opened, progress)), |state| async move {
        let (mut file, mut progress) = state?;
        let mut buffer = vec![0; CHUNK];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(read) => {
                buffer.truncate(read);
                progress.add(read);
                Some((Ok(buffer), Some((file, progress))))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    let mut request = client
        .put(&put.url)
        .header(CONTENT_LENGTH, size)
        .header(CONTENT_TYPE, mime)
        .body(reqwest::Body::wrap_stream(chunks));
    for header in &put.headers {
        request = request.header(header.name.as_str(), header.value.trim());
    }
    let response = request.send().await.map_err(|e| describe(&e))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("the upload server refused the file ({status})"))
    }
}

/// GET `url` into `target` (through a `.part` file, so a half download is never taken for a
/// whole one), reading at most `cap` bytes and no more than the server announced. Returns the
/// size.
pub async fn download(
    client: &reqwest::Client,
    url: &str,
    target: &Path,
    cap: u64,
    report: impl FnMut(u64, Option<u64>),
) -> Result<u64, String> {
    let response = client.get(url).send().await.map_err(|e| describe(&e))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("the server did not give the file ({status})"));
    }
    let announced = response.content_length();
    if let Some(length) = announced.filter(|&length| length > cap) {
        return Err(too_large(length, cap));
    }
    let limit = announced.unwrap_or(cap);
    let partial = partial_path(target);
    if let Some(dir) = target.parent() {
        private::create_dir_all_async(dir)
            .await
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let progress = Progress::new(announced, report);
    let result = write_body(response, &partial, limit, cap, progress).await;
    match result {
        Ok(size) => {
            tokio::fs::rename(&partial, target)
                .await
                .map_err(|e| format!("cannot save {}: {e}", target.display()))?;
            Ok(size)
        }
        Err(e) => {
            let _ = tokio::fs::remove_file(&partial).await;
            Err(e)
        }
    }
}

async fn write_body(
    response: reqwest::Response,
    partial: &Path,
    limit: u64,
    cap: u64,
    mut progress: Progress<impl FnMut(u64, Option<u64>)>,
) -> Result<u64, String> {
    let mut file = private::create_file_async(partial)
        .await
        .map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| describe(&e))?;
        if progress.done + chunk.len() as u64 > limit {
            return Err(if limit < cap {
                "the file is longer than the server said; it was not kept".to_owned()
            } else {
                too_large(progress.done + chunk.len() as u64, cap)
            });
        }
        file.write_all(&chunk)
            .await
            .map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
        progress.add(chunk.len());
    }
    file.flush().await.map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
    Ok(progress.done)
}

/// Where a download is written until it is complete.
pub fn partial_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    target.with_file_name(name)
}

fn too_large(bytes: u64, cap: u64) -> String {
    use crate::model::format_size;
    format!(
        "the file is larger ({}) than Confab accepts ({})",
        format_size(bytes),
        format_size(cap)
    )
}

/// A transfer error in words: what failed, for the user, then the innermost cause (reqwest's
/// own texts name the internal step, "client error (Connect)", which says nothing to a user).
fn describe(error: &reqwest::Error) -> String {
    let host = error.url().and_then(|url| url.host_str()).unwrap_or("the file server").to_owned();
    let what = if error.is_redirect() {
        // The policy's own words (innermost below) say what was refused and why.
        "the transfer was stopped".to_owned()
    } else if error.is_timeout() {
        format!("{host} did not answer in time")
    } else if error.is_connect() {
        format!("cannot reach {host}")
    } else if error.is_body() || error.is_decode() {
        format!("the transfer from {host} broke off")
    } else {
        format!("the request to {host} failed")
    };
    if let Some(refusal) = tls::refusal_in(error) {
        return format!("{what}: {refusal}");
    }
    let mut innermost = None;
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        innermost = Some(cause.to_string());
        source = cause.source();
    }
    match innermost {
        Some(cause) => format!("{what} ({cause})"),
        None => what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unreachable_server_is_named_in_plain_words() {
        let client = client(&AccountConfig::new("me@example.org"), None).expect("client");
        let dir = tempfile::tempdir().expect("dir");
        let target = dir.path().join("x.png");
        // Port 1 on loopback: nothing listens there.
        let error = download(&client, "https://127.0.0.1:1/x.png", &target, 1024, |_, _| {})
            .await
            .expect_err("nothing listens");
        assert!(error.starts_with("cannot reach 127.0.0.1 ("), "{error}");
        assert!(!error.contains("client error"), "{error}");
        assert!(!target.exists() && !partial_path(&target).exists());
    }

    #[test]
    fn a_slot_must_be_https_both_ways() {
        let put = |url: &str| Put { url: url.into(), headers: Vec::new() };
        assert_eq!(check_slot(&put("https://up.example/a"), "https://up.example/a"), Ok(()));
        let refused = check_slot(&put("http://up.example/a"), "https://up.example/a");
        assert!(refused.expect_err("plain PUT").contains("not https (http://up.example/a)"));
        assert!(check_slot(&put("https://up.example/a"), "http://up.example/a").is_err());
        assert!(check_slot(&put("not a url"), "https://up.example/a").is_err());
    }

    #[test]
    fn partial_downloads_sit_next_to_their_file() {
        assert_eq!(
            partial_path(Path::new("/cache/files/1/cat.png")),
            PathBuf::from("/cache/files/1/cat.png.part")
        );
    }

    #[test]
    fn progress_is_reported_at_first_and_then_sparingly() {
        let mut seen = Vec::new();
        {
            let mut progress = Progress::new(Some(20), |done, total| seen.push((done, total)));
            progress.add(10);
            progress.add(10);
        }
        assert_eq!(seen, vec![(10, Some(20))]);
    }
}
