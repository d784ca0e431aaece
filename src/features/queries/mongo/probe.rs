//! What `opsdeck check` reports for a MongoDB target: reachable, which
//! version, and whether the login may see and kill other users' ops.

use super::client::MongoClient;
use super::error::MongoError;
use super::fields::text;
use super::target::MongoTarget;
use mongodb::bson::{Bson, Document, doc};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Granted,
    Missing,
    /// Auth is off (or the server lists no privileges): nothing to check.
    Unknown,
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Granted => "yes",
            Self::Missing => "no",
            Self::Unknown => "unknown",
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Privileges {
    /// `user@db` of the login, when authenticated.
    pub user: Option<String>,
    /// The `inprog` action: see every user's ops in currentOp.
    pub inprog: Access,
    /// The `killop` action: kill other users' ops.
    pub killop: Access,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    pub version: String,
    pub privileges: Privileges,
}

/// Connects and asks for the version and the login's privileges.
pub async fn probe(target: &MongoTarget) -> Result<Probe, MongoError> {
    let client = MongoClient::connect(target).await?;
    Ok(Probe {
        version: client.server_version().await?,
        privileges: client.privileges().await?,
    })
}

impl MongoClient {
    pub async fn server_version(&self) -> Result<String, MongoError> {
        let info = self.run("admin", doc! { "buildInfo": 1 }).await?;
        text(&info, "version").ok_or_else(|| self.error("buildInfo reply has no version"))
    }

    pub async fn privileges(&self) -> Result<Privileges, MongoError> {
        let command = doc! { "connectionStatus": 1, "showPrivileges": true };
        let reply = self.run("admin", command).await?;
        let auth = reply.get_document("authInfo").cloned().unwrap_or_default();
        let user = documents(&auth, "authenticatedUsers").first().map(|u| {
            format!(
                "{}@{}",
                text(u, "user").unwrap_or_default(),
                text(u, "db").unwrap_or_default()
            )
        });
        let privileges = documents(&auth, "authenticatedUserPrivileges");
        let access = |action: &str| {
            if user.is_none() && privileges.is_empty() {
                Access::Unknown
            } else if privileges.iter().any(|p| grants_on_cluster(p, action)) {
                Access::Granted
            } else {
                Access::Missing
            }
        };
        Ok(Privileges {
            inprog: access("inprog"),
            killop: access("killop"),
            user,
        })
    }
}

fn documents(doc: &Document, key: &str) -> Vec<Document> {
    doc.get_array(key)
        .map(|items| {
            items
                .iter()
                .filter_map(Bson::as_document)
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// `inprog` and `killop` are cluster actions; `anyResource` (the
/// `__system` role) covers the cluster too.
fn grants_on_cluster(privilege: &Document, action: &str) -> bool {
    let resource = privilege.get_document("resource").ok();
    let on_cluster = resource.is_some_and(|r| {
        r.get_bool("cluster").unwrap_or(false) || r.get_bool("anyResource").unwrap_or(false)
    });
    let has_action = privilege
        .get_array("actions")
        .is_ok_and(|actions| actions.iter().any(|a| a.as_str() == Some(action)));
    on_cluster && has_action
}
