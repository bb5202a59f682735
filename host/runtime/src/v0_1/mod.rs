//! Contract `intake:plugin@0.1.x`: the wasmtime bindings of that WIT, the host's imports for
//! it, and conversions between its records and the host-owned [`crate::types`]. A future
//! contract version gets a sibling module; the rest of the host speaks only `types`.

mod convert;
mod imports;

wasmtime::component::bindgen!({
    // The SDK crate carries the one copy of the contract, so it ships with the crate.
    path: "../../plugins/sdk/wit",
    world: "plugin",
    imports: {
        "intake:plugin/http.send": async,
        default: tracing,
    },
    exports: { default: async },
});

/// The WIT this module was generated from: its package line is the contract version.
const WIT: &str = include_str!("../../../../plugins/sdk/wit/plugin.wit");

/// The version in the WIT's `package intake:plugin@X.Y.Z;` line, e.g. "0.1.0".
pub(crate) const CONTRACT_VERSION: &str = package_version(WIT);

/// The compatible series: "0.1" for any 0.1.x (pre-1.0 a minor bump breaks), "1" for 1.x.
pub(crate) const CONTRACT_SERIES: &str = series(CONTRACT_VERSION);

/// Evaluated at compile time: a WIT without the package line fails the build.
const fn package_version(wit: &str) -> &str {
    let bytes = wit.as_bytes();
    let needle = b"package intake:plugin@";
    let mut i = 0;
    while i + needle.len() <= bytes.len() {
        let mut j = 0;
        while j < needle.len() && bytes[i + j] == needle[j] {
            j += 1;
        }
        if j == needle.len() {
            let start = i + j;
            let mut end = start;
            while end < bytes.len() && bytes[end] != b';' {
                end += 1;
            }
            let (_, rest) = bytes.split_at(start);
            let (version, _) = rest.split_at(end - start);
            match std::str::from_utf8(version) {
                Ok(v) => return v,
                Err(_) => panic!("the WIT package version is not UTF-8"),
            }
        }
        i += 1;
    }
    panic!("the WIT has no `package intake:plugin@…;` line")
}

const fn series(version: &str) -> &str {
    let bytes = version.as_bytes();
    let keep_dots = if !bytes.is_empty() && bytes[0] == b'0' {
        2
    } else {
        1
    };
    let (mut i, mut dots) = (0, 0);
    while i < bytes.len() {
        if bytes[i] == b'.' {
            dots += 1;
            if dots == keep_dots {
                break;
            }
        }
        i += 1;
    }
    let (head, _) = bytes.split_at(i);
    match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(_) => panic!("the WIT package version is not UTF-8"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_comes_from_the_wit() {
        assert_eq!(CONTRACT_VERSION, "0.1.0");
        assert_eq!(CONTRACT_SERIES, "0.1");
        assert_eq!(series("1.4.2"), "1");
        assert_eq!(
            package_version("// x\npackage intake:plugin@0.2.3;\n"),
            "0.2.3"
        );
    }
}
