//! Loads the JSON fixtures as the BSON a real server would send: integers
//! as Int32 unless the server writes a NumberLong (or they do not fit),
//! fractions as Double, `ok` as Double, `{"$date": ...}` as DateTime.

use bson::{Bson, DateTime, Document};

/// Fields mongod appends as 64-bit whatever their value.
const LONG_FIELDS: &[&str] = &["secs_running", "microsecs_running"];

/// The `inprog` ops of `currentop-reply.json`.
pub fn currentop_ops() -> Vec<Document> {
    let reply: Document = serde_json::from_str(&read("currentop-reply.json")).unwrap();
    let Bson::Document(reply) = normalize("", Bson::Document(reply)) else {
        unreachable!("a document stays a document");
    };
    reply
        .get_array("inprog")
        .unwrap()
        .iter()
        .map(|op| op.as_document().unwrap().clone())
        .collect()
}

/// The documents of `system-profile-docs.json`.
pub fn profile_docs() -> Vec<Document> {
    let docs: Vec<Document> = serde_json::from_str(&read("system-profile-docs.json")).unwrap();
    docs.into_iter()
        .map(|d| match normalize("", Bson::Document(d)) {
            Bson::Document(d) => d,
            other => unreachable!("a document stays a document: {other}"),
        })
        .collect()
}

fn read(name: &str) -> String {
    let path = format!("{}/tests/fixtures/mongo/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Deserializing straight into `Document` keeps the key order of the file
/// (a `serde_json::Value` would sort keys, and a command's name must stay
/// its first key); this then fixes the number and date types.
fn normalize(key: &str, value: Bson) -> Bson {
    match value {
        Bson::Int32(i) => normalize(key, Bson::Int64(i64::from(i))),
        Bson::Int64(i) if key == "ok" => Bson::Double(i as f64),
        Bson::Int64(i) if LONG_FIELDS.contains(&key) => Bson::Int64(i),
        Bson::Int64(i) => i32::try_from(i).map_or(Bson::Int64(i), Bson::Int32),
        Bson::Array(items) => Bson::Array(items.into_iter().map(|v| normalize("", v)).collect()),
        Bson::Document(doc) => {
            if let (1, Ok(date)) = (doc.len(), doc.get_str("$date")) {
                return Bson::DateTime(DateTime::parse_rfc3339_str(date).unwrap());
            }
            Bson::Document(
                doc.into_iter()
                    .map(|(k, v)| {
                        let v = normalize(&k, v);
                        (k, v)
                    })
                    .collect(),
            )
        }
        other => other,
    }
}
