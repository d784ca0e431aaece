//! Splitting a log stream into lines with a bound on each: a container that
//! writes megabytes without a newline (a binary dump, a minified blob)
//! must not grow opsdeck's memory with it, nor stop the lines after it.

use futures::{AsyncBufRead, AsyncBufReadExt};

/// The longest log line kept, in bytes. A JSON line with a Java stack trace
/// is a few KiB; past 64 KiB a line is not read on a terminal anyway, and
/// 64 KiB times the lines a batch holds stays a few tens of MiB at worst.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Reads lines of at most `max` bytes. A longer line is cut there and
/// handed on at once, flagged `cut`; the rest of it, up to its newline, is
/// skipped as it arrives, never held.
///
/// Cancel-safe: what a cancelled `next` has read stays in the reader, so a
/// read under a timeout loses nothing.
#[derive(Debug)]
pub struct LineReader {
    max: usize,
    line: Vec<u8>,
    /// The line in `line` was handed out; clear it before reading on.
    taken: bool,
    /// Inside the cut-off rest of a too-long line.
    skipping: bool,
}

impl LineReader {
    pub fn new(max: usize) -> LineReader {
        LineReader {
            max,
            line: Vec::new(),
            taken: false,
            skipping: false,
        }
    }

    /// What to add to a line that was cut, to say so.
    pub fn cut_mark(&self) -> String {
        format!(" [line cut at {} bytes]", self.max)
    }

    /// The next line without its `\n` (or `\r\n`); `None` at the end of the
    /// stream. A last line without a newline is still a line.
    pub async fn next<R>(&mut self, reader: &mut R) -> std::io::Result<Option<Line<'_>>>
    where
        R: AsyncBufRead + Unpin,
    {
        if self.taken {
            self.line.clear();
            self.taken = false;
        }
        loop {
            let chunk = reader.fill_buf().await?;
            if chunk.is_empty() {
                self.skipping = false;
                if self.line.is_empty() {
                    return Ok(None);
                }
                return Ok(Some(self.take(false)));
            }
            let newline = memchr::memchr(b'\n', chunk);
            let through = newline.map_or(chunk.len(), |i| i + 1);
            if self.skipping {
                reader.consume_unpin(through);
                self.skipping = newline.is_none();
                continue;
            }
            let part = &chunk[..newline.unwrap_or(chunk.len())];
            let room = self.max - self.line.len();
            if part.len() > room {
                self.line.extend_from_slice(&part[..room]);
                reader.consume_unpin(through);
                self.skipping = newline.is_none();
                return Ok(Some(self.take(true)));
            }
            self.line.extend_from_slice(part);
            reader.consume_unpin(through);
            if newline.is_some() {
                return Ok(Some(self.take(false)));
            }
        }
    }

    /// The line read so far, its `\r` dropped, cleared on the next call.
    fn take(&mut self, cut: bool) -> Line<'_> {
        self.taken = true;
        let bytes = if cut {
            &self.line
        } else {
            self.line.strip_suffix(b"\r").unwrap_or(&self.line)
        };
        Line { bytes, cut }
    }
}

