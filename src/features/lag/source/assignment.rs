//! Decoding a consumer-protocol member assignment (the bytes DescribeGroups
//! returns per member): version i16, then [topic string, [partition i32]],
//! then user data. The layout is the same in every version so far.

use crate::features::lag::stats::TopicPartition;

/// A cursor over big-endian protocol fields; every read fails on short input.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }

    fn i16(&mut self) -> Option<i16> {
        self.take::<2>().map(i16::from_be_bytes)
    }

    fn i32(&mut self) -> Option<i32> {
        self.take::<4>().map(i32::from_be_bytes)
    }

    fn string(&mut self) -> Option<String> {
        let len = usize::try_from(self.i16()?).ok()?;
        let bytes = self.0.get(..len)?;
        self.0 = &self.0[len..];
        String::from_utf8(bytes.to_vec()).ok()
    }

    /// An array length; null (-1) reads as empty.
    fn count(&mut self) -> Option<usize> {
        let n = self.i32()?;
        if n < 0 {
            Some(0)
        } else {
            usize::try_from(n).ok()
        }
    }
}

/// The partitions in an assignment, sorted; `None` when the bytes are not a
/// consumer-protocol assignment.
pub fn decode_assignment(bytes: &[u8]) -> Option<Vec<TopicPartition>> {
    let mut r = Reader(bytes);
    let version = r.i16()?;
    if version < 0 {
        return None;
    }
    let topics = r.count()?;
    let mut out = Vec::new();
    for _ in 0..topics {
        let topic = r.string()?;
        let partitions = r.count()?;
        for _ in 0..partitions {
            out.push(TopicPartition::new(topic.clone(), r.i32()?));
        }
    }
    // User data follows; opsdeck has no use for it.
    out.sort();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds an assignment the way a Kafka client encodes one.
    fn encode(version: i16, topics: &[(&str, &[i32])], user_data: Option<&[u8]>) -> Vec<u8> {
        let mut b = version.to_be_bytes().to_vec();
        b.extend((topics.len() as i32).to_be_bytes());
        for (name, parts) in topics {
            b.extend((name.len() as i16).to_be_bytes());
            b.extend(name.as_bytes());
            b.extend((parts.len() as i32).to_be_bytes());
            for p in *parts {
                b.extend(p.to_be_bytes());
            }
        }
        match user_data {
            Some(d) => {
                b.extend((d.len() as i32).to_be_bytes());
                b.extend(d);
            }
            None => b.extend((-1i32).to_be_bytes()),
        }
        b
    }

    #[test]
    fn decodes_topics_and_partitions_sorted() {
        let bytes = encode(1, &[("payments", &[2, 0]), ("orders", &[1])], Some(b"x"));
        let got = decode_assignment(&bytes);
        assert_eq!(
            got,
            Some(vec![
                TopicPartition::new("orders", 1),
                TopicPartition::new("payments", 0),
                TopicPartition::new("payments", 2),
            ])
        );
    }

    #[test]
    fn empty_assignment_is_an_empty_list() {
        assert_eq!(decode_assignment(&encode(0, &[], None)), Some(vec![]));
    }

    #[test]
    fn truncated_or_foreign_bytes_are_none() {
        let bytes = encode(0, &[("orders", &[0, 1])], None);
        assert_eq!(decode_assignment(&bytes[..bytes.len() - 8]), None);
        assert_eq!(decode_assignment(&[0]), None);
        assert_eq!(decode_assignment(&[]), None);
        assert_eq!(decode_assignment(&[0xff, 0xff, 0, 0, 0, 0]), None);
    }
}
