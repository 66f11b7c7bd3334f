//! Ad-hoc commands (XEP-0050): one stage of a command an entity runs for us, as plain values.
//! Which steps it allows, what it says (notes) and the form it wants filled in or shows as a
//! result; the window and the command line drive the same stages.

use crate::Form;

/// Where a command stands after a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandStatus {
    /// It waits for the next step.
    Executing,
    Completed,
    Canceled,
}

/// A step of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandAction {
    /// Start it (or go on the way the entity prefers).
    Execute,
    Next,
    Prev,
    Complete,
    Cancel,
}

impl CommandAction {
    pub fn name(self) -> &'static str {
        match self {
            Self::Execute => "execute",
            Self::Next => "next",
            Self::Prev => "prev",
            Self::Complete => "complete",
            Self::Cancel => "cancel",
        }
    }
}

/// How a note is meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    Info,
    Warning,
    Error,
}

/// One stage of a command as the entity answered it.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandStage {
    /// The entity's session for the next steps of the same run.
    pub session: Option<String>,
    pub status: CommandStatus,
    /// The steps it allows besides cancelling, and the one it suggests.
    pub allowed: Vec<CommandAction>,
    pub suggested: Option<CommandAction>,
    pub notes: Vec<(NoteKind, String)>,
    pub form: Option<Form>,
}

impl CommandStage {
    /// The step that goes forward from here: finishing where allowed, else the next stage,
    /// else whatever the entity suggests (a stage without actions allows only finishing).
    pub fn forward(&self) -> CommandAction {
        if self.allowed.contains(&CommandAction::Complete) || self.allowed.is_empty() {
            CommandAction::Complete
        } else if self.allowed.contains(&CommandAction::Next) {
            CommandAction::Next
        } else {
            self.suggested.unwrap_or(CommandAction::Execute)
        }
    }
}

/// Where registering with a service (XEP-0077: a gateway, a room's nickname) stands.
#[derive(Debug, Clone, PartialEq)]
pub enum ServiceRegistration {
    /// The service's form; `registered` when we are registered already (the form then shows
    /// what it has, to change it).
    Asked { form: Form, registered: bool },
    /// The service took the answer.
    Done,
}

/// Where searching a user directory (XEP-0055) stands.
#[derive(Debug, Clone, PartialEq)]
pub enum DirectorySearch {
    /// The directory's form, to fill in.
    Asked(Form),
    Found(Directory),
}

/// A directory's results as a table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Directory {
    pub columns: Vec<String>,
    pub rows: Vec<DirectoryRow>,
    /// There were more rows than were kept.
    pub cut: bool,
}

/// One person found: their address, when the directory gives it, and a cell per column.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryRow {
    pub jid: Option<String>,
    pub cells: Vec<String>,
}
