//! `connectionStatus`, with privileges when `showPrivileges` is set.

use super::state::State;
use bson::{Bson, Document, doc};

pub fn connection_status(state: &State, body: &Document) -> Document {
    let show = body.get_bool("showPrivileges").unwrap_or(false);
    let mut auth_info = match &state.privileges {
        // Auth off: nobody is authenticated and nothing is listed.
        None => doc! { "authenticatedUsers": [], "authenticatedUserRoles": [] },
        Some(p) => {
            let roles: Vec<Bson> = p
                .roles
                .iter()
                .map(|r| Bson::Document(doc! { "role": r.as_str(), "db": p.db.as_str() }))
                .collect();
            doc! {
                "authenticatedUsers": [{ "user": p.user.as_str(), "db": p.db.as_str() }],
                "authenticatedUserRoles": roles,
            }
        }
    };
    if show {
        let privileges: Vec<Bson> = state
            .privileges
            .iter()
            .flat_map(|p| {
                [
                    doc! { "resource": { "cluster": true }, "actions": p.cluster_actions.clone() },
                    doc! { "resource": { "db": "", "collection": "" }, "actions": ["find", "listCollections"] },
                ]
            })
            .map(Bson::Document)
            .collect();
        auth_info.insert("authenticatedUserPrivileges", privileges);
    }
    doc! { "authInfo": auth_info, "ok": 1.0 }
}
