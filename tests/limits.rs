//! Hostile and degenerate inputs (issue 4): each is answered with a diagnostic, never a panic,
//! a stack overflow or an unbounded amount of work. The limits are `syntax::MAX_SOURCE_BYTES`,
//! `syntax::MAX_DEPTH` and `syntax::yaml::MAX_NODES`.
//!
//! Tests run on the harness's threads (2 MiB of stack, a quarter of a main thread's), so a
//! recursion that grows with the input shows here first. Wall times are printed (`cargo test
//! --test limits -- --nocapture`), never asserted.

use meshc::diagnostics::{self, Diagnostic, Severity};
use meshc::driver::{self, Input};
use meshc::syntax::{self, MAX_DEPTH, MAX_SOURCE_BYTES, Syntax, yaml::MAX_NODES};
use std::io::Write;
use std::time::Instant;

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    eprintln!("{what}: {:.1?}", start.elapsed());
    out
}

/// `driver::check` on a text; the findings must render (human and SARIF) without panicking.
fn check(what: &str, text: &str, syntax: Syntax) -> Vec<Diagnostic> {
    let start = Instant::now();
    let checked = driver::check(&Input::new(what, text, syntax));
    let first = checked.diagnostics.first().map_or(String::new(), |d| {
        let mut m = format!("{} {}", d.code, d.message);
        if let Some((i, _)) = m.char_indices().nth(100) {
            m.truncate(i);
            m.push('…');
        }
        m
    });
    eprintln!("{what}: {:.1?}: {first}", start.elapsed());
    let _ = diagnostics::human::render(&checked.diagnostics, false);
    let _ = diagnostics::sarif::render(&checked.diagnostics);
    checked.diagnostics
}

/// The one syntax error a hostile input gets, asserted by its message.
#[track_caller]
fn assert_syntax_error(diagnostics: &[Diagnostic], message: &str) {
    assert_eq!(
        diagnostics.len(),
        1,
        "expected one finding: {:#?}",
        messages(diagnostics)
    );
    let d = &diagnostics[0];
    assert_eq!((d.code, d.severity), ("M0001", Severity::Error));
    assert!(
        d.message.contains(message),
        "`{}` does not say `{message}`",
        d.message
    );
}

fn messages(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| format!("{} {}", d.code, d.message))
        .collect()
}

fn nesting() -> String {
    format!("nesting deeper than {MAX_DEPTH} levels")
}

// ---- size ----------------------------------------------------------------------------------

#[test]
fn a_file_over_the_size_cap_is_refused_with_its_size() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("big.kdl");
    // A sparse gibibyte: reading it whole would take a while and a gibibyte of memory.
    let size: u64 = 1 << 30;
    std::fs::File::create(&path)
        .and_then(|f| f.set_len(size))
        .expect("sparse file");
    let d = match timed("1 GiB file", || Input::read(&path)) {
        Ok(Err(d)) => d,
        Ok(Ok(_)) => panic!("a 1 GiB spec was read"),
        Err(e) => panic!("{e}"),
    };
    assert_eq!((d.code, d.severity), ("M0001", Severity::Error));
    assert_eq!(
        d.message,
        format!("the file is {size} bytes; meshc reads at most {MAX_SOURCE_BYTES} bytes")
    );
    assert!(d.help.is_some());
    assert!(diagnostics::human::render(&[d], false).contains("big.kdl"));
}

#[test]
fn an_in_memory_text_over_the_size_cap_is_refused() {
    let text = " ".repeat(MAX_SOURCE_BYTES + 1);
    for syntax in [Syntax::Kdl, Syntax::Yaml] {
        let ds = check("8 MiB + 1 in memory", &text, syntax);
        assert_syntax_error(
            &ds,
            &format!(
                "the file is {} bytes; meshc reads at most {MAX_SOURCE_BYTES} bytes",
                MAX_SOURCE_BYTES + 1
            ),
        );
    }
    // At the cap exactly, the text is read (and found empty).
    let ds = check("8 MiB in memory", &text[1..], Syntax::Kdl);
    assert_syntax_error(&ds, "the spec is empty");
}

