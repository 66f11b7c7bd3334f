//! Shared files in a session: uploading ours (XEP-0363) before the message that carries the
//! address goes out, and downloading others' into the cache.
//!
//! An outgoing file is a message in the outbox whose attachment has no URL yet. Whenever the
//! outbox is flushed, such a message asks for an upload slot instead of being sent; once the
//! file is up, the message gets its URL (as body and out-of-band data) and goes out like any
//! other. So a file sent offline, or interrupted by a crash, goes up on the next login, and a
//! failed upload is a failed message with Retry.

use super::Session;
use super::requests::{Answer, PendingIq};
use crate::media::safe_file_name;
use crate::model::{Attachment, Direction, Message, Transfer, format_size};
use crate::paths::private;
use crate::worker::{Event, attachments, http, stanza};
use std::path::{Path, PathBuf};
use tokio_xmpp::jid::Jid;
use tokio_xmpp::parsers::http_upload::{SlotRequest, SlotResult};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::stanza_error::StanzaError;

/// The most a download the user asked for may be: well past any upload service's limit,
/// short of filling a disk by accident.
pub(super) const MAX_DOWNLOAD: u64 = 2 * 1024 * 1024 * 1024;

/// The largest file an upload service takes, and whose it is, for the message.
struct UploadLimit {
    max: u64,
    server: String,
}

/// Checked before anything is uploaded (the limit is unknown while offline; then it is checked
/// when the upload starts).
fn check_size(name: &str, size: u64, limit: Option<&UploadLimit>) -> Result<(), String> {
    match limit {
        Some(limit) if size > limit.max => Err(format!(
            "{name} is {}; {} accepts files up to {}",
            format_size(size),
            limit.server,
            format_size(limit.max)
        )),
        _ => Ok(()),
    }
}

