//! MongoDB `killOp`: the one call of the Queries feature that ends a
//! MongoDB operation. Only the guard chain's executor calls it.

use crate::features::queries::mongo::{MongoClient, MongoError, OpId};
use mongodb::bson::doc;

impl MongoClient {
    pub async fn kill_op(&self, opid: &OpId) -> Result<(), MongoError> {
        let command = doc! { "killOp": 1, "op": opid.to_bson() };
        self.run("admin", command).await.map(drop)
    }
}
