//! The time axis every `query_range` is asked on.

/// The time axis of a query: column `i` is the sample at `start + i * step`
/// (unix seconds), as `query_range` evaluates it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Columns {
    pub start: f64,
    pub step: f64,
    pub count: usize,
}

impl Columns {
    /// `count` columns of `step` seconds, the last one at or before `now`
    /// and aligned to the step so successive polls keep the same columns.
    pub fn ending_at(now: f64, step: f64, count: usize) -> Columns {
        let end = (now / step).floor() * step;
        Columns {
            start: end - step * count.saturating_sub(1) as f64,
            step,
            count,
        }
    }

    pub fn end(&self) -> f64 {
        self.start + self.step * self.count.saturating_sub(1) as f64
    }

    /// The column a sample at `ts` belongs to; `None` outside the axis.
    pub fn index_of(&self, ts: f64) -> Option<usize> {
        if self.step <= 0.0 {
            return None;
        }
        // Rounded: timestamps are floats and may miss the step by a hair.
        let i = ((ts - self.start) / self.step).round();
        (i >= 0.0 && i < self.count as f64).then_some(i as usize)
    }

    /// The timestamp of column `i`.
    pub fn time_of(&self, i: usize) -> f64 {
        self.start + self.step * i as f64
    }
}
