//! Named styles and spacings, so views never inline colours or magic numbers.

use crate::model::PresenceShow;
use iced::widget::{button, container, text};
use iced::{Background, Border, Color, Theme};

pub const SPACE_XS: f32 = 4.0;
pub const SPACE_S: f32 = 8.0;
pub const SPACE_M: f32 = 12.0;
pub const SPACE_L: f32 = 20.0;
pub const SIDEBAR_WIDTH: f32 = 280.0;
/// The contact list in the smallest window Confab is made for (640 px): narrower, so the
/// conversation keeps a message field worth typing in.
pub const SIDEBAR_MIN_WIDTH: f32 = 200.0;

/// The contact list's width in a window this wide: its full width from about 930 px, then
/// shrinking with the window down to [`SIDEBAR_MIN_WIDTH`].
pub fn sidebar_width(window: f32) -> f32 {
    (window * 0.3).clamp(SIDEBAR_MIN_WIDTH, SIDEBAR_WIDTH)
}
/// Room kept free beside a scrolled list so the scrollbar never covers a row.
pub const SCROLLBAR_GUTTER: f32 = 12.0;
pub const TEXT_SMALL: f32 = 12.0;
pub const TEXT_BODY: f32 = 14.0;
pub const TEXT_TITLE: f32 = 18.0;
pub const RADIUS: f32 = 8.0;
pub const BUBBLE_MAX_WIDTH: f32 = 560.0;
/// The profile panel beside a conversation.
pub const PROFILE_WIDTH: f32 = 280.0;
/// Height of a multi-line form field (text-multi, jid-multi): about four lines.
pub const FORM_EDITOR_HEIGHT: f32 = 88.0;
/// Tallest the server's extra sign-up fields get on the setup screen before they scroll.
pub const SETUP_EXTRA_MAX_HEIGHT: f32 = 320.0;
/// Widest a form's picture (a CAPTCHA) is drawn; smaller ones keep their size.
pub const FORM_MEDIA_MAX_WIDTH: f32 = 320.0;
/// Below this width of the conversation, its header's actions fold under "⋯".
pub const HEADER_FOLD_WIDTH: f32 = 560.0;
/// From this width of the conversation on, a panel (a room's people, a profile) fits beside
/// it; below, the panel waits to be asked for and then covers the conversation's right side.
pub const PANEL_BESIDE_WIDTH: f32 = 660.0;
/// The occupant list beside a room's conversation.
pub const OCCUPANTS_WIDTH: f32 = 250.0;
/// The room settings form beside a room's conversation: wider, its fields have long labels.
pub const ROOM_CONFIG_WIDTH: f32 = 380.0;
/// The room browser's column; wider lines of room descriptions are hard to read.
pub const BROWSER_MAX_WIDTH: f32 = 720.0;
/// Room for a name beside an input in a small form (room address, nickname…).
pub const LABEL_WIDTH: f32 = 110.0;
/// The emoji picker: wide enough for its ten tabs in one row, ten emoji a grid row.
pub const EMOJI_PICKER_WIDTH: f32 = 400.0;
/// Height of the picker's scrolled grid: about six rows.
pub const EMOJI_PICKER_HEIGHT: f32 = 240.0;
/// One square cell of the picker (tabs and grid).
pub const EMOJI_CELL: f32 = 36.0;
/// An emoji in the picker's grid.
pub const EMOJI_GLYPH: f32 = 24.0;
/// A message of only a few emoji, drawn large (as in other messengers).
pub const EMOJI_LARGE: f32 = 40.0;
/// The "Send later" menu above the composer.
pub const SEND_LATER_WIDTH: f32 = 420.0;
/// A file's card in a message: room for a name, its size and two buttons.
pub const FILE_CARD_WIDTH: f32 = 320.0;
/// The box a picture waiting to be decoded holds for it.
pub const THUMBNAIL_PLACEHOLDER: (f32, f32) = (240.0, 160.0);
/// How tall a pasted picture is shown above the composer while it waits to be sent.
pub const PASTED_PREVIEW_HEIGHT: f32 = 96.0;
/// Thickness of a transfer's progress bar.
pub const PROGRESS_GIRTH: f32 = 6.0;
/// Free space around the picture viewer and a dialog, over the dimmed window.
pub const OVERLAY_MARGIN: f32 = 40.0;
/// A confirmation dialog over the window.
pub const DIALOG_WIDTH: f32 = 460.0;
/// The keys column of the shortcut list.
pub const SHORTCUT_KEYS_WIDTH: f32 = 120.0;
/// The XML console's colours for element names, attributes, their values, text and the
/// brackets around them. Spans take colours, not styles, so each theme has its own set.
pub struct XmlInk {
    pub name: Color,
    pub attribute: Color,
    pub value: Color,
    pub text: Color,
    pub punctuation: Color,
}

