//! The Python guests: built with componentize-py (the version pinned in
//! `plugins/python/requirements.txt`), started before the Rust guests' cargo build so the two
//! overlap, and skipped when the component is newer than every input (a Python build takes
//! ~50 s; see BENCHMARKS.md, "Python guests").

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::SystemTime;

/// (constant name, app directory under the root, module)
pub const GUESTS: &[(&str, &str, &str)] = &[
    ("PYTHON_STRIPE", "plugins/python/stripe", "app"),
    ("PYTHON_HOSTILE", "tests/guests/python-hostile", "app"),
];

/// A Python guest's build under way (or already up to date).
pub struct Build {
    name: &'static str,
    dest: PathBuf,
    child: Option<Child>,
}

fn pinned_version(root: &Path) -> String {
    let requirements = root.join("plugins/python/requirements.txt");
    std::fs::read_to_string(&requirements)
        .ok()
        .and_then(|text| {
            text.lines().find_map(|l| {
                l.trim()
                    .strip_prefix("componentize-py==")
                    .map(str::to_string)
            })
        })
        .unwrap_or_else(|| panic!("{} pins no componentize-py version", requirements.display()))
}

/// The newest modification time under `path` (a file or a directory tree).
fn newest(path: &Path) -> SystemTime {
    let mut latest = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or(SystemTime::UNIX_EPOCH);
    if let Ok(entries) = std::fs::read_dir(path) {
        for entry in entries.flatten() {
            if entry.file_name() != "__pycache__" {
                latest = latest.max(newest(&entry.path()));
            }
        }
    }
    latest
}

/// Starts every Python guest's build that is out of date, into `out_dir`.
pub fn start(root: &Path, out_dir: &Path) -> Vec<Build> {
    let tool = std::env::var_os("COMPONENTIZE_PY").unwrap_or_else(|| "componentize-py".into());
    println!("cargo:rerun-if-env-changed=COMPONENTIZE_PY");
    let version = pinned_version(root);
    let _ = std::fs::create_dir_all(out_dir);
    let shared = [root.join("wit"), root.join("plugins/python")];
    let mut builds = Vec::new();
    for (name, app_dir, module) in GUESTS {
        let dest = out_dir.join(format!("{}.wasm", name.to_lowercase()));
        let built_at = std::fs::metadata(&dest).and_then(|m| m.modified()).ok();
        let inputs = || shared.iter().cloned().chain([root.join(app_dir)]);
        let fresh = built_at.is_some_and(|at| inputs().all(|i| newest(&i) <= at));
        let child = (!fresh).then(|| {
            let _ = std::fs::remove_file(&dest);
            Command::new(&tool)
                .current_dir(root)
                .arg("-d")
                .arg(root.join("wit"))
                .args(["-w", "plugin", "componentize", module, "-p"])
                .arg(root.join(app_dir))
                .arg("-p")
                .arg(root.join("plugins/python"))
                .arg("-o")
                .arg(&dest)
                .spawn()
                .unwrap_or_else(|e| {
                    panic!(
                        "cannot run `{}` ({e}) to build the Python guests: install it with \
                         `python3 -m pip install componentize-py=={version}` (or set \
                         COMPONENTIZE_PY to its path)",
                        tool.to_string_lossy()
                    )
                })
        });
        builds.push(Build { name, dest, child });
    }
    builds
}

/// Waits for the builds and writes their constants into `code`; a failed build panics with
/// the command that reproduces it, never leaving a constant to a missing file.
pub fn finish(builds: Vec<Build>, code: &mut String) {
    for build in builds {
        if let Some(mut child) = build.child {
            let status = child.wait();
            if !status.as_ref().is_ok_and(|s| s.success()) || !build.dest.exists() {
                panic!(
                    "componentize-py failed to build the Python guest {} ({status:?}); see \
                     its output above, and PLUGINS-PYTHON.md",
                    build.name
                );
            }
        }
        code.push_str(&format!(
            "pub const {}: &str = {:?};\n",
            build.name,
            build.dest.display().to_string()
        ));
    }
}
