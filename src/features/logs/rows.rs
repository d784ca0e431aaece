//! Which lines of the buffer pass the filters: their sequence numbers, 4
//! bytes each. A buffer never holds 2^32 lines, so the low 32 bits and the
//! oldest line's number give the whole number back.

use std::collections::VecDeque;

#[derive(Debug, Clone, Default)]
pub struct Rows {
    low: VecDeque<u32>,
    /// Rows there can be at most (the buffer's lines): room grows to it
    /// and not past it.
    limit: usize,
}

/// Room a growing list starts with.
const FIRST_ROOM: usize = 1024;

impl Rows {
    pub fn with_limit(limit: usize) -> Rows {
        Rows {
            low: VecDeque::new(),
            limit,
        }
    }

    /// The rows of `seqs` (ascending), at least `first_seq`.
    pub fn collect(limit: usize, seqs: impl Iterator<Item = u64>) -> Rows {
        let mut low: VecDeque<u32> = seqs.map(|seq| seq as u32).collect();
        low.shrink_to_fit();
        Rows { low, limit }
    }

    pub fn len(&self) -> usize {
        self.low.len()
    }

    pub fn is_empty(&self) -> bool {
        self.low.is_empty()
    }

    /// The sequence number of row `row`, given the oldest line's.
    pub fn get(&self, row: usize, first_seq: u64) -> Option<u64> {
        self.low.get(row).map(|&low| whole(low, first_seq))
    }

    pub fn push(&mut self, seq: u64) {
        if self.low.len() == self.low.capacity() {
            let room = (self.low.len() * 2).clamp(FIRST_ROOM, self.limit.max(FIRST_ROOM));
            self.low
                .reserve_exact(room.saturating_sub(self.low.len()).max(1));
        }
        self.low.push_back(seq as u32);
    }

    /// Drops the first row if it is line `seq`, the oldest; says whether it was.
    pub fn drop_oldest(&mut self, seq: u64) -> bool {
        if self.low.front() == Some(&(seq as u32)) {
            self.low.pop_front();
            return true;
        }
        false
    }

    /// How many rows are lines older than `seq`.
    pub fn before(&self, seq: u64, first_seq: u64) -> usize {
        self.low.partition_point(|&low| whole(low, first_seq) < seq)
    }
}

/// The whole sequence number whose low 32 bits are `low`, at or after
/// `first_seq` and less than 2^32 past it.
fn whole(low: u32, first_seq: u64) -> u64 {
    first_seq + u64::from(low.wrapping_sub(first_seq as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_past_32_bits_come_back_whole() {
        let first = u64::from(u32::MAX) - 2;
        let seqs = [first, first + 1, first + 3, first + 5, first + 1_000];
        let mut rows = Rows::with_limit(10);
        for seq in seqs {
            rows.push(seq);
        }
        let back: Vec<u64> = (0..rows.len()).filter_map(|r| rows.get(r, first)).collect();
        assert_eq!(back, seqs);
        assert_eq!(rows.before(first + 4, first), 3);
        assert!(!rows.drop_oldest(first + 1));
        assert!(rows.drop_oldest(first));
        assert_eq!(rows.get(0, first + 1), Some(first + 1));
        let collected = Rows::collect(10, seqs.into_iter());
        assert_eq!(collected.get(4, first), Some(first + 1_000));
    }

    #[test]
    fn room_grows_to_the_limit_and_not_past_it() {
        let limit = 5_000;
        let mut rows = Rows::with_limit(limit);
        for seq in 0..limit as u64 {
            rows.push(seq);
        }
        assert!(
            rows.low.capacity() <= limit + limit / 10,
            "{}",
            rows.low.capacity()
        );
    }
}