/// A pipe that offers a gibibyte: `Input::read` takes one byte past the cap and stops.
#[cfg(unix)]
#[test]
fn an_endless_pipe_is_not_read_past_the_cap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("pipe.yaml");
    let made = std::process::Command::new("mkfifo").arg(&path).status();
    if !matches!(made, Ok(s) if s.success()) {
        eprintln!("mkfifo is not available; skipped");
        return;
    }
    let writer_path = path.clone();
    let writer = std::thread::spawn(move || {
        let mut written = 0usize;
        let Ok(mut pipe) = std::fs::OpenOptions::new().write(true).open(&writer_path) else {
            return written;
        };
        let chunk = vec![b'#'; 64 * 1024];
        // Stops at the first failed write: the reader closed its end (EPIPE; Rust ignores
        // SIGPIPE).
        while written < 1 << 30 {
            match pipe.write(&chunk) {
                Ok(n) => written += n,
                Err(_) => break,
            }
        }
        written
    });
    let d = match timed("endless pipe", || Input::read(&path)) {
        Ok(Err(d)) => d,
        Ok(Ok(_)) => panic!("the pipe was read as a spec"),
        Err(e) => panic!("{e}"),
    };
    let written = writer.join().expect("writer");
    assert_eq!(
        d.message,
        format!(
            "the file is larger than {MAX_SOURCE_BYTES} bytes; meshc reads at most {MAX_SOURCE_BYTES} bytes"
        )
    );
    // The cap, plus what the pipe buffered and one chunk in flight.
    eprintln!("the writer got {written} bytes into the pipe");
    assert!(
        written <= MAX_SOURCE_BYTES + 2 * 1024 * 1024,
        "{written} bytes were taken from the pipe"
    );
}

// ---- YAML aliases and nesting ----------------------------------------------------------------

#[test]
fn yaml_billion_laughs_is_refused() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = i - 1;
        text += &format!("a{i}: &a{i} [{}]\n", vec![format!("*a{p}"); 10].join(", "));
    }
    let ds = check("billion laughs", &text, Syntax::Yaml);
    assert_syntax_error(
        &ds,
        &format!("the document expands to more than {MAX_NODES} nodes"),
    );
    // The error points at the alias that crossed the budget.
    let span = ds[0].primary.as_ref().expect("a span").span.clone();
    assert!(text[span].starts_with("*a"), "{:?}", ds[0].primary);
}

#[test]
fn yaml_aliases_just_under_the_budget_are_bounded() {
    // 10 + 100 + ... : the expansion stays under MAX_NODES, the work with it; the tree is no
    // spec, and the schema says so.
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..5 {
        let p = i - 1;
        text += &format!("a{i}: &a{i} [{}]\n", vec![format!("*a{p}"); 10].join(", "));
    }
    let ds = check("aliases to 111,110 nodes", &text, Syntax::Yaml);
    assert!(!ds.is_empty() && diagnostics::has_errors(&ds));
    assert!(ds.iter().all(|d| d.code != "M0001"), "{:#?}", messages(&ds));
}

#[test]
fn yaml_aliases_cannot_nest_past_the_depth_limit() {
    // Each anchor wraps the alias of the one before in 60 more levels: 400 short lines would
    // build a tree 24,000 levels deep (and 4.8 million nodes) if aliases were not measured.
    let mut text = String::from("a0: &a0 x\n");
    for i in 1..400 {
        let p = i - 1;
        text += &format!("a{i}: &a{i} {}*a{p}{}\n", "[".repeat(60), "]".repeat(60));
    }
    let ds = check("a chain of 400 nested anchors", &text, Syntax::Yaml);
    assert_syntax_error(&ds, &nesting());
    let span = ds[0].primary.as_ref().expect("a span").span.clone();
    assert_eq!(&text[span], "*a1", "the first alias that nests too deep");
    // Aliases within the limit are fine.
    let ok = "a: &a [[x]]\nb: [[*a]]\n";
    let tree = syntax::yaml::parse_one(ok).expect("5 levels");
    assert_eq!(
        tree.to_json(),
        serde_json::json!({"a": [["x"]], "b": [[[["x"]]]]})
    );
}

