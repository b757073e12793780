//! The output tree: written whole or not at all, owned by meshc, compared for `--check`.
//!
//! `write` builds the new tree in a temporary folder beside OUT and renames it into place, so
//! a failed or interrupted build leaves OUT as it was. Files whose content did not change are
//! hard-linked from the old tree instead of written again. OUT records the files meshc wrote
//! (`.meshc-owned`); meshc removes only those, and refuses to touch a folder holding files it
//! did not write unless forced (and then keeps them).

use crate::driver::Fatal;
use crate::emit::Files;
use rayon::prelude::*;
use similar::TextDiff;
use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The record of the files meshc wrote, at the root of OUT.
pub const OWNED: &str = ".meshc-owned";

#[derive(Debug, Default, PartialEq, Eq)]
pub struct WriteReport {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// What OUT holds now: the files meshc owns there, and any others.
struct Existing {
    owned: BTreeSet<String>,
    foreign: BTreeSet<String>,
}

fn read_existing(out: &Path) -> Result<Option<Existing>, Fatal> {
    let err = |e: io::Error| Fatal(format!("{}: {e}", out.display()));
    match fs::metadata(out) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(err(e)),
        Ok(m) if !m.is_dir() => {
            return Err(Fatal(format!(
                "{}: exists and is not a folder",
                out.display()
            )));
        }
        Ok(_) => {}
    }
    let owned: BTreeSet<String> = match fs::read_to_string(out.join(OWNED)) {
        Ok(text) => text
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => BTreeSet::new(),
        Err(e) => return Err(err(e)),
    };
    let mut all = BTreeSet::new();
    walk(out, out, &mut all).map_err(err)?;
    all.remove(OWNED);
    let foreign = all.difference(&owned).cloned().collect();
    let owned = owned.intersection(&all).cloned().collect();
    Ok(Some(Existing { owned, foreign }))
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.insert(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

fn sibling(out: &Path, tag: &str) -> PathBuf {
    sibling_of(out, tag, std::process::id())
}

fn sibling_of(out: &Path, tag: &str, pid: u32) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.meshc-{tag}-{pid}"))
}

/// Undo what an interrupted build left beside OUT: a build that died between its two renames
/// left OUT missing and the previous tree in `.OUT.meshc-old-PID`, which is put back; temporary
/// trees of builds that are no longer running are removed. Folders of a build still running
/// (its process exists) are left alone.
fn recover(out: &Path) -> io::Result<()> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Some(name) = out.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Ok(());
    };
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(());
    };
    let prefix = format!(".{name}.meshc-");
    for entry in entries.filter_map(Result::ok) {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some((tag, pid)) = file
            .strip_prefix(&prefix)
            .and_then(|rest| rest.split_once('-'))
        else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if pid == std::process::id() || process_alive(pid) {
            continue;
        }
        match tag {
            "old" if !out.exists() => fs::rename(entry.path(), out)?,
            "old" | "tmp" => fs::remove_dir_all(entry.path())?,
            _ => {}
        }
    }
    Ok(())
}

/// Whether a process exists (Linux: `/proc/PID`); elsewhere, assume it does, and keep its files.
fn process_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

