//! Property tests over the whole pipeline (issue 4):
//! - random valid meshes (`synth`) check without errors, compile (plan, emit, verify) without
//!   errors, and compile to the same files twice;
//! - their KDL and YAML forms parse to the same tree and build the same files;
//! - random mutations of valid spec text never panic through `driver::check`, and a mutant that
//!   still checks without errors compiles.
//!
//! Case counts are modest so the file runs in seconds in a debug build; `PROPTEST_CASES=N`
//! raises them all for a longer local run.

use meshc::diagnostics::Source;
use meshc::diagnostics::{self, Diagnostic, Severity};
use meshc::driver::{self, Input};
use meshc::emit::Files;
use meshc::syntax::{self, Syntax};
use meshc::synth::{self, Params};
use proptest::prelude::*;

/// `cases` unless `PROPTEST_CASES` says otherwise.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        // Shrinking re-runs the pipeline many times; a failure prints its seed and input anyway.
        max_shrink_iters: 256,
        ..ProptestConfig::default()
    }
}

fn params() -> impl Strategy<Value = Params> {
    (
        1usize..=40,
        1usize..=5,
        0usize..=4,
        1usize..=4,
        any::<u64>(),
    )
        .prop_map(|(services, clusters, calls, namespaces, seed)| Params {
            services,
            clusters,
            calls,
            namespaces,
            seed,
        })
}

fn errors(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{} {}: {}", d.code, d.name, d.message))
        .collect()
}

/// Check and compile a text that must be a valid mesh.
fn build(text: &str, syntax: Syntax) -> Result<Files, String> {
    let checked = driver::check(&Input::new("prop", text, syntax));
    if checked.has_errors() {
        return Err(format!(
            "{syntax:?} has errors: {:#?}",
            errors(&checked.diagnostics)
        ));
    }
    let spec = checked
        .spec
        .ok_or_else(|| format!("{syntax:?}: no errors but no model"))?;
    driver::compile(&spec).map_err(|ds| format!("{syntax:?} failed to compile: {:#?}", errors(&ds)))
}

proptest! {
    #![proptest_config(config(48))]

    /// (a) Valid by construction means: no errors, a verified build, the same build twice.
    #[test]
    fn random_meshes_check_compile_and_are_deterministic(p in params()) {
        let text = synth::to_kdl(&synth::generate(&p));
        let first = build(&text, Syntax::Kdl);
        prop_assert!(first.is_ok(), "{p:?}: {}\n{text}", first.err().unwrap_or_default());
        let second = build(&text, Syntax::Kdl);
        prop_assert!(first == second, "{p:?}: two builds of one spec differ");
    }

    /// (b) The two syntaxes of one mesh are one mesh: same tree, same files.
    #[test]
    fn kdl_and_yaml_forms_agree(p in params()) {
        let spec = synth::generate(&p);
        let (kdl, yaml) = (synth::to_kdl(&spec), synth::to_yaml(&spec));
        let tree = |text: &str, syntax| {
            syntax::parse(&Source::new("prop", text), syntax).map(|d| d.root.to_json())
        };
        let (kt, yt) = (tree(&kdl, Syntax::Kdl), tree(&yaml, Syntax::Yaml));
        prop_assert!(kt.is_ok() && yt.is_ok(), "{p:?}: a form does not parse");
        prop_assert_eq!(kt.ok(), yt.ok(), "{:?}: the trees differ", p);
        let (kb, yb) = (build(&kdl, Syntax::Kdl), build(&yaml, Syntax::Yaml));
        prop_assert!(kb.is_ok(), "{p:?}: {}", kb.clone().err().unwrap_or_default());
        prop_assert!(kb == yb, "{p:?}: KDL and YAML build different trees");
    }
}

/// A place in a text, as a fraction of its length (`u32::MAX` is the end).
type Pos = u32;

/// The place `p` in `0..len` (`len > 0`).
fn pick(p: Pos, len: usize) -> usize {
    ((len as u64 * u64::from(p)) >> 32) as usize
}

