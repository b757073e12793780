//! One benchmark group per phase, on synthetic meshes of 100, 1,000 and 10,000 services:
//! `cargo bench --bench phases`. Set `MESHC_BENCH_SIZES=100,1000` to pick sizes.
//!
//! Phases: parse (KDL, YAML), lower + check, plan, emit (typed objects → YAML), verify, and
//! write (the output tree, into a temporary folder).

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use meshc::driver::{self, Input};
use meshc::syntax::{self, Syntax};
use meshc::synth::{Params, generate, to_kdl, to_yaml};
use std::hint::black_box;

fn sizes() -> Vec<usize> {
    std::env::var("MESHC_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100, 1_000, 10_000])
}

/// Clusters grow with the mesh, as they do in practice: 3, 6, 10.
fn clusters(services: usize) -> usize {
    match services {
        0..=100 => 3,
        101..=2_000 => 6,
        _ => 10,
    }
}

struct Mesh {
    n: usize,
    kdl: Input,
    yaml: Input,
}

fn meshes() -> Vec<Mesh> {
    sizes()
        .into_iter()
        .map(|n| {
            let spec = generate(&Params::new(n, clusters(n)));
            Mesh {
                n,
                kdl: Input::new("mesh.kdl", &to_kdl(&spec), Syntax::Kdl),
                yaml: Input::new("mesh.yaml", &to_yaml(&spec), Syntax::Yaml),
            }
        })
        .collect()
}

fn phases(c: &mut Criterion) {
    for m in meshes() {
        let checked = driver::check(&m.yaml);
        assert!(
            !checked.has_errors(),
            "the synthetic mesh of {} services is clean",
            m.n
        );
        let spec = checked.spec.expect("model");
        let plan = meshc::plan::plan(&spec);
        let files = meshc::emit::emit(&plan);
        let bytes: usize = files.values().map(String::len).sum();
        let small = m.n <= 1_000;

        let mut g = c.benchmark_group("parse");
        g.throughput(Throughput::Bytes(m.kdl.source.text.len() as u64));
        g.bench_with_input(BenchmarkId::new("kdl", m.n), &m.kdl, |b, i| {
            b.iter(|| syntax::parse(&i.source, i.syntax))
        });
        g.throughput(Throughput::Bytes(m.yaml.source.text.len() as u64));
        g.bench_with_input(BenchmarkId::new("yaml", m.n), &m.yaml, |b, i| {
            b.iter(|| syntax::parse(&i.source, i.syntax))
        });
        g.finish();

        let mut g = c.benchmark_group("lint");
        if !small {
            g.sample_size(10);
        }
        g.bench_with_input(BenchmarkId::new("kdl", m.n), &m.kdl, |b, i| {
            b.iter(|| driver::check(i))
        });
        g.bench_with_input(BenchmarkId::new("yaml", m.n), &m.yaml, |b, i| {
            b.iter(|| driver::check(i))
        });
        g.finish();

        let mut g = c.benchmark_group("plan");
        g.bench_with_input(BenchmarkId::from_parameter(m.n), &spec, |b, s| {
            b.iter(|| meshc::plan::plan(s))
        });
        g.finish();

        let mut g = c.benchmark_group("emit");
        g.throughput(Throughput::Bytes(bytes as u64));
        if !small {
            g.sample_size(10);
        }
        g.bench_with_input(BenchmarkId::from_parameter(m.n), &plan, |b, p| {
            b.iter(|| meshc::emit::emit(p))
        });
        g.finish();

        let mut g = c.benchmark_group("verify");
        g.throughput(Throughput::Bytes(bytes as u64));
        if !small {
            g.sample_size(10);
        }
        g.bench_with_input(BenchmarkId::from_parameter(m.n), &files, |b, f| {
            b.iter(|| assert!(meshc::verify::verify_files(f).is_empty()))
        });
        g.finish();

        let mut g = c.benchmark_group("write");
        g.throughput(Throughput::Bytes(bytes as u64));
        g.sample_size(10);
        let tmp = tempfile::tempdir().expect("tempdir");
        // The previous tree is removed in the (untimed) setup: only writing is measured.
        g.bench_with_input(BenchmarkId::new("fresh", m.n), &files, |b, f| {
            let out = tmp.path().join("fresh");
            b.iter_batched(
                || {
                    let _ = std::fs::remove_dir_all(&out);
                },
                |()| black_box(meshc::output::write(&out, f, false).expect("write")),
                BatchSize::PerIteration,
            )
        });
        // A rebuild with one changed file: unchanged files are linked, not written.
        let out = tmp.path().join("rebuild");
        meshc::output::write(&out, &files, false).expect("write");
        let mut changed = files.clone();
        if let Some(v) = changed.values_mut().next() {
            v.push_str("# changed\n");
        }
        let mut flip = false;
        g.bench_with_input(BenchmarkId::new("rebuild-one-changed", m.n), &(), |b, _| {
            b.iter(|| {
                flip = !flip;
                let f = if flip { &changed } else { &files };
                black_box(meshc::output::write(&out, f, false).expect("write"))
            })
        });
        g.finish();
    }
}

criterion_group!(benches, phases);
criterion_main!(benches);
