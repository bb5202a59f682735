//! Compiled plugin code kept on disk, so a restart does not recompile. Keyed by the file's
//! SHA-256 and the engine's compatibility hash: a different wasmtime or different settings
//! miss the cache instead of loading incompatible code.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

pub(crate) struct CodeCache {
    dir: PathBuf,
    engine_key: String,
}

impl CodeCache {
    pub(crate) fn new(dir: &Path, engine: &Engine) -> CodeCache {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        CodeCache {
            dir: dir.to_path_buf(),
            engine_key: format!("{:016x}", hasher.finish()),
        }
    }

    fn entry(&self, bytes: &[u8]) -> PathBuf {
        let digest = hex::encode(Sha256::digest(bytes));
        self.dir.join(format!("{digest}-{}.cwasm", self.engine_key))
    }

    /// The compiled component, from the cache or compiled now (and then stored).
    pub(crate) fn load_or_compile(
        &self,
        engine: &Engine,
        bytes: &[u8],
    ) -> wasmtime::Result<Component> {
        let entry = self.entry(bytes);
        if entry.exists() {
            // SAFETY: entries are written only by `store` below, from `Component::serialize`
            // of this engine configuration (the key includes its compatibility hash). The
            // cache directory is the operator's, like the host binary itself.
            match unsafe { Component::deserialize_file(engine, &entry) } {
                Ok(component) => return Ok(component),
                Err(e) => {
                    tracing::warn!(path = %entry.display(), error = %e, "unusable cache entry; recompiling")
                }
            }
        }
        let component = Component::new(engine, bytes)?;
        if let Err(e) = self.store(&entry, &component) {
            tracing::warn!(path = %entry.display(), error = %e, "could not write the code cache");
        }
        Ok(component)
    }

    /// Write atomically: a crash or a concurrent writer never leaves a torn entry.
    fn store(&self, entry: &Path, component: &Component) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let serialized = component.serialize().map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        std::io::Write::write_all(&mut tmp, &serialized)?;
        tmp.as_file().sync_all()?;
        tmp.persist(entry)?;
        Ok(())
    }
}