const XML_ON_LIGHT: XmlInk = XmlInk {
    name: Color::from_rgb(0.10, 0.30, 0.65),
    attribute: Color::from_rgb(0.55, 0.25, 0.05),
    value: Color::from_rgb(0.05, 0.45, 0.20),
    text: Color::from_rgb(0.10, 0.10, 0.12),
    punctuation: Color::from_rgb(0.45, 0.45, 0.50),
};

const XML_ON_DARK: XmlInk = XmlInk {
    name: Color::from_rgb(0.55, 0.74, 1.00),
    attribute: Color::from_rgb(0.96, 0.70, 0.45),
    value: Color::from_rgb(0.55, 0.86, 0.58),
    text: Color::from_rgb(0.90, 0.90, 0.92),
    punctuation: Color::from_rgb(0.62, 0.62, 0.68),
};

pub fn xml_ink(dark: bool) -> &'static XmlInk {
    if dark { &XML_ON_DARK } else { &XML_ON_LIGHT }
}
/// Behind the words a search found, as a highlighter marks them.
pub const FOUND: Color = Color::from_rgba(1.0, 0.80, 0.10, 0.45);
/// Who wrote a line, before its words in a search hit.
pub fn author(dark: bool) -> Color {
    if dark { Color::from_rgb(0.66, 0.66, 0.72) } else { Color::from_rgb(0.40, 0.40, 0.46) }
}

pub fn presence_color(show: PresenceShow) -> Color {
    match show {
        PresenceShow::Chat | PresenceShow::Online => Color::from_rgb8(0x3f, 0xb9, 0x50),
        PresenceShow::Away => Color::from_rgb8(0xe3, 0xa0, 0x08),
        PresenceShow::Xa => Color::from_rgb8(0xd0, 0x70, 0x10),
        PresenceShow::Dnd => Color::from_rgb8(0xd9, 0x3f, 0x3f),
        PresenceShow::Offline => Color::from_rgb8(0x9a, 0x9a, 0x9a),
    }
}

/// A contact's presence dot; nothing at all while their presence is unknown (we are offline).
pub fn presence_dot(show: Option<PresenceShow>) -> impl Fn(&Theme) -> container::Style {
    move |theme| match show {
        Some(show) => dot(presence_color(show))(theme),
        None => container::Style::default(),
    }
}

pub fn sidebar(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default().background(palette.background.weak.color)
}

pub fn header(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default().background(palette.background.base.color).border(Border {
        color: palette.background.strong.color,
        width: 1.0,
        radius: 0.0.into(),
    })
}

/// A panel beside the conversation, set apart like the sidebar.
pub fn side_panel(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default().background(palette.background.weak.color).border(Border {
        color: palette.background.strong.color,
        width: 1.0,
        radius: 0.0.into(),
    })
}

pub fn banner_info(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default()
        .background(palette.secondary.weak.color)
        .color(palette.secondary.weak.text)
}

pub fn banner_error(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default()
        .background(palette.danger.weak.color)
        .color(palette.danger.weak.text)
}

pub fn bubble_in(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default()
        .background(palette.background.weak.color)
        .border(iced::border::rounded(RADIUS))
}