#[test]
fn yaml_50000_deep_flow_nesting_is_refused() {
    let n = 50_000;
    for (what, open, close) in [
        ("50,000-deep flow sequences", "[", "]"),
        ("50,000-deep flow mappings", "{a: ", "}"),
    ] {
        let text = open.repeat(n) + &close.repeat(n);
        let ds = check(what, &text, Syntax::Yaml);
        assert_syntax_error(&ds, "");
        let m = &ds[0].message;
        assert!(
            m.contains(&nesting()) || m.contains("recursion limit"),
            "{what}: {m}"
        );
        let tree = timed(what, || syntax::yaml::parse_all(&text));
        assert!(tree.is_err());
    }
}

#[test]
fn yaml_50000_deep_block_nesting_is_refused() {
    // Block sequences nest on one line: `- - - x` is three levels deep.
    let text = "- ".repeat(50_000) + "x\n";
    let ds = check("50,000-deep block sequences", &text, Syntax::Yaml);
    assert_syntax_error(&ds, &nesting());
    // Block mappings under sequences: `- a:` then a deeper `- a:` on each line.
    let text: String = (0..50_000)
        .map(|i| format!("{}- a:\n", "  ".repeat(i % 64 + 1)))
        .collect();
    let ds = check("block mappings under sequences", &text, Syntax::Yaml);
    assert_syntax_error(&ds, "");
    // Indentation to the cap and one past it.
    let deep = |levels: usize| -> String {
        (0..levels)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect::<String>()
            + &" ".repeat(levels)
            + "x\n"
    };
    let ds = check("block mappings 65 deep", &deep(MAX_DEPTH + 1), Syntax::Yaml);
    assert_syntax_error(&ds, &nesting());
    let ds = check("block mappings 64 deep", &deep(MAX_DEPTH), Syntax::Yaml);
    assert!(
        ds.iter().all(|d| !d.message.contains("nesting")),
        "{:#?}",
        messages(&ds)
    );
}

// ---- KDL nesting and comments --------------------------------------------------------------

#[test]
fn kdl_50000_deep_nesting_is_refused() {
    let n = 50_000;
    let text = "a {".repeat(n) + &"}".repeat(n);
    let ds = check("50,000-deep KDL children", &text, Syntax::Kdl);
    assert_syntax_error(&ds, &nesting());
    let direct = timed("kdl::parse", || syntax::kdl::parse(&text));
    assert!(direct.is_err());
}

#[test]
fn kdl_100000_nested_block_comments_are_refused() {
    let n = 100_000;
    for (what, text) in [
        ("100,000 nested /* */", "/* ".repeat(n) + &" */".repeat(n)),
        ("100,000 unclosed /*", "/* ".repeat(n)),
        (
            "100,000 /* after a node",
            "mesh \"m\" ".to_string() + &"/* ".repeat(n),
        ),
    ] {
        let ds = check(what, &text, Syntax::Kdl);
        assert_syntax_error(&ds, &nesting());
    }
}

