fn main() {
    let text = std::fs::read_to_string("/tmp/m2000.kdl").unwrap();
    let t = std::time::Instant::now();
    let doc = kdl::KdlDocument::parse_v2(&text).unwrap();
    eprintln!(
        "kdl crate parse: {:?} ({} nodes)",
        t.elapsed(),
        doc.nodes().len()
    );
    let t = std::time::Instant::now();
    let _ = meshc::syntax::kdl::parse(&text).unwrap();
    eprintln!("meshc kdl front-end total: {:?}", t.elapsed());
}
