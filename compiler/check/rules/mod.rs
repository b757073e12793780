//! One file per rule. Add a rule: write its file, add it here and to `registry::RULES`.

pub mod cross_network_call;
pub mod duplicate_name;
pub mod internal_error;
pub mod invalid_duration;
pub mod invalid_name;
pub mod invalid_port;
pub mod invalid_value;
pub mod missing_firewall_rule;
pub mod missing_key;
pub mod missing_runs_in;
pub mod overlapping_pod_cidrs;
pub mod self_call;
pub mod suppression_unused;
pub mod suppression_without_reason;
pub mod syntax_error;
pub mod unknown_cluster;
pub mod unknown_key;
pub mod unknown_principal;
pub mod unknown_service;
pub mod unresolved_host;