/// Deep nesting that `syntax::kdl`'s pre-scan (`check_depth`) does not see, so the `kdl`
/// crate's recursive parser overflows the stack: `/*/*` is read as open-close-open (the `*/`
/// inside it), a `"` in a `//` comment or in the raw string `#"\"#` hides everything after it
/// as a string, and a stray `*/` lowers the count. The release CLI overflows its 8 MiB main
/// thread from about 3,000 levels. Ignored (it aborts the test binary) until the KDL front-end
/// that is being rewritten lands; `cargo test --test limits -- --ignored` shows it.
#[test]
fn kdl_nesting_hidden_from_the_depth_scan_is_refused() {
    let n = 50_000;
    let braces = "a {".repeat(n) + &"}".repeat(n);
    for (what, text) in [
        (
            "100,000 nested /*/*",
            "/*".repeat(2 * n) + &"*/".repeat(2 * n),
        ),
        ("quote in a line comment", format!("// \"\n{braces}")),
        (
            "raw string ending in a backslash",
            format!("x #\"\\\"#\n{braces}"),
        ),
        (
            "stray */ between levels",
            "a { */ ".repeat(n) + &"}".repeat(n),
        ),
    ] {
        let ds = check(what, &text, Syntax::Kdl);
        assert!(
            ds.iter().any(|d| d.code == "M0001"),
            "{what}: {:#?}",
            messages(&ds)
        );
    }
}

// ---- empty, blank, not UTF-8 ---------------------------------------------------------------

#[test]
fn empty_and_blank_files_are_empty_specs() {
    for text in ["", " ", "\n\n\n", " \t\r\n  \n", &" \n".repeat(100_000)] {
        for syntax in [Syntax::Kdl, Syntax::Yaml] {
            let ds = check("blank", text, syntax);
            assert_syntax_error(&ds, "the spec is empty");
            assert_eq!(ds[0].primary.as_ref().map(|l| l.span.clone()), Some(0..0));
        }
    }
}

#[test]
fn comment_only_files_are_refused() {
    let ds = check("YAML comment", "# nothing here\n", Syntax::Yaml);
    assert_syntax_error(&ds, "the file holds no YAML document");
    // KDL: an empty document, which the schema finds without its required nodes.
    let ds = check(
        "KDL comment",
        "// nothing here\n/* nor here */\n",
        Syntax::Kdl,
    );
    assert!(diagnostics::has_errors(&ds), "{:#?}", messages(&ds));
}

#[test]
fn non_utf8_bytes_are_a_diagnostic() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, bytes, at) in [
        ("latin1.kdl", &b"mesh \"caf\xe9\" {\n}\n"[..], 9),
        ("bom16.yaml", &b"\xff\xfem\x00e\x00s\x00h\x00"[..], 0),
        ("late.yaml", &b"mesh:\n  name: ok\n# \xc3\x28\n"[..], 19),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        let d = match Input::read(&path) {
            Ok(Err(d)) => d,
            Ok(Ok(_)) => panic!("{name} was read as text"),
            Err(e) => panic!("{e}"),
        };
        assert_eq!((d.code, d.severity), ("M0001", Severity::Error));
        assert_eq!(
            d.message,
            format!("the file is not UTF-8 text (invalid byte at offset {at})")
        );
        let source = d.source.as_ref().expect("the lossy text");
        let span = d.primary.as_ref().expect("a span").span.clone();
        assert_eq!(source.text.get(span), Some("\u{fffd}"), "{name}");
        let human = diagnostics::human::render(&[d], false);
        assert!(human.contains(name), "{human}");
    }
}

// ---- long lines and strings ----------------------------------------------------------------

const SEED_KDL: &str = include_str!("../examples/seed/mesh.kdl");
const SEED_YAML: &str = include_str!("../examples/seed/mesh.yaml");

