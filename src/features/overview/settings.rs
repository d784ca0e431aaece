//! `[services."NAME"]`: links that override the defaults (config/ reads
//! and checks them).

use std::collections::BTreeMap;

/// One `[services."NAME"]` table. `None` keeps the default link of that
/// source (the service's own name); a list replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceConfig {
    pub name: String,
    pub deployments: Option<Vec<String>>,
    /// Deployments whose pod selector has all of these labels.
    pub selector: BTreeMap<String, String>,
    pub prometheus: Option<Vec<String>>,
    /// Breakers, by name, that protect calls to this service.
    pub breakers: Option<Vec<String>>,
    pub groups: Option<Vec<String>>,
    pub pg_application: Option<Vec<String>>,
    pub mongo_app: Option<Vec<String>>,
}