/// One edit of a spec's text.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(Pos, usize),
    Insert(Pos, Vec<u8>),
    Replace(Pos, u8),
    /// Replace the token (a run of non-space bytes) at a place with another.
    ReplaceToken(Pos, &'static str),
    DuplicateLine(Pos),
    SwapLines(Pos, Pos),
    DeleteLine(Pos),
    Truncate(Pos),
}

/// Fragments that mean something to one syntax or the other, and values that test lowering.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ":",
    ": ",
    "- ",
    "-",
    ",",
    "\n",
    "    ",
    "\t",
    "#",
    "//",
    "/*",
    "*/",
    "/-",
    ";",
    "=",
    "&a ",
    "*a",
    "!!str ",
    "---\n",
    "...\n",
    "|\n",
    ">\n",
    "'",
    "\\",
    "#true",
    "#false",
    "#null",
    "null",
    "~",
    "0",
    "-1",
    "65536",
    "99999999999999999999",
    "1e400",
    "0x10",
    "1.5",
    "0s",
    "1h",
    "5ms",
    "-5s",
    "100%",
    "10.0.0.0/33",
    "::/0",
    "é",
    "\u{feff}",
    "\u{202e}",
    "cluster9",
    "svc-0",
    "svc-1",
    "ns-0",
    "istio-apps",
    "cluster1",
    "strict",
    "permissive",
    "mesh-wide",
    "none",
    "allow \"M0401\" reason=\"x\"\n",
    "calls \"svc-0\"\n",
    "runs-in \"cluster1\" \"cluster1\"\n",
    "port 8080\n",
    "service \"svc-0\" {\n}\n",
    "  - {name: svc-0}\n",
    "exposed: true\n",
    "stub: false\n",
    "retries: 9\n",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Pos>(), 1usize..16).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (
            any::<Pos>(),
            prop_oneof![
                prop::sample::select(TOKENS).prop_map(|t| t.as_bytes().to_vec()),
                prop::collection::vec(any::<u8>(), 1..4),
            ]
        )
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<Pos>(), any::<u8>()).prop_map(|(i, b)| Mutation::Replace(i, b)),
        (any::<Pos>(), prop::sample::select(TOKENS))
            .prop_map(|(i, t)| Mutation::ReplaceToken(i, t)),
        any::<Pos>().prop_map(Mutation::DuplicateLine),
        (any::<Pos>(), any::<Pos>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        any::<Pos>().prop_map(Mutation::DeleteLine),
        any::<Pos>().prop_map(Mutation::Truncate),
    ]
}