pub fn bubble_out(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default()
        .background(palette.primary.weak.color)
        .color(palette.primary.weak.text)
        .border(iced::border::rounded(RADIUS))
}

/// The line a search went to, shown in place: outlined in the highlighter's colour.
pub fn bubble_found(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default()
        .background(palette.background.weak.color)
        .border(iced::border::rounded(RADIUS).width(2.0).color(FOUND))
}

/// A message in a room that names us: set apart in the theme's warning tone, as Gajim and
/// Dino do, so it is found when scrolling back.
pub fn bubble_mention(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default()
        .background(palette.warning.weak.color)
        .color(palette.warning.weak.text)
        .border(iced::border::rounded(RADIUS))
}

/// A sender's nickname in a room, in its XEP-0392 colour (the XEP derives it from the
/// nickname in rooms, where real addresses are often hidden).
pub fn nick(nick: &str) -> impl Fn(&Theme) -> text::Style + use<> {
    let [r, g, b] = crate::model::consistent_color(nick);
    let color = Color::from_rgb(r as f32, g as f32, b as f32);
    move |_| text::Style { color: Some(color) }
}

/// A room's initials: a rounded square, where a person's are a circle.
pub fn room_avatar(color: Color) -> impl Fn(&Theme) -> container::Style {
    move |_| container::Style::default().background(color).border(iced::border::rounded(RADIUS))
}

/// A small label beside an occupant's name: owner, admin, member.
pub fn badge(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default()
        .background(palette.secondary.weak.color)
        .color(palette.secondary.weak.text)
        .border(iced::border::rounded(RADIUS))
}

/// The count of unread messages beside a conversation in the sidebar: a pill in the theme's
/// primary colour, the one thing on the row that should catch the eye.
pub fn unread_badge(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default()
        .background(palette.primary.strong.color)
        .color(palette.primary.strong.text)
        .border(iced::border::rounded(RADIUS))
}

/// The unread badge of a conversation where someone named us: in the warning tone of the
/// mention's own bubble, so it stands out among plain counts.
pub fn mention_badge(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default()
        .background(palette.warning.strong.color)
        .color(palette.warning.strong.text)
        .border(iced::border::rounded(RADIUS))
}

pub fn card(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default().background(palette.background.base.color).border(Border {
        color: palette.background.strong.color,
        width: 1.0,
        radius: RADIUS.into(),
    })
}

pub fn dot(color: Color) -> impl Fn(&Theme) -> container::Style {
    move |theme| {
        let ring = theme.extended_palette().background.weak.color;
        container::Style::default().background(color).border(iced::Border {
            color: ring,
            width: 1.5,
            radius: 6.0.into(),
        })
    }
}

pub fn muted(theme: &Theme) -> text::Style {
    text::Style { color: Some(theme.extended_palette().background.strong.text.scale_alpha(0.7)) }
}

/// Words that stand out in the theme's accent colour, such as "read" under our message.
pub fn accent_text(theme: &Theme) -> text::Style {
    text::Style { color: Some(theme.extended_palette().primary.base.color) }
}

pub fn error_text(theme: &Theme) -> text::Style {
    text::Style { color: Some(theme.extended_palette().danger.base.color) }
}

/// The mark after a form field's label that must be filled in.
pub fn required_mark(theme: &Theme) -> text::Style {
    text::Style { color: Some(theme.extended_palette().danger.base.color) }
}

/// A form's picture (a CAPTCHA): on white with a thin frame, so dark text on a transparent
/// image stays readable whatever the theme.
pub fn form_media(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default().background(Color::WHITE).border(Border {
        color: palette.background.strong.color,
        width: 1.0,
        radius: 4.0.into(),
    })
}

