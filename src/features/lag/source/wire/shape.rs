//! A walk over a reply's bytes before `kafka-protocol` decodes it. The
//! crate sizes each array from the count the bytes claim
//! (`Vec::with_capacity`), so a hostile count could ask for terabytes and
//! abort the process; the walk accepts a reply only when every array's
//! elements are really there, which bounds what decoding allocates by the
//! frame's size.

/// One field of a reply body, as the Kafka protocol lays it out.
#[derive(Debug, Clone, Copy)]
pub enum Field {
    I16,
    I32,
    I64,
    /// Non-flexible string (i16 length), null allowed.
    Str,
    /// Flexible string (unsigned varint length + 1), null allowed.
    CompactStr,
    /// Non-flexible array (i32 count) of elements with these fields.
    Array(&'static [Field]),
    /// Flexible array (unsigned varint count + 1).
    CompactArray(&'static [Field]),
    /// A flexible struct's tagged fields.
    Tags,
}

/// `Ok` when `body` holds `fields` in full; otherwise where it did not.
pub fn check(body: &[u8], fields: &[Field]) -> Result<(), String> {
    let mut walk = Walk { bytes: body, at: 0 };
    walk.fields(fields)
}

struct Walk<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Walk<'_> {
    fn fields(&mut self, fields: &[Field]) -> Result<(), String> {
        fields.iter().try_for_each(|f| self.field(*f))
    }

    fn field(&mut self, field: Field) -> Result<(), String> {
        match field {
            Field::I16 => self.skip(2),
            Field::I32 => self.skip(4),
            Field::I64 => self.skip(8),
            Field::Str => {
                let len = i16::from_be_bytes(self.take::<2>()?);
                // -1 is null; other negative lengths are malformed.
                match usize::try_from(len) {
                    Ok(n) => self.skip(n),
                    Err(_) if len == -1 => Ok(()),
                    Err(_) => Err(self.bad("negative string length")),
                }
            }
            Field::CompactStr => match self.varint()? {
                0 => Ok(()),
                n => self.skip(n - 1),
            },
            Field::Array(element) => {
                let count = i32::from_be_bytes(self.take::<4>()?);
                match usize::try_from(count) {
                    Ok(n) => self.elements(n, element),
                    Err(_) if count == -1 => Ok(()),
                    Err(_) => Err(self.bad("negative array length")),
                }
            }
            Field::CompactArray(element) => match self.varint()? {
                0 => Ok(()),
                n => self.elements(n - 1, element),
            },
            Field::Tags => {
                let count = self.varint()?;
                for _ in 0..count {
                    self.varint()?;
                    let size = self.varint()?;
                    self.skip(size)?;
                }
                Ok(())
            }
        }
    }

    fn elements(&mut self, count: usize, element: &[Field]) -> Result<(), String> {
        // Every element takes at least one byte: a count past the bytes
        // left is a lie, found before walking it.
        if count > self.bytes.len() - self.at {
            return Err(self.bad(&format!("array of {count} elements")));
        }
        (0..count).try_for_each(|_| self.fields(element))
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let start = self.at;
        self.skip(N)?;
        self.bytes
            .get(start..start + N)
            .and_then(|s| <[u8; N]>::try_from(s).ok())
            .ok_or_else(|| self.bad("truncated"))
    }

    fn skip(&mut self, n: usize) -> Result<(), String> {
        match self.at.checked_add(n) {
            Some(end) if end <= self.bytes.len() => {
                self.at = end;
                Ok(())
            }
            _ => Err(self.bad("truncated")),
        }
    }

    /// An unsigned varint of at most five bytes, as the protocol's are.
    fn varint(&mut self) -> Result<usize, String> {
        let mut value: u64 = 0;
        for i in 0..5 {
            let [b] = self.take::<1>()?;
            value |= u64::from(b & 0x7f) << (7 * i);
            if b < 0x80 {
                return usize::try_from(value).map_err(|_| self.bad("varint too large"));
            }
        }
        Err(self.bad("varint longer than five bytes"))
    }

    fn bad(&self, what: &str) -> String {
        format!("{what} at byte {} of {}", self.at, self.bytes.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAIR: &[Field] = &[Field::I16, Field::Str];

    #[test]
    fn a_whole_body_passes() {
        // One element: 7, "ab"; then a null array.
        let body = [0, 0, 0, 1, 0, 7, 0, 2, b'a', b'b', 0xff, 0xff, 0xff, 0xff];
        assert_eq!(
            check(&body, &[Field::Array(PAIR), Field::Array(PAIR)]),
            Ok(())
        );
    }

    #[test]
    fn a_count_past_the_bytes_is_refused_before_walking() {
        let body = [0x7f, 0xff, 0xff, 0xff, 0, 7];
        let err = check(&body, &[Field::Array(PAIR)]).unwrap_err();
        assert!(err.contains("array of 2147483647 elements"), "{err}");
        let compact = [0xff, 0xff, 0xff, 0xff, 0x0f];
        assert!(check(&compact, &[Field::CompactArray(PAIR)]).is_err());
    }

    #[test]
    fn truncated_and_negative_lengths_are_refused() {
        assert!(check(&[0, 0, 0, 1, 0, 7, 0, 5, b'a'], &[Field::Array(PAIR)]).is_err());
        assert!(check(&[0xff, 0xfe], &[Field::Str]).is_err());
        assert!(check(&[0xff, 0xff, 0xff, 0xfe], &[Field::Array(PAIR)]).is_err());
        assert!(check(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x01], &[Field::Tags]).is_err());
    }
}
