//! `labelSelector` and `fieldSelector` query parameters: parsing with the
//! server's errors, and matching against stored objects.

use serde_json::Value;

use super::resource::Res;
use super::status::{self, Failure};

#[derive(Debug, Clone)]
enum LabelReq {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

#[derive(Debug, Clone)]
struct FieldReq {
    path: String,
    value: String,
    negated: bool,
}

/// Both selectors of one list or watch call.
#[derive(Debug, Clone, Default)]
pub struct Selectors {
    labels: Vec<LabelReq>,
    fields: Vec<FieldReq>,
}

impl Selectors {
    /// Parses the two query values, rejecting fields `res` cannot select on
    /// as the real server does.
    pub fn parse(res: Res, labels: Option<&str>, fields: Option<&str>) -> Result<Self, Failure> {
        let labels = match labels {
            Some(text) => split_top_level(text)
                .into_iter()
                .map(parse_label_req)
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        let fields = match fields {
            Some(text) => split_top_level(text)
                .into_iter()
                .map(|req| parse_field_req(res, req))
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        Ok(Self { labels, fields })
    }

    /// True when no selector was given (the server then reports
    /// `remainingItemCount` on paged lists).
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.fields.is_empty()
    }

    pub fn matches(&self, object: &Value) -> bool {
        let labels = &object["metadata"]["labels"];
        let label = |key: &str| labels.get(key).and_then(Value::as_str);
        let labels_ok = self.labels.iter().all(|req| match req {
            LabelReq::Equals(k, v) => label(k) == Some(v.as_str()),
            LabelReq::NotEquals(k, v) => label(k) != Some(v.as_str()),
            LabelReq::In(k, vs) => label(k).is_some_and(|l| vs.iter().any(|v| v == l)),
            LabelReq::NotIn(k, vs) => label(k).is_none_or(|l| vs.iter().all(|v| v != l)),
            LabelReq::Exists(k) => label(k).is_some(),
            LabelReq::NotExists(k) => label(k).is_none(),
        });
        labels_ok
            && self
                .fields
                .iter()
                .all(|req| (field_value(object, &req.path) == req.value) != req.negated)
    }
}

/// Splits on commas that are not inside `in (a,b)` parentheses.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(text[start..].trim());
    parts.into_iter().filter(|p| !p.is_empty()).collect()
}

fn parse_label_req(req: &str) -> Result<LabelReq, Failure> {
    let bad = || status::bad_request(format!("unable to parse requirement: {req:?}"));
    if let Some(key) = req.strip_prefix('!') {
        return Ok(LabelReq::NotExists(key.trim().to_string()));
    }
    for (word, negated) in [(" notin ", true), (" in ", false)] {
        if let Some((key, set)) = req.split_once(word) {
            let set = set.trim();
            let inner = set
                .strip_prefix('(')
                .and_then(|s| s.strip_suffix(')'))
                .ok_or_else(bad)?;
            let values = inner.split(',').map(|v| v.trim().to_string()).collect();
            let key = key.trim().to_string();
            return Ok(if negated {
                LabelReq::NotIn(key, values)
            } else {
                LabelReq::In(key, values)
            });
        }
    }
    if let Some((key, value)) = req.split_once("!=") {
        return Ok(LabelReq::NotEquals(key.trim().into(), value.trim().into()));
    }
    if let Some((key, value)) = req.split_once("==").or_else(|| req.split_once('=')) {
        return Ok(LabelReq::Equals(key.trim().into(), value.trim().into()));
    }
    if req.contains(['<', '>', '(', ')', ' ']) {
        return Err(bad());
    }
    Ok(LabelReq::Exists(req.to_string()))
}

fn parse_field_req(res: Res, req: &str) -> Result<FieldReq, Failure> {
    let (path, value, negated) = if let Some((p, v)) = req.split_once("!=") {
        (p, v, true)
    } else if let Some((p, v)) = req.split_once("==").or_else(|| req.split_once('=')) {
        (p, v, false)
    } else {
        return Err(status::bad_request(format!(
            "invalid selector: '{req}'; can't understand '{req}'"
        )));
    };
    let path = path.trim();
    if !res.selectable_fields().contains(&path) {
        return Err(status::bad_request(format!(
            "field label not supported: {path}"
        )));
    }
    Ok(FieldReq {
        path: path.to_string(),
        value: value.trim().to_string(),
        negated,
    })
}

/// The string a field selector compares with; missing fields read as "".
fn field_value(object: &Value, path: &str) -> String {
    // Events select on `source`, which the server maps to the component.
    let path = if path == "source" {
        "source.component"
    } else {
        path
    };
    let found = path
        .split('.')
        .try_fold(object, |value, key| value.get(key));
    match found {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}
