//! Parsing of the spec's typed scalar values: names, durations, the injection label.

use std::fmt;

/// A Go/Istio duration (`250ms`, `5s`, `1m30s`), kept as written for output.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Duration {
    pub micros: u64,
    pub text: String,
}

impl Duration {
    pub fn from_micros(micros: u64) -> Self {
        let text = if micros.is_multiple_of(1_000_000) {
            format!("{}s", micros / 1_000_000)
        } else if micros.is_multiple_of(1_000) {
            format!("{}ms", micros / 1_000)
        } else {
            format!("{micros}us")
        };
        Duration { micros, text }
    }

    /// Parse a Go duration: a sequence of decimal numbers, each with a unit (h, m, s, ms, us, ns).
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Err("a duration needs a number and a unit, e.g. `5s`".into());
        }
        let mut rest = text;
        let mut total: f64 = 0.0;
        while !rest.is_empty() {
            let num_len = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            let (num, tail) = rest.split_at(num_len);
            let value: f64 = num.parse().map_err(|_| {
                format!("`{text}` is not a duration: expected a number at `{rest}`")
            })?;
            let unit_len = tail
                .find(|c: char| c.is_ascii_digit() || c == '.')
                .unwrap_or(tail.len());
            let (unit, tail) = tail.split_at(unit_len);
            let scale = match unit {
                "h" => 3_600_000_000.0,
                "m" => 60_000_000.0,
                "s" => 1_000_000.0,
                "ms" => 1_000.0,
                "us" | "µs" => 1.0,
                "ns" => 0.001,
                "" => return Err(format!("`{text}` has no unit: write `{text}s` for seconds")),
                other => {
                    return Err(format!(
                        "`{other}` is not a duration unit (use h, m, s, ms, us or ns)"
                    ));
                }
            };
            total += value * scale;
            rest = tail;
        }
        if !total.is_finite() || total > 1e15 {
            return Err(format!("`{text}` is too long a duration"));
        }
        Ok(Duration {
            micros: total.round() as u64,
            text: text.to_string(),
        })
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The namespace label that turns on sidecar injection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Injection {
    pub key: String,
    pub value: String,
}

impl Injection {
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.split_once('=') {
            Some((k, v)) if !k.is_empty() && is_label_key(k) && is_label_value(v) => {
                Ok(Injection {
                    key: k.to_string(),
                    value: v.to_string(),
                })
            }
            _ => Err(format!(
                "`{text}` is not a label: write KEY=VALUE, e.g. `istio.io/rev=asm-managed`"
            )),
        }
    }
}

fn is_label_key(k: &str) -> bool {
    let (prefix, name) = k.rsplit_once('/').unwrap_or(("", k));
    (prefix.is_empty() || is_dns_subdomain(prefix)) && is_label_value(name) && !name.is_empty()
}

fn is_label_value(v: &str) -> bool {
    v.len() <= 63
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && v.chars().next().is_none_or(|c| c.is_ascii_alphanumeric())
        && v.chars().last().is_none_or(|c| c.is_ascii_alphanumeric())
}

fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(|l| dns1123_label(l).is_ok())
}

/// Check a Kubernetes DNS-1123 label: what is wrong with it, if anything.
pub fn dns1123_label(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("a name cannot be empty".into());
    }
    if s.len() > 63 {
        // Quote a long name by its start: the message is read on one line (and a hostile
        // spec's megabyte-long name would otherwise be printed whole).
        let shown = match s.char_indices().nth(72) {
            Some((end, _)) => format!("{}…", &s[..end]),
            None => s.to_string(),
        };
        return Err(format!(
            "`{shown}` is {} characters long; at most 63 are allowed",
            s.len()
        ));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(format!(
            "`{s}` contains `{c}`; names hold lowercase letters, digits and `-`"
        ));
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Err(format!("`{s}` must start and end with a letter or digit"));
    }
    Ok(())
}

/// A DNS-1123 label near `s`, for a fix: lowercase, other characters to `-`, trimmed.
pub fn dns1123_fix(s: &str) -> Option<String> {
    let fixed: String = s
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    let fixed = fixed.trim_matches('-');
    let fixed: String = fixed.chars().take(63).collect();
    let fixed = fixed.trim_end_matches('-').to_string();
    (dns1123_label(&fixed).is_ok() && fixed != s).then_some(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(Duration::parse("5s").unwrap().micros, 5_000_000);
        assert_eq!(Duration::parse("250ms").unwrap().micros, 250_000);
        assert_eq!(Duration::parse("1m30s").unwrap().micros, 90_000_000);
        assert_eq!(Duration::parse("1.5s").unwrap().micros, 1_500_000);
        assert!(Duration::parse("5").unwrap_err().contains("no unit"));
        assert!(
            Duration::parse("5x")
                .unwrap_err()
                .contains("not a duration unit")
        );
        assert!(Duration::parse("s").is_err());
    }

    #[test]
    fn checks_names() {
        assert!(dns1123_label("sample-producer").is_ok());
        assert!(dns1123_label("Sample").is_err());
        assert!(dns1123_label("-a").is_err());
        assert_eq!(
            dns1123_fix("Sample_Producer").as_deref(),
            Some("sample-producer")
        );
    }

    #[test]
    fn parses_injection_labels() {
        let i = Injection::parse("istio.io/rev=asm-managed").unwrap();
        assert_eq!(
            (i.key.as_str(), i.value.as_str()),
            ("istio.io/rev", "asm-managed")
        );
        assert!(Injection::parse("nolabel").is_err());
    }
}
