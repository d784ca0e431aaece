//! The top line: scope, source badges, read-only, alerts, clock.

use crate::app::App;
use crate::core::health::Badge;
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let right = Line::from(right_spans(app));
    let room = usize::from(area.width).saturating_sub(right.width() + 1);
    let mut spans = left_spans(app, false);
    if Line::from(spans.clone()).width() > room {
        // Too many sources for the width: healthy ones are summed up so
        // the ones in trouble stay visible.
        spans = left_spans(app, true);
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(t.header), area);
    frame.render_widget(Paragraph::new(right).alignment(Alignment::Right), area);
}

/// The clock (a replay's is the recording's), after `REPLAY` or `REC`.
fn right_spans(app: &App) -> Vec<Span<'static>> {
    let t = &app.theme;
    let mut spans = Vec::new();
    if let Some(mark) = &app.replay {
        let state = if mark.ended.is_some() {
            "ended"
        } else if mark.paused {
            "paused"
        } else {
            "▶"
        };
        spans.push(Span::styled(
            format!(
                "REPLAY {} {state}  ",
                crate::app::replay::speed_label(mark.speed)
            ),
            t.warn,
        ));
    } else if app.options.replay {
        spans.push(Span::styled("REPLAY  ", t.warn));
    }
    spans.extend(room_span(app));
    if app.options.replay && !app.following {
        spans.push(Span::styled("own view (b: follow)  ", t.warn));
    }
    if let Some(bytes) = app.recorded_bytes {
        spans.push(Span::styled(format!("REC {}  ", size_label(bytes)), t.crit));
    }
    let clock = if app.settings.clock_utc {
        format!("{} UTC ", app.now.format("%H:%M:%S"))
    } else {
        format!(
            "{} ",
            app.now.with_timezone(&chrono::Local).format("%H:%M:%S %Z")
        )
    };
    spans.push(Span::styled(clock, t.header));
    spans
}

/// `ROOM inc-2041·3` (its name, how many are in it), or, when its Redis
/// does not answer, `ROOM inc-2041 DOWN` and the time of the last message.
fn room_span(app: &App) -> Option<Span<'static>> {
    let t = &app.theme;
    let room = &app.model.room;
    let name = room.name.as_ref()?;
    if room.is_down() {
        let last = room
            .last_message
            .map(|at| format!(" last msg {}", at.format("%H:%M:%S")))
            .unwrap_or_default();
        return Some(Span::styled(format!("ROOM {name} DOWN{last}  "), t.crit));
    }
    Some(Span::styled(
        format!("ROOM {name}·{}  ", room.members.len()),
        t.accent,
    ))
}

/// `812 KB`, `3.4 MB`.
fn size_label(bytes: u64) -> String {
    const MB: f64 = 1_000_000.0;
    if bytes < 1_000_000 {
        format!("{} KB", bytes.div_ceil(1000))
    } else {
        format!("{:.1} MB", bytes as f64 / MB)
    }
}

/// Scope, badges, read-only, alerts; `compact` folds the `ok` badges into one.
fn left_spans(app: &App, compact: bool) -> Vec<Span<'static>> {
    let t = &app.theme;
    let mut spans = vec![Span::styled(" opsdeck ", t.title)];
    let scope = match (&app.model.context, &app.model.namespace) {
        (Some(c), Some(n)) => format!("{c}/{n}"),
        (Some(c), None) => c.clone(),
        _ => "no context".to_string(),
    };
    spans.push(Span::styled(format!("{scope} "), t.header));
    if let Some(service) = &app.service {
        spans.push(Span::styled(
            format!("service: {} ", service.name),
            t.accent,
        ));
    }
    let badges = app.model.health.badges(app.now);
    if badges.is_empty() {
        spans.push(Span::styled("no sources ", t.muted));
    }
    let healthy = badges
        .iter()
        .filter(|(_, b)| matches!(b, Badge::Ok))
        .count();
    if compact && healthy > 0 {
        spans.push(Span::styled(format!("[{healthy} ok]"), t.ok));
        spans.push(Span::raw(" "));
    }
    for (source, badge) in badges {
        let (mark, style) = match badge {
            Badge::Ok if compact => continue,
            Badge::Ok => ("ok", t.ok),
            Badge::Stale => ("stale", t.stale),
            Badge::Error(_) => ("error", t.crit),
            Badge::Off => ("off", t.muted),
        };
        spans.push(Span::styled(format!("[{source} {mark}]"), style));
        spans.push(Span::raw(" "));
    }
    if app.audit_error.is_some() {
        spans.push(Span::styled(" AUDIT LOG UNWRITABLE: actions off ", t.crit));
        spans.push(Span::raw(" "));
    }
    // A replay says REPLAY on the right, which says more.
    if app.readonly() && !app.options.replay {
        spans.push(Span::styled(" READ-ONLY ", t.readonly));
        spans.push(Span::raw(" "));
    }
    let alerts = app.model.alerts.len();
    let alert_style = if alerts > 0 { t.crit } else { t.muted };
    spans.push(Span::styled(format!("{alerts} alerts"), alert_style));
    if !app.problems.is_empty() {
        spans.push(Span::styled(
            format!("  ⚠ {} config problems", app.problems.len()),
            t.warn,
        ));
    }
    spans
}
