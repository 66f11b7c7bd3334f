//! XEP-0004 data forms as plain values: what a server asks us to fill in (account sign-up, a
//! CAPTCHA, room configuration), edited by the window or the command line. Reading one from
//! XML and writing the answer back is the engine's (`worker::data_form`).

use jid::Jid;
use std::fmt;

/// XEP-0068: the hidden field that names what kind of form this is.
pub const FORM_TYPE: &str = "FORM_TYPE";

/// A form as the server sent it, with the values filled in so far.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Form {
    /// The `FORM_TYPE` (XEP-0068), sent back unchanged with the answer.
    pub form_type: Option<String>,
    pub title: Option<String>,
    /// One paragraph per entry.
    pub instructions: Vec<String>,
    pub fields: Vec<Field>,
}

/// The field types of XEP-0004 §3.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FieldKind {
    /// "1"/"true" or "0"/"false".
    Boolean,
    /// Text to show, never sent back.
    Fixed,
    /// Never shown, always sent back as it came (challenge ids and the like).
    Hidden,
    JidMulti,
    JidSingle,
    ListMulti,
    ListSingle,
    TextMulti,
    /// A password or secret: typed hidden.
    TextPrivate,
    /// XEP-0004 §3.2: a field without a type is text-single.
    #[default]
    TextSingle,
}

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Field {
    /// The field's name in the protocol; empty only for `fixed` fields, which may go without.
    pub var: String,
    pub label: Option<String>,
    pub kind: FieldKind,
    pub required: bool,
    /// A longer explanation, shown as a hint.
    pub desc: Option<String>,
    /// The choices of a list field.
    pub options: Vec<FormOption>,
    /// Text fields hold one value; the multi kinds one per entry.
    pub values: Vec<String>,
    /// XEP-0221 media to show with the field (a CAPTCHA picture), in the server's order.
    pub media: Vec<MediaUri>,
    /// What its value should look like (XEP-0122), when the entity says.
    pub validation: Option<crate::Validation>,
}

/// One choice of a list field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormOption {
    pub label: Option<String>,
    pub value: String,
}

/// Where to find one rendition of a field's media: `cid:` (XEP-0231 data sent along),
/// `http:`/`https:`, or anything else the server uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaUri {
    pub mime: String,
    pub uri: String,
}

impl fmt::Display for FormOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label.as_deref().unwrap_or(&self.value))
    }
}

impl FieldKind {
    /// Whether the field holds several values (one per line when typed).
    pub fn is_multi(self) -> bool {
        matches!(self, Self::JidMulti | Self::ListMulti | Self::TextMulti)
    }
}

impl Field {
    /// A field of `kind` named `var`, empty.
    pub fn new(var: &str, kind: FieldKind) -> Self {
        Self { var: var.to_owned(), kind, ..Self::default() }
    }

    /// What to call the field when talking to the user: its label, else its name.
    pub fn name(&self) -> &str {
        self.label.as_deref().filter(|l| !l.trim().is_empty()).unwrap_or(&self.var)
    }

    /// The first value, or "" (single-valued fields hold at most one).
    pub fn value(&self) -> &str {
        self.values.first().map_or("", String::as_str)
    }

    /// Replace the values with this one.
    pub fn set_value(&mut self, value: &str) {
        self.values = vec![value.to_owned()];
    }

    /// XEP-0004 §3.3: a boolean is true when "1" or "true".
    pub fn is_checked(&self) -> bool {
        matches!(self.value().trim(), "1" | "true")
    }

    pub fn set_checked(&mut self, checked: bool) {
        self.set_value(if checked { "1" } else { "0" });
    }

    /// Required, shown to the user, and still empty. A boolean always has an answer, and
    /// hidden or fixed fields are not the user's to fill.
    pub fn is_missing(&self) -> bool {
        let fillable =
            !matches!(self.kind, FieldKind::Boolean | FieldKind::Fixed | FieldKind::Hidden);
        self.required && fillable && self.values.iter().all(|v| v.trim().is_empty())
    }

