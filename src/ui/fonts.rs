//! Fonts Confab brings along, loaded once at startup.
//!
//! Emoji are drawn in colour by cosmic-text through swash, which reads colour *bitmap* fonts
//! (CBDT like Noto Color Emoji, sbix like Apple Color Emoji) and COLR version 0 *layered
//! outline* fonts (Segoe UI Emoji, Twemoji Mozilla), but not COLRv1 nor SVG glyphs. Windows
//! and macOS always have such a font. Linux desktops usually have Noto Color Emoji
//! (`fonts-noto-color-emoji`, about 10 MB), but minimal installs and some containers do not,
//! and then emoji come out as empty boxes or as black-and-white glyphs from DejaVu Sans.
//!
//! So Confab bundles [Twemoji Mozilla](https://github.com/mozilla/twemoji-colr) 0.7.0 (Emoji
//! 14.0, 1.5 MB, COLRv0; art CC BY 4.0 by Twitter, see `resources/fonts/README.md`), the font
//! Firefox ships for the same reason. It is the last resort of cosmic-text's fallback: a
//! system Noto Color Emoji is listed among the common fallbacks and still wins for emoji in
//! running text. Text that is nothing but emoji (the picker, a message shown large) names it
//! with [`EMOJI_FONT`] so that ❤ or ✈, which DejaVu Sans also has in black and white, are
//! drawn in colour everywhere. iced copies the bytes once into its font database (1.5 MB).

use iced::Font;

/// Twemoji Mozilla: pass to `iced::application(..).font(EMOJI)` before `run`.
pub const EMOJI: &[u8] = include_bytes!("../../resources/fonts/TwemojiMozilla.ttf");

/// The family in [`EMOJI`], for text made only of emoji.
pub const EMOJI_FONT: Font = Font::with_name("Twemoji Mozilla");

/// iced's own icon font, always loaded by its renderers (the checkbox draws its mark with it).
/// Its glyphs take the text colour, unlike emoji, so a "read" mark can be in the accent colour.
pub const ICON_FONT: Font = Font::with_name("Iced-Icons");

/// A check mark in [`ICON_FONT`] (✓ itself is in neither Fira Sans nor Twemoji).
pub const CHECK: char = '\u{f00c}';

#[cfg(test)]
mod tests {
    use super::*;
    use iced::widget::text;
    use iced::{Settings, Theme};

    /// Renders 😀 with the bundled font on a white background and looks for the yellow of
    /// the face: a black-and-white glyph or an empty box has only greys.
    #[test]
    fn the_bundled_font_draws_emoji_in_colour() {
        let settings = Settings { fonts: vec![EMOJI.into()], ..Settings::default() };
        let face: iced::Element<'_, ()> = text("😀").font(EMOJI_FONT).size(48).into();
        let mut ui = iced_test::Simulator::with_size(settings, (96.0, 96.0), face);
        let snapshot = ui.snapshot(&Theme::Light).expect("snapshot");
        let dir = tempfile::tempdir().expect("temp dir");
        snapshot.matches_image(dir.path().join("emoji")).expect("written");
        let png = std::fs::read_dir(dir.path())
            .expect("listed")
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .find(|path| path.extension().is_some_and(|e| e == "png"))
            .expect("a PNG");
        let pixels = image::open(png).expect("decoded").to_rgb8();
        let yellow = pixels
            .pixels()
            .filter(|p| {
                let [r, g, b] = p.0;
                r > 200 && g > 150 && b < 120
            })
            .count();
        assert!(yellow > 100, "only {yellow} yellow pixels: the emoji is not in colour");
    }
}
