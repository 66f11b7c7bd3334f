//! The XML console's view of the stream: each stanza in or out as text, made only while a
//! console watches, with what must never be shown replaced by "(hidden)": passwords in
//! registration (XEP-0077), private form fields (XEP-0004 `text-private`: registration,
//! commands, room passwords) and the credentials an upload slot carries (XEP-0363 headers).
//! SASL is not a stanza and never reaches the console.

use tokio_xmpp::Stanza;
use tokio_xmpp::minidom::{Element, Node};
use tokio_xmpp::parsers::ns;

/// What a hidden value reads as.
pub const HIDDEN: &str = "(hidden)";

/// `stanza` as the console shows it.
pub fn shown(stanza: &Stanza) -> String {
    let mut element = Element::from(stanza);
    redact(&mut element);
    String::from(&element)
}

/// Hide secrets anywhere in `element` (its depth is bounded by the parser guard on the way in,
/// and by what we build on the way out).
fn redact(element: &mut Element) {
    let credential = |name: &str| {
        name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("cookie")
    };
    let secret = element.is("password", ns::REGISTER)
        || (element.is("header", ns::HTTP_UPLOAD) && element.attr("name").is_some_and(credential));
    if secret {
        hide_text(element);
        return;
    }
    if element.is("field", ns::DATA_FORMS) && element.attr("type") == Some("text-private") {
        for value in element.children_mut().filter(|c| c.is("value", ns::DATA_FORMS)) {
            hide_text(value);
        }
        return;
    }
    for child in element.children_mut() {
        redact(child);
    }
}

fn hide_text(element: &mut Element) {
    let mut had_text = false;
    for node in element.nodes_mut() {
        if let Node::Text(text) = node {
            had_text |= !text.is_empty();
            text.clear();
        }
    }
    if had_text {
        element.append_text(HIDDEN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown_xml(xml: &str) -> String {
        let element: Element = xml.parse().expect("xml");
        shown(&Stanza::try_from(element).expect("a stanza"))
    }

    #[test]
    fn passwords_private_fields_and_upload_credentials_are_hidden() {
        let register = shown_xml(
            "<iq xmlns='jabber:client' type='set' id='r1'><query xmlns='jabber:iq:register'>\
               <username>bill</username><password>Calliope</password></query></iq>",
        );
        assert!(register.contains("bill") && !register.contains("Calliope"), "{register}");
        assert!(register.contains(HIDDEN), "{register}");
        let command = shown_xml(
            "<iq xmlns='jabber:client' type='set' id='c1'>\
               <command xmlns='http://jabber.org/protocol/commands' node='n' action='complete'>\
               <x xmlns='jabber:x:data' type='submit'>\
                 <field var='accountjid' type='jid-single'><value>new@example.org</value></field>\
                 <field var='password' type='text-private'><value>s3cret</value></field>\
               </x></command></iq>",
        );
        assert!(command.contains("new@example.org") && !command.contains("s3cret"), "{command}");
        let slot = shown_xml(
            "<iq xmlns='jabber:client' type='result' id='u1'><slot xmlns='urn:xmpp:http:upload:0'>\
               <put url='https://up.example.org/f'>\
                 <header name='Authorization'>Basic dG9rZW4=</header>\
                 <header name='Expires'>Tue, 1 Dec 2026 00:00:00 GMT</header>\
               </put><get url='https://up.example.org/f'/></slot></iq>",
        );
        assert!(!slot.contains("dG9rZW4=") && slot.contains("Expires"), "{slot}");
    }

    #[test]
    fn an_ordinary_message_is_shown_as_it_is() {
        let message = shown_xml(
            "<message xmlns='jabber:client' to='bob@example.org' type='chat'><body>hi</body></message>",
        );
        assert!(message.contains("<body>hi</body>"), "{message}");
        assert!(!message.contains(HIDDEN));
    }
}
