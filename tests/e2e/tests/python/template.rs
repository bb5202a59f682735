//! `host/cli/templates/python` (what `intake plugin new NAME --lang python` writes), generated
//! as a user would get it, unit-tested with plain Python, built with componentize-py and run
//! in the host.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn template_dir() -> PathBuf {
    root().join("host/cli/templates/python")
}

/// The template's files as its MANIFEST lists them: (the path written, the file it comes
/// from). `PATH < SOURCE` comes from SOURCE in the repository, any other from the template.
fn manifest() -> Vec<(String, PathBuf)> {
    std::fs::read_to_string(template_dir().join("MANIFEST"))
        .expect("the template's MANIFEST")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| match line.split_once(" < ") {
            Some((file, source)) => (file.to_string(), root().join(source)),
            None => (line.to_string(), template_dir().join(line)),
        })
        .collect()
}

/// Writes the template into `dest` as `intake plugin new example --lang python` would.
fn generate(dest: &Path) {
    for (file, source) in manifest() {
        let text = std::fs::read_to_string(&source).expect(&file);
        let (name, text) = match file.strip_suffix(".tmpl") {
            Some(name) => (name.to_string(), text.replace("{{id}}", "example")),
            None => (file.clone(), text),
        };
        let name = if name == "gitignore" {
            ".gitignore".into()
        } else {
            name
        };
        let path = dest.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} {args:?}: {e} (see PLUGINS-PYTHON.md to install)"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{program} {args:?} failed:\n{text}");
    text
}

#[test]
fn the_template_ships_the_same_helpers_contract_and_pin() {
    let listed = manifest();
    let source_of = |file: &str| {
        listed
            .iter()
            .find(|(f, _)| f == file)
            .map(|(_, source)| source.clone())
    };
    // Shipped from where they live, not from copies that could drift.
    assert_eq!(
        source_of("wit/plugin.wit"),
        Some(root().join("plugins/sdk/wit/plugin.wit"))
    );
    assert_eq!(
        source_of("requirements.txt"),
        Some(root().join("plugins/python/requirements.txt"))
    );
    let helpers: Vec<String> = std::fs::read_dir(root().join("plugins/python/intake_plugin"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".py"))
        .collect();
    assert_eq!(helpers.len(), 6, "every helper module is in the MANIFEST");
    for helper in helpers {
        assert_eq!(
            source_of(&format!("intake_plugin/{helper}")),
            Some(root().join("plugins/python/intake_plugin").join(&helper)),
            "intake_plugin/{helper} is not shipped from plugins/python/intake_plugin"
        );
    }
    for (file, source) in &listed {
        assert!(source.is_file(), "{file}: {} is missing", source.display());
    }
}

/// The generated project built once per template content (a build takes ~50 s).
fn built_template() -> &'static str {
    static BUILT: OnceLock<String> = OnceLock::new();
    BUILT.get_or_init(|| {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for (file, source) in manifest() {
            file.hash(&mut hasher);
            std::fs::read(&source).unwrap().hash(&mut hasher);
        }
        let out = root().join("target/guests/python");
        std::fs::create_dir_all(&out).unwrap();
        let wasm = out.join(format!("template-{:016x}.wasm", hasher.finish()));
        if !wasm.exists() {
            let project = tempfile::tempdir().unwrap();
            generate(project.path());
            run(
                project.path(),
                "componentize-py",
                &[
                    "-d",
                    "wit",
                    "-w",
                    "plugin",
                    "componentize",
                    "app",
                    "-o",
                    "example.wasm",
                ],
            );
            std::fs::copy(project.path().join("example.wasm"), &wasm).unwrap();
        }
        wasm.display().to_string()
    })
}

#[test]
fn the_generated_project_passes_its_own_unit_tests() {
    let project = tempfile::tempdir().unwrap();
    generate(project.path());
    run(
        project.path(),
        "componentize-py",
        &["-d", "wit", "-w", "plugin", "bindings", "."],
    );
    let out = run(project.path(), "python3", &["-m", "unittest", "test_app"]);
    assert!(out.contains("Ran 5 tests"), "{out}");
    assert!(out.contains("OK"), "{out}");
}

#[tokio::test]
async fn the_generated_project_builds_and_runs_in_the_host() {
    let path = built_template();
    let host = host_with(HostConfig::default(), path).await;
    let info = host.info("example").await.expect("info");
    assert_eq!(
        info.outbound,
        vec!["https://api.example.com:443".to_string()]
    );
    let keys: Vec<&str> = info.settings.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["api_base", "api_key"]);

    // Its request helper goes through the host: an ungranted origin is refused as config.
    let integration = Integration::new("example")
        .setting("api_base", "http://127.0.0.1:9")
        .secret("api_key", "k");
    let err = host
        .fetch(&integration, &all_time(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CallError::Plugin(PluginError::Config(m)) if m.contains("the host refused it")),
        "{err:?}"
    );
}
