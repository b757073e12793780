//! The edges of the graph, policy and hardening rules (M02xx–M05xx), beyond their UI fixtures:
//! where each starts and stops reporting, so that a change to a threshold or a walk shows up.

use meshc::driver::{self, Input};
use meshc::syntax::Syntax;

/// A one-cluster mesh with the given `defaults` body and services.
fn mesh(defaults: &str, services: &[String]) -> String {
    format!(
        "mesh \"shop\"\ncluster \"east\" pod-cidr=\"10.4.0.0/14\" node-tag=\"gke-east-node\"\ndefaults {{\n{defaults}\n}}\n{}",
        services.concat()
    )
}

/// A service in `east` with a pinned image; `body` holds its calls and other settings.
fn svc(name: &str, body: &str) -> String {
    format!(
        "service \"{name}\" {{\n    image \"r.example/{name}:1.0.0\"\n    port 8080\n    runs-in \"east\"\n    exposed #true\n{body}\n}}\n"
    )
}

/// The messages of one code's findings.
fn findings(text: &str, code: &str) -> Vec<String> {
    let checked = driver::check(&Input::new("mesh.kdl", text, Syntax::Kdl));
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == meshc::diagnostics::Severity::Error)
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "the spec has errors: {errors:?}\n{text}");
    checked
        .diagnostics
        .into_iter()
        .filter(|d| d.code == code)
        .map(|d| d.message)
        .collect()
}

// ---- M0401 retries-exceed-timeout ----

fn retries(call: &str) -> Vec<String> {
    let text = mesh("", &[svc("a", call), svc("b", "")]);
    findings(&text, "M0401")
}

#[test]
fn m0401_reports_tries_that_do_not_fit() {
    let found = retries(r#"calls "b" timeout="5s" { retries attempts=2 per-try-timeout="2s"; }"#);
    assert_eq!(
        found,
        [
            "`a` → `b`: 3 tries of 2s need 6s, but the call times out after 5s; if the first 2 tries time out, the 3rd is cut off after 1s"
        ]
    );
    let found = retries(r#"calls "b" timeout="1s" { retries attempts=1 per-try-timeout="2s"; }"#);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].contains("a try that times out is never retried"),
        "{}",
        found[0]
    );
}

#[test]
fn m0401_is_quiet_when_the_tries_fit_or_cannot_be_counted() {
    for call in [
        // Exactly fits: 3 × 2s = 6s.
        r#"calls "b" timeout="6s" { retries attempts=2 per-try-timeout="2s"; }"#,
        // No retries.
        r#"calls "b" timeout="1s" { retries attempts=0 per-try-timeout="2s"; }"#,
        // No per-try timeout: each try may use the whole timeout.
        r#"calls "b" timeout="1s" retries=5"#,
        // No timeout at all.
        r#"calls "b" { retries attempts=5 per-try-timeout="2s"; }"#,
        // A zero timeout disables it in Envoy.
        r#"calls "b" timeout="0s" { retries attempts=5 per-try-timeout="2s"; }"#,
    ] {
        assert_eq!(retries(call), Vec::<String>::new(), "{call}");
    }
}

#[test]
fn m0401_uses_the_defaults_where_the_call_sets_nothing() {
    let text = mesh(
        "timeout \"5s\"\nretries attempts=2 per-try-timeout=\"2s\"",
        &[
            svc("a", "calls \"b\"\ncalls \"c\" retries=0"),
            svc("b", ""),
            svc("c", ""),
        ],
    );
    assert_eq!(
        findings(&text, "M0401").len(),
        1,
        "only the call that inherits both"
    );
}

// ---- M0402 retry-amplification ----

/// A chain a → b → c → … with the given retries on each call.
fn chain(attempts: &[u32]) -> String {
    let names: Vec<String> = (0..=attempts.len()).map(|i| format!("s{i}")).collect();
    let mut services = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let body = attempts
            .get(i)
            .map(|a| format!("calls \"{}\" retries={a}", names[i + 1]))
            .unwrap_or_default();
        services.push(svc(name, &body));
    }
    mesh("", &services)
}

#[test]
fn m0402_reports_more_than_ten_requests_once() {
    assert_eq!(
        findings(&chain(&[9]), "M0402"),
        Vec::<String>::new(),
        "×10 is the limit"
    );
    assert_eq!(findings(&chain(&[10]), "M0402").len(), 1, "×11 is over it");
    assert_eq!(
        findings(&chain(&[2, 2]), "M0402"),
        Vec::<String>::new(),
        "×9"
    );
    // A long chain is one finding, for its end, not one per service past the limit.
    let found = findings(&chain(&[2, 2, 2, 2]), "M0402");
    assert_eq!(
        found,
        [
            "one request to `s0` can become 81 requests to `s4`: `s0` → `s1` (×3) → `s2` (×3) → `s3` (×3) → `s4` (×3)"
        ]
    );
}

#[test]
fn m0402_trims_calls_without_retries_from_the_path() {
    let found = findings(&chain(&[0, 3, 3, 0, 0]), "M0402");
    assert_eq!(
        found,
        ["one request to `s1` can become 16 requests to `s3`: `s1` → `s2` (×4) → `s3` (×4)"]
    );
}

