//! The room's Lua scripts: each reads and writes its keys in one step on
//! the server, so two consoles cannot both see a lock free and both take
//! it, and heartbeats are judged by the server's clock, not by each
//! bastion's.

use crate::core::room::{Holder, LockAnswer};
use redis::Value;
use std::time::Duration;

/// KEYS: lock, cooldown. ARGV: holder JSON ('' to only look), lock ttl ms.
pub const LOCK: &str = r"
local c = redis.call('GET', KEYS[2])
if c then return {'cooling', c, redis.call('PTTL', KEYS[2])} end
local h = redis.call('GET', KEYS[1])
if h then return {'held', h, redis.call('PTTL', KEYS[1])} end
if ARGV[1] ~= '' then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return {'free'}
";

/// KEYS: lock, cooldown. ARGV: holder JSON, cooldown ms (0: none).
/// Deletes the lock only if it is still this holder's.
pub const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
if tonumber(ARGV[2]) > 0 then redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2]) end
return 1
";

/// KEYS: members hash. ARGV: session, member JSON ('' to only list),
/// stale ms, keep ms. Stamps the heartbeat with the server's time, drops
/// members whose last one is older than `stale`, returns the others.
pub const HEARTBEAT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], ARGV[1], now .. '|' .. ARGV[2]) end
local all = redis.call('HGETALL', KEYS[1])
local alive = {}
for i = 1, #all, 2 do
  local v = all[i + 1]
  local sep = string.find(v, '|', 1, true)
  local at = sep and tonumber(string.sub(v, 1, sep - 1)) or 0
  if now - at > tonumber(ARGV[3]) then
    redis.call('HDEL', KEYS[1], all[i])
  else
    table.insert(alive, string.sub(v, sep + 1))
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return alive
";

/// `EVAL script n keys… args…`.
pub fn eval(script: &str, keys: &[&str], args: &[String]) -> redis::Cmd {
    let mut cmd = redis::cmd("EVAL");
    cmd.arg(script).arg(keys.len());
    for k in keys {
        cmd.arg(*k);
    }
    for a in args {
        cmd.arg(a.as_str());
    }
    cmd
}

/// The `LOCK` script's reply.
pub fn lock_answer(reply: &Value) -> LockAnswer {
    let Value::Array(items) = reply else {
        return LockAnswer::Unavailable("the room's lock script answered oddly".into());
    };
    let word = items.first().and_then(bytes);
    let holder = || items.get(1).and_then(bytes).and_then(Holder::parse);
    let left = || {
        let ms = match items.get(2) {
            Some(Value::Int(ms)) => u64::try_from(*ms).unwrap_or(0),
            _ => 0,
        };
        Duration::from_millis(ms)
    };
    match word {
        Some(b"free") => LockAnswer::Free,
        Some(b"held") => LockAnswer::Held(holder()),
        Some(b"cooling") => LockAnswer::Cooling {
            holder: holder(),
            left: left(),
        },
        _ => LockAnswer::Unavailable("the room's lock script answered oddly".into()),
    }
}

pub fn bytes(v: &Value) -> Option<&[u8]> {
    match v {
        Value::BulkString(b) => Some(b),
        Value::SimpleString(s) => Some(s.as_bytes()),
        _ => None,
    }
}
