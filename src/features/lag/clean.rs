//! Group, member and topic names come from the brokers: made safe to show
//! where a poll enters the app.

use super::model::LagUpdate;
use super::stats::dlq::TopicSize;
use super::stats::snapshot::{
    GroupDescription, GroupSnapshot, GroupState, Member, PartitionOffsets, TopicPartition,
};
use crate::core::clean::Sanitize;

crate::core::clean::sanitize_fields! {
    LagUpdate { cluster, groups, dlq, note, failures }
    TopicSize { topic }
    GroupSnapshot { group, description, partitions, missing_topics }
    GroupDescription { id, state, protocol_type, protocol, members }
    Member { member_id, client_id, host, assignment }
    PartitionOffsets { tp, owner }
    TopicPartition { topic }
}

impl Sanitize for GroupState {
    fn sanitize(&mut self) {
        if let GroupState::Other(text) = self {
            text.sanitize();
        }
    }
}
