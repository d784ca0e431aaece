//! The Redis keys of a room.

/// The room's stream of messages.
pub fn stream(room: &str) -> String {
    format!("opsdeck:room:{room}:stream")
}

/// The room's heartbeats: session → `server-ms|member JSON`.
pub fn members(room: &str) -> String {
    format!("opsdeck:room:{room}:members")
}
