//! Kafka frames: a request as size + header + body, and a reply read with
//! a bound on its size and on the wait, checked (`shape`) before
//! `kafka-protocol` decodes it. A broker's bytes are untrusted: anything
//! unexpected is an error, never a panic or an unbounded allocation.

use super::shape::{Field, check};
use kafka_protocol::messages::{
    ApiVersionsRequest, ApiVersionsResponse, FindCoordinatorRequest, FindCoordinatorResponse,
    OffsetFetchRequest, OffsetFetchResponse, RequestHeader, ResponseHeader,
};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, StrBytes};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};

/// Largest reply accepted. An OffsetFetch of 200 groups x 50 partitions
/// is well under a megabyte; past this a reply is refused, not read.
pub const MAX_FRAME: usize = 64 << 20;

/// Why a call failed: the connection (nobody answered, it closed, it
/// timed out) or the reply (not what the protocol says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    Connection(String),
    Reply(String),
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WireError::Connection(why) => write!(f, "{why}"),
            WireError::Reply(why) => write!(f, "malformed reply: {why}"),
        }
    }
}

/// A request this client sends and the reply it decodes. The crate's own
/// `Request` trait needs its `broker` feature (decoding requests), which
/// a client has no use for.
pub trait Request: Encodable + HeaderVersion {
    const KEY: i16;
    type Response: Decodable + HeaderVersion;
}

impl Request for ApiVersionsRequest {
    const KEY: i16 = 18;
    type Response = ApiVersionsResponse;
}

impl Request for FindCoordinatorRequest {
    const KEY: i16 = 10;
    type Response = FindCoordinatorResponse;
}

impl Request for OffsetFetchRequest {
    const KEY: i16 = 9;
    type Response = OffsetFetchResponse;
}

/// `request` as one frame, ready to write.
pub fn encode<R: Request>(
    request: &R,
    version: i16,
    correlation_id: i32,
) -> Result<Vec<u8>, WireError> {
    let header = RequestHeader::default()
        .with_request_api_key(R::KEY)
        .with_request_api_version(version)
        .with_correlation_id(correlation_id)
        .with_client_id(Some(StrBytes::from_static_str("opsdeck")));
    let mut body = Vec::new();
    header
        .encode(&mut body, R::header_version(version))
        .and_then(|()| request.encode(&mut body, version))
        .map_err(|e| WireError::Reply(format!("encoding a request: {e}")))?;
    let size =
        i32::try_from(body.len()).map_err(|_| WireError::Reply("request too large".into()))?;
    let mut frame = size.to_be_bytes().to_vec();
    frame.append(&mut body);
    Ok(frame)
}

/// One reply frame's body (without its size), waiting at most `wait`.
pub async fn read<S: AsyncRead + Unpin>(
    stream: &mut S,
    wait: Duration,
) -> Result<Vec<u8>, WireError> {
    let timed_out = || WireError::Connection(format!("no reply within {}s", wait.as_secs_f32()));
    tokio::time::timeout(wait, read_unbounded_wait(stream))
        .await
        .map_err(|_| timed_out())?
}

async fn read_unbounded_wait<S: AsyncRead + Unpin>(stream: &mut S) -> Result<Vec<u8>, WireError> {
    let mut size = [0u8; 4];
    stream.read_exact(&mut size).await.map_err(closed)?;
    let size = i32::from_be_bytes(size);
    let size = usize::try_from(size)
        .ok()
        .filter(|s| *s <= MAX_FRAME)
        .ok_or_else(|| {
            WireError::Reply(format!("frame size {size} (most accepted: {MAX_FRAME})"))
        })?;
    let mut body = vec![0u8; size];
    stream.read_exact(&mut body).await.map_err(closed)?;
    Ok(body)
}

fn closed(e: std::io::Error) -> WireError {
    WireError::Connection(format!("reading a reply: {e}"))
}

/// Decodes a reply body to `R::Response` of `version`, after checking its
/// correlation id and that its bytes hold `shape` in full.
pub fn decode<R: Request>(
    body: &[u8],
    version: i16,
    correlation_id: i32,
    shape: &[Field],
) -> Result<R::Response, WireError> {
    let bad = |why: String| WireError::Reply(why);
    let mut buf = body;
    let header = ResponseHeader::decode(&mut buf, R::Response::header_version(version))
        .map_err(|e| bad(format!("header: {e}")))?;
    if header.correlation_id != correlation_id {
        return Err(bad(format!(
            "reply to request {} where {correlation_id} was expected",
            header.correlation_id
        )));
    }
    check(buf, shape).map_err(bad)?;
    R::Response::decode(&mut buf, version).map_err(|e| bad(format!("{e}")))
}

#[cfg(test)]
mod tests {
    use super::super::versions::API_VERSIONS_V0;
    use super::*;
    use kafka_protocol::messages::ApiVersionsRequest;

    fn reply(body: &[u8]) -> Vec<u8> {
        let mut frame = (body.len() as i32).to_be_bytes().to_vec();
        frame.extend_from_slice(body);
        frame
    }

    async fn read_from(bytes: Vec<u8>) -> Result<Vec<u8>, WireError> {
        read(&mut bytes.as_slice(), Duration::from_secs(1)).await
    }

    fn decode_api_versions(body: &[u8]) -> Result<(), WireError> {
        decode::<ApiVersionsRequest>(body, 0, 7, API_VERSIONS_V0).map(|_| ())
    }

    #[test]
    fn a_good_reply_decodes() {
        // Correlation 7, no error, one API: key 9, versions 0..8.
        let body = [0, 0, 0, 7, 0, 0, 0, 0, 0, 1, 0, 9, 0, 0, 0, 8];
        let r = decode::<ApiVersionsRequest>(&body, 0, 7, API_VERSIONS_V0).unwrap();
        assert_eq!(r.api_keys.len(), 1);
        assert_eq!((r.api_keys[0].api_key, r.api_keys[0].max_version), (9, 8));
    }

    #[test]
    fn garbage_truncated_and_lying_replies_are_errors() {
        for body in [
            &b"\x00\x00\x00\x07garbage!"[..],
            &[0, 0, 0, 7, 0, 0, 0, 0, 0, 1, 0, 9][..],
            &[0, 0, 0, 7, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0, 9, 0, 0, 0, 8][..],
            &[0, 0][..],
        ] {
            assert!(
                matches!(decode_api_versions(body), Err(WireError::Reply(_))),
                "{body:?}"
            );
        }
        let other = [0, 0, 0, 8, 0, 0, 0, 0, 0, 0];
        assert!(decode_api_versions(&other).is_err());
    }

    #[tokio::test]
    async fn oversized_negative_and_cut_frames_are_errors() {
        let huge = ((MAX_FRAME + 1) as i32).to_be_bytes().to_vec();
        assert!(matches!(read_from(huge).await, Err(WireError::Reply(_))));
        let negative = (-5i32).to_be_bytes().to_vec();
        assert!(matches!(
            read_from(negative).await,
            Err(WireError::Reply(_))
        ));
        let mut cut = reply(b"0123456789");
        cut.truncate(8);
        assert!(matches!(
            read_from(cut).await,
            Err(WireError::Connection(_))
        ));
        assert_eq!(read_from(reply(b"ok")).await, Ok(b"ok".to_vec()));
    }

    #[tokio::test]
    async fn a_silent_broker_times_out() {
        let (mut ours, _theirs) = tokio::io::duplex(64);
        let got = read(&mut ours, Duration::from_millis(50)).await;
        assert!(matches!(got, Err(WireError::Connection(ref w)) if w.contains("no reply")));
    }
}