/// Check the file and copy it into our files folder, so the original may move or change
/// while the message waits in the outbox.
async fn prepare_file(
    path: &Path,
    files_dir: &Path,
    limit: Option<UploadLimit>,
) -> Result<Attachment, String> {
    let unreadable = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let metadata = tokio::fs::metadata(path).await.map_err(unreadable)?;
    if !metadata.is_file() {
        return Err(format!("{} is not a file", path.display()));
    }
    let name = safe_file_name(&path.file_name().unwrap_or_default().to_string_lossy());
    check_size(&name, metadata.len(), limit.as_ref())?;
    let copy = files_dir.join(uuid::Uuid::new_v4().to_string()).join(&name);
    if let Some(dir) = copy.parent() {
        private::create_dir_all_async(dir)
            .await
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    // Copied into a file of our own making: a copy would take the original's mode.
    let mut original = tokio::fs::File::open(path).await.map_err(unreadable)?;
    let mut kept = private::create_file_async(&copy)
        .await
        .map_err(|e| format!("cannot write {}: {e}", copy.display()))?;
    tokio::io::copy(&mut original, &mut kept).await.map_err(unreadable)?;
    Ok(Attachment {
        url: None,
        mime: Some(attachments::mime_for_name(&name).to_owned()),
        size: Some(metadata.len()),
        local: Some(copy),
        name,
    })
}

/// What a transfer task tells the session.
pub(super) enum TransferReport {
    Progress { message_id: i64, done: u64, total: Option<u64> },
    Uploaded { message_id: i64, result: Result<String, String> },
    Downloaded { message_id: i64, result: Result<(PathBuf, u64), String> },
}

/// Transfers under way, by message, so each runs once and can be stopped.
#[derive(Default)]
pub(super) struct Transfers {
    running: std::collections::HashMap<i64, Running>,
    /// Uploads asked for before discovery found (or failed to find) the upload service.
    pub(super) waiting_for_discovery: bool,
}

struct Running {
    task: Option<tokio::task::AbortHandle>,
    /// A download's `.part` file, removed when it is stopped.
    partial: Option<PathBuf>,
}

impl Transfers {
    fn is_running(&self, message_id: i64) -> bool {
        self.running.contains_key(&message_id)
    }

    /// Stop one transfer; true if there was one.
    fn stop(&mut self, message_id: i64) -> bool {
        let Some(running) = self.running.remove(&message_id) else { return false };
        if let Some(task) = running.task {
            task.abort();
        }
        if let Some(partial) = running.partial {
            let _ = std::fs::remove_file(partial);
        }
        true
    }

    /// Slot requests die with the connection that carried them; their uploads are asked for
    /// again from the outbox on the next login. Transfers over HTTP go on.
    pub(super) fn forget_slot_requests(&mut self) {
        self.running.retain(|_, running| running.task.is_some());
    }
}

/// An upload slot (XEP-0363) for the file of this outbox message.
pub(super) struct Request(i64);

impl From<Request> for PendingIq {
    fn from(request: Request) -> Self {
        Self::Transfers(request)
    }
}

impl Session {
    /// Copy the file into the cache and queue a message for it.
    pub(super) async fn send_file(&mut self, to: &str, path: &Path) {
        let Some(to) = self.recipient(to) else { return };
        let limit = self.upload_limit();
        match prepare_file(path, &self.files_dir.clone(), limit).await {
            Ok(attachment) => self.queue(to, String::new(), None, Some(attachment), None).await,
            Err(why) => {
                self.emit(Event::Notice(why.clone()));
                self.emit(Event::Outcome(Err(why)));
            }
        }
    }

    /// The upload service's size limit, once discovery knows it.
    fn upload_limit(&self) -> Option<UploadLimit> {
        let max = self.discovery.services.upload.as_ref()?.max_size?;
        Some(UploadLimit { max, server: self.own.domain().to_string() })
    }

    /// An outbox message whose file is not up yet: ask for a slot (once).
    pub(super) async fn start_upload(&mut self, message: &Message) {
        let Some(attachment) = &message.attachment else { return };
        if self.transfers.is_running(message.id) {
            return;
        }
        if self.discovery.outstanding > 0 {
            self.transfers.waiting_for_discovery = true;
            return;
        }
        let Some(service) = self.discovery.services.upload.clone() else {
            let why = format!("{} offers no file upload", self.own.domain());
            self.upload_failed(message.id, &why);
            return;
        };
        let Some(size) = attachment.size else {
            self.upload_failed(message.id, "the file's size is unknown");
            return;
        };
        if let Err(why) = check_size(&attachment.name, size, self.upload_limit().as_ref()) {
            self.upload_failed(message.id, &why);
            return;
        }
        let Ok(service_jid) = Jid::new(&service.jid) else { return };
        let request = SlotRequest {
            filename: attachment.name.clone(),
            size,
            content_type: attachment.mime.clone(),
        };
        self.transfers.running.insert(message.id, Running { task: None, partial: None });
        let id = self.next_id("upload");
        self.send_iq(Iq::from_get(id, request).with_to(service_jid), Request(message.id)).await;
    }

    /// Discovery is over: uploads that waited for it may start.
    pub(super) async fn uploads_after_discovery(&mut self) {
        if std::mem::take(&mut self.transfers.waiting_for_discovery) && self.is_online() {
            self.flush_outbox().await;
        }
    }

    pub(super) fn upload_slot_answer(&mut self, request: Request, answer: Answer) {
        let Request(message_id) = request;
        let payload = match answer {
            Ok(payload) => payload,
            Err(error) => return self.upload_slot_refused(message_id, &error),
        };
        let slot = payload.and_then(|p| SlotResult::try_from(p).ok());
        let message = self.store.read(|store| store.message(message_id)).ok().flatten();
        let (Some(slot), Some(message)) = (slot, message) else {
            self.upload_failed(message_id, "the upload service gave no usable slot");
            return;
        };
        let Some(Attachment { local: Some(file), size: Some(size), mime, .. }) = message.attachment
        else {
            self.upload_failed(message_id, "the file to upload is missing");
            return;
        };
        if let Err(why) = http::check_slot(&slot.put, &slot.get.url) {
            self.upload_failed(message_id, &why);
            return;
        }
        let client = match self.http_client() {
            Ok(client) => client,
            Err(why) => {
                self.upload_failed(message_id, &why);
                return;
            }
        };
        let reports = self.transfer_tx.clone();
        let progress = reports.clone();
        let mime = mime.unwrap_or_else(|| attachments::mime_for_name("").to_owned());
        let task = tokio::spawn(async move {
            let report = move |done, total| {
                let _ = progress.send(TransferReport::Progress { message_id, done, total });
            };
            let result = http::upload(&client, &slot.put, &file, size, &mime, report).await;
            let result = result.map(|()| slot.get.url);
            let _ = reports.send(TransferReport::Uploaded { message_id, result });
        });
        self.transfers
            .running
            .insert(message_id, Running { task: Some(task.abort_handle()), partial: None });
    }

    fn upload_slot_refused(&mut self, message_id: i64, error: &StanzaError) {
        let why = format!("the upload service refused the file: {}", stanza::error_text(error));
        self.upload_failed(message_id, &why);
    }

    fn upload_failed(&mut self, message_id: i64, why: &str) {
        self.transfers.stop(message_id);
        match self.store.transaction(|store| store.fail_message(message_id, why)) {
            Ok(()) => {
                if let Ok(Some(message)) = self.store.read(|store| store.message(message_id)) {
                    let chat = message.chat.clone();
                    self.emit(Event::Transfer {
                        message_id,
                        chat: chat.clone(),
                        transfer: Transfer::Failed(why.to_owned()),
                    });
                    self.emit(Event::Delivery { message_id, chat, state: message.state });
                }
            }
            Err(e) => tracing::warn!("{e}"),
        }
    }

    /// Fetch an attachment into the cache: when the user asks (`cap` [`MAX_DOWNLOAD`]) or by
    /// itself for a contact's file (`cap` the automatic limit).
    pub(super) fn start_download(&mut self, message_id: i64, cap: u64) {
        if self.transfers.is_running(message_id) {
            return;
        }
        let Ok(Some(message)) = self.store.read(|store| store.message(message_id)) else {
            self.emit(Event::Notice(format!("there is no message {message_id}")));
            return;
        };
        let attachment = message.attachment.clone();
        if let Some(file) =
            attachment.as_ref().filter(|a| a.local.as_ref().is_some_and(|p| p.is_file()))
        {
            let transfer = Transfer::Done(file.clone());
            self.emit(Event::Transfer { message_id, chat: message.chat, transfer });
            return;
        }
        let Some(Attachment { url: Some(url), name, .. }) = attachment else {
            self.emit(Event::Notice(format!("message {message_id} carries no file to download")));
            return;
        };
        let client = match self.http_client() {
            Ok(client) => client,
            Err(why) => {
                self.emit(Event::Transfer {
                    message_id,
                    chat: message.chat,
                    transfer: Transfer::Failed(why),
                });
                return;
            }
        };
        let target = self.files_dir.join(format!("m{message_id}")).join(&name);
        let reports = self.transfer_tx.clone();
        let progress = reports.clone();
        let partial = http::partial_path(&target);
        let task = tokio::spawn(async move {
            let report = move |done, total| {
                let _ = progress.send(TransferReport::Progress { message_id, done, total });
            };
            let result = http::download(&client, &url, &target, cap, report).await;
            let result = result.map(|size| (target, size));
            let _ = reports.send(TransferReport::Downloaded { message_id, result });
        });
        self.transfers.running.insert(
            message_id,
            Running { task: Some(task.abort_handle()), partial: Some(partial) },
        );
        self.emit(Event::Transfer {
            message_id,
            chat: message.chat,
            transfer: Transfer::Running { done: 0, total: None },
        });
    }

    pub(super) fn cancel_download(&mut self, message_id: i64) {
        if self.transfers.stop(message_id)
            && let Ok(Some(message)) = self.store.read(|store| store.message(message_id))
        {
            self.emit(Event::Transfer {
                message_id,
                chat: message.chat,
                transfer: Transfer::Cancelled,
            });
        }
    }

    /// A cancelled upload's message is gone from the outbox; its transfer stops too.
    pub(super) fn cancel_upload(&mut self, message_id: i64) {
        self.transfers.stop(message_id);
    }

    /// Files that came with new messages, fetched by themselves when the user lets them, the
    /// sender is someone they know and the address is https (fetching over plain http would
    /// tell everyone on the way what the user receives, unasked).
    pub(super) fn auto_download(&mut self, message: &Message) {
        let https = message.attachment.as_ref().and_then(|a| a.url.as_deref()).is_some_and(|url| {
            reqwest::Url::parse(url).is_ok_and(|parsed| parsed.scheme() == "https")
        });
        if !self.media.auto_download || !https {
            return;
        }
        let known = match message.direction {
            Direction::Out => true,
            Direction::In => {
                let sender = Jid::new(&message.from).map(|j| j.to_bare().to_string());
                // In the roster at all: someone the user added or accepted.
                let subscription = sender.ok().and_then(|jid| {
                    self.store
                        .read(|store| store.subscription(self.account_key(), &jid))
                        .ok()
                        .flatten()
                });
                subscription.is_some()
            }
        };
        if known {
            self.start_download(message.id, self.media.auto_download_mib * 1024 * 1024);
        }
    }

    pub(super) async fn transfer_report(&mut self, report: TransferReport) {
        match report {
            TransferReport::Progress { message_id, done, total } => {
                if !self.transfers.is_running(message_id) {
                    return;
                }
                if let Ok(Some(message)) = self.store.read(|store| store.message(message_id)) {
                    let transfer = Transfer::Running { done, total };
                    self.emit(Event::Transfer { message_id, chat: message.chat, transfer });
                }
            }
            TransferReport::Uploaded { message_id, result } => {
                if self.transfers.running.remove(&message_id).is_none() {
                    return;
                }
                match result {
                    Ok(url) => self.uploaded(message_id, &url).await,
                    Err(why) => self.upload_failed(message_id, &why),
                }
            }
            TransferReport::Downloaded { message_id, result } => {
                if self.transfers.running.remove(&message_id).is_none() {
                    return;
                }
                let Ok(Some(message)) = self.store.read(|store| store.message(message_id)) else {
                    return;
                };
                let transfer = match result {
                    Ok((path, size)) => {
                        match self
                            .store
                            .write(|store| store.set_downloaded(message_id, &path, size))
                        {
                            Ok(()) => match self.store.read(|store| store.message(message_id)) {
                                Ok(Some(Message { attachment: Some(attachment), .. })) => {
                                    Transfer::Done(attachment)
                                }
                                _ => return,
                            },
                            Err(e) => Transfer::Failed(e.to_string()),
                        }
                    }
                    Err(why) => Transfer::Failed(why),
                };
                self.emit(Event::Transfer { message_id, chat: message.chat, transfer });
            }
        }
    }

    /// The file is up: the message takes its address and goes out.
    async fn uploaded(&mut self, message_id: i64, url: &str) {
        if let Err(e) = self.store.transaction(|store| store.set_uploaded(message_id, url)) {
            self.upload_failed(message_id, &e.to_string());
            return;
        }
        let Ok(Some(message)) = self.store.read(|store| store.message(message_id)) else { return };
        if let Some(attachment) = message.attachment.clone() {
            let chat = message.chat.clone();
            self.emit(Event::Transfer { message_id, chat, transfer: Transfer::Done(attachment) });
        }
        self.emit(Event::Edited(message.clone()));
        if self.is_online() {
            self.transmit(&message).await;
        }
    }

    fn http_client(&mut self) -> Result<reqwest::Client, String> {
        if let Some(client) = &self.http {
            return Ok(client.clone());
        }
        let client = http::client(&self.account, self.proxy.as_ref())?;
        self.http = Some(client.clone());
        Ok(client)
    }
}
