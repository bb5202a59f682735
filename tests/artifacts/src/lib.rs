//! Paths of the guest components, built by this crate's build script:
//! `STRIPE`, `WINRED`, `ACTBLUE` (the plugins) and `HOSTILE` (the sandbox tests' attacker).
//! `DIR` holds them all, for loading a whole directory.

include!(concat!(env!("OUT_DIR"), "/artifacts.rs"));
