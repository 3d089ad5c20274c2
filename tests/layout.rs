//! The layout list in docs/architecture.md stays true: every folder and
//! Rust file under `src/` has a line there, and every path listed there
//! exists. No display, no GStreamer: it reads the tree as it is at test time.

use std::collections::BTreeSet;
use std::path::Path;

/// `src/…` paths (folders end in `/`) of the tree under `dir`.
fn tree(root: &Path, dir: &Path, found: &mut BTreeSet<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{} could not be read ({e})", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let relative = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if path.is_dir() {
            found.insert(format!("{relative}/"));
            tree(root, &path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.insert(relative);
        }
    }
}

/// The paths the Layout section lists: the first code span of each list
/// item (`` - `src/engine/seek.rs` — … ``).
fn listed(architecture: &str) -> BTreeSet<String> {
    let section = architecture
        .split("\n## ")
        .find(|s| s.starts_with("Layout\n"))
        .expect("docs/architecture.md has a “## Layout” section");
    section
        .lines()
        .filter_map(|line| line.strip_prefix("- `"))
        .filter_map(|rest| rest.split_once('`').map(|(path, _)| path.to_string()))
        .filter(|path| path.starts_with("src/"))
        .collect()
}

#[test]
fn architecture_layout_lists_every_source_file_and_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = BTreeSet::new();
    tree(root, &root.join("src"), &mut found);
    found.remove("src/");
    let doc = root.join("docs/architecture.md");
    let text = std::fs::read_to_string(&doc)
        .unwrap_or_else(|e| panic!("{} could not be read ({e})", doc.display()));
    let listed = listed(&text);
    assert!(
        !listed.is_empty(),
        "the Layout section lists no `src/…` path"
    );

    let missing: Vec<&String> = found.difference(&listed).collect();
    let extra: Vec<&String> = listed.difference(&found).collect();
    let mut problems = Vec::new();
    if !missing.is_empty() {
        problems.push(format!(
            "these source paths have no line in the Layout section of docs/architecture.md \
             (add “- `PATH` — what it is for”): {}",
            join(&missing)
        ));
    }
    if !extra.is_empty() {
        problems.push(format!(
            "the Layout section of docs/architecture.md lists paths that do not exist \
             (remove or rename them): {}",
            join(&extra)
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("; and "));
}

fn join(paths: &[&String]) -> String {
    paths
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn a_path_in_prose_is_not_taken_for_a_layout_line() {
    let doc = "# A\n\n## Layout\n\n- `src/a.rs` — a\n- `src/b/` — b\nSee `src/c.rs`.\n\n## Next\n\n- `src/d.rs` — d\n";
    let listed: Vec<String> = listed(doc).into_iter().collect();
    assert_eq!(listed, ["src/a.rs", "src/b/"]);
}
