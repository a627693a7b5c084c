//! docs/spec-compliance.md is the city's view of what is built: every path it cites must exist,
//! every test it names must exist in the file it names, and every row that claims work (done or
//! partial) must cite a test.

use std::path::{Path, PathBuf};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the repository")
        .to_path_buf()
}

fn matrix() -> String {
    std::fs::read_to_string(repository().join("docs/spec-compliance.md"))
        .expect("docs/spec-compliance.md is readable")
}

/// Folders a citation may start with: anything else in backticks is a name, not a path.
const ROOTS: &[&str] = &[
    "shared/",
    "functions/",
    "tests/",
    "infra/",
    "docs/",
    "browser-tests/",
    "scripts/",
    "events/",
    "data/",
];

/// A cited path, optionally with the test it names: `path/to/file.rs::a_test_name`.
#[derive(Debug)]
struct Citation {
    path: String,
    test: Option<String>,
}

fn citations(text: &str) -> Vec<Citation> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| ROOTS.iter().any(|root| span.starts_with(root)))
        .map(|span| match span.split_once("::") {
            Some((path, test)) => Citation {
                path: path.to_string(),
                test: Some(test.to_string()),
            },
            None => Citation {
                path: span.trim_end_matches('/').to_string(),
                test: None,
            },
        })
        .collect()
}

/// Whether `file` defines the test `name`: a Rust `fn name` or a browser test titled `name`.
fn defines(file: &str, name: &str) -> bool {
    file.contains(&format!("fn {name}("))
        || file.contains(&format!("'{name}'"))
        || file.contains(&format!("\"{name}\""))
}

#[test]
fn every_cited_path_and_test_exists() {
    let root = repository();
    let mut missing = Vec::new();
    let cited = citations(&matrix());
    assert!(cited.len() > 50, "the matrix cites its paths in backticks");
    for c in &cited {
        let path = root.join(&c.path);
        if !path.exists() {
            missing.push(format!("path {}", c.path));
            continue;
        }
        if let Some(test) = &c.test {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if !defines(&text, test) {
                missing.push(format!("test {}::{test}", c.path));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/spec-compliance.md cites what does not exist:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_row_that_claims_work_cites_a_test() {
    let mut untested = Vec::new();
    for line in matrix().lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.split(" | ").collect();
        // | id | requirement | status | implemented in | test | manual |
        if cells.len() < 6 {
            continue;
        }
        let (id, status, test) = (cells[0].trim_start_matches("| "), cells[2], cells[4]);
        let claims = status.starts_with("done") || status.starts_with("partial");
        if claims && citations(test).is_empty() {
            untested.push(id.to_string());
        }
    }
    assert!(
        untested.is_empty(),
        "rows claiming done/partial without a cited test: {untested:?}"
    );
}

#[test]
fn a_citation_names_its_file_and_its_test() {
    let cited = citations("see `functions/x/tests/a.rs::a_test` and `tayori-domain` and `docs/m/`");
    assert_eq!(cited.len(), 2);
    assert_eq!(cited[0].path, "functions/x/tests/a.rs");
    assert_eq!(cited[0].test.as_deref(), Some("a_test"));
    assert_eq!(cited[1].path, "docs/m");
    assert!(defines("async fn a_test() {}", "a_test"));
    assert!(defines(
        "test('a clerk signs in', async",
        "a clerk signs in"
    ));
    assert!(!defines("fn a_test_longer() {}", "a_test"));
}
