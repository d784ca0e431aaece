//! Numbers as Java's `Float.toString` and `Double.toString` write them:
//! resilience4j builds its rates with `rate + "%"` (`"50.0%"`,
//! `"33.333332%"`, `"-1.0%"`) and Micrometer's exposition prints doubles
//! the same way (`1204.0`, `1.0E7`).

/// A Java `float` as text; `f32` keeps resilience4j's float digits.
pub fn float(value: f32) -> String {
    if !value.is_finite() {
        return non_finite(value.is_nan(), value < 0.0);
    }
    decimal(&format!("{value:e}"))
}

/// A Java `double` as text.
pub fn double(value: f64) -> String {
    if !value.is_finite() {
        return non_finite(value.is_nan(), value < 0.0);
    }
    decimal(&format!("{value:e}"))
}

fn non_finite(nan: bool, negative: bool) -> String {
    match (nan, negative) {
        (true, _) => "NaN".to_owned(),
        (false, true) => "-Infinity".to_owned(),
        (false, false) => "Infinity".to_owned(),
    }
}

/// Rewrites Rust's shortest round-trip digits (`{:e}`, e.g. `-3.3333332e1`)
/// in Java's layout: plain with at least one fraction digit from 10^-3 up
/// to 10^7, `d.dddE±n` outside. Both languages pick the shortest digits.
fn decimal(scientific: &str) -> String {
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("`{:e}` always writes an exponent");
    let exponent: i64 = exponent.parse().expect("`{:e}` writes an integer exponent");
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if !(-3..7).contains(&exponent) {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        return format!("{sign}{first}.{rest}E{exponent}");
    }
    // How many of the digits stand before the decimal point.
    let whole = exponent + 1;
    let count = i64::try_from(digits.len()).expect("a float has few digits");
    if whole <= 0 {
        let zeros = "0".repeat(usize::try_from(-whole).expect("whole is at most 0"));
        format!("{sign}0.{zeros}{digits}")
    } else if whole >= count {
        let zeros = "0".repeat(usize::try_from(whole - count).expect("whole exceeds count"));
        format!("{sign}{digits}{zeros}.0")
    } else {
        let split = usize::try_from(whole).expect("whole is positive");
        format!("{sign}{}.{}", &digits[..split], &digits[split..])
    }
}
