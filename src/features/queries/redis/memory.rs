//! Memory in use against `maxmemory`.

use super::info::Info;

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MemoryUse {
    pub used: u64,
    /// None when `maxmemory` is 0: no limit, Redis grows until the OS
    /// stops it.
    pub max: Option<u64>,
    /// used / max, when there is a limit.
    pub ratio: Option<f64>,
}

/// None when INFO did not say how much memory is used.
pub fn memory_use(info: &Info) -> Option<MemoryUse> {
    let used = info.used_memory?;
    let max = info.maxmemory.filter(|&m| m > 0);
    Some(MemoryUse {
        used,
        max,
        ratio: max.map(|m| used as f64 / m as f64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(used: Option<u64>, max: Option<u64>) -> Info {
        Info {
            used_memory: used,
            maxmemory: max,
            ..Info::default()
        }
    }

    #[test]
    fn ratio_against_the_limit() {
        let m = memory_use(&info(Some(750), Some(1000))).unwrap();
        assert_eq!(m.max, Some(1000));
        assert_eq!(m.ratio, Some(0.75));
    }

    #[test]
    fn zero_maxmemory_means_no_limit() {
        let m = memory_use(&info(Some(750), Some(0))).unwrap();
        assert_eq!((m.used, m.max, m.ratio), (750, None, None));
        assert_eq!(memory_use(&info(None, Some(10))), None);
    }
}