/// One line as read: its bytes, and whether it went on past the bound.
#[derive(Debug, PartialEq, Eq)]
pub struct Line<'a> {
    pub bytes: &'a [u8],
    pub cut: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    /// `prefix`, then `filler` bytes of `x` with no newline, then `suffix`,
    /// handed out 8 KiB at a time and never held whole.
    struct Generated {
        prefix: Vec<u8>,
        filler: usize,
        suffix: Vec<u8>,
        at: usize,
        chunk: Vec<u8>,
        served: usize,
    }

    impl Generated {
        fn new(prefix: &str, filler: usize, suffix: &str) -> Generated {
            Generated {
                prefix: prefix.as_bytes().to_vec(),
                filler,
                suffix: suffix.as_bytes().to_vec(),
                at: 0,
                chunk: Vec::new(),
                served: 0,
            }
        }

        fn len(&self) -> usize {
            self.prefix.len() + self.filler + self.suffix.len()
        }

        fn refill(&mut self) {
            let filler_end = self.prefix.len() + self.filler;
            self.chunk.clear();
            while self.chunk.len() < 8192 && self.at < self.len() {
                let byte = if self.at < self.prefix.len() {
                    self.prefix[self.at]
                } else if self.at < filler_end {
                    b'x'
                } else {
                    self.suffix[self.at - filler_end]
                };
                self.chunk.push(byte);
                self.at += 1;
            }
            self.served = 0;
        }
    }

    impl futures::AsyncRead for Generated {
        fn poll_read(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            _: &mut [u8],
        ) -> Poll<std::io::Result<usize>> {
            unreachable!("read through AsyncBufRead")
        }
    }

    impl AsyncBufRead for Generated {
        fn poll_fill_buf(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<std::io::Result<&[u8]>> {
            let this = self.get_mut();
            if this.served == this.chunk.len() {
                this.refill();
            }
            Poll::Ready(Ok(&this.chunk[this.served..]))
        }

        fn consume(self: Pin<&mut Self>, amt: usize) {
            self.get_mut().served += amt;
        }
    }

    async fn all_lines(reader: &mut (impl AsyncBufRead + Unpin), max: usize) -> Vec<String> {
        let mut lines = LineReader::new(max);
        let mut out = Vec::new();
        while let Some(line) = lines.next(reader).await.unwrap() {
            let mark = if line.cut { "[cut]" } else { "" };
            out.push(format!("{}{mark}", String::from_utf8_lossy(line.bytes)));
        }
        out
    }

    #[tokio::test]
    async fn lines_split_on_newlines_and_the_last_needs_none() {
        let mut reader = futures::io::Cursor::new(b"one\r\ntwo\n\nthree".to_vec());
        assert_eq!(
            all_lines(&mut reader, 100).await,
            ["one", "two", "", "three"]
        );
    }

    #[tokio::test]
    async fn a_line_of_megabytes_is_cut_marked_and_the_next_lines_arrive() {
        let mut reader = Generated::new("start\nbig:", 8 << 20, "\nafter 1\nafter 2\n");
        let mut lines = LineReader::new(MAX_LINE_BYTES);
        let mut got = Vec::new();
        let mut largest = 0;
        while let Some(line) = lines.next(&mut reader).await.unwrap() {
            got.push((line.bytes.to_vec(), line.cut));
            largest = largest.max(lines.line.capacity());
        }
        assert_eq!(got.len(), 4, "start, the cut line, after 1, after 2");
        assert_eq!(got[0], (b"start".to_vec(), false));
        let (cut, flagged) = &got[1];
        assert!(flagged);
        assert_eq!(cut.len(), MAX_LINE_BYTES);
        assert!(cut.starts_with(b"big:xxxx"));
        assert_eq!(got[2], (b"after 1".to_vec(), false));
        assert_eq!(got[3], (b"after 2".to_vec(), false));
        assert_eq!(lines.cut_mark(), " [line cut at 65536 bytes]");
        // What was held never grew with the 8 MiB line.
        assert!(largest <= 2 * MAX_LINE_BYTES, "{largest}");
    }

    #[tokio::test]
    async fn a_stream_that_ends_inside_a_long_line_ends() {
        let mut reader = Generated::new("", 1 << 20, "");
        let lines = all_lines(&mut reader, 1000).await;
        assert_eq!(lines, [format!("{}[cut]", "x".repeat(1000))]);
    }

    #[tokio::test]
    async fn a_line_of_exactly_the_bound_is_whole() {
        let text = format!("{}\nnext\n", "y".repeat(10));
        let mut reader = futures::io::Cursor::new(text.into_bytes());
        assert_eq!(
            all_lines(&mut reader, 10).await,
            ["y".repeat(10), "next".into()]
        );
    }

    #[tokio::test]
    async fn a_read_cancelled_mid_line_loses_nothing() {
        // The line arrives in two halves with a pause between: a timeout
        // that fires in between must not drop the first half.
        let (tx, rx) = futures::channel::mpsc::unbounded::<std::io::Result<Vec<u8>>>();
        let mut reader = futures::TryStreamExt::into_async_read(rx);
        let mut lines = LineReader::new(100);
        tx.unbounded_send(Ok(b"hello ".to_vec())).unwrap();
        let first = tokio::time::timeout(
            std::time::Duration::from_millis(20),
            lines.next(&mut reader),
        )
        .await;
        assert!(first.is_err(), "no newline yet");
        tx.unbounded_send(Ok(b"world\n".to_vec())).unwrap();
        let line = lines.next(&mut reader).await.unwrap().unwrap();
        assert_eq!(line.bytes, b"hello world");
    }
}