    /// The values to send: hidden ones as they came, booleans as "1"/"0", typed text without
    /// empty entries (and JIDs without surrounding spaces). `None` for fields never sent.
    pub fn submitted_values(&self) -> Option<Vec<String>> {
        let typed = |trim: bool| {
            self.values
                .iter()
                .map(move |v| if trim { v.trim().to_owned() } else { v.clone() })
                .filter(|v| !v.trim().is_empty())
        };
        Some(match self.kind {
            // XEP-0004 §3.3: fixed fields are for display and are not sent back.
            FieldKind::Fixed => return None,
            FieldKind::Hidden => self.values.clone(),
            FieldKind::Boolean => vec![if self.is_checked() { "1" } else { "0" }.to_owned()],
            FieldKind::JidMulti | FieldKind::ListMulti | FieldKind::TextMulti => {
                typed(self.kind == FieldKind::JidMulti).collect()
            }
            FieldKind::JidSingle => typed(true).take(1).collect(),
            FieldKind::ListSingle | FieldKind::TextPrivate | FieldKind::TextSingle => {
                typed(false).take(1).collect()
            }
        })
    }
}

impl Form {
    pub fn field(&self, var: &str) -> Option<&Field> {
        self.fields.iter().find(|f| !f.var.is_empty() && f.var == var)
    }

    pub fn field_mut(&mut self, var: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| !f.var.is_empty() && f.var == var)
    }

    /// The names of required fields still empty.
    pub fn missing_required(&self) -> Vec<String> {
        self.fields.iter().filter(|f| f.is_missing()).map(|f| f.name().to_owned()).collect()
    }

    /// "Name: “value”" for every JID field value that is not a valid address.
    pub fn invalid_jids(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| matches!(f.kind, FieldKind::JidSingle | FieldKind::JidMulti))
            .flat_map(|f| {
                f.values
                    .iter()
                    .map(|v| v.trim())
                    .filter(|v| !v.is_empty() && Jid::new(v).is_err())
                    .map(move |v| format!("{}: “{v}”", f.name()))
            })
            .collect()
    }

    /// "Name: “value” is not …" for every value its field's validation (XEP-0122) refuses.
    pub fn invalid_values(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| !matches!(f.kind, FieldKind::Hidden | FieldKind::Fixed))
            .filter_map(|f| Some((f, f.validation.as_ref()?)))
            .flat_map(|(f, rule)| {
                let values = f.values.iter().filter_map(move |v| {
                    let why = rule.problem(v)?;
                    Some(format!("{}: “{}” {why}", f.name(), v.trim()))
                });
                let count = (f.kind == FieldKind::ListMulti)
                    .then(|| rule.choice_problem(f.values.len()))
                    .flatten()
                    .map(|why| format!("{}: {why}", f.name()));
                values.chain(count)
            })
            .collect()
    }

    /// Whether the form can be sent, or what to tell the user first.
    pub fn check(&self) -> Result<(), String> {
        let missing = self.missing_required();
        if !missing.is_empty() {
            return Err(format!("Please fill in {}.", missing.join(", ")));
        }
        let invalid = self.invalid_jids();
        if !invalid.is_empty() {
            return Err(format!("Not a valid address: {}.", invalid.join(", ")));
        }
        let invalid = self.invalid_values();
        if !invalid.is_empty() {
            return Err(format!("Please check {}.", invalid.join("; ")));
        }
        Ok(())
    }

    /// Whether any field comes with media (a CAPTCHA picture): such a form belongs to the
    /// connection it came on and cannot be answered on another.
    pub fn has_media(&self) -> bool {
        self.fields.iter().any(|f| !f.media.is_empty())
    }

    /// Carry over what the user typed into `earlier`, a previous copy of this form: values of
    /// fields with the same name and kind. Hidden and fixed fields stay as the server sent
    /// them, and so do fields with media, whose answer belongs to the old picture.
    pub fn fill_from(&mut self, earlier: &Form) {
        for field in &mut self.fields {
            if matches!(field.kind, FieldKind::Hidden | FieldKind::Fixed) || !field.media.is_empty()
            {
                continue;
            }
            if let Some(old) = earlier.field(&field.var).filter(|old| old.kind == field.kind) {
                field.values = old.values.clone();
            }
        }
    }
}
