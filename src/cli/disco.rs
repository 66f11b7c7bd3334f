//! `confab disco`: what an address says it is and does, or what it lists (XEP-0030).

use super::{act_until, choose_account};
use crate::model::{DiscoQuery, Discovered, EntityInfo, EntityItem};
use crate::paths::Paths;
use crate::worker::{Command, Event};

/// What to ask.
pub(super) struct Ask {
    pub jid: String,
    pub node: Option<String>,
    pub query: DiscoQuery,
}

pub(super) async fn show(
    paths: Paths,
    account: Option<String>,
    ask: Ask,
    json: bool,
) -> Result<(), String> {
    let account = choose_account(&paths, account)?;
    let Ask { jid, node, query } = ask;
    let command = Command::Discover { jid: jid.clone(), node: node.clone(), query: query.clone() };
    act_until(paths, account, command, |event| match event {
        Event::Discovered { jid: about, node: at, query: asked, answer }
            if about == jid && at == node && asked == query =>
        {
            Some(answer.map(|found| match found {
                Discovered::Info(info) => print_info(&info, json),
                Discovered::Items { items, more, next } => {
                    print_items(&items, more, json);
                    print_next(&jid, next.as_deref(), json);
                }
            }))
        }
        _ => None,
    })
    .await
    .map_err(|why| format!("{jid}: {why}"))
}

fn print_info(info: &EntityInfo, json: bool) {
    if json {
        let forms: Vec<_> = info
            .forms
            .iter()
            .map(|form| {
                let fields: Vec<_> = form
                    .fields
                    .iter()
                    .filter(|f| !f.var.is_empty())
                    .map(|f| serde_json::json!({ "var": f.var, "values": f.values }))
                    .collect();
                serde_json::json!({ "type": form.form_type, "fields": fields })
            })
            .collect();
        let value = serde_json::json!({
            "identities": info.identities,
            "features": info.features,
            "forms": forms,
            "cut": info.cut,
        });
        println!("{value}");
        return;
    }
    for identity in &info.identities {
        let name = identity.name.as_deref().map(|n| format!(" “{n}”")).unwrap_or_default();
        println!("{}/{}{name}", identity.category, identity.kind);
    }
    for feature in &info.features {
        println!("feature {feature}");
    }
    for form in &info.forms {
        println!("form {}", form.form_type.as_deref().unwrap_or("(untyped)"));
        for field in form.fields.iter().filter(|f| !f.var.is_empty() && f.var != "FORM_TYPE") {
            println!("  {}: {}", field.var, field.values.join(", "));
        }
    }
    if info.cut {
        eprintln!("(the answer was longer; only its first entries are shown)");
    }
}

fn print_items(items: &[EntityItem], more: bool, json: bool) {
    for item in items {
        if json {
            println!("{}", serde_json::json!(item));
        } else {
            let name = item.name.as_deref().map(|n| format!("{n} ")).unwrap_or_default();
            let node = item.node.as_deref().map(|n| format!(" node {n}")).unwrap_or_default();
            println!("{name}<{}>{node}", item.jid);
        }
    }
    if items.is_empty() {
        eprintln!("(no items)");
    }
    if more {
        eprintln!("(there are more; the first {} are shown)", items.len());
    }
}

/// Where the next page starts, for an entity that pages its list.
fn print_next(jid: &str, next: Option<&str>, json: bool) {
    let Some(cursor) = next else { return };
    if json {
        println!("{}", serde_json::json!({ "next": cursor }));
    } else {
        eprintln!("(next page: confab disco {jid} --items --after '{cursor}')");
    }
}
