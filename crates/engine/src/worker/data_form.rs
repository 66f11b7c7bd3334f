//! XEP-0004 data forms between XML and the model's plain [`Form`]: what a server sent, read
//! into fields the window and the command line edit, and the answer written back. Tested over
//! XML fixtures.

use crate::model::{Datatype, FORM_TYPE, Field, FieldKind, Form, FormOption, MediaUri, Validation};
use xmpp_parsers::data_forms::{self, DataForm, DataFormType, FieldType};
use xmpp_parsers::data_forms_validate::{ListRange, Method, Validate};

/// Fields kept of one form, options of one field, and values of one field: far more than any
/// real form (a room's configuration has some 30 fields), far less than a hostile one can
/// pack into a stanza (tens of thousands), which would otherwise cost the window a widget each.
const MAX_FIELDS: usize = 500;
const MAX_OPTIONS: usize = 1_000;
const MAX_VALUES: usize = 1_000;
/// A validation bound or pattern longer than this is not one a person reads.
const MAX_RULE: usize = 256;

/// The form as the server described it, its `FORM_TYPE` taken out of the field list, each list
/// within its bound.
pub fn read(form: DataForm) -> Form {
    let mut form_type = None;
    let mut form_type_seen = false;
    let mut fields = Vec::with_capacity(form.fields.len());
    for field in form.fields.into_iter().take(MAX_FIELDS + 1) {
        // The first `FORM_TYPE` is the form's type whatever type the field claims: one
        // declared as text would otherwise be shown to the user and sent back as an
        // answer (found by fuzzing the round trip).
        if !form_type_seen
            && (field.var.as_deref() == Some(FORM_TYPE) || field.is_form_type(&form.type_))
        {
            form_type_seen = true;
            form_type = field.values.into_iter().next();
        } else {
            fields.push(field_from_xml(field));
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
    fields.truncate(MAX_FIELDS);
    Form { form_type, title: form.title, instructions, fields }
}

/// The answer to send (XEP-0004 §3.2, type "submit"): `FORM_TYPE` and hidden fields
/// exactly as received, fixed fields left out, booleans as "1"/"0".
pub fn submission(form: &Form) -> DataForm {
    let mut fields = Vec::with_capacity(form.fields.len() + 1);
    if let Some(form_type) = &form.form_type {
        fields.push(data_forms::Field::new(FORM_TYPE, FieldType::Hidden).with_value(form_type));
    }
    for field in &form.fields {
        if field.var.is_empty() {
            continue;
        }
        if let Some(values) = field.submitted_values() {
            let mut submitted = data_forms::Field::new(&field.var, kind_to_xml(field.kind));
            submitted.values = values;
            fields.push(submitted);
        }
    }
    DataForm { type_: DataFormType::Submit, title: None, instructions: None, fields }
}

fn field_from_xml(field: data_forms::Field) -> Field {
    Field {
        var: field.var.unwrap_or_default(),
        label: field.label,
        kind: kind_from_xml(field.type_),
        required: field.required,
        desc: field.desc,
        options: field
            .options
            .into_iter()
            .take(MAX_OPTIONS)
            .map(|o| FormOption { label: o.label, value: o.value })
            .collect(),
        values: field.values.into_iter().take(MAX_VALUES).collect(),
        media: field
            .media
            .into_iter()
            .flat_map(|m| m.uris)
            .map(|u| MediaUri { mime: u.type_, uri: u.uri })
            .collect(),
        validation: field.validate.map(validation),
    }
}

/// XEP-0122 rules, each string within [`MAX_RULE`] (a longer one is dropped, not cut).
fn validation(rule: Validate) -> Validation {
    let short = |text: String| (text.len() <= MAX_RULE).then_some(text);
    let datatype = rule.datatype.map_or(Datatype::Text, |d| Datatype::named(&d.to_string()));
    let (mut min, mut max, mut pattern) = (None, None, None);
    match rule.method {
        Some(Method::Range { min: low, max: high }) => {
            min = low.and_then(short);
            max = high.and_then(short);
        }
        Some(Method::Regex(regex)) => pattern = short(regex),
        Some(Method::Basic | Method::Open) | None => {}
    }
    let choose = rule.list_range.unwrap_or(ListRange { min: None, max: None });
    Validation { datatype, min, max, pattern, choose_min: choose.min, choose_max: choose.max }
}

fn kind_from_xml(kind: FieldType) -> FieldKind {
    match kind {
        FieldType::Boolean => FieldKind::Boolean,
        FieldType::Fixed => FieldKind::Fixed,
        FieldType::Hidden => FieldKind::Hidden,
        FieldType::JidMulti => FieldKind::JidMulti,
        FieldType::JidSingle => FieldKind::JidSingle,
        FieldType::ListMulti => FieldKind::ListMulti,
        FieldType::ListSingle => FieldKind::ListSingle,
        FieldType::TextMulti => FieldKind::TextMulti,
        FieldType::TextPrivate => FieldKind::TextPrivate,
        FieldType::TextSingle => FieldKind::TextSingle,
    }
}

fn kind_to_xml(kind: FieldKind) -> FieldType {
    match kind {
        FieldKind::Boolean => FieldType::Boolean,
        FieldKind::Fixed => FieldType::Fixed,
        FieldKind::Hidden => FieldType::Hidden,
        FieldKind::JidMulti => FieldType::JidMulti,
        FieldKind::JidSingle => FieldType::JidSingle,
        FieldKind::ListMulti => FieldType::ListMulti,
        FieldKind::ListSingle => FieldType::ListSingle,
        FieldKind::TextMulti => FieldType::TextMulti,
        FieldKind::TextPrivate => FieldType::TextPrivate,
        FieldKind::TextSingle => FieldType::TextSingle,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FieldKind;
    use xmpp_parsers::minidom::Element;

    const RICH: &str = include_str!("../../../../tests/fixtures/forms/rich.xml");
    const ROOM_CONFIG: &str = include_str!("../../../../tests/fixtures/forms/roomconfig.xml");
    const CAPTCHA: &str = include_str!("../../../../tests/fixtures/forms/captcha.xml");

    fn parse(xml: &str) -> Form {
        let element: Element = xml.parse().expect("the fixture is XML");
        read(DataForm::try_from(element).expect("the fixture is a data form"))
    }

    /// The submission as XML, compared with `expected` written without whitespace.
    fn assert_submits(form: &Form, expected: &str) {
        let produced = Element::from(submission(form));
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
        let form = read(DataForm::try_from(element).expect("a data form"));
        assert!(form.field(FORM_TYPE).is_none(), "not a field for the user to fill in");
        let sent = submission(&form);
        assert!(
            sent.fields.iter().all(|f| f.var.as_deref() != Some(FORM_TYPE)),
            "no empty FORM_TYPE sent back"
        );
    }

    #[test]
    fn a_form_packed_with_fields_options_and_values_is_kept_within_bounds() {
        let options: String = (0..MAX_OPTIONS + 10)
            .map(|i| format!("<option><value>o{i}</value></option>"))
            .collect();
        let values: String = (0..MAX_VALUES + 10).map(|i| format!("<value>v{i}</value>")).collect();
        let fields: String = (0..MAX_FIELDS + 10)
            .map(|i| format!("<field var='f{i}' type='text-single'/>"))
            .collect();
        let xml = format!(
            "<x xmlns='jabber:x:data' type='form'>\
               <field var='choice' type='list-multi'>{options}{values}</field>{fields}</x>"
        );
        let element: Element = xml.parse().expect("test form parses");
        let form = read(DataForm::try_from(element).expect("a data form"));
        assert_eq!(form.fields.len(), MAX_FIELDS);
        let choice = form.field("choice").expect("the first field is kept");
        assert_eq!((choice.options.len(), choice.values.len()), (MAX_OPTIONS, MAX_VALUES));
    }

    #[test]
    fn validation_rules_are_read_and_oversized_ones_dropped() {
        let long = "9".repeat(MAX_RULE + 1);
        let form = parse(&format!(
            "<x xmlns='jabber:x:data' type='form'>\
               <field var='age' type='text-single'>\
                 <validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:integer'>\
                   <range min='18' max='{long}'/></validate></field>\
               <field var='topics' type='list-multi'>\
                 <validate xmlns='http://jabber.org/protocol/xdata-validate'>\
                   <list-range min='1' max='3'/></validate></field></x>"
        ));
        let age = form.fields[0].validation.clone().expect("age's rule");
        assert_eq!(age.datatype, Datatype::Integer);
        assert_eq!((age.min.as_deref(), age.max), (Some("18"), None), "the long bound is dropped");
        let topics = form.fields[1].validation.clone().expect("topics' rule");
        assert_eq!((topics.choose_min, topics.choose_max), (Some(1), Some(3)));
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
