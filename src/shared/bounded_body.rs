//! Reading an HTTP reply body with a bound: a misbehaving endpoint (an
//! endless stream, a proxy's huge page) is read up to the bound and the
//! connection dropped, never read whole into memory and cut afterwards.

use http_body_util::BodyExt;

/// A body read up to a bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capped {
    /// At most the bound.
    pub bytes: Vec<u8>,
    /// The body went on past the bound; the rest was not read.
    pub cut: bool,
}

impl Capped {
    /// Says a reply was cut, for an error text.
    pub fn cut_note(&self) -> String {
        format!(
            "the reply is larger than {} [cut at {} bytes], not read",
            size(self.bytes.len()),
            self.bytes.len()
        )
    }
}

/// Reads `body` until it ends or `max` bytes are in; then stops reading
/// (dropping `body` closes the connection).
pub async fn read_capped<B>(mut body: B, max: usize) -> Result<Capped, B::Error>
where
    B: BodyExt + Unpin,
    B::Data: AsRef<[u8]>,
{
    let mut bytes = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue; // trailers
        };
        let chunk = data.as_ref();
        let room = max - bytes.len();
        if chunk.len() > room {
            bytes.extend_from_slice(&chunk[..room]);
            return Ok(Capped { bytes, cut: true });
        }
        bytes.extend_from_slice(chunk);
    }
    Ok(Capped { bytes, cut: false })
}

/// `4194304` → "4 MiB" (bounds are whole MiB or KiB).
fn size(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::Full;

    #[tokio::test]
    async fn a_small_body_is_read_whole() {
        let got = read_capped(Full::new(&b"hello"[..]), 10).await.unwrap();
        assert_eq!(
            got,
            Capped {
                bytes: b"hello".to_vec(),
                cut: false
            }
        );
        let exact = read_capped(Full::new(&b"12345"[..]), 5).await.unwrap();
        assert!(!exact.cut);
    }

    #[tokio::test]
    async fn a_longer_body_is_cut_at_the_bound() {
        let body = vec![b'z'; (4 << 20) + 1];
        let got = read_capped(Full::new(&body[..]), 4 << 20).await.unwrap();
        assert!(got.cut);
        assert_eq!(got.bytes.len(), 4 << 20);
        assert_eq!(
            got.cut_note(),
            "the reply is larger than 4 MiB [cut at 4194304 bytes], not read"
        );
    }
}
