//! What a form field's value should look like (XEP-0122): a datatype, a range, a pattern, how
//! many choices. Shown as a hint and checked before a form is sent; the entity has the last
//! word. A pattern is shown, not enforced: it is a POSIX regular expression from a stranger,
//! and the entity checks it anyway.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Validation {
    pub datatype: Datatype,
    pub min: Option<String>,
    pub max: Option<String>,
    pub pattern: Option<String>,
    /// How many options a list-multi field wants chosen, at least and at most.
    pub choose_min: Option<u32>,
    pub choose_max: Option<u32>,
}

/// The datatypes Confab knows how to check; any other is treated as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Datatype {
    #[default]
    Text,
    /// xs:integer, xs:int, xs:long, xs:short, xs:byte.
    Integer,
    /// xs:decimal, xs:double.
    Decimal,
    Date,
    DateTime,
    Time,
    Uri,
    Language,
}

/// A value's place against a bound.
#[derive(PartialEq, PartialOrd)]
enum Comparable {
    Number(f64),
    Date(NaiveDate),
}

impl Validation {
    /// What to tell the user about the field, if anything.
    pub fn hint(&self) -> Option<String> {
        let what = match self.datatype {
            Datatype::Text => None,
            Datatype::Integer => Some("A whole number"),
            Datatype::Decimal => Some("A number"),
            Datatype::Date => Some("A date (YYYY-MM-DD)"),
            Datatype::DateTime => Some("A date and time (YYYY-MM-DDThh:mm:ssZ)"),
            Datatype::Time => Some("A time (hh:mm:ss)"),
            Datatype::Uri => Some("An address such as https://…"),
            Datatype::Language => Some("A language code (en, de-AT, …)"),
        };
        let range = match (&self.min, &self.max) {
            (Some(min), Some(max)) => Some(format!("from {min} to {max}")),
            (Some(min), None) => Some(format!("of at least {min}")),
            (None, Some(max)) => Some(format!("of at most {max}")),
            (None, None) => None,
        };
        let choose = match (self.choose_min, self.choose_max) {
            (Some(min), Some(max)) if min == max => Some(format!("Choose {min}.")),
            (Some(min), Some(max)) => Some(format!("Choose {min} to {max}.")),
            (Some(min), None) => Some(format!("Choose at least {min}.")),
            (None, Some(max)) => Some(format!("Choose at most {max}.")),
            (None, None) => None,
        };
        let value = match (what, range) {
            (Some(what), Some(range)) => Some(format!("{what} {range}.")),
            (Some(what), None) => Some(format!("{what}.")),
            (None, Some(range)) => Some(format!("A value {range}.")),
            (None, None) => None,
        };
        let pattern = self.pattern.as_ref().map(|p| format!("It should match {p}"));
        let parts: Vec<String> = [value, choose, pattern].into_iter().flatten().collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    /// Why a typed value does not fit, if it does not (an empty one is for "required").
    pub fn problem(&self, value: &str) -> Option<String> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        let read = match self.datatype {
            Datatype::Text | Datatype::Uri | Datatype::Language => None,
            Datatype::Integer => {
                let number = value.parse::<i128>().ok();
                Some(number.map(|n| Comparable::Number(n as f64)).ok_or("is not a whole number"))
            }
            Datatype::Decimal => {
                let number = value.parse::<f64>().ok().filter(|n| n.is_finite());
                Some(number.map(Comparable::Number).ok_or("is not a number"))
            }
            Datatype::Date => {
                let date = NaiveDate::parse_from_str(without_zone(value), "%Y-%m-%d").ok();
                Some(date.map(Comparable::Date).ok_or("is not a date (YYYY-MM-DD)"))
            }
            Datatype::DateTime => {
                let zoned = DateTime::parse_from_rfc3339(value).is_ok();
                let local = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f").is_ok();
                return (!zoned && !local)
                    .then(|| "is not a date and time (YYYY-MM-DDThh:mm:ssZ)".into());
            }
            Datatype::Time => {
                return NaiveTime::parse_from_str(without_zone(value), "%H:%M:%S%.f")
                    .is_err()
                    .then(|| "is not a time (hh:mm:ss)".into());
            }
        };
        let shape = match self.datatype {
            Datatype::Uri if !is_uri(value) => Some("is not an address such as https://…"),
            Datatype::Language if !is_language(value) => Some("is not a language code"),
            _ => None,
        };
        if let Some(shape) = shape {
            return Some(shape.into());
        }
        let read = read?;
        let value = match read {
            Ok(value) => value,
            Err(why) => return Some(why.into()),
        };
        let bound = |bound: &Option<String>| bound.as_deref().and_then(|b| self.comparable(b));
        if bound(&self.min).is_some_and(|min| value < min) {
            return self.min.as_ref().map(|m| format!("is less than {m}"));
        }
        if bound(&self.max).is_some_and(|max| value > max) {
            return self.max.as_ref().map(|m| format!("is more than {m}"));
        }
        None
    }

    /// Why `chosen` options are too few or too many, if they are.
    pub fn choice_problem(&self, chosen: usize) -> Option<String> {
        let chosen = u32::try_from(chosen).unwrap_or(u32::MAX);
        match (self.choose_min, self.choose_max) {
            (Some(min), _) if chosen < min => Some(format!("choose at least {min}")),
            (_, Some(max)) if chosen > max => Some(format!("choose at most {max}")),
            _ => None,
        }
    }

