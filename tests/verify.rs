//! The verifier on manifests: the golden seed tree passes; each kind of breakage is found, with
//! the file and line of the object that needs what is missing.

use std::fs;
use std::path::{Path, PathBuf};

fn seed_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/seed");
    copy(&src, tmp.path());
    tmp
}

fn copy(from: &Path, to: &Path) {
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            fs::create_dir_all(&dest).unwrap();
            copy(&e.path(), &dest);
        } else {
            fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn findings(dir: &Path) -> Vec<(String, String, usize)> {
    meshc::verify::verify_dir(dir)
        .unwrap()
        .iter()
        .map(|d| {
            let r = d.region().expect("verifier findings have a place");
            let file = PathBuf::from(&r.file)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (d.code.to_string(), format!("{file}: {}", d.message), r.line)
        })
        .collect()
}

#[test]
fn the_golden_tree_verifies() {
    let tmp = seed_copy();
    assert!(findings(tmp.path()).is_empty());
}

#[test]
fn a_missing_stub_is_an_unresolved_host() {
    let tmp = seed_copy();
    fs::remove_file(
        tmp.path()
            .join("cluster1/service.istio-apps.sample-producer.yaml"),
    )
    .unwrap();
    let found = findings(tmp.path());
    // The VirtualService and DestinationRule in cluster1 name the host; the producer's policy
    // allows a caller that runs in cluster1.
    let codes: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert!(codes.iter().all(|c| *c == "M0301"), "{found:#?}");
    assert!(
        found.iter().any(|f| f
            .1
            .starts_with("virtualservice.istio-apps.sample-producer.yaml")
            && f.2 == 9),
        "{found:#?}"
    );
    assert!(
        found.iter().any(|f| f.1.starts_with("destinationrule.")),
        "{found:#?}"
    );
    assert!(
        found.iter().any(|f| f
            .1
            .contains("from `cluster1`, where no Service `sample-producer` resolves")),
        "{found:#?}"
    );
}

#[test]
fn a_principal_without_its_service_account_is_found() {
    let tmp = seed_copy();
    fs::remove_file(
        tmp.path()
            .join("cluster1/serviceaccount.istio-apps.sample-caller-sa.yaml"),
    )
    .unwrap();
    let found = findings(tmp.path());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "M0303");
    assert!(
        found[0]
            .1
            .starts_with("authorizationpolicy.istio-apps.sample-producer.yaml")
    );
}

#[test]
fn a_firewall_gap_is_found() {
    let tmp = seed_copy();
    let tf = tmp.path().join("firewall/firewall.tf.json");
    let text = fs::read_to_string(&tf)
        .unwrap()
        .replace("\"8080\"", "\"8081\"");
    fs::write(&tf, text).unwrap();
    let found = findings(tmp.path());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "M0304");
    assert!(found[0].1.contains("port 8080"));
}

#[test]
fn a_port_the_service_lacks_is_found() {
    let tmp = seed_copy();
    let svc = tmp
        .path()
        .join("cluster1/service.istio-apps.sample-producer.yaml");
    let text = fs::read_to_string(&svc)
        .unwrap()
        .replace("port: 8080", "port: 9090");
    fs::write(&svc, text).unwrap();
    let found = findings(tmp.path());
    assert!(
        found
            .iter()
            .any(|f| f.0 == "M0301" && f.1.contains("has no port 8080")),
        "{found:#?}"
    );
}

#[test]
fn hand_written_manifests_with_short_hosts_resolve() {
    let tmp = tempfile::tempdir().unwrap();
    let c = tmp.path().join("east");
    fs::create_dir_all(&c).unwrap();
    fs::write(
        c.join("all.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata: {name: ratings, namespace: bookinfo}\nspec: {ports: [{port: 9080}]}\n---\n\
         apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: ratings, namespace: bookinfo}\n\
         spec: {hosts: [ratings], http: [{route: [{destination: {host: ratings}}]}]}\n---\n\
         apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews, namespace: bookinfo}\n\
         spec: {host: reviews.bookinfo.svc.cluster.local}\n",
    )
    .unwrap();
    let found = findings(tmp.path());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0]
            .1
            .contains("host `reviews.bookinfo.svc.cluster.local` has no Service in cluster `east`")
    );
    assert_eq!(found[0].2, 13, "the line of the DestinationRule's name");
}