#[test]
fn m0402_reports_each_end_of_a_fork() {
    let text = mesh(
        "",
        &[
            svc("a", "calls \"b\" retries=3"),
            svc("b", "calls \"c\" retries=3\ncalls \"d\" retries=3"),
            svc("c", ""),
            svc("d", ""),
        ],
    );
    let found = findings(&text, "M0402");
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].ends_with("`b` (×4) → `c` (×4)") || found[1].ends_with("`b` (×4) → `c` (×4)"));
}

#[test]
fn m0402_leaves_cycles_out() {
    // The cycle b ⇄ c would multiply without end; the rule walks only the acyclic part.
    let text = mesh(
        "",
        &[
            svc("a", "calls \"b\" retries=3"),
            svc("b", "calls \"c\" retries=3"),
            svc("c", "calls \"b\" retries=3"),
        ],
    );
    assert_eq!(findings(&text, "M0402"), Vec::<String>::new());
    assert_eq!(findings(&text, "M0404").len(), 1);
}

// ---- M0403 timeout-budget-inversion ----

#[test]
fn m0403_compares_with_the_longest_single_chain_below() {
    let text = mesh(
        "",
        &[
            svc("a", "calls \"b\" timeout=\"4s\""),
            // b's calls are not added up: its longest is 3s, within a's 4s.
            svc(
                "b",
                "calls \"c\" timeout=\"3s\"\ncalls \"d\" timeout=\"2s\"",
            ),
            // Nested timeouts do not add up either: b gives up on c after 3s.
            svc("c", "calls \"d\" timeout=\"3s\""),
            svc("d", ""),
        ],
    );
    assert_eq!(findings(&text, "M0403"), Vec::<String>::new());
    let text = text.replace("timeout=\"4s\"", "timeout=\"2500ms\"");
    assert_eq!(
        findings(&text, "M0403"),
        ["`a` gives up on `b` after 2500ms, but `b` may wait 3s for `c`"]
    );
}

#[test]
fn m0403_is_quiet_on_equal_timeouts_and_disabled_ones() {
    for outer in ["3s", "0s"] {
        let text = mesh(
            "",
            &[
                svc("a", &format!("calls \"b\" timeout=\"{outer}\"")),
                svc("b", "calls \"c\" timeout=\"3s\""),
                svc("c", ""),
            ],
        );
        assert_eq!(findings(&text, "M0403"), Vec::<String>::new(), "{outer}");
    }
}

#[test]
fn m0403_follows_calls_without_timeouts_around_cycles_too() {
    let text = mesh(
        "",
        &[
            svc("a", "calls \"b\" timeout=\"1s\""),
            svc("b", "calls \"c\""),
            svc("c", "calls \"b\"\ncalls \"d\" timeout=\"2s\""),
            svc("d", ""),
        ],
    );
    // b waits on c (no timeout), c on d (2s) and on b (a cycle, not followed): b may wait 2s.
    assert_eq!(
        findings(&text, "M0403"),
        [
            "`a` gives up on `b` after 1s, but `b` may wait 2s below it: `b` → `c` (no timeout) → `d` (2s)"
        ]
    );
}

// ---- M0404 call-cycle ----

#[test]
fn m0404_reports_each_cycle_group_once() {
    let text = mesh(
        "",
        &[
            svc("a", "calls \"b\""),
            svc("b", "calls \"a\"\ncalls \"c\""),
            svc("c", "calls \"d\""),
            svc("d", "calls \"e\""),
            svc("e", "calls \"c\""),
        ],
    );
    assert_eq!(
        findings(&text, "M0404"),
        [
            "services call each other in a cycle: `a` → `b` → `a`",
            "services call each other in a cycle: `c` → `d` → `e` → `c`",
        ]
    );
}

// ---- M0405 ejection-single-replica ----

#[test]
fn m0405_needs_one_replica_and_100_percent() {
    let case = |replicas: u32, percent: u32| {
        let text = mesh(
            "",
            &[svc(
                "a",
                &format!("replicas {replicas}\ncircuit-breaker max-ejection-percent={percent}"),
            )],
        );
        findings(&text, "M0405").len()
    };
    assert_eq!(case(1, 100), 1);
    assert_eq!(case(1, 99), 0);
    assert_eq!(case(2, 100), 0);
    assert_eq!(case(0, 100), 0, "no replica, nothing to eject");
}

// ---- M0502 unreachable-service ----

#[test]
fn m0502_leaves_names_of_unresolved_calls_to_m0101() {
    // `cart` is called by a call that names two namespaces' carts ambiguously: M0101 reports
    // the call, and neither cart is reported as unreachable on top of it.
    let text = "mesh \"shop\"\ncluster \"east\" pod-cidr=\"10.4.0.0/14\" node-tag=\"n\"\n\
        service \"web\" namespace=\"front\" { image \"r/web:1\"; port 8080; runs-in \"east\"; exposed #true; calls \"cart\"; }\n\
        service \"cart\" namespace=\"a\" { image \"r/cart:1\"; port 8080; runs-in \"east\"; }\n\
        service \"cart\" namespace=\"b\" { image \"r/cart:1\"; port 8080; runs-in \"east\"; }\n";
    let checked = driver::check(&Input::new("mesh.kdl", text, Syntax::Kdl));
    let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["M0101"]);
}

