//! Replies (XEP-0461) as stanzas: the line an incoming message answers and the quote its
//! fallback (XEP-0428) put before its words, and ours going out with such a quote for clients
//! without replies.

use super::stanza::{Route, outgoing_message};
use crate::model::{MAX_REPLY_ID, Reply, fallback_text, quote_from_fallback};
use tokio_xmpp::jid::Jid;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::minidom::rxml::xml_ncname;
use tokio_xmpp::parsers::message::Message;

pub const REPLY: &str = "urn:xmpp:reply:0";
pub const FALLBACK: &str = "urn:xmpp:fallback:0";

/// Take the reply out of `message`, with its quote out of `body`: the words the sender wrote
/// and what they answer. A reply that names no usable id is an ordinary message. The quote is
/// cut only where its range lies within the body and leaves words after it: a fallback that
/// would leave nothing (or one that does not fit) is not trusted with the words.
pub fn take(message: &mut Message, body: String) -> (String, Option<Reply>) {
    let Some(at) = message.payloads.iter().position(|p| p.is("reply", REPLY)) else {
        return (body, None);
    };
    let element = message.payloads.remove(at);
    let Some(id) = element.attr("id").filter(|id| !id.is_empty() && id.len() <= MAX_REPLY_ID)
    else {
        return (body, None);
    };
    let to = element.attr("to").and_then(|to| Jid::new(to).ok()).map(|to| to.to_string());
    let (body, quote) = match fallback_range(&message.payloads).and_then(|r| split(&body, r)) {
        Some((quote, rest)) if !rest.trim().is_empty() => {
            (rest, quote_from_fallback(&quote, to.as_deref()))
        }
        _ => (body, None),
    };
    (body, Some(Reply { id: id.to_owned(), in_room: false, to, quote, line: None }))
}

/// The body range, in characters, the reply's fallback marks (XEP-0428 §3, offsets counted in
/// Unicode code points as XEP-0426 says): the first one given.
fn fallback_range(payloads: &[Element]) -> Option<(usize, usize)> {
    let fallback =
        payloads.iter().find(|p| p.is("fallback", FALLBACK) && p.attr("for") == Some(REPLY))?;
    let body = fallback.children().find(|c| c.is("body", FALLBACK))?;
    let start: usize = body.attr("start")?.parse().ok()?;
    let end: usize = body.attr("end")?.parse().ok()?;
    (start <= end).then_some((start, end))
}

/// `body` split at a character range: (inside, the rest joined), or `None` when the range
/// reaches past its end.
fn split(body: &str, (start, end): (usize, usize)) -> Option<(String, String)> {
    let byte = |n: usize| body.char_indices().map(|(i, _)| i).chain([body.len()]).nth(n);
    let (from, to) = (byte(start)?, byte(end)?);
    Some((body[from..to].to_owned(), format!("{}{}", &body[..from], &body[to..])))
}

/// Our reply `body` as message `id` to `to`: the quote first for clients without replies,
/// marked as the fallback, and the line it answers named.
pub fn reply_message(to: Jid, body: &str, id: &str, route: Route, reply: &Reply) -> Message {
    let author = reply.to.as_deref().map(|to| match route {
        Route::Room => to.rsplit_once('/').map_or(to, |(_, nick)| nick),
        Route::Chat | Route::RoomPrivate => to,
    });
    let fallback = reply.quote.as_deref().map(|q| fallback_text(author, q)).unwrap_or_default();
    let mut message = outgoing_message(to, &format!("{fallback}{body}"), id, route);
    let mut named = Element::builder("reply", REPLY).attr(xml_ncname!("id").into(), &reply.id);
    if let Some(to) = &reply.to {
        named = named.attr(xml_ncname!("to").into(), to);
    }
    message.payloads.push(named.build());
    if !fallback.is_empty() {
        let range = Element::builder("body", FALLBACK)
            .attr(xml_ncname!("start").into(), "0")
            .attr(xml_ncname!("end").into(), fallback.chars().count().to_string());
        let marked = Element::builder("fallback", FALLBACK)
            .attr(xml_ncname!("for").into(), REPLY)
            .append(range);
        message.payloads.push(marked.build());
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(xml: &str) -> Message {
        let element: Element = xml.parse().expect("xml");
        Message::try_from(element).expect("message")
    }

    fn taken(xml: &str) -> (String, Option<Reply>) {
        let mut message = parse(xml);
        let body = message.bodies.values().next().cloned().unwrap_or_default();
        take(&mut message, body)
    }

    #[test]
    fn a_reply_loses_its_quote_and_keeps_what_it_answers() {
        let (body, reply) = taken(
            "<message xmlns='jabber:client' type='chat'>\
             <body>&gt; Anna wrote:\n&gt; cake? 🎂\nYes!</body>\
             <reply xmlns='urn:xmpp:reply:0' to='anna@x' id='o1'/>\
             <fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reply:0'>\
             <body start='0' end='24'/></fallback></message>",
        );
        assert_eq!(body, "Yes!");
        let reply = reply.expect("a reply");
        assert_eq!((reply.id.as_str(), reply.to.as_deref()), ("o1", Some("anna@x")));
        assert_eq!(reply.quote.as_deref(), Some("cake? 🎂"));
    }

    #[test]
    fn a_fallback_that_does_not_fit_keeps_every_word() {
        for range in ["start='0' end='999'", "start='5' end='2'", "start='0' end='6'", "end='x'"] {
            let (body, reply) = taken(&format!(
                "<message xmlns='jabber:client' type='chat'><body>&gt; q\nok</body>\
                 <reply xmlns='urn:xmpp:reply:0' id='o1'/>\
                 <fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reply:0'>\
                 <body {range}/></fallback></message>"
            ));
            assert_eq!(body, "> q\nok", "{range}");
            assert_eq!(reply.map(|r| r.quote), Some(None), "{range}");
        }
    }

    #[test]
    fn a_reply_naming_no_usable_id_is_an_ordinary_line() {
        let long = "i".repeat(MAX_REPLY_ID + 1);
        for attrs in ["".to_owned(), "id=''".to_owned(), format!("id='{long}'")] {
            let (body, reply) = taken(&format!(
                "<message xmlns='jabber:client' type='chat'><body>hi</body>\
                 <reply xmlns='urn:xmpp:reply:0' {attrs}/></message>"
            ));
            assert_eq!((body.as_str(), reply), ("hi", None));
        }
    }

    #[test]
    fn our_reply_reads_back_as_the_same_reply() {
        let reply = Reply {
            id: "room-1".into(),
            in_room: true,
            to: Some("room@muc.x/anna".into()),
            quote: Some("cake?".into()),
            line: None,
        };
        let to = Jid::new("room@muc.x").expect("jid");
        let mut sent = reply_message(to, "Yes!", "m1", Route::Room, &reply);
        let body = sent.bodies.values().next().cloned().expect("body");
        assert_eq!(body, "> anna wrote:\n> cake?\nYes!");
        let (words, back) = take(&mut sent, body);
        assert_eq!(words, "Yes!");
        assert_eq!(back, Some(Reply { in_room: false, ..reply }));
    }
}