/// Byte ranges of the lines of `text`, each with its newline.
fn lines(text: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in text.iter().enumerate() {
        if b == b'\n' {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push(start..text.len());
    }
    out
}

fn apply(text: &mut Vec<u8>, m: &Mutation) {
    let at = |i: &Pos, len: usize| pick(*i, len + 1);
    match m {
        Mutation::Delete(i, n) => {
            let start = at(i, text.len());
            let end = (start + n).min(text.len());
            text.drain(start..end);
        }
        Mutation::Insert(i, bytes) => {
            let pos = at(i, text.len());
            text.splice(pos..pos, bytes.iter().copied());
        }
        Mutation::Replace(i, b) => {
            if !text.is_empty() {
                let pos = pick(*i, text.len());
                text[pos] = *b;
            }
        }
        Mutation::ReplaceToken(i, token) => {
            if text.is_empty() {
                return;
            }
            let pos = pick(*i, text.len());
            let space = |b: &u8| b.is_ascii_whitespace();
            let start = text[..pos].iter().rposition(space).map_or(0, |p| p + 1);
            let end = text[pos..]
                .iter()
                .position(space)
                .map_or(text.len(), |p| pos + p);
            text.splice(start..end, token.bytes());
        }
        Mutation::DuplicateLine(i) => {
            let ls = lines(text);
            if !ls.is_empty() {
                let line = ls[pick(*i, ls.len())].clone();
                let copy = text[line.clone()].to_vec();
                text.splice(line.end..line.end, copy);
            }
        }
        Mutation::SwapLines(a, b) => {
            let ls = lines(text);
            if ls.len() >= 2 {
                let (x, y) = (pick(*a, ls.len()), pick(*b, ls.len()));
                let (first, second) = (ls[x.min(y)].clone(), ls[x.max(y)].clone());
                if first != second {
                    let mut out = text[..first.start].to_vec();
                    out.extend_from_slice(&text[second.clone()]);
                    out.extend_from_slice(&text[first.end..second.start]);
                    out.extend_from_slice(&text[first.clone()]);
                    out.extend_from_slice(&text[second.end..]);
                    *text = out;
                }
            }
        }
        Mutation::DeleteLine(i) => {
            let ls = lines(text);
            if !ls.is_empty() {
                text.drain(ls[pick(*i, ls.len())].clone());
            }
        }
        Mutation::Truncate(i) => {
            let len = at(i, text.len());
            text.truncate(len);
        }
    }
}

/// Valid texts to mutate: a small random mesh in either syntax, or one of the examples.
fn base() -> impl Strategy<Value = (String, Syntax)> {
    let synthetic = (
        1usize..=6,
        1usize..=3,
        0usize..=3,
        1usize..=2,
        any::<u64>(),
        any::<bool>(),
    )
        .prop_map(|(services, clusters, calls, namespaces, seed, kdl)| {
            let spec = synth::generate(&Params {
                services,
                clusters,
                calls,
                namespaces,
                seed,
            });
            if kdl {
                (synth::to_kdl(&spec), Syntax::Kdl)
            } else {
                (synth::to_yaml(&spec), Syntax::Yaml)
            }
        });
    let examples = prop::sample::select(vec![
        (include_str!("../examples/seed/mesh.kdl"), Syntax::Kdl),
        (include_str!("../examples/seed/mesh.yaml"), Syntax::Yaml),
        (include_str!("../examples/retail/mesh.kdl"), Syntax::Kdl),
        (include_str!("../examples/retail/mesh.yaml"), Syntax::Yaml),
    ])
    .prop_map(|(text, syntax)| (text.to_string(), syntax));
    prop_oneof![synthetic, examples]
}

proptest! {
    #![proptest_config(config(1000))]

    /// (c) Whatever the edit, `check` answers (no panic), every label slices the text, the
    /// findings render, and a mutant without errors still compiles and verifies.
    #[test]
    fn mutated_specs_never_panic_and_clean_ones_compile(
        (text, syntax) in base(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let mut bytes = text.into_bytes();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let checked = driver::check(&Input::new("mutant", &text, syntax));
        for d in &checked.diagnostics {
            for label in d.primary.iter().chain(&d.related) {
                prop_assert!(
                    text.get(label.span.clone()).is_some(),
                    "label {:?} of `{}` does not slice the text:\n{}", label.span, d.message, text
                );
            }
        }
        let _ = diagnostics::human::render(&checked.diagnostics, false);
        let _ = diagnostics::sarif::render(&checked.diagnostics);
        if !checked.has_errors() {
            let spec = checked.spec;
            prop_assert!(spec.is_some(), "no errors but no model:\n{text}");
            if let Some(spec) = spec {
                let built = driver::compile(&spec);
                prop_assert!(
                    built.is_ok(),
                    "{syntax:?} mutant without errors failed to compile: {:#?}\n{text}",
                    errors(&built.err().unwrap_or_default())
                );
            }
        }
    }
}

#[test]
fn mutations_do_what_they_say() {
    let mut t = b"a\nb\nc\n".to_vec();
    apply(&mut t, &Mutation::SwapLines(0, u32::MAX));
    assert_eq!(t, b"c\nb\na\n");
    apply(&mut t, &Mutation::DuplicateLine(0));
    assert_eq!(t, b"c\nc\nb\na\n");
    apply(&mut t, &Mutation::ReplaceToken(0, "zz"));
    assert_eq!(t, b"zz\nc\nb\na\n");
    apply(&mut t, &Mutation::DeleteLine(0));
    assert_eq!(t, b"c\nb\na\n");
    apply(&mut t, &Mutation::Truncate(0));
    assert!(t.is_empty());
}
