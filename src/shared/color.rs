//! Colour names in theme files, and fitting colours to what the terminal can show.

use ratatui::style::Color;

/// How many colours the terminal advertises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ColorSupport {
    /// `NO_COLOR` or a dumb terminal: modifiers only.
    Mono,
    Ansi16,
    Ansi256,
    TrueColor,
}

impl ColorSupport {
    /// From `NO_COLOR`, `COLORTERM` and `TERM` (values passed in, for tests).
    pub fn detect(no_color: Option<&str>, colorterm: Option<&str>, term: Option<&str>) -> Self {
        if no_color.is_some_and(|v| !v.is_empty()) {
            return ColorSupport::Mono;
        }
        if matches!(colorterm, Some("truecolor" | "24bit")) {
            return ColorSupport::TrueColor;
        }
        match term {
            Some("dumb") => ColorSupport::Mono,
            Some(t) if t.contains("256color") || t.contains("direct") => ColorSupport::Ansi256,
            _ => ColorSupport::Ansi16,
        }
    }

    pub fn from_env() -> Self {
        let var = |k| std::env::var(k).ok();
        Self::detect(
            var("NO_COLOR").as_deref(),
            var("COLORTERM").as_deref(),
            var("TERM").as_deref(),
        )
    }
}

/// Parses `red`, `lightblue`, `#1e90ff`, `reset`.
pub fn parse_color(s: &str) -> Result<Color, String> {
    if let Some(hex) = s.strip_prefix('#') {
        if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            let v = u32::from_str_radix(hex, 16).map_err(|e| e.to_string())?;
            return Ok(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
        }
        return Err(format!("bad colour {s:?}: expected #rrggbb"));
    }
    let c = match s.to_ascii_lowercase().replace(['_', '-', ' '], "").as_str() {
        "reset" | "default" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" => Color::Gray,
        "darkgray" | "darkgrey" => Color::DarkGray,
        "lightred" => Color::LightRed,
        "lightgreen" => Color::LightGreen,
        "lightyellow" => Color::LightYellow,
        "lightblue" => Color::LightBlue,
        "lightmagenta" => Color::LightMagenta,
        "lightcyan" => Color::LightCyan,
        "white" => Color::White,
        _ => {
            return Err(format!(
                "unknown colour {s:?}: use a name like red or #rrggbb"
            ));
        }
    };
    Ok(c)
}

/// The 16 ANSI colours with the RGB values xterm uses for them.
const ANSI16: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

/// Fits a colour to the terminal: nearest of 16 or 256, or none in mono.
pub fn fit(color: Color, support: ColorSupport) -> Color {
    match (support, color) {
        (_, Color::Reset) => Color::Reset,
        (ColorSupport::Mono, _) => Color::Reset,
        (ColorSupport::TrueColor, c) => c,
        (ColorSupport::Ansi256, Color::Rgb(r, g, b)) => Color::Indexed(nearest_256(r, g, b)),
        (ColorSupport::Ansi256, c) => c,
        (ColorSupport::Ansi16, Color::Rgb(r, g, b)) => nearest_16(r, g, b),
        (ColorSupport::Ansi16, Color::Indexed(i)) => {
            let (r, g, b) = rgb_of_index(i);
            nearest_16(r, g, b)
        }
        (ColorSupport::Ansi16, c) => c,
    }
}

fn dist(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).pow(2) as u32;
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)
}

fn nearest_16(r: u8, g: u8, b: u8) -> Color {
    ANSI16
        .iter()
        .min_by_key(|(_, rgb)| dist(*rgb, (r, g, b)))
        .map(|(c, _)| *c)
        .unwrap_or(Color::Reset)
}

const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

fn rgb_of_index(i: u8) -> (u8, u8, u8) {
    match i {
        0..=15 => ANSI16[usize::from(i)].1,
        16..=231 => {
            let i = i - 16;
            (
                CUBE[usize::from(i / 36)],
                CUBE[usize::from(i / 6 % 6)],
                CUBE[usize::from(i % 6)],
            )
        }
        _ => {
            let v = 8 + 10 * (i - 232);
            (v, v, v)
        }
    }
}

fn nearest_256(r: u8, g: u8, b: u8) -> u8 {
    (16..=255u8)
        .min_by_key(|&i| dist(rgb_of_index(i), (r, g, b)))
        .unwrap_or(16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_what_the_environment_advertises() {
        assert_eq!(
            ColorSupport::detect(Some("1"), Some("truecolor"), None),
            ColorSupport::Mono
        );
        assert_eq!(
            ColorSupport::detect(Some(""), Some("truecolor"), None),
            ColorSupport::TrueColor
        );
        assert_eq!(
            ColorSupport::detect(None, None, Some("tmux-256color")),
            ColorSupport::Ansi256
        );
        assert_eq!(
            ColorSupport::detect(None, None, Some("xterm")),
            ColorSupport::Ansi16
        );
        assert_eq!(
            ColorSupport::detect(None, None, Some("dumb")),
            ColorSupport::Mono
        );
    }

    #[test]
    fn rgb_falls_back_to_the_nearest_ansi_colour() {
        assert_eq!(
            fit(Color::Rgb(220, 30, 30), ColorSupport::Ansi16),
            Color::Red
        );
        assert_eq!(
            fit(Color::Rgb(250, 250, 250), ColorSupport::Ansi16),
            Color::White
        );
        assert_eq!(
            fit(Color::Indexed(196), ColorSupport::Ansi16),
            Color::LightRed
        );
        assert_eq!(
            fit(Color::Rgb(255, 0, 0), ColorSupport::Ansi256),
            Color::Indexed(196)
        );
        assert_eq!(fit(Color::Red, ColorSupport::Mono), Color::Reset);
    }

    #[test]
    fn colour_names_parse() {
        assert_eq!(parse_color("light_red").unwrap(), Color::LightRed);
        assert_eq!(parse_color("#ff8000").unwrap(), Color::Rgb(255, 128, 0));
        assert!(parse_color("#ff80").is_err());
        assert!(parse_color("chartreuse").is_err());
    }
}
