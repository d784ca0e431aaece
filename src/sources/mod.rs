//! Backends: one module per source. Parsing of replies lives here as pure
//! functions tested on real reply samples.

pub mod log_line;
pub mod logs;
