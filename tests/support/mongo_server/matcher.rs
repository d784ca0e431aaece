//! The part of MongoDB's query language the fake server needs for
//! `currentOp` and `find` filters and `find` sorts: equality, `$eq`, `$ne`,
//! `$gt(e)`, `$lt(e)`, `$in`, `$exists`, `$and`, `$or`, dotted paths.
//! Numbers compare by value whatever their BSON type, as on a real server.

use bson::{Bson, Document};
use std::cmp::Ordering;

/// Whether `doc` matches `filter`; an unknown operator is the server's
/// BadValue error text.
pub fn matches(doc: &Document, filter: &Document) -> Result<bool, String> {
    for (key, condition) in filter {
        let ok = match key.as_str() {
            "$and" => each_clause(doc, condition)?.iter().all(|m| *m),
            "$or" => each_clause(doc, condition)?.iter().any(|m| *m),
            _ => field_matches(lookup(doc, key), condition)?,
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

fn each_clause(doc: &Document, clauses: &Bson) -> Result<Vec<bool>, String> {
    let Bson::Array(clauses) = clauses else {
        return Err("$and/$or must be an array".into());
    };
    clauses
        .iter()
        .map(|c| match c {
            Bson::Document(f) => matches(doc, f),
            _ => Err("$and/$or entries must be objects".into()),
        })
        .collect()
}

/// Follows a dotted path through nested documents.
pub fn lookup<'a>(doc: &'a Document, path: &str) -> Option<&'a Bson> {
    let mut parts = path.split('.');
    let mut value = doc.get(parts.next()?)?;
    for part in parts {
        value = match value {
            Bson::Document(inner) => inner.get(part)?,
            _ => return None,
        };
    }
    Some(value)
}

fn field_matches(value: Option<&Bson>, condition: &Bson) -> Result<bool, String> {
    match condition {
        Bson::Document(ops) if ops.keys().next().is_some_and(|k| k.starts_with('$')) => {
            for (op, arg) in ops {
                if !operator(value, op, arg)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Bson::Null => Ok(value.is_none_or(|v| *v == Bson::Null)),
        _ => Ok(value.is_some_and(|v| equal(v, condition))),
    }
}

fn operator(value: Option<&Bson>, op: &str, arg: &Bson) -> Result<bool, String> {
    let ordered = |wanted: &[Ordering]| {
        value
            .and_then(|v| compare_same_type(v, arg))
            .is_some_and(|o| wanted.contains(&o))
    };
    Ok(match op {
        "$eq" => field_matches(value, arg)?,
        // `$ne` also matches documents that lack the field.
        "$ne" => !field_matches(value, arg)?,
        "$gt" => ordered(&[Ordering::Greater]),
        "$gte" => ordered(&[Ordering::Greater, Ordering::Equal]),
        "$lt" => ordered(&[Ordering::Less]),
        "$lte" => ordered(&[Ordering::Less, Ordering::Equal]),
        "$exists" => value.is_some() == truthy(arg),
        "$in" => match arg {
            Bson::Array(items) => items.iter().any(|i| value.is_some_and(|v| equal(v, i))),
            _ => return Err("$in needs an array".into()),
        },
        other => return Err(format!("unknown operator: {other}")),
    })
}

fn truthy(arg: &Bson) -> bool {
    match arg {
        Bson::Boolean(b) => *b,
        Bson::Null => false,
        other => as_f64(other).is_none_or(|n| n != 0.0),
    }
}

fn equal(a: &Bson, b: &Bson) -> bool {
    compare_same_type(a, b) == Some(Ordering::Equal) || a == b
}

/// Comparison within one BSON type bracket (all numbers are one bracket);
/// `None` across brackets, where `$gt` and friends never match.
fn compare_same_type(a: &Bson, b: &Bson) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (as_f64(a), as_f64(b)) {
        return x.partial_cmp(&y);
    }
    match (a, b) {
        (Bson::String(x), Bson::String(y)) => Some(x.cmp(y)),
        (Bson::DateTime(x), Bson::DateTime(y)) => Some(x.cmp(y)),
        (Bson::Boolean(x), Bson::Boolean(y)) => Some(x.cmp(y)),
        (Bson::Timestamp(x), Bson::Timestamp(y)) => {
            Some((x.time, x.increment).cmp(&(y.time, y.increment)))
        }
        _ => None,
    }
}

fn as_f64(v: &Bson) -> Option<f64> {
    match v {
        Bson::Int32(n) => Some(f64::from(*n)),
        Bson::Int64(n) => Some(*n as f64),
        Bson::Double(n) => Some(*n),
        _ => None,
    }
}

/// Sorts by a sort specification such as `{millis: -1}`; missing fields
/// sort first ascending, and types in MongoDB's cross-type order.
pub fn sort(docs: &mut [Document], spec: &Document) {
    docs.sort_by(|a, b| {
        for (key, direction) in spec {
            let descending = as_f64(direction).is_some_and(|d| d < 0.0);
            let order = sort_order(lookup(a, key), lookup(b, key));
            let order = if descending { order.reverse() } else { order };
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    });
}

fn sort_order(a: Option<&Bson>, b: Option<&Bson>) -> Ordering {
    let (ra, rb) = (type_rank(a), type_rank(b));
    if ra != rb {
        return ra.cmp(&rb);
    }
    match (a, b) {
        (Some(x), Some(y)) => compare_same_type(x, y).unwrap_or(Ordering::Equal),
        _ => Ordering::Equal,
    }
}

fn type_rank(v: Option<&Bson>) -> u8 {
    match v {
        None | Some(Bson::Null) => 0,
        Some(Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_)) => 1,
        Some(Bson::String(_)) => 2,
        Some(Bson::Document(_)) => 3,
        Some(Bson::Array(_)) => 4,
        Some(Bson::Boolean(_)) => 5,
        Some(Bson::DateTime(_)) => 6,
        Some(Bson::Timestamp(_)) => 7,
        Some(_) => 8,
    }
}
