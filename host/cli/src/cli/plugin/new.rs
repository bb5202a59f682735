//! `intake plugin new NAME`: a ready plugin crate in `./NAME`, from a template embedded in
//! the binary (`host/cli/templates/<lang>/`).

use std::path::{Path, PathBuf};

use clap::ValueEnum;

/// Where the SDK comes from until it is on crates.io, when `--sdk-path` is not given.
/// Overridden by `INTAKE_SDK_GIT` (e.g. a fork or a mirror).
pub(crate) const SDK_GIT_URL: &str = "https://github.com/intake-crm/intake";

/// The language of a new plugin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Lang {
    /// A Rust crate over `intake-plugin-sdk`.
    Rust,
    /// A Python project built with componentize-py.
    Python,
}

/// One file of a template: its path in the new project and its text, with `{{crate}}`,
/// `{{id}}`, `{{lib}}`, `{{Type}}` and `{{sdk}}` filled in.
struct TemplateFile {
    path: &'static str,
    text: &'static str,
}

const RUST: &[TemplateFile] = &[
    TemplateFile {
        path: "Cargo.toml",
        text: include_str!("../../../templates/rust/Cargo.toml.tmpl"),
    },
    TemplateFile {
        path: "README.md",
        text: include_str!("../../../templates/rust/README.md.tmpl"),
    },
    TemplateFile {
        path: ".gitignore",
        text: include_str!("../../../templates/rust/gitignore"),
    },
    TemplateFile {
        path: "src/lib.rs",
        text: include_str!("../../../templates/rust/src/lib.rs.tmpl"),
    },
    TemplateFile {
        path: "src/tests.rs",
        text: include_str!("../../../templates/rust/src/tests.rs"),
    },
    TemplateFile {
        path: "fixtures/exchanges.json",
        text: include_str!("../../../templates/rust/fixtures/exchanges.json"),
    },
];

/// The Python template: the files host/cli/templates/python/MANIFEST lists, the shared ones
/// (contract, pin, helper package) from where they live.
const PYTHON: &[TemplateFile] = &[
    TemplateFile {
        path: "app.py",
        text: include_str!("../../../templates/python/app.py.tmpl"),
    },
    TemplateFile {
        path: "test_app.py",
        text: include_str!("../../../templates/python/test_app.py"),
    },
    TemplateFile {
        path: "requirements.txt",
        text: include_str!("../../../../../plugins/python/requirements.txt"),
    },
    TemplateFile {
        path: "README.md",
        text: include_str!("../../../templates/python/README.md.tmpl"),
    },
    TemplateFile {
        path: ".gitignore",
        text: include_str!("../../../templates/python/gitignore"),
    },
    TemplateFile {
        path: "wit/plugin.wit",
        text: include_str!("../../../../../plugins/sdk/wit/plugin.wit"),
    },
    TemplateFile {
        path: "intake_plugin/__init__.py",
        text: include_str!("../../../../../plugins/python/intake_plugin/__init__.py"),
    },
    TemplateFile {
        path: "intake_plugin/errors.py",
        text: include_str!("../../../../../plugins/python/intake_plugin/errors.py"),
    },
    TemplateFile {
        path: "intake_plugin/money.py",
        text: include_str!("../../../../../plugins/python/intake_plugin/money.py"),
    },
    TemplateFile {
        path: "intake_plugin/pages.py",
        text: include_str!("../../../../../plugins/python/intake_plugin/pages.py"),
    },
    TemplateFile {
        path: "intake_plugin/request.py",
        text: include_str!("../../../../../plugins/python/intake_plugin/request.py"),
    },
    TemplateFile {
        path: "intake_plugin/timefmt.py",
        text: include_str!("../../../../../plugins/python/intake_plugin/timefmt.py"),
    },
];

