//! The same rules as `gcloud compute firewall-rules create` commands.
//!
//! A shell script is text by nature; every value in it is quoted for the shell.

use crate::plan::{Firewall, MeshSettings};
use std::fmt::Write;

pub fn render(mesh: &MeshSettings, firewall: &Firewall) -> String {
    let mut out = String::new();
    out.push_str("#!/usr/bin/env bash\n");
    let _ = writeln!(
        out,
        "# Firewall rules of mesh {}, written by meshc: edit the spec, not this file.",
        quote(&mesh.name)
    );
    out.push_str("set -euo pipefail\n");
    for r in &firewall.rules {
        let rules: Vec<String> = r
            .allow
            .iter()
            .flat_map(|(protocol, ports)| {
                if ports.is_empty() {
                    vec![protocol.clone()]
                } else {
                    ports.iter().map(|p| format!("{protocol}:{p}")).collect()
                }
            })
            .collect();
        let mut args = vec![format!(
            "gcloud compute firewall-rules create {}",
            quote(&r.name)
        )];
        if let Some(project) = &r.project {
            args.push(format!("--project={}", quote(project)));
        }
        args.push(format!("--network={}", quote(&r.network)));
        args.push("--direction=INGRESS".into());
        args.push(format!("--priority={}", r.priority));
        args.push("--action=ALLOW".into());
        args.push(format!("--rules={}", quote(&rules.join(","))));
        args.push(format!(
            "--source-ranges={}",
            quote(&r.source_ranges.join(","))
        ));
        args.push(format!("--target-tags={}", quote(&r.target_tags.join(","))));
        args.push(format!("--description={}", quote(&r.description)));
        out.push('\n');
        out.push_str(&args.join(" \\\n    "));
        out.push('\n');
    }
    out
}

/// Quote a value for the shell when it holds anything but safe characters.
fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:,=@".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_for_the_shell() {
        assert_eq!(super::quote("tcp:8080"), "tcp:8080");
        assert_eq!(super::quote("a b"), "'a b'");
        assert_eq!(super::quote("it's"), "'it'\\''s'");
    }
}