/// The status menu's button: a framed field, like the account picker beside it.
pub fn status_button(theme: &Theme, status: button::Status) -> button::Style {
    let palette = theme.extended_palette();
    let background = match status {
        button::Status::Hovered | button::Status::Pressed => palette.background.weak.color,
        _ => palette.background.base.color,
    };
    button::Style {
        background: Some(Background::Color(background)),
        text_color: palette.background.base.text,
        border: Border { color: palette.background.strong.color, width: 1.0, radius: 4.0.into() },
        ..button::Style::default()
    }
}

/// A contact row: flat, highlighted when selected or hovered.
pub fn contact_row(selected: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |theme, status| {
        let palette = theme.extended_palette();
        let background = match (selected, status) {
            (true, _) => Some(Background::Color(palette.primary.weak.color)),
            (false, button::Status::Hovered) => {
                Some(Background::Color(palette.background.strong.color))
            }
            _ => None,
        };
        button::Style {
            background,
            text_color: if selected {
                palette.primary.weak.text
            } else {
                palette.background.base.text
            },
            border: iced::border::rounded(6),
            ..button::Style::default()
        }
    }
}

/// An emoji in the picker or a completion: flat like a contact row, highlighted when it is the
/// selected tab or completion, or hovered.
pub fn emoji_button(selected: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    contact_row(selected)
}

/// Behind a dialog or the picture viewer: the window dimmed, so the eye goes to what is on top.
pub fn backdrop(_theme: &Theme) -> container::Style {
    container::Style::default().background(Color { a: 0.6, ..Color::BLACK })
}

/// A dialog or the picture viewer on the dimmed window.
pub fn dialog(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default()
        .background(palette.background.base.color)
        .color(palette.background.base.text)
        .border(iced::border::rounded(RADIUS))
}

/// A file in a message: a card on the bubble, in the page's own colours so it reads the same
/// in our bubbles and theirs.
pub fn file_card(theme: &Theme) -> container::Style {
    card(theme).color(theme.extended_palette().background.base.text)
}

/// Where a picture will be once decoded.
pub fn picture_placeholder(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default()
        .background(palette.background.strong.color)
        .color(palette.background.strong.text)
        .border(iced::border::rounded(RADIUS))
}

/// A thumbnail to click: no frame of its own, a faint highlight under the pointer.
pub fn picture_button(theme: &Theme, status: button::Status) -> button::Style {
    let palette = theme.extended_palette();
    let background = match status {
        button::Status::Hovered | button::Status::Pressed => {
            Some(Background::Color(palette.background.strong.color))
        }
        _ => None,
    };
    button::Style { background, border: iced::border::rounded(RADIUS), ..button::Style::default() }
}

/// The styling characters of a message (`*`, `_`, `~`, `` ` ``, ```` ``` ````): shown, as
/// XEP-0393 recommends, but faint beside the words they style. A span takes a colour rather
/// than a style function, so it is a mid grey that reads on every bubble, light or dark.
pub const STYLING_MARKER: Color = Color::from_rgba(0.5, 0.5, 0.5, 0.85);

/// Behind inline code in a message: a faint grey over whatever bubble it is on, a shade
/// darker on a light one and lighter on a dark one.
pub const CODE_BACKGROUND: Color = Color::from_rgba(0.5, 0.5, 0.5, 0.16);

/// The bar beside a quote in a message.
pub const QUOTE_BAR_WIDTH: f32 = 3.0;

/// A code block in a message: set off from the words around it by a shade of the bubble.
pub fn code_block(_theme: &Theme) -> container::Style {
    container::Style::default().background(CODE_BACKGROUND).border(iced::border::rounded(4))
}

/// The bar beside a quote in a message, in place of its `>`s.
pub fn quote_bar(theme: &Theme) -> container::Style {
    container::Style::default()
        .background(theme.extended_palette().background.strong.color)
        .border(iced::border::rounded(QUOTE_BAR_WIDTH / 2.0))
}

/// Over the window while files are dragged onto it.
pub fn drop_target(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default()
        .background(palette.background.base.color.scale_alpha(0.9))
        .color(palette.primary.strong.color)
        .border(Border { color: palette.primary.strong.color, width: 3.0, radius: RADIUS.into() })
}