    fn comparable(&self, bound: &str) -> Option<Comparable> {
        match self.datatype {
            Datatype::Integer | Datatype::Decimal => {
                bound.trim().parse::<f64>().ok().map(Comparable::Number)
            }
            Datatype::Date => {
                NaiveDate::parse_from_str(bound.trim(), "%Y-%m-%d").ok().map(Comparable::Date)
            }
            _ => None,
        }
    }
}

impl Datatype {
    /// The datatype named by XEP-0122's `datatype` attribute.
    pub fn named(name: &str) -> Self {
        match name {
            "xs:integer" | "xs:int" | "xs:long" | "xs:short" | "xs:byte" => Self::Integer,
            "xs:decimal" | "xs:double" => Self::Decimal,
            "xs:date" => Self::Date,
            "xs:dateTime" => Self::DateTime,
            "xs:time" => Self::Time,
            "xs:anyURI" => Self::Uri,
            "xs:language" => Self::Language,
            _ => Self::Text,
        }
    }
}

/// A date or time without XML Schema's optional zone (`Z`, `+01:00`, `-05:00`).
fn without_zone(value: &str) -> &str {
    if let Some(local) = value.strip_suffix('Z') {
        return local;
    }
    let split = value.len().checked_sub(6).filter(|&at| value.is_char_boundary(at));
    match split.map(|at| value.split_at(at)) {
        Some((local, zone))
            if zone.starts_with(['+', '-']) && zone.as_bytes().get(3) == Some(&b':') =>
        {
            local
        }
        _ => value,
    }
}

/// RFC 3986's scheme, then anything.
fn is_uri(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else { return false };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !rest.is_empty()
        && !value.contains(char::is_whitespace)
}

/// BCP 47's shape: subtags of letters and digits, up to eight each, the first letters.
fn is_language(value: &str) -> bool {
    let mut subtags = value.split('-');
    let first_ok = subtags
        .next()
        .is_some_and(|s| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphabetic()));
    first_ok
        && subtags
            .all(|s| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(datatype: Datatype, min: Option<&str>, max: Option<&str>) -> Validation {
        Validation {
            datatype,
            min: min.map(Into::into),
            max: max.map(Into::into),
            ..Validation::default()
        }
    }

    #[test]
    fn numbers_and_dates_are_checked_against_their_range() {
        let age = rule(Datatype::Integer, Some("18"), Some("120"));
        assert_eq!(age.hint().as_deref(), Some("A whole number from 18 to 120."));
        assert_eq!(age.problem("42"), None);
        assert_eq!(age.problem("forty").as_deref(), Some("is not a whole number"));
        assert_eq!(age.problem("12").as_deref(), Some("is less than 18"));
        assert_eq!(age.problem("121").as_deref(), Some("is more than 120"));
        assert_eq!(age.problem(""), None, "empty is for required to say");
        let price = rule(Datatype::Decimal, None, Some("9.5"));
        assert_eq!(price.problem("9.75").as_deref(), Some("is more than 9.5"));
        assert_eq!(price.problem("NaN").as_deref(), Some("is not a number"));
        let day = rule(Datatype::Date, Some("2026-01-01"), None);
        assert_eq!(day.problem("2025-12-31").as_deref(), Some("is less than 2026-01-01"));
        assert_eq!(day.problem("31/12/2026").as_deref(), Some("is not a date (YYYY-MM-DD)"));
        assert_eq!(rule(Datatype::DateTime, None, None).problem("2026-12-06T10:00:00Z"), None);
        assert!(rule(Datatype::Time, None, None).problem("25:00:00").is_some());
        assert_eq!(rule(Datatype::Time, None, None).problem("10:00:00+01:00"), None, "a zone");
        assert_eq!(rule(Datatype::Date, None, None).problem("2026-12-06Z"), None, "a zone");
        let local = rule(Datatype::DateTime, None, None).problem("2026-12-06T10:00:00");
        assert_eq!(local, None, "no zone is allowed too");
    }

    #[test]
    fn shapes_choices_and_patterns() {
        assert!(rule(Datatype::Uri, None, None).problem("not a uri").is_some());
        assert_eq!(rule(Datatype::Uri, None, None).problem("xmpp:alice@example.org"), None);
        assert_eq!(rule(Datatype::Language, None, None).problem("de-AT"), None);
        assert!(rule(Datatype::Language, None, None).problem("deutsch!").is_some());
        let pick = Validation { choose_min: Some(1), choose_max: Some(3), ..Validation::default() };
        assert_eq!(pick.hint().as_deref(), Some("Choose 1 to 3."));
        assert_eq!(pick.choice_problem(0).as_deref(), Some("choose at least 1"));
        assert_eq!(pick.choice_problem(4).as_deref(), Some("choose at most 3"));
        let code = Validation { pattern: Some("[0-9]{4}".into()), ..Validation::default() };
        assert_eq!(code.hint().as_deref(), Some("It should match [0-9]{4}"));
        assert_eq!(code.problem("abc"), None, "patterns are shown, not enforced");
        assert_eq!(Datatype::named("xs:short"), Datatype::Integer);
        assert_eq!(Datatype::named("x:custom"), Datatype::Text);
    }
}
