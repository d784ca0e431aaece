//! Backend payloads made terminal-safe once, where they enter the app.
//!
//! A source hands its payload to `Clean::new`, which runs the payload's
//! `Sanitize`; `Update` carries only `Clean` payloads, so the model and the
//! draw code cannot be given a backend string that was not made safe. A
//! `Clean` read back from a recording or a room message is sanitized again
//! on the way in, so stored bytes cannot smuggle an escape past it.

use super::sanitize::{SAFE_TEXT_BYTES, SafeText, safe, sanitize_str};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// Makes every piece of backend text in `self` safe to show.
pub trait Sanitize {
    fn sanitize(&mut self);
}

/// A payload whose backend text has been through its `Sanitize`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Clean<T>(T);

impl<T: Sanitize> Clean<T> {
    pub fn new(mut payload: T) -> Clean<T> {
        payload.sanitize();
        Clean(payload)
    }
}

impl<T> Clean<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Clean<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Serialize> Serialize for Clean<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de> + Sanitize> Deserialize<'de> for Clean<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Clean::new)
    }
}

/// Text the sanitizer would leave as it is: checked without allocating,
/// because almost every name a backend sends is already clean.
fn already_safe(text: &str) -> bool {
    text.len() <= SAFE_TEXT_BYTES && printable(text)
}

fn printable(text: &str) -> bool {
    text.chars().all(|c| {
        let code = u32::from(c);
        code >= 0x20
            && !(0x7F..=0x9F).contains(&code)
            && !(0x202A..=0x202E).contains(&code)
            && !(0x2066..=0x2069).contains(&code)
    })
}

/// Like `String::sanitize` for text whose length its maker already bounded
/// (a log line's fields): only what a terminal would act on is replaced.
pub fn sanitize_keeping_length(text: &mut String) {
    if !printable(text) {
        *text = sanitize_str(text).into_text();
    }
}

impl Sanitize for String {
    fn sanitize(&mut self) {
        if !already_safe(self) {
            *self = safe(self);
        }
    }
}

/// Shared text (a log line's pod name): replaced only when not clean.
impl Sanitize for std::sync::Arc<str> {
    fn sanitize(&mut self) {
        if !printable(self) {
            *self = sanitize_str(self).into_text().into();
        }
    }
}

/// Boxed text (a log line's fields): replaced only when not clean.
impl Sanitize for Box<str> {
    fn sanitize(&mut self) {
        if !printable(self) {
            *self = sanitize_str(self).into_text().into();
        }
    }
}

/// Made by the sanitizer already.
impl Sanitize for SafeText {
    fn sanitize(&mut self) {}
}

impl<T: Sanitize> Sanitize for Vec<T> {
    fn sanitize(&mut self) {
        self.iter_mut().for_each(Sanitize::sanitize);
    }
}

impl<T: Sanitize> Sanitize for Option<T> {
    fn sanitize(&mut self) {
        if let Some(t) = self {
            t.sanitize();
        }
    }
}

impl<T: Sanitize, E: Sanitize> Sanitize for Result<T, E> {
    fn sanitize(&mut self) {
        match self {
            Ok(t) => t.sanitize(),
            Err(e) => e.sanitize(),
        }
    }
}

impl<A: Sanitize, B: Sanitize> Sanitize for (A, B) {
    fn sanitize(&mut self) {
        self.0.sanitize();
        self.1.sanitize();
    }
}

/// Keys are rebuilt only when one of them needs it.
impl<V: Sanitize> Sanitize for BTreeMap<String, V> {
    fn sanitize(&mut self) {
        if self.keys().all(|k| already_safe(k)) {
            self.values_mut().for_each(Sanitize::sanitize);
            return;
        }
        *self = std::mem::take(self)
            .into_iter()
            .map(|(mut k, mut v)| {
                k.sanitize();
                v.sanitize();
                (k, v)
            })
            .collect();
    }
}

/// `impl Sanitize` for a struct by naming its fields that hold backend text.
macro_rules! sanitize_fields {
    ($($ty:ty { $($field:ident),* $(,)? })*) => {
        $(impl $crate::core::clean::Sanitize for $ty {
            fn sanitize(&mut self) {
                $($crate::core::clean::Sanitize::sanitize(&mut self.$field);)*
            }
        })*
    };
}
pub(crate) use sanitize_fields;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Payload {
        name: String,
        notes: Vec<Option<String>>,
        labels: BTreeMap<String, String>,
        count: u32,
    }

    crate::core::clean::sanitize_fields! { Payload { name, notes, labels } }

    fn hostile() -> Payload {
        Payload {
            name: "api\x1b]52;c;ZXZpbA==\x07".into(),
            notes: vec![Some("a\rb".into()), None],
            labels: BTreeMap::from([("k\x1b[2J".into(), "\u{202E}v".into())]),
            count: 3,
        }
    }

    fn all_text(p: &Payload) -> String {
        let mut out = p.name.clone();
        for n in p.notes.iter().flatten() {
            out.push_str(n);
        }
        for (k, v) in &p.labels {
            out.push_str(k);
            out.push_str(v);
        }
        out
    }

    #[test]
    fn every_named_field_is_made_safe() {
        let clean = Clean::new(hostile());
        let text = all_text(&clean);
        assert!(!text.chars().any(|c| c.is_control()), "{text:?}");
        assert!(
            !text.contains('\u{202E}') && !text.contains("52;c;"),
            "{text:?}"
        );
        assert!(clean.name.starts_with("api") && clean.count == 3);
    }

    #[test]
    fn clean_text_is_left_as_it_was() {
        let p = Payload {
            name: "payment-service-7d9f8c6b5-x2x4z".into(),
            notes: vec![Some("Back-off restarting failed container".into())],
            labels: BTreeMap::from([("app".into(), "payment-service".into())]),
            count: 1,
        };
        assert_eq!(*Clean::new(p.clone()), p);
    }

    #[test]
    fn a_stored_payload_is_sanitized_when_read_back() {
        // Bytes as a recording could hold them, written without `Clean`.
        let json = serde_json::to_string(&hostile()).expect("serialize");
        let read: Clean<Payload> = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(read, Clean::new(hostile()));
        assert!(!all_text(&read).chars().any(|c| c.is_control()));
    }
}