/// Why a project could not be made.
#[derive(Debug, thiserror::Error)]
pub(crate) enum NewError {
    #[error(
        "`{0}` is not a plugin name: use lower-case letters, digits and `-`, starting with a letter (e.g. `acme-pay`)"
    )]
    BadName(String),
    #[error("{0} already exists: choose another name or remove it")]
    Exists(PathBuf),
    #[error("--sdk-path {0}: no intake-plugin-sdk crate there (expected its Cargo.toml)")]
    BadSdkPath(PathBuf),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn files(lang: Lang) -> Result<&'static [TemplateFile], NewError> {
    match lang {
        Lang::Rust => Ok(RUST),
        Lang::Python => Ok(PYTHON),
    }
}

/// Lower-case letters, digits and `-`, starting with a letter: a crate name and a plugin id.
fn valid_name(name: &str) -> bool {
    name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-')
}

/// `acme-pay` → `AcmePay`.
fn type_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The SDK dependency line: a path when given, else the git repository.
fn sdk_dependency(sdk_path: Option<&Path>) -> Result<String, NewError> {
    match sdk_path {
        Some(path) => {
            let path = std::fs::canonicalize(path)
                .ok()
                .filter(|p| p.join("Cargo.toml").is_file())
                .ok_or_else(|| NewError::BadSdkPath(path.to_path_buf()))?;
            // TOML basic string: backslashes and quotes escaped.
            let text = path
                .display()
                .to_string()
                .replace('\\', "\\\\")
                .replace('"', "\\\"");
            Ok(format!("intake-plugin-sdk = {{ path = \"{text}\" }}"))
        }
        None => {
            let url = std::env::var("INTAKE_SDK_GIT").unwrap_or_else(|_| SDK_GIT_URL.into());
            Ok(format!("intake-plugin-sdk = {{ git = \"{url}\" }}"))
        }
    }
}

/// Write a new `lang` project called `name` into `parent/name`; the files written.
pub(crate) fn create(
    parent: &Path,
    name: &str,
    lang: Lang,
    sdk_path: Option<&Path>,
) -> Result<Vec<PathBuf>, NewError> {
    if !valid_name(name) {
        return Err(NewError::BadName(name.into()));
    }
    let files = files(lang)?;
    let root = parent.join(name);
    if root.exists() {
        return Err(NewError::Exists(root));
    }
    let sdk = sdk_dependency(sdk_path)?;
    let lib = name.replace('-', "_");
    let ty = type_name(name);
    let mut written = Vec::new();
    for file in files {
        let path = root.join(file.path);
        let text = file
            .text
            .replace("{{crate}}", name)
            .replace("{{id}}", name)
            .replace("{{lib}}", &lib)
            .replace("{{Type}}", &ty)
            .replace("{{sdk}}", &sdk);
        let write = || -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&path, text)
        };
        write().map_err(|source| NewError::Write {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_crate_names_and_types_are_camel_case() {
        assert!(valid_name("acme-pay2"));
        for bad in ["", "Acme", "2acme", "acme_pay", "acme-", "../x", "a b"] {
            assert!(!valid_name(bad), "{bad}");
        }
        assert_eq!(type_name("acme-pay"), "AcmePay");
        assert_eq!(type_name("x"), "X");
    }

    #[test]
    fn python_writes_every_file_of_the_manifest_with_the_id_filled_in() {
        let dir = tempfile::tempdir().unwrap();
        let written = create(dir.path(), "acme-pay", Lang::Python, None).unwrap();
        let manifest = include_str!("../../../templates/python/MANIFEST")
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count();
        assert_eq!(written.len(), manifest);
        let root = dir.path().join("acme-pay");
        for file in [
            "app.py",
            "test_app.py",
            ".gitignore",
            "wit/plugin.wit",
            "intake_plugin/money.py",
        ] {
            assert!(root.join(file).is_file(), "{file}");
        }
        let app = std::fs::read_to_string(root.join("app.py")).unwrap();
        assert!(app.contains("The `acme-pay` plugin"), "{app}");
        assert!(!app.contains("{{id}}"));
    }

    #[test]
    fn an_existing_directory_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("acme")).unwrap();
        let err = create(dir.path(), "acme", Lang::Rust, None).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("acme already exists: choose another name or remove it")
        );
    }
}
