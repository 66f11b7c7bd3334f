//! User directory search (XEP-0055): the directory's form (a data form, or the legacy fields
//! first, last, nick and email), the filled-in query written back in the shape it came, and
//! the results read into a table (a data form's reported columns and items, or legacy items).
//! Results come from a stranger's directory, so rows, columns and cells are bounded.

use crate::model::{Directory, DirectoryRow, Field, FieldKind, Form};
use crate::worker::data_form;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::data_forms::DataForm;
use tokio_xmpp::parsers::ns;

const SEARCH: &str = "jabber:iq:search";
const MAX_ROWS: usize = 500;
const MAX_COLUMNS: usize = 20;
const MAX_CELL: usize = 256;

/// XEP-0055 §2: the legacy fields, with labels to show them under.
const LEGACY_FIELDS: [(&str, &str); 4] =
    [("first", "Given name"), ("last", "Family name"), ("nick", "Nickname"), ("email", "Email")];

/// The directory's form, and whether it came as legacy fields (to answer in kind).
pub struct SearchForm {
    pub form: Form,
    pub legacy: bool,
}

/// The empty query that asks for the directory's form.
pub fn ask() -> Element {
    Element::builder("query", SEARCH).build()
}

/// The directory's answer to [`ask`].
pub fn read_form(query: &Element) -> Result<SearchForm, String> {
    if let Some(x) = query.get_child("x", ns::DATA_FORMS) {
        let parsed = DataForm::try_from(x.clone())
            .map_err(|e| format!("its search form could not be read ({e})"))?;
        return Ok(SearchForm { form: data_form::read(parsed), legacy: false });
    }
    let fields: Vec<Field> = LEGACY_FIELDS
        .iter()
        .filter(|(var, _)| query.has_child(var, SEARCH))
        .map(|&(var, label)| Field {
            label: Some(label.into()),
            ..Field::new(var, FieldKind::TextSingle)
        })
        .collect();
    if fields.is_empty() {
        return Err("it did not say what it searches by".into());
    }
    let instructions = query.get_child("instructions", SEARCH).map(Element::text);
    let instructions = instructions.into_iter().filter(|t| !t.trim().is_empty()).collect();
    Ok(SearchForm { form: Form { instructions, fields, ..Form::default() }, legacy: true })
}

/// The query carrying `filled`, the way the directory asked for it.
pub fn query(asked: &SearchForm, filled: &Form) -> Element {
    let mut query = Element::builder("query", SEARCH);
    if asked.legacy {
        for field in filled.fields.iter().filter(|f| !f.value().trim().is_empty()) {
            query = query.append(Element::builder(&field.var, SEARCH).append(field.value().trim()));
        }
    } else {
        query = query.append(Element::from(data_form::submission(filled)));
    }
    query.build()
}

/// The results as a table: the first column is the address where the directory gives one.
pub fn results(query: &Element) -> Directory {
    match query.get_child("x", ns::DATA_FORMS) {
        Some(x) => form_results(x),
        None => legacy_results(query),
    }
}

fn form_results(x: &Element) -> Directory {
    let reported = x.get_child("reported", ns::DATA_FORMS);
    let columns: Vec<(String, String)> = reported
        .into_iter()
        .flat_map(|r| r.children().filter(|c| c.is("field", ns::DATA_FORMS)))
        .filter_map(|field| {
            let var = field.attr("var")?.to_owned();
            let label = field.attr("label").map_or_else(|| var.clone(), str::to_owned);
            Some((var, label))
        })
        .take(MAX_COLUMNS)
        .collect();
    let items: Vec<&Element> = x.children().filter(|c| c.is("item", ns::DATA_FORMS)).collect();
    let cut = items.len() > MAX_ROWS;
    let rows = items
        .into_iter()
        .take(MAX_ROWS)
        .map(|item| {
            let value = |var: &str| {
                let field = item
                    .children()
                    .find(|c| c.is("field", ns::DATA_FORMS) && c.attr("var") == Some(var));
                let values = field
                    .into_iter()
                    .flat_map(|f| f.children())
                    .filter(|v| v.is("value", ns::DATA_FORMS));
                cell(&values.map(Element::text).collect::<Vec<_>>().join(", "))
            };
            let raw = item
                .children()
                .find(|c| c.is("field", ns::DATA_FORMS) && c.attr("var") == Some("jid"))
                .and_then(|f| f.get_child("value", ns::DATA_FORMS))
                .map(Element::text);
            let jid = raw.as_deref().and_then(address);
            DirectoryRow { jid, cells: columns.iter().map(|(var, _)| value(var)).collect() }
        })
        .collect();
    let columns = columns.into_iter().map(|(_, label)| cell(&label)).collect();
    Directory { columns, rows, cut }
}

