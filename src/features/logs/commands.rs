//! What the Logs tab's own commands do to the buffer: levels, search,
//! next error, pivot, copy, and the `:logs` arguments. Whatever needs the
//! pods (which pods a scope follows) is the shell's join, `app/logs.rs`.

use super::line::Level;
use super::model::{LevelFilter, Logs, plain};
use super::source::LogOptions;
use super::store::LineRef;

/// Copies larger than this are refused: terminals cap OSC 52 payloads.
const MAX_COPY_BYTES: usize = 100_000;

impl Logs {
    /// `:level e|w|i|a`; the error names the choices.
    pub fn set_level_named(&mut self, which: &str) -> Result<(), String> {
        let level = match which {
            "e" | "error" | "errors" => LevelFilter::ErrorOnly,
            "w" | "warn" => LevelFilter::WarnAndUp,
            "i" | "info" => LevelFilter::InfoAndUp,
            "a" | "all" => LevelFilter::All,
            other => return Err(format!("no level {other:?}: e, w, i or a")),
        };
        self.set_level(level);
        Ok(())
    }

    /// `n` / `N`: the next (or previous) line the search matches, pausing
    /// the follow. The error says why the view did not move.
    pub fn find_next(&mut self, forward: bool, rows: usize) -> Result<(), String> {
        if self.search.is_none() {
            return Err("no search: press f".into());
        }
        self.jump(forward, "match", rows, |logs, l| logs.search_hit(l))
    }

    /// `] e`: the next error or fatal line.
    pub fn next_error(&mut self, rows: usize) -> Result<(), String> {
        self.jump(true, "error", rows, |_, l| {
            matches!(l.level(), Level::Error | Level::Fatal)
        })
    }

    fn jump(
        &mut self,
        forward: bool,
        what: &str,
        rows: usize,
        pred: impl Fn(&Logs, &LineRef<'_>) -> bool,
    ) -> Result<(), String> {
        let row = self
            .find_row(forward, |l| pred(self, l))
            .ok_or_else(|| format!("no {what}"))?;
        self.pause();
        self.cursor.selected = row;
        self.cursor.scroll_into_view(rows);
        Ok(())
    }

    /// `c`: only the selected line's request across pods, or every line
    /// again. Says what it did.
    pub fn toggle_pivot(&mut self) -> String {
        if self.correlation.is_some() {
            self.pivot(None);
            return "showing every request again".into();
        }
        match self
            .selected()
            .and_then(|l| l.correlation().map(str::to_owned))
        {
            Some(id) => {
                let text = format!("following request {id} across pods (c again to stop)");
                self.pivot(Some(id));
                text
            }
            None => "this line carries no correlation, request or trace id".into(),
        }
    }

    /// `y` (the selected line) or `Y` (every visible line) as text for the
    /// clipboard; `None` when nothing is selected, an error when too large.
    pub fn clipboard(&self, everything: bool) -> Result<Option<String>, String> {
        let text = if everything {
            self.visible_text()
        } else {
            match self.selected() {
                Some(l) => plain(&l),
                None => return Ok(None),
            }
        };
        if text.len() > MAX_COPY_BYTES {
            return Err(format!(
                "{} bytes is too much for the clipboard: s saves to a file",
                text.len()
            ));
        }
        Ok(Some(text))
    }
}

/// What `:logs` follows and how: the target (`deploy/x`, `pod/x`,
/// `-l k=v` or `all`), the container, and the stream's options.
pub type LogsArgs = (String, (Option<String>, LogOptions));

/// `deploy/x -c app --previous --since 5m --tail 100` → target and options.
pub fn parse_logs_args(args: &str) -> Result<LogsArgs, String> {
    let mut target = None;
    let mut container = None;
    let mut options = LogOptions::default();
    let mut words = args.split_whitespace();
    while let Some(w) = words.next() {
        match w {
            "--previous" | "-p" => options.previous = true,
            "-c" | "--container" => {
                container = Some(words.next().ok_or("-c needs a container name")?.to_string())
            }
            "--since" => {
                options.since_seconds = Some(duration_secs(
                    words.next().ok_or("--since needs 1m, 5m, 15m, 1h...")?,
                )?)
            }
            "--tail" => {
                let n = words.next().ok_or("--tail needs a number")?;
                options.tail_lines = Some(
                    n.parse()
                        .map_err(|_| format!("--tail needs a number, not {n:?}"))?,
                );
            }
            "-l" => {
                let sel = words.next().ok_or("-l needs a selector like app=payment")?;
                target = Some(format!("-l {sel}"));
            }
            other if target.is_none() => target = Some(other.to_string()),
            other => {
                return Err(format!(
                    "unexpected {other:?}: :logs deploy/NAME [-c CONTAINER] [--previous] [--since 5m] [--tail N]"
                ));
            }
        }
    }
    Ok((target.unwrap_or_else(|| "all".into()), (container, options)))
}

fn duration_secs(text: &str) -> Result<i64, String> {
    let bad = || format!("bad duration {text:?}: use 30s, 5m, 1h");
    let (n, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
    let n: i64 = n.parse().map_err(|_| bad())?;
    match unit {
        "s" => Ok(n),
        "m" => Ok(n * 60),
        "h" => Ok(n * 3600),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_arguments_like_stern_and_kubectl() {
        let (target, (container, o)) =
            parse_logs_args("deploy/order-service -c app --since 5m --tail 50").unwrap();
        assert_eq!(
            (target.as_str(), container.as_deref()),
            ("deploy/order-service", Some("app"))
        );
        assert_eq!(
            (o.since_seconds, o.tail_lines, o.previous),
            (Some(300), Some(50), false)
        );
        let (target, (_, o)) = parse_logs_args("-l app=payment --previous").unwrap();
        assert_eq!(target, "-l app=payment");
        assert!(o.previous);
        assert_eq!(parse_logs_args("").unwrap().0, "all");
        assert!(parse_logs_args("deploy/x --since 5 minutes").is_err());
        assert!(parse_logs_args("deploy/x pod/y").is_err());
    }
}
