//! An op's command as one line of mongosh-style text, e.g.
//! `{ find: "orders", filter: { status: "PENDING" } }`.

use mongodb::bson::{Bson, Document};

/// Fields the driver adds to every command; they say nothing about the query.
const PLUMBING: &[&str] = &[
    "$db",
    "lsid",
    "$clusterTime",
    "$readPreference",
    "maxTimeMS",
];

pub(crate) fn render_command(command: &Document) -> String {
    let mut out = String::new();
    let fields = command
        .iter()
        .filter(|(key, _)| !PLUMBING.contains(&key.as_str()));
    write_fields(&mut out, fields);
    out
}

/// At most `max_chars` characters, ending in `…` when cut.
pub fn truncate_chars(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn write_fields<'a>(out: &mut String, fields: impl Iterator<Item = (&'a String, &'a Bson)>) {
    let mut empty = true;
    out.push('{');
    for (i, (key, value)) in fields.enumerate() {
        out.push_str(if i == 0 { " " } else { ", " });
        write_key(out, key);
        out.push_str(": ");
        write_value(out, value);
        empty = false;
    }
    out.push_str(if empty { "}" } else { " }" });
}

fn write_key(out: &mut String, key: &str) {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if bare {
        out.push_str(key);
    } else {
        out.push_str(&format!("{key:?}"));
    }
}

fn write_value(out: &mut String, value: &Bson) {
    match value {
        Bson::Document(doc) => write_fields(out, doc.iter()),
        Bson::Array(items) if items.is_empty() => out.push_str("[]"),
        Bson::Array(items) => {
            out.push_str("[ ");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item);
            }
            out.push_str(" ]");
        }
        // Debug quoting escapes newlines and quotes, keeping it one line.
        Bson::String(s) => out.push_str(&format!("{s:?}")),
        Bson::DateTime(d) => match d.try_to_rfc3339_string() {
            Ok(iso) => out.push_str(&format!("ISODate({iso:?})")),
            Err(_) => out.push_str(&format!("new Date({})", d.timestamp_millis())),
        },
        Bson::ObjectId(id) => out.push_str(&format!("ObjectId({:?})", id.to_hex())),
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::doc;

    #[test]
    fn commands_read_like_the_shell_without_driver_fields() {
        let command = doc! {
            "aggregate": "events",
            "pipeline": [{ "$match": { "type": "checkout\n" } }],
            "cursor": {},
            "$db": "analytics",
            "lsid": { "id": 1 },
            "a.b": 1_i64,
        };
        assert_eq!(
            render_command(&command),
            r#"{ aggregate: "events", pipeline: [ { $match: { type: "checkout\n" } } ], cursor: {}, "a.b": 1 }"#
        );
    }

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate_chars("héllo wörld", 6), "héllo…");
        assert_eq!(truncate_chars("short", 5), "short");
    }
}
