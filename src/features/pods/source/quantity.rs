//! Kubernetes resource quantities (`250m`, `1`, `12345n`, `512Mi`, `1.5Gi`,
//! `1e3`) as exact integers, rounded up the way the API machinery's
//! `MilliValue()` and `Value()` round, so figures match `kubectl top`.

/// Nano-units in one unit (quantities are summed at this precision).
const NANO: u128 = 1_000_000_000;

/// A parsed quantity in billionths of its unit (nanocores, nanobytes).
/// Negative quantities are not representable: usage and limits never are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Nanos(pub u128);

impl Nanos {
    /// Thousandths of the unit, rounded up (CPU millicores).
    pub fn millis(self) -> u64 {
        u64::try_from(self.0.div_ceil(NANO / 1000)).unwrap_or(u64::MAX)
    }

    /// Whole units, rounded up (memory bytes).
    pub fn units(self) -> u64 {
        u64::try_from(self.0.div_ceil(NANO)).unwrap_or(u64::MAX)
    }

    pub fn saturating_add(self, other: Nanos) -> Nanos {
        Nanos(self.0.saturating_add(other.0))
    }
}

/// Parses a quantity; `None` for malformed, negative or absurdly large ones.
pub fn parse(text: &str) -> Option<Nanos> {
    let text = text.trim();
    let number_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(number_end);
    let (mantissa, fraction_digits) = parse_number(number)?;
    // value = mantissa * 10^exp10 * 1024^binary, in nano-units.
    let (exp10, binary): (i32, u32) = match suffix {
        "" => (0, 0),
        "n" => (-9, 0),
        "u" => (-6, 0),
        "m" => (-3, 0),
        "k" => (3, 0),
        "M" => (6, 0),
        "G" => (9, 0),
        "T" => (12, 0),
        "P" => (15, 0),
        "E" => (18, 0),
        "Ki" => (0, 1),
        "Mi" => (0, 2),
        "Gi" => (0, 3),
        "Ti" => (0, 4),
        "Pi" => (0, 5),
        "Ei" => (0, 6),
        exponent => {
            let digits = exponent.strip_prefix(['e', 'E'])?;
            (parse_exponent(digits)?, 0)
        }
    };
    let exp10 = exp10 + 9 - fraction_digits;
    let scaled = mantissa.checked_mul(1024u128.checked_pow(binary)?)?;
    if exp10 >= 0 {
        let factor = 10u128.checked_pow(u32::try_from(exp10).ok()?)?;
        scaled.checked_mul(factor).map(Nanos)
    } else {
        // Too small to matter once rounded up: anything non-zero is one nano.
        let divisor = 10u128
            .checked_pow(exp10.unsigned_abs())
            .unwrap_or(u128::MAX);
        Some(Nanos(scaled.div_ceil(divisor)))
    }
}

/// Digits with an optional sign and decimal point: the mantissa without the
/// point, and how many digits followed it.
fn parse_number(number: &str) -> Option<(u128, i32)> {
    let unsigned = match number.strip_prefix('-') {
        Some(rest) => {
            // "-0" is zero; any other negative quantity is refused.
            if rest.chars().all(|c| c == '0' || c == '.') && !rest.is_empty() {
                return Some((0, 0));
            }
            return None;
        }
        None => number.strip_prefix('+').unwrap_or(number),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let digits = format!("{whole}{fraction}");
    if !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 30 {
        return None;
    }
    let mantissa = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    Some((mantissa, i32::try_from(fraction.len()).ok()?))
}

fn parse_exponent(digits: &str) -> Option<i32> {
    let value: i32 = digits.parse().ok()?;
    (-40..=40).contains(&value).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(s: &str) -> u64 {
        parse(s).unwrap().millis()
    }

    fn bytes(s: &str) -> u64 {
        parse(s).unwrap().units()
    }

    #[test]
    fn cpu_quantities_in_millicores() {
        assert_eq!(millis("250m"), 250);
        assert_eq!(millis("1"), 1000);
        assert_eq!(millis("2.5"), 2500);
        assert_eq!(millis("0.1"), 100);
        assert_eq!(millis("498m"), 498);
        // metrics-server reports nanocores; kubectl rounds them up.
        assert_eq!(millis("12345678n"), 13);
        assert_eq!(millis("12345n"), 1);
        assert_eq!(millis("12000000n"), 12);
        assert_eq!(millis("1500u"), 2);
        assert_eq!(millis("0"), 0);
        assert_eq!(millis("1e3"), 1_000_000);
    }

    #[test]
    fn memory_quantities_in_bytes() {
        assert_eq!(bytes("512Mi"), 512 * 1024 * 1024);
        assert_eq!(bytes("1Gi"), 1 << 30);
        assert_eq!(bytes("1.5Gi"), 3 << 29);
        assert_eq!(bytes("123456Ki"), 123_456 * 1024);
        assert_eq!(bytes("129M"), 129_000_000);
        assert_eq!(bytes("1k"), 1000);
        assert_eq!(bytes("2E"), 2_000_000_000_000_000_000);
        assert_eq!(bytes("1Ei"), 1 << 60);
        assert_eq!(bytes("12e6"), 12_000_000);
        assert_eq!(bytes("12E6"), 12_000_000);
        assert_eq!(bytes("1500m"), 2, "a fraction of a byte rounds up");
        assert_eq!(bytes("+5"), 5);
    }

    #[test]
    fn malformed_quantities_are_refused() {
        for bad in [
            "", "m", "Mi", "12X", "1.2.3", "abc", "-5", "-1Gi", "1e", "1e99", "5 Mi",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        assert_eq!(parse("-0"), Some(Nanos(0)));
    }

    #[test]
    fn sums_keep_precision_before_rounding() {
        let a = parse("400000n").unwrap();
        let b = parse("700000n").unwrap();
        assert_eq!(a.millis() + b.millis(), 2);
        assert_eq!(a.saturating_add(b).millis(), 2);
        let c = parse("300000n").unwrap();
        assert_eq!(a.saturating_add(c).millis(), 1, "0.7m rounds up to 1m");
    }
}