#[test]
fn m0502_leaves_the_target_of_a_typo_to_m0101() {
    // `web` calls `crat`: M0101 says "did you mean `cart`?", and `cart` is not also reported
    // as unreachable; `admin`, which nothing names, still is.
    let text = "mesh \"shop\"\ncluster \"east\" pod-cidr=\"10.4.0.0/14\" node-tag=\"n\"\n\
        service \"web\" namespace=\"front\" { image \"r/web:1\"; port 8080; runs-in \"east\"; exposed #true; calls \"crat\"; }\n\
        service \"cart\" namespace=\"front\" { image \"r/cart:1\"; port 8080; runs-in \"east\"; }\n\
        service \"admin\" namespace=\"front\" { image \"r/admin:1\"; port 8080; runs-in \"east\"; }\n";
    let checked = driver::check(&Input::new("mesh.kdl", text, Syntax::Kdl));
    let found: Vec<(&str, String)> = checked
        .diagnostics
        .iter()
        .map(|d| (d.code, d.message.clone()))
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].0, "M0101");
    assert!(
        found[1].0 == "M0502" && found[1].1.contains("`admin`"),
        "{found:#?}"
    );
}

// ---- M0205 image-tag ----

#[test]
fn m0205_reads_registries_with_ports() {
    let image = |image: &str| {
        let text = mesh("", &[svc("a", "").replace("r.example/a:1.0.0", image)]);
        findings(&text, "M0205").len()
    };
    assert_eq!(image("registry:5000/team/a"), 1);
    assert_eq!(image("registry:5000/team/a:1.2"), 0);
    assert_eq!(image("a"), 1);
    assert_eq!(image("a:latest"), 1);
    assert_eq!(
        image("a:Latest"),
        0,
        "tags are case-sensitive: only `latest` moves"
    );
    assert_eq!(image("a@sha256:0123"), 0);
}

// ---- M0503 weakened-security ----

#[test]
fn m0503_reports_each_weakened_field_and_nothing_else() {
    let case = |security: &str| {
        let text = mesh("", &[svc("a", &format!("security {security}"))]);
        findings(&text, "M0503").len()
    };
    assert_eq!(case("run-as-user=0"), 1);
    assert_eq!(case("run-as-user=1337"), 1);
    assert_eq!(case("run-as-user=1000"), 0);
    assert_eq!(case("read-only-root-filesystem=#false"), 1);
    assert_eq!(case("read-only-root-filesystem=#true"), 0);
    assert_eq!(case("service-account-token=#true"), 1);
    assert_eq!(case("service-account-token=#false"), 0);
    assert_eq!(
        case("run-as-user=0 read-only-root-filesystem=#false service-account-token=#true"),
        3
    );
}

// ---- M0501 mtls-permissive ----

#[test]
fn m0501_offers_the_strict_fix() {
    let text = mesh("", &[svc("a", "")])
        .replace("mesh \"shop\"", "mesh \"shop\" { mtls \"permissive\"; }");
    let checked = driver::check(&Input::new("mesh.kdl", &text, Syntax::Kdl));
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.code == "M0501")
        .expect("M0501");
    let fix = d.fix.as_ref().expect("a fix");
    assert_eq!(fix.edits.len(), 1);
    let (span, replacement) = &fix.edits[0];
    let mut fixed = text.clone();
    fixed.replace_range(span.clone(), replacement);
    assert!(fixed.contains("mtls \"strict\""), "{fixed}");
    assert!(findings(&fixed, "M0501").is_empty());
}

// ---- TCP calls get no timeouts or retries ----

#[test]
fn call_policy_rules_skip_calls_to_tcp_only_services() {
    // meshc writes no VirtualService for a TCP-only service: its callers' timeouts and retries
    // are never applied, so they can neither exceed, multiply nor invert.
    let tcp =
        |name: &str, body: &str| svc(name, body).replace("port 8080", "port 5432 protocol=\"tcp\"");
    let text = mesh(
        "",
        &[
            svc(
                "a",
                "calls \"db\" timeout=\"1s\" { retries attempts=9 per-try-timeout=\"1s\"; }\ncalls \"b\" timeout=\"1s\"",
            ),
            tcp("db", ""),
            svc("b", "calls \"c\" timeout=\"5s\" retries=10"),
            tcp("c", ""),
        ],
    );
    for code in ["M0401", "M0402", "M0403"] {
        assert_eq!(findings(&text, code), Vec::<String>::new(), "{code}");
    }
    // The same calls to HTTP services report all three.
    let http = text.replace("port 5432 protocol=\"tcp\"", "port 8080");
    for code in ["M0401", "M0402", "M0403"] {
        assert!(!findings(&http, code).is_empty(), "{code}");
    }
}
