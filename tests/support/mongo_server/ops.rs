//! `currentOp` (filtered by the fields of the command itself, as the real
//! server does) and `killOp`.

use super::commands::{error, filter_fields};
use super::matcher;
use super::state::State;
use bson::{Bson, Document, doc};

pub fn current_op(state: &State, body: &Document) -> Document {
    let filter = filter_fields(body, &["currentOp"]);
    let mut inprog = Vec::new();
    for op in &state.ops {
        match matcher::matches(op, &filter) {
            Ok(true) => inprog.push(Bson::Document(op.clone())),
            Ok(false) => {}
            Err(message) => return error(2, "BadValue", &message),
        }
    }
    doc! { "inprog": inprog, "ok": 1.0 }
}

pub fn kill_op(state: &mut State, body: &Document) -> Document {
    let Some(target) = body.get("op") else {
        return error(
            40414,
            "IDLFailedToParse",
            "BSON field 'killOp.op' is missing but a required field",
        );
    };
    let wanted = doc! { "opid": target.clone() };
    state
        .ops
        .retain(|op| !matcher::matches(op, &wanted).unwrap_or(false));
    // The real server answers the same whether or not the op existed.
    doc! { "info": "attempting to kill op", "ok": 1.0 }
}
