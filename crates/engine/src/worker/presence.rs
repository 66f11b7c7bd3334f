//! Presence per resource: a contact online on a phone and away on a desktop shows as online.

use crate::model::Presence;
use std::collections::HashMap;

/// Resources kept per contact; a contact's server could announce any number.
const MAX_RESOURCES: usize = 32;

#[derive(Default)]
pub struct Presences {
    by_contact: HashMap<String, HashMap<String, (Presence, i8)>>,
}

impl Presences {
    /// Record one resource's presence (`None` = gone) and return the contact's best presence.
    pub fn update(
        &mut self,
        jid: &str,
        resource: &str,
        presence: Option<Presence>,
        priority: i8,
    ) -> Presence {
        let resources = self.by_contact.entry(jid.to_owned()).or_default();
        match presence {
            Some(p) if resources.len() < MAX_RESOURCES || resources.contains_key(resource) => {
                resources.insert(resource.to_owned(), (p, priority));
            }
            Some(_) => tracing::info!("{jid} has more than {MAX_RESOURCES} resources online"),
            None => {
                resources.remove(resource);
                if resources.is_empty() {
                    self.by_contact.remove(jid);
                }
            }
        }
        self.best(jid)
    }

    /// Highest priority wins; among equals, the most available.
    pub fn best(&self, jid: &str) -> Presence {
        self.by_contact
            .get(jid)
            .and_then(|resources| {
                resources
                    .values()
                    .max_by(|(a, pa), (b, pb)| pa.cmp(pb).then(b.show.cmp(&a.show)))
                    .map(|(p, _)| p.clone())
            })
            .unwrap_or_else(Presence::offline)
    }

    pub fn clear(&mut self) {
        self.by_contact.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PresenceShow;

    fn p(show: PresenceShow) -> Option<Presence> {
        Some(Presence { show, status: None })
    }

    #[test]
    fn best_resource_is_shown_and_leaving_falls_back() {
        let mut presences = Presences::default();
        presences.update("bob@x", "desktop", p(PresenceShow::Away), 0);
        let best = presences.update("bob@x", "phone", p(PresenceShow::Online), 0);
        assert_eq!(best.show, PresenceShow::Online);
        let best = presences.update("bob@x", "phone", None, 0);
        assert_eq!(best.show, PresenceShow::Away);
        let best = presences.update("bob@x", "desktop", None, 0);
        assert_eq!(best.show, PresenceShow::Offline);
    }

    #[test]
    fn resources_per_contact_are_bounded_and_gone_contacts_forgotten() {
        let mut presences = Presences::default();
        for i in 0..MAX_RESOURCES + 10 {
            presences.update("bob@x", &format!("r{i}"), p(PresenceShow::Away), 0);
        }
        assert_eq!(presences.by_contact["bob@x"].len(), MAX_RESOURCES);
        let best = presences.update("bob@x", "r0", p(PresenceShow::Online), 1);
        assert_eq!(best.show, PresenceShow::Online, "a known resource still updates");
        for i in 0..MAX_RESOURCES {
            presences.update("bob@x", &format!("r{i}"), None, 0);
        }
        assert!(presences.by_contact.is_empty());
    }

    #[test]
    fn priority_beats_availability() {
        let mut presences = Presences::default();
        presences.update("bob@x", "a", p(PresenceShow::Online), -1);
        let best = presences.update("bob@x", "b", p(PresenceShow::Dnd), 5);
        assert_eq!(best.show, PresenceShow::Dnd);
    }
}
