//! The pictures a server sends with its sign-up form (CAPTCHAs, XEP-0158 with XEP-0231 data),
//! decoded on tokio's blocking pool under the media limits, never on the UI thread: the bytes
//! come from a server the user has not yet trusted with anything.

use super::{Message, State};
use crate::media::{self, Limits, Picture};
use crate::worker::RegistrationForm;
use iced::Task;
use iced::widget::image;
use std::time::Duration;

/// A CAPTCHA arrives unasked, as an avatar does: the avatar limits (1 MiB, 4096 pixels a
/// side) bound it.
const LIMITS: Limits = Limits::AVATAR;
/// Decoded no larger than this box; the form draws it at most
/// [`crate::ui::theme::FORM_MEDIA_MAX_WIDTH`] wide, at up to twice the pixel density.
const BOX_SIDE: u32 = 640;
/// A CAPTCHA is a few kilobytes; one that takes longer than this is not shown.
const DECODE_BUDGET: Duration = Duration::from_secs(2);

impl State {
    /// Decode the pictures of `asked`, the form just shown by [`State::ask`]; each arrives as
    /// [`Message::Picture`].
    pub fn decode_pictures(&self, asked: &RegistrationForm) -> Task<Message> {
        let asked_as = self.asked;
        Task::batch(asked.form.fields.iter().filter_map(|field| {
            let bytes = asked.media_for(field)?.bytes.clone();
            let var = field.var.clone();
            let decode = media::decode_off_thread(bytes, LIMITS, BOX_SIDE, DECODE_BUDGET);
            Some(Task::perform(decode, move |picture| Message::Picture {
                asked: asked_as,
                var: var.clone(),
                picture,
            }))
        }))
    }

    /// A picture was decoded (or could not be) for the field `var` of form number `asked`;
    /// one for an earlier form (a new CAPTCHA came since) is dropped.
    pub(super) fn picture(
        &mut self,
        asked: u64,
        var: &str,
        picture: Result<Picture, media::DecodeError>,
    ) {
        let Some(extra) = self.extra.as_mut().filter(|_| asked == self.asked) else { return };
        let handle = match picture {
            Ok(Picture { width, height, rgba }) => {
                Some(image::Handle::from_rgba(width, height, rgba))
            }
            Err(why) => {
                tracing::info!("the server's picture for {var} is not shown: {why}");
                None
            }
        };
        extra.set_media(var, handle);
    }
}
