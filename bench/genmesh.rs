//! Print a synthetic mesh spec: `cargo run --release --example genmesh -- N M [kdl|yaml]`.
//!
//! N services over M clusters, three calls each, every fifth service in two clusters, spread
//! over several namespaces; valid by construction.

use meshc::synth::{Params, generate, to_kdl, to_yaml};
use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num =
        |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (services, clusters) = (num(0, 100), num(1, 3));
    let spec = generate(&Params::new(services, clusters));
    let text = match args.get(2).map(String::as_str) {
        Some("yaml") => to_yaml(&spec),
        _ => to_kdl(&spec),
    };
    let _ = std::io::stdout().write_all(text.as_bytes());
}
