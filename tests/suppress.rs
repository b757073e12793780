//! Suppressions (`allow "CODE" reason="…"`): what they silence, what they report, and that
//! errors stay.

use meshc::diagnostics::Severity;
use meshc::driver::{self, Input};
use meshc::syntax::Syntax;

/// The codes a spec reports, in order, with their severities.
fn lint(text: &str, syntax: Syntax) -> Vec<(&'static str, Severity, String)> {
    driver::check(&Input::new("mesh", text, syntax))
        .diagnostics
        .into_iter()
        .map(|d| (d.code, d.severity, d.message))
        .collect()
}

fn codes(text: &str, syntax: Syntax) -> Vec<&'static str> {
    lint(text, syntax).into_iter().map(|(c, ..)| c).collect()
}

const HEAD: &str = r#"
mesh "shop" {
    trust-domain "shop-proj.svc.id.goog"
}
cluster "east" network="default" pod-cidr="10.4.0.0/14" node-tag="gke-east-node"
"#;

/// A spec whose `web` service has an image tagged `latest` (M0205), with `allow` lines.
fn latest(allow: &str) -> String {
    format!(
        r#"{HEAD}
service "web" namespace="shop" {{
    {allow}
    image "us-docker.pkg.dev/shop-proj/apps/web:latest"
    port 8080
    runs-in "east"
    exposed #true
}}
"#
    )
}

#[test]
fn the_warning_is_reported_without_a_suppression() {
    assert_eq!(codes(&latest(""), Syntax::Kdl), ["M0205"]);
}

#[test]
fn a_suppression_with_a_reason_silences_its_warning() {
    for allow in [
        r#"allow "M0205" reason="the dev cluster tracks latest on purpose""#,
        // By name as well as by code.
        r#"allow "image-tag" reason="the dev cluster tracks latest on purpose""#,
    ] {
        assert_eq!(
            codes(&latest(allow), Syntax::Kdl),
            Vec::<&str>::new(),
            "{allow}"
        );
    }
}

#[test]
fn a_suppression_without_a_reason_is_reported() {
    for allow in [
        r#"allow "M0205""#,
        r#"allow "M0205" reason="""#,
        r#"allow "M0205" reason="  ""#,
    ] {
        let found = lint(&latest(allow), Syntax::Kdl);
        assert_eq!(found.len(), 1, "{allow}: {found:?}");
        let (code, severity, message) = &found[0];
        assert_eq!((*code, *severity), ("M0601", Severity::Warning));
        assert!(message.contains("gives no reason"), "{message}");
    }
}

#[test]
fn a_suppression_that_silences_nothing_is_reported() {
    // Nothing on `web` reports M0401, and a typo'd code silences nothing either.
    for allow in [
        r#"allow "M0401" reason="the cart answers in 50ms""#,
        r#"allow "M0250" reason="a typo of M0205""#,
    ] {
        let found = lint(&latest(allow), Syntax::Kdl);
        let codes: Vec<&str> = found.iter().map(|f| f.0).collect();
        assert_eq!(codes, ["M0602", "M0205"], "{allow}");
        assert!(found[0].2.contains("nothing reports it"), "{}", found[0].2);
    }
}

#[test]
fn errors_cannot_be_suppressed() {
    let text = format!(
        r#"{HEAD}
service "web" namespace="shop" {{
    allow "M0102" reason="west is coming soon"
    allow "unknown-cluster" reason="by name, too"
    image "us-docker.pkg.dev/shop-proj/apps/web:2.1.0"
    port 8080
    runs-in "west"
    exposed #true
}}
"#
    );
    let found = lint(&text, Syntax::Kdl);
    let codes: Vec<&str> = found.iter().map(|f| f.0).collect();
    assert_eq!(codes, ["M0602", "M0602", "M0102"], "{found:?}");
    assert_eq!(found[2].1, Severity::Error);
    assert!(
        found[0].2.contains("errors cannot be suppressed"),
        "{}",
        found[0].2
    );
    let checked = driver::check(&Input::new("mesh", &text, Syntax::Kdl));
    assert!(checked.has_errors(), "the build still stops");
}

#[test]
fn a_suppression_covers_only_its_own_node() {
    // The allow on `web` does not reach `cart`'s image, nor the mesh's mTLS.
    let text = r#"
mesh "shop" {
    mtls "permissive"
}
cluster "east" network="default" pod-cidr="10.4.0.0/14" node-tag="gke-east-node"
service "web" namespace="shop" {
    allow "M0205" reason="dev"
    allow "M0501" reason="not here: the mesh is another node"
    image "us-docker.pkg.dev/shop-proj/apps/web:latest"
    port 8080
    runs-in "east"
    exposed #true
    calls "cart"
}
service "cart" namespace="shop" {
    image "us-docker.pkg.dev/shop-proj/apps/cart:latest"
    port 8080
    runs-in "east"
}
"#;
    assert_eq!(codes(text, Syntax::Kdl), ["M0501", "M0602", "M0205"]);
    // On the mesh, it does.
    let text = text.replace(
        "    mtls \"permissive\"\n",
        "    mtls \"permissive\"\n    allow \"M0501\" reason=\"migrating the shop into the mesh\"\n",
    );
    assert_eq!(codes(&text, Syntax::Kdl), ["M0602", "M0205"]);
}

#[test]
fn graph_findings_are_suppressed_at_the_call() {
    // M0401 is reported at the call; an allow on the call (or its service) silences it.
    let spec = |allow: &str| {
        format!(
            r#"{HEAD}
service "web" namespace="shop" {{
    image "us-docker.pkg.dev/shop-proj/apps/web:2.1.0"
    port 8080
    runs-in "east"
    exposed #true
    calls "cart" timeout="3s" {{
        retries attempts=3 per-try-timeout="1s"
        {allow}
    }}
    calls "search" timeout="3s" {{
        retries attempts=3 per-try-timeout="1s"
    }}
}}
service "cart" namespace="shop" {{
    image "us-docker.pkg.dev/shop-proj/apps/cart:2.1.0"
    port 8080
    runs-in "east"
}}
service "search" namespace="shop" {{
    image "us-docker.pkg.dev/shop-proj/apps/search:2.1.0"
    port 8080
    runs-in "east"
}}
"#
        )
    };
    assert_eq!(codes(&spec(""), Syntax::Kdl), ["M0401", "M0401"]);
    // Only the call to `cart` is silenced; the one to `search` still reports.
    let found = lint(
        &spec(r#"allow "retries-exceed-timeout" reason="cart answers in 50ms, or not at all""#),
        Syntax::Kdl,
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].2.contains("`web` → `search`"), "{}", found[0].2);
}

#[test]
fn infos_can_be_suppressed_and_yaml_suppresses_alike() {
    let text = r#"
mesh: {name: shop}
clusters:
  - {name: east, podCidr: 10.4.0.0/14, nodeTag: gke-east-node}
services:
  - name: nightly-export
    namespace: shop
    image: us-docker.pkg.dev/shop-proj/apps/nightly-export:2.1.0
    ports: [{port: 8080}]
    runsIn: [east]
    allow: [{code: M0502, reason: a job; nothing calls it}]
"#;
    assert_eq!(codes(text, Syntax::Yaml), Vec::<&str>::new());
    let bare = text.replace(
        "    allow: [{code: M0502, reason: a job; nothing calls it}]\n",
        "",
    );
    assert_eq!(codes(&bare, Syntax::Yaml), ["M0502"]);
    let no_reason = text.replace(", reason: a job; nothing calls it", "");
    assert_eq!(codes(&no_reason, Syntax::Yaml), ["M0601"]);
}