fn legacy_results(query: &Element) -> Directory {
    let items: Vec<&Element> = query.children().filter(|c| c.is("item", SEARCH)).collect();
    let cut = items.len() > MAX_ROWS;
    let rows = items
        .into_iter()
        .take(MAX_ROWS)
        .map(|item| {
            let jid = item.attr("jid").and_then(address);
            let mut cells = vec![jid.clone().unwrap_or_default()];
            cells.extend(LEGACY_FIELDS.iter().map(|(var, _)| {
                cell(&item.get_child(var, SEARCH).map(Element::text).unwrap_or_default())
            }));
            DirectoryRow { jid, cells }
        })
        .collect();
    let mut columns = vec!["Address".to_owned()];
    columns.extend(LEGACY_FIELDS.iter().map(|(_, label)| (*label).to_owned()));
    Directory { columns, rows, cut }
}

/// The address a row offers to add: only one that is one, never a cut or joined cell.
fn address(raw: &str) -> Option<String> {
    tokio_xmpp::jid::Jid::new(raw.trim()).ok().map(|jid| jid.to_bare().to_string())
}

/// A cell's text, cut to [`MAX_CELL`] characters.
fn cell(text: &str) -> String {
    text.chars().take(MAX_CELL).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml(text: &str) -> Element {
        text.parse().expect("xml")
    }

    #[test]
    fn a_data_form_directory_is_asked_and_answered_in_kind() {
        let asked = read_form(&xml(
            "<query xmlns='jabber:iq:search'><x xmlns='jabber:x:data' type='form'>\
               <field type='hidden' var='FORM_TYPE'><value>jabber:iq:search</value></field>\
               <field type='text-single' var='user' label='User'/></x></query>",
        ))
        .expect("form");
        assert!(!asked.legacy);
        let mut filled = asked.form.clone();
        filled.fields[0].set_value("bob");
        let sent = String::from(&query(&asked, &filled));
        assert!(sent.contains("type=\"submit\"") || sent.contains("type='submit'"), "{sent}");
        assert!(sent.contains("<value>bob</value>"), "{sent}");

        let found = results(&xml(
            "<query xmlns='jabber:iq:search'><x xmlns='jabber:x:data' type='result'>\
               <reported><field var='jid' label='Jabber ID'/><field var='fn' label='Full Name'/></reported>\
               <item><field var='jid'><value>bob@example.org</value></field>\
                     <field var='fn'><value>Bob Builder</value></field></item></x></query>",
        ));
        assert_eq!(found.columns, ["Jabber ID", "Full Name"]);
        assert_eq!(found.rows[0].jid.as_deref(), Some("bob@example.org"));
        assert_eq!(found.rows[0].cells, ["bob@example.org", "Bob Builder"]);
        let odd = results(&xml(
            "<query xmlns='jabber:iq:search'><x xmlns='jabber:x:data' type='result'>\
               <reported><field var='jid'/></reported>\
               <item><field var='jid'><value>a@example.org</value><value>b@example.org</value></field></item>\
               <item><field var='jid'><value>not an address</value></field></item></x></query>",
        ));
        assert_eq!(odd.rows[0].jid.as_deref(), Some("a@example.org"), "the first, not a join");
        assert_eq!(odd.rows[1].jid, None, "not an address: nothing to add");
    }

    #[test]
    fn legacy_fields_and_items_and_a_flood_of_results() {
        let asked = read_form(&xml(
            "<query xmlns='jabber:iq:search'><instructions>Fill in a field</instructions>\
               <first/><nick/></query>",
        ))
        .expect("form");
        assert!(asked.legacy);
        assert_eq!(asked.form.fields.len(), 2);
        let mut filled = asked.form.clone();
        filled.fields[1].set_value("ally");
        assert!(String::from(&query(&asked, &filled)).contains("<nick>ally</nick>"));
        let many: String = (0..MAX_ROWS + 3)
            .map(|i| {
                format!("<item jid='u{i}@example.org'><nick>{}</nick></item>", "n".repeat(900))
            })
            .collect();
        let found = results(&xml(&format!("<query xmlns='jabber:iq:search'>{many}</query>")));
        assert_eq!(found.rows.len(), MAX_ROWS);
        assert!(found.cut);
        assert_eq!(found.rows[0].cells[3].chars().count(), MAX_CELL);
        assert!(read_form(&xml("<query xmlns='jabber:iq:search'/>")).is_err());
    }
}
