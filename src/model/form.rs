//! XEP-0004 data forms as plain values: what a server asks us to fill in (account sign-up, a
//! CAPTCHA, later room configuration), edited by the window or the command line, and turned
//! back into a submission. The conversions take and return values, so they are tested over
//! XML fixtures.

use std::fmt;
use xmpp_parsers::data_forms::{self, DataForm, DataFormType, FieldType};
use xmpp_parsers::jid::Jid;

/// XEP-0068: the hidden field that names what kind of form this is.
const FORM_TYPE: &str = "FORM_TYPE";

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
    fn from_parsers(kind: FieldType) -> Self {
        match kind {
            FieldType::Boolean => Self::Boolean,
            FieldType::Fixed => Self::Fixed,
            FieldType::Hidden => Self::Hidden,
            FieldType::JidMulti => Self::JidMulti,
            FieldType::JidSingle => Self::JidSingle,
            FieldType::ListMulti => Self::ListMulti,
            FieldType::ListSingle => Self::ListSingle,
            FieldType::TextMulti => Self::TextMulti,
            FieldType::TextPrivate => Self::TextPrivate,
            FieldType::TextSingle => Self::TextSingle,
        }
    }

    fn to_parsers(self) -> FieldType {
        match self {
            Self::Boolean => FieldType::Boolean,
            Self::Fixed => FieldType::Fixed,
            Self::Hidden => FieldType::Hidden,
            Self::JidMulti => FieldType::JidMulti,
            Self::JidSingle => FieldType::JidSingle,
            Self::ListMulti => FieldType::ListMulti,
            Self::ListSingle => FieldType::ListSingle,
            Self::TextMulti => FieldType::TextMulti,
            Self::TextPrivate => FieldType::TextPrivate,
            Self::TextSingle => FieldType::TextSingle,
        }
    }

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

    fn from_parsers(field: data_forms::Field) -> Self {
        Self {
            var: field.var.unwrap_or_default(),
            label: field.label,
            kind: FieldKind::from_parsers(field.type_),
            required: field.required,
            desc: field.desc,
            options: field
                .options
                .into_iter()
                .map(|o| FormOption { label: o.label, value: o.value })
                .collect(),
            values: field.values,
            media: field
                .media
                .into_iter()
                .flat_map(|m| m.uris)
                .map(|u| MediaUri { mime: u.type_, uri: u.uri })
                .collect(),
        }
    }

    /// The values to send: hidden ones as they came, booleans as "1"/"0", typed text without
    /// empty entries (and JIDs without surrounding spaces). `None` for fields never sent.
    fn submitted_values(&self) -> Option<Vec<String>> {
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
    /// The form as the server described it, its `FORM_TYPE` taken out of the field list.
    pub fn from_parsers(form: DataForm) -> Self {
        let mut form_type = None;
        let mut form_type_seen = false;
        let mut fields = Vec::with_capacity(form.fields.len());
        for field in form.fields {
            // The first `FORM_TYPE` is the form's type whatever type the field claims: one
            // declared as text would otherwise be shown to the user and sent back as an
            // answer (found by fuzzing the round trip).
            if !form_type_seen
                && (field.var.as_deref() == Some(FORM_TYPE) || field.is_form_type(&form.type_))
            {
                form_type_seen = true;
                form_type = field.values.into_iter().next();
            } else {
                fields.push(Field::from_parsers(field));
            }
        }
        // XEP-0004 §3.1: several <instructions/> are separate paragraphs; the parser keeps one,
        // and servers often write paragraphs as lines of it.
        let instructions = form
            .instructions
            .iter()
            .flat_map(|text| text.lines())
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect();
        Self { form_type, title: form.title, instructions, fields }
    }

    /// The answer to send (XEP-0004 §3.2, type "submit"): `FORM_TYPE` and hidden fields
    /// exactly as received, fixed fields left out, booleans as "1"/"0".
    pub fn to_submission(&self) -> DataForm {
        let mut fields = Vec::with_capacity(self.fields.len() + 1);
        if let Some(form_type) = &self.form_type {
            fields.push(data_forms::Field::new(FORM_TYPE, FieldType::Hidden).with_value(form_type));
        }
        for field in &self.fields {
            if field.var.is_empty() {
                continue;
            }
            if let Some(values) = field.submitted_values() {
                let mut submitted = data_forms::Field::new(&field.var, field.kind.to_parsers());
                submitted.values = values;
                fields.push(submitted);
            }
        }
        DataForm { type_: DataFormType::Submit, title: None, instructions: None, fields }
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use xmpp_parsers::minidom::Element;

    const RICH: &str = include_str!("../../tests/fixtures/forms/rich.xml");
    const ROOM_CONFIG: &str = include_str!("../../tests/fixtures/forms/roomconfig.xml");
    const CAPTCHA: &str = include_str!("../../tests/fixtures/forms/captcha.xml");

    fn parse(xml: &str) -> Form {
        let element: Element = xml.parse().expect("the fixture is XML");
        Form::from_parsers(DataForm::try_from(element).expect("the fixture is a data form"))
    }

    /// The submission as XML, compared with `expected` written without whitespace.
    fn assert_submits(form: &Form, expected: &str) {
        let produced = Element::from(form.to_submission());
        let expected: Element = expected.parse().expect("the expectation is XML");
        assert_eq!(produced, expected, "\nproduced: {}", String::from(&produced));
    }

    fn values(form: &Form, var: &str) -> Vec<String> {
        form.field(var).map(|f| f.values.clone()).unwrap_or_default()
    }

    #[test]
    fn a_form_type_declared_as_text_is_still_the_form_type() {
        let element: Element = "<x xmlns='jabber:x:data' type='form'>\
               <field var='FORM_TYPE'/><field var='name' type='text-single'/></x>"
            .parse()
            .expect("test form parses");
        let form = Form::from_parsers(DataForm::try_from(element).expect("a data form"));
        assert!(form.field(FORM_TYPE).is_none(), "not a field for the user to fill in");
        let sent = form.to_submission();
        assert!(
            sent.fields.iter().all(|f| f.var.as_deref() != Some(FORM_TYPE)),
            "no empty FORM_TYPE sent back"
        );
    }

    #[test]
    fn every_field_type_is_read() {
        let form = parse(RICH);
        assert_eq!(form.form_type.as_deref(), Some("jabber:bot"));
        assert_eq!(form.title.as_deref(), Some("Bot Configuration"));
        assert_eq!(
            form.instructions,
            ["Fill out this form to configure your new bot!", "Every field marked * is needed."]
        );
        let kinds: Vec<_> = form.fields.iter().map(|f| (f.var.as_str(), f.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("", FieldKind::Fixed),
                ("botname", FieldKind::TextSingle),
                ("description", FieldKind::TextMulti),
                ("public", FieldKind::Boolean),
                ("password", FieldKind::TextPrivate),
                ("features", FieldKind::ListMulti),
                ("maxsubs", FieldKind::ListSingle),
                ("invitelist", FieldKind::JidMulti),
                ("owner", FieldKind::JidSingle),
                ("session", FieldKind::Hidden),
            ]
        );
        let botname = form.field("botname").expect("botname");
        assert!(botname.required);
        assert_eq!(botname.name(), "The name of your bot");
        assert_eq!(form.fields[0].value(), "Section 1: Bot Info");
        let features = form.field("features").expect("features");
        assert_eq!(features.options.len(), 4);
        assert_eq!(features.options[0].to_string(), "Contests");
        assert_eq!(features.values, ["news", "search"]);
        assert_eq!(
            form.field("invitelist").and_then(|f| f.desc.as_deref()),
            Some("Tell all your friends about your new bot!")
        );
        assert!(!form.field("public").expect("public").is_checked());
        assert!(!form.has_media());
    }

    #[test]
    fn an_edited_form_is_submitted_as_xep_0004_says() {
        let mut form = parse(RICH);
        let mut set = |var: &str, values: &[&str]| {
            if let Some(field) = form.field_mut(var) {
                field.values = values.iter().map(|v| (*v).to_owned()).collect();
            }
        };
        set("botname", &["The Bot"]);
        set("description", &["Helps", "", "with things"]);
        set("password", &[" spaces kept "]);
        set("invitelist", &[" juliet@capulet.lit ", ""]);
        set("owner", &[""]);
        if let Some(public) = form.field_mut("public") {
            public.set_checked(true);
        }
        assert_submits(
            &form,
            "<x xmlns='jabber:x:data' type='submit'>\
               <field var='FORM_TYPE' type='hidden'><value>jabber:bot</value></field>\
               <field var='botname'><value>The Bot</value></field>\
               <field var='description' type='text-multi'><value>Helps</value><value>with things</value></field>\
               <field var='public' type='boolean'><value>1</value></field>\
               <field var='password' type='text-private'><value> spaces kept </value></field>\
               <field var='features' type='list-multi'><value>news</value><value>search</value></field>\
               <field var='maxsubs' type='list-single'><value>20</value></field>\
               <field var='invitelist' type='jid-multi'><value>juliet@capulet.lit</value></field>\
               <field var='owner' type='jid-single'/>\
               <field var='session' type='hidden'><value> keep  me exactly </value></field>\
             </x>",
        );
    }

    #[test]
    fn required_fields_and_addresses_are_checked() {
        let mut form = parse(RICH);
        assert_eq!(form.missing_required(), ["The name of your bot"]);
        assert_eq!(form.check(), Err("Please fill in The name of your bot.".into()));
        if let Some(name) = form.field_mut("botname") {
            name.set_value("  ");
        }
        assert_eq!(form.missing_required(), ["The name of your bot"], "blank is empty");
        if let Some(name) = form.field_mut("botname") {
            name.set_value("Bot");
        }
        if let Some(invite) = form.field_mut("invitelist") {
            invite.values = vec!["juliet@capulet.lit".into(), "romeo@".into()];
        }
        assert_eq!(form.invalid_jids(), ["People to invite: “romeo@”"]);
        assert!(form.check().is_err_and(|e| e.contains("romeo@")));
        if let Some(invite) = form.field_mut("invitelist") {
            invite.values.pop();
        }
        assert_eq!(form.check(), Ok(()));
    }

    #[test]
    fn a_room_configuration_form_goes_back_unchanged() {
        let form = parse(ROOM_CONFIG);
        assert_eq!(form.form_type.as_deref(), Some("http://jabber.org/protocol/muc#roomconfig"));
        assert!(form.field("muc#roomconfig_changesubject").expect("field").is_checked());
        assert_eq!(
            values(&form, "muc#roomconfig_roomadmins"),
            ["wiccarocks@shakespeare.lit", "hecate@shakespeare.lit"]
        );
        assert_eq!(form.check(), Ok(()));
        assert_submits(
            &form,
            "<x xmlns='jabber:x:data' type='submit'>\
               <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/muc#roomconfig</value></field>\
               <field var='muc#roomconfig_roomname'><value>A Dark Cave</value></field>\
               <field var='muc#roomconfig_roomdesc'><value>The place for all good witches!</value></field>\
               <field var='muc#roomconfig_enablelogging' type='boolean'><value>0</value></field>\
               <field var='muc#roomconfig_changesubject' type='boolean'><value>1</value></field>\
               <field var='muc#roomconfig_maxusers' type='list-single'><value>10</value></field>\
               <field var='muc#roomconfig_presencebroadcast' type='list-multi'><value>moderator</value><value>participant</value></field>\
               <field var='muc#roomconfig_persistentroom' type='boolean'><value>1</value></field>\
               <field var='muc#roomconfig_passwordprotectedroom' type='boolean'><value>0</value></field>\
               <field var='muc#roomconfig_roomsecret' type='text-private'/>\
               <field var='muc#roomconfig_roomadmins' type='jid-multi'><value>wiccarocks@shakespeare.lit</value><value>hecate@shakespeare.lit</value></field>\
               <field var='muc#roomconfig_roomowners' type='jid-multi'/>\
             </x>",
        );
    }

    #[test]
    fn a_captcha_keeps_its_challenge_and_shows_its_picture() {
        let mut form = parse(CAPTCHA);
        assert_eq!(form.form_type.as_deref(), Some("urn:xmpp:captcha"));
        assert!(form.has_media());
        let ocr = form.field("ocr").expect("the answer field");
        assert_eq!(ocr.kind, FieldKind::TextSingle, "no type means text-single");
        assert_eq!(
            ocr.media,
            [
                MediaUri {
                    mime: "image/jpeg".into(),
                    uri: "http://www.victim.com/challenges/ocr.jpeg?F3A6292C".into()
                },
                MediaUri {
                    mime: "image/png".into(),
                    uri: "cid:sha1+f24030b8d91d233bac14777be5ab531ca3b9f102@bob.xmpp.org".into()
                },
            ]
        );
        assert_eq!(form.missing_required(), ["Enter the text you see"]);
        if let Some(ocr) = form.field_mut("ocr") {
            ocr.set_value("7nHL3");
        }
        assert_submits(
            &form,
            "<x xmlns='jabber:x:data' type='submit'>\
               <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:captcha</value></field>\
               <field var='from' type='hidden'><value>innocent@victim.example.com</value></field>\
               <field var='challenge' type='hidden'><value>F3A6292C</value></field>\
               <field var='sid' type='hidden'><value>spam1</value></field>\
               <field var='ocr'><value>7nHL3</value></field>\
             </x>",
        );
    }

    #[test]
    fn typed_values_carry_over_to_a_new_copy_but_not_captcha_answers() {
        let mut old = parse(CAPTCHA);
        old.fields.push(Field {
            values: vec!["me@example.org".into()],
            ..Field::new("email", FieldKind::TextSingle)
        });
        if let Some(ocr) = old.field_mut("ocr") {
            ocr.set_value("old answer");
        }
        if let Some(sid) = old.field_mut("sid") {
            sid.set_value("changed");
        }
        let mut new = parse(CAPTCHA);
        new.fields.push(Field::new("email", FieldKind::TextSingle));
        new.fill_from(&old);
        assert_eq!(values(&new, "email"), ["me@example.org"]);
        assert!(values(&new, "ocr").is_empty());
        assert_eq!(values(&new, "sid"), ["spam1"]);
    }
}
