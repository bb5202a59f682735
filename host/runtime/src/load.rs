//! Turning a `.wasm` file into a loaded plugin: checked to be a component of a compatible
//! contract before anything is instantiated, compiled (or taken from the code cache),
//! pre-linked, and described by its own `info`.

use std::path::{Path, PathBuf};

use wasmtime::component::Component;

use crate::error::LoadError;
use crate::info_check;
use crate::runtime::{Grants, Lane, Runtime};
use crate::sandbox::CallState;
use crate::types::PluginInfo;
use crate::v0_1::{CONTRACT_SERIES, PluginPre};

/// The contract this host speaks: any plugin of the WIT's series (`0.1.x`) loads.
pub(crate) const CONTRACT_EXPORT: &str = "intake:plugin/processor";

pub(crate) struct LoadedPlugin {
    pub(crate) info: PluginInfo,
    pub(crate) pre: PluginPre<CallState>,
    pub(crate) path: PathBuf,
}

/// What kind of file the bytes are, from the header alone.
fn check_header(path: &Path, bytes: &[u8]) -> Result<(), LoadError> {
    const MAGIC: &[u8] = b"\0asm";
    if bytes.len() < 8 || &bytes[..4] != MAGIC {
        return Err(LoadError::NotWasm { path: path.into() });
    }
    // Bytes 4..8: version and layer. Core modules are layer 0, components layer 1.
    match bytes[6..8] {
        [0, 0] => Err(LoadError::NotAComponent { path: path.into() }),
        [1, 0] => Ok(()),
        _ => Err(LoadError::Invalid {
            path: path.into(),
            reason: "unknown WebAssembly layer".into(),
        }),
    }
}

/// The component's `intake:plugin/processor@…` export, if it is one this host speaks.
fn check_contract(runtime: &Runtime, path: &Path, component: &Component) -> Result<(), LoadError> {
    let ty = component.component_type();
    let exports: Vec<String> = ty
        .exports(&runtime.engine)
        .map(|(name, _)| name.to_string())
        .collect();
    let Some(found) = exports
        .iter()
        .find(|name| name.starts_with(&format!("{CONTRACT_EXPORT}@")))
    else {
        let exports = if exports.is_empty() {
            "nothing".into()
        } else {
            exports.join(", ")
        };
        return Err(LoadError::NotAPlugin {
            path: path.into(),
            exports,
        });
    };
    let version = found.get(CONTRACT_EXPORT.len() + 1..).unwrap_or_default();
    if !version.starts_with(&format!("{CONTRACT_SERIES}.")) {
        return Err(LoadError::IncompatibleVersion {
            path: path.into(),
            found: found.clone(),
            supported: CONTRACT_SERIES,
        });
    }
    Ok(())
}

/// Compile (CPU-bound: run it off the async threads) and check a plugin file.
pub(crate) fn compile(
    runtime: &Runtime,
    path: &Path,
    bytes: &[u8],
) -> Result<PluginPre<CallState>, LoadError> {
    check_header(path, bytes)?;
    let compiled = match &runtime.cache {
        Some(cache) => cache.load_or_compile(&runtime.engine, bytes),
        None => Component::new(&runtime.engine, bytes),
    };
    let component = compiled.map_err(|e| LoadError::Invalid {
        path: path.into(),
        reason: format!("{e:#}"),
    })?;
    check_contract(runtime, path, &component)?;
    let pre = runtime
        .linker
        .instantiate_pre(&component)
        .map_err(|e| LoadError::Unlinkable {
            path: path.into(),
            reason: format!("{e:#}"),
        })?;
    PluginPre::new(pre).map_err(|e| LoadError::Unlinkable {
        path: path.into(),
        reason: format!("{e:#}"),
    })
}

/// Ask the compiled plugin what it is (in the load pool, within `info_timeout`), and check
/// the answer.
pub(crate) async fn describe(
    runtime: &Runtime,
    path: PathBuf,
    pre: PluginPre<CallState>,
) -> Result<LoadedPlugin, LoadError> {
    let info = runtime
        .run(
            Lane::Load,
            &pre,
            Grants::none(),
            "info",
            async |plugin, store| plugin.intake_plugin_processor().call_info(store).await,
        )
        .await
        .map_err(|e| LoadError::Info {
            path: path.clone(),
            source: Box::new(e),
        })?;
    let info = PluginInfo::from(info);
    info_check::check(&info).map_err(|(field, reason)| LoadError::BadInfo {
        path: path.clone(),
        field,
        reason,
    })?;
    Ok(LoadedPlugin {
        info: info_check::normalized(info),
        pre,
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_tells_modules_from_components() {
        let p = Path::new("x.wasm");
        assert!(matches!(
            check_header(p, b"\0asm\x01\0\0\0"),
            Err(LoadError::NotAComponent { .. })
        ));
        assert!(check_header(p, b"\0asm\x0d\0\x01\0").is_ok());
        assert!(matches!(
            check_header(p, b"PK\x03\x04zip!"),
            Err(LoadError::NotWasm { .. })
        ));
        assert!(matches!(
            check_header(p, b""),
            Err(LoadError::NotWasm { .. })
        ));
    }
}