/// Write `files` as the whole content meshc owns in OUT.
pub fn write(out: &Path, files: &Files, force: bool) -> Result<WriteReport, Fatal> {
    recover(out).map_err(|e| {
        Fatal(format!(
            "{}: recovering from an interrupted build: {e}",
            out.display()
        ))
    })?;
    let existing = read_existing(out)?;
    if let Some(e) = &existing
        && !e.foreign.is_empty()
        && !force
    {
        let shown: Vec<&str> = e.foreign.iter().take(5).map(String::as_str).collect();
        let more = e.foreign.len().saturating_sub(shown.len());
        return Err(Fatal(format!(
            "{} holds files meshc did not write ({}{}); refusing to replace it. Use an empty folder, or --force to keep them and write beside them",
            out.display(),
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        )));
    }
    let old = |rel: &str| fs::read(out.join(rel)).ok();
    let mut report = WriteReport::default();
    // Nothing to do when every owned file is already as it should be.
    if let Some(e) = &existing {
        let same_set = e.owned.iter().eq(files.keys());
        if same_set
            && files
                .iter()
                .all(|(k, v)| old(k).as_deref() == Some(v.as_bytes()))
        {
            report.unchanged = files.len();
            return Ok(report);
        }
    }
    let tmp = sibling(out, "tmp");
    let result = (|| -> io::Result<()> {
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        fs::create_dir_all(&tmp)?;
        let dirs: BTreeSet<&Path> = files
            .keys()
            .filter_map(|rel| Path::new(rel).parent())
            .collect();
        for dir in dirs {
            fs::create_dir_all(tmp.join(dir))?;
        }
        // Files are independent: write them on every core. An unchanged file is linked from the
        // old tree instead of written again.
        let linked: Vec<bool> = files
            .par_iter()
            .map(|(rel, content)| {
                let dest = tmp.join(rel);
                if existing.is_some()
                    && old(rel).as_deref() == Some(content.as_bytes())
                    && fs::hard_link(out.join(rel), &dest).is_ok()
                {
                    return Ok(true);
                }
                fs::write(&dest, content).map(|()| false)
            })
            .collect::<io::Result<_>>()?;
        report.unchanged = linked.iter().filter(|&&l| l).count();
        report.written = linked.len() - report.unchanged;
        if let Some(e) = &existing {
            report.removed = e.owned.iter().filter(|k| !files.contains_key(*k)).count();
            // Forced: files meshc did not write are kept, as they were.
            for rel in &e.foreign {
                let dest = tmp.join(rel);
                if let Some(parent) = dest.parent() {
                    fs::create_dir_all(parent)?;
                }
                if fs::hard_link(out.join(rel), &dest).is_err() {
                    fs::copy(out.join(rel), &dest)?;
                }
            }
        }
        let record: String = files.keys().map(|k| format!("{k}\n")).collect();
        fs::write(tmp.join(OWNED), record)?;
        swap(out, &tmp, existing.is_some())
    })();
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&tmp);
        return Err(Fatal(format!("{}: {e}", out.display())));
    }
    Ok(report)
}

/// Put the new tree in place of the old one: two renames, the old tree kept until the new one
/// stands.
fn swap(out: &Path, tmp: &Path, had_old: bool) -> io::Result<()> {
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    if !had_old {
        return fs::rename(tmp, out);
    }
    let old = sibling(out, "old");
    fs::rename(out, &old)?;
    if let Err(e) = fs::rename(tmp, out) {
        let _ = fs::rename(&old, out);
        return Err(e);
    }
    fs::remove_dir_all(&old)
}

/// `build --check`: the unified diff from OUT to what meshc would write, or `None` when OUT is
/// up to date. Writes nothing.
pub fn diff(out: &Path, files: &Files) -> Result<Option<String>, Fatal> {
    let existing = read_existing(out)?;
    let owned = existing.map(|e| e.owned).unwrap_or_default();
    let paths: BTreeSet<&String> = owned.iter().chain(files.keys()).collect();
    let mut text = String::new();
    for rel in paths {
        let old = if owned.contains(rel) {
            fs::read_to_string(out.join(rel))
                .map_err(|e| Fatal(format!("{}: {e}", out.join(rel).display())))?
        } else {
            String::new()
        };
        let new = files.get(rel).map_or("", String::as_str);
        if old == new {
            continue;
        }
        let (a, b) = (
            if owned.contains(rel) {
                format!("a/{rel}")
            } else {
                "/dev/null".into()
            },
            if files.contains_key(rel) {
                format!("b/{rel}")
            } else {
                "/dev/null".into()
            },
        );
        text.push_str(
            &TextDiff::from_lines(old.as_str(), new)
                .unified_diff()
                .context_radius(3)
                .header(&a, &b)
                .to_string(),
        );
    }
    Ok((!text.is_empty()).then_some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(content: &str) -> Files {
        Files::from([("c1/a.yaml".to_string(), content.to_string())])
    }

    #[test]
    fn an_interrupted_swap_is_undone() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("deploy");
        write(&out, &files("one\n"), false).unwrap();
        // A build (pid 999999, long gone) died after moving OUT aside, before moving its tree in.
        let dead = 999_999;
        fs::rename(&out, sibling_of(&out, "old", dead)).unwrap();
        fs::create_dir_all(sibling_of(&out, "tmp", dead).join("c1")).unwrap();
        fs::write(sibling_of(&out, "tmp", dead).join("c1/a.yaml"), "half\n").unwrap();
        let report = write(&out, &files("one\n"), false).unwrap();
        assert_eq!(
            report,
            WriteReport {
                written: 0,
                unchanged: 1,
                removed: 0
            },
            "the old tree is back"
        );
        let left: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(
            left,
            vec![std::ffi::OsString::from("deploy")],
            "nothing else remains"
        );
    }

    #[test]
    fn a_running_builds_folders_are_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("deploy");
        // pid 1 is always running.
        fs::create_dir_all(sibling_of(&out, "tmp", 1)).unwrap();
        write(&out, &files("x\n"), false).unwrap();
        assert!(sibling_of(&out, "tmp", 1).exists());
    }
}
