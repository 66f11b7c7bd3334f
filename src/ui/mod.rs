//! Everything drawn. Screens follow one shape: `State`, a `Message` their widgets emit, an
//! `Event` their parent acts on, `update` and `view`. Nothing here touches sockets or SQL.

pub mod accounts;
pub mod connection;
pub mod console;
pub mod contacts;
pub mod context_menu;
pub mod conversation;
pub mod discovery;
pub mod emoji_picker;
pub mod files;
pub mod fonts;
pub mod form;
pub mod invites;
pub mod keys;
pub mod linkify;
pub mod main_screen;
pub mod nick;
pub mod occupants;
pub mod opener;
pub mod pictures;
pub mod profile;
pub mod room;
pub mod room_browser;
pub mod room_members;
pub mod search;
pub mod setup;
pub mod shortcuts;
pub mod sidebar;
pub mod theme;
pub mod widget;
pub mod windowed;

#[cfg(test)]
pub mod fixtures;
#[cfg(test)]
pub mod frames;
