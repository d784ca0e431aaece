//! Pod and container names, fields and correlation ids of log lines: the
//! messages are `SafeText` already; the rest is checked where lines enter
//! the app, without copying the clean ones. The line parser bounds their
//! lengths, so only what a terminal would act on is replaced here.

use super::model::{LogLine, LogsUpdate};
use crate::core::clean::Sanitize;

impl Sanitize for LogLine {
    fn sanitize(&mut self) {
        self.pod.sanitize();
        self.container.sanitize();
        self.fields.sanitize();
        self.correlation.sanitize();
    }
}

impl Sanitize for LogsUpdate {
    fn sanitize(&mut self) {
        match self {
            LogsUpdate::Lines(lines) => lines.sanitize(),
            LogsUpdate::Behind { pod, .. } => pod.sanitize(),
            LogsUpdate::Dropped(_) => {}
        }
    }
}