#[test]
fn very_long_strings_and_lines_are_answered() {
    let long = "x".repeat(7 * 1024 * 1024);
    // A 7 MiB image: valid as text, so the only question is that nothing chokes on it.
    let kdl = SEED_KDL.replacen(
        "us-docker.pkg.dev/sample-proj/docker-repo/sample-producer:1.4.2",
        &long,
        1,
    );
    assert_ne!(kdl, SEED_KDL);
    let ds = check("7 MiB image (KDL)", &kdl, Syntax::Kdl);
    assert!(!diagnostics::has_errors(&ds), "{:#?}", messages(&ds));
    let yaml = SEED_YAML.replacen(
        "us-docker.pkg.dev/sample-proj/docker-repo/sample-producer:1.4.2",
        &long,
        1,
    );
    let ds = check("7 MiB image (YAML)", &yaml, Syntax::Yaml);
    assert!(!diagnostics::has_errors(&ds), "{:#?}", messages(&ds));

    // A 7 MiB name: not a DNS label, reported (and rendered) once.
    let kdl = SEED_KDL.replacen("\"sample-producer\"", &format!("\"{long}\""), 1);
    let yaml = SEED_YAML.replacen("name: sample-producer", &format!("name: {long}"), 1);
    for (what, text, syntax) in [
        ("7 MiB service name (KDL)", kdl, Syntax::Kdl),
        ("7 MiB service name (YAML)", yaml, Syntax::Yaml),
    ] {
        let ds = check(what, &text, syntax);
        let bad = ds.iter().find(|d| d.code == "M0201").expect("invalid-name");
        // The message quotes the start of the name, not all 7 MiB of it.
        assert!(
            bad.message.len() < 200
                && bad.message.ends_with(&format!(
                    "…` is {} characters long; at most 63 are allowed",
                    long.len()
                )),
            "{}",
            &bad.message[..bad.message.len().min(300)]
        );
    }

    // A 3 MiB name and a call to an unknown 3 MiB name: "did you mean" once compared them
    // with a 3M × 3M edit-distance table (meshc lint was killed at 24 GiB).
    let (a, b) = ("a".repeat(3 << 20), "b".repeat(3 << 20));
    let yaml = SEED_YAML
        .replacen("name: sample-producer", &format!("name: {a}"), 1)
        .replacen("service: sample-producer", &format!("service: {b}"), 1);
    let ds = check("3 MiB call to an unknown 3 MiB name", &yaml, Syntax::Yaml);
    let unknown = ds
        .iter()
        .find(|d| d.code == "M0101")
        .expect("unknown-service");
    assert!(
        unknown
            .help
            .as_deref()
            .is_none_or(|h| !h.contains("did you mean"))
    );

    // One 7 MiB line of garbage, and an unterminated 7 MiB string.
    for (what, text, syntax) in [
        ("7 MiB line (KDL)", format!("mesh [{long}"), Syntax::Kdl),
        ("7 MiB line (YAML)", format!("mesh: [{long}"), Syntax::Yaml),
        (
            "7 MiB open string (KDL)",
            format!("mesh \"{long}"),
            Syntax::Kdl,
        ),
        (
            "7 MiB open string (YAML)",
            format!("mesh: \"{long}"),
            Syntax::Yaml,
        ),
    ] {
        let ds = check(what, &text, syntax);
        assert!(
            ds.iter().any(|d| d.code == "M0001"),
            "{what}: {:#?}",
            messages(&ds)
        );
    }
}

// ---- wide input ------------------------------------------------------------------------------

#[test]
fn a_yaml_map_of_200000_keys_is_read_in_linear_time() {
    // Duplicate keys are looked up, not scanned for: a scan made this n² (minutes).
    let keys = 200_000;
    let text: String = (0..keys).map(|i| format!("k{i}: {i}\n")).collect();
    assert!(text.len() < MAX_SOURCE_BYTES);
    let tree = timed("200,000 YAML keys (parse)", || {
        syntax::yaml::parse_one(&text)
    });
    assert_eq!(tree.map(|t| t.entries().len()).ok(), Some(keys));
    let dup = text.clone() + "k0: again\n";
    let err = syntax::yaml::parse_one(&dup).expect_err("a duplicate key");
    assert_eq!(err[0].message, "duplicate key `k0`");
    let ds = check("200,000 YAML keys (check)", &text, Syntax::Yaml);
    assert!(diagnostics::has_errors(&ds));
    eprintln!("  {} findings", ds.len());
}
