//! Backend pollers and the pure parsers of their replies. Each poller owns
//! its client and interval and sends `Update`s; parsers are bytes in, typed
//! data out, tested on real reply samples.

mod body_preview;
pub mod prom_reply;
pub mod prometheus;
