//! Paths of the guest components, built by this crate's build script:
//! `STRIPE`, `WINRED`, `ACTBLUE` (the plugins), `HOSTILE` (the sandbox tests' attacker) and
//! `PYTHON_STRIPE` and `PYTHON_HOSTILE` (Python guests, built by componentize-py; not in `DIR`;
//! only with the `python` feature).
//! `STRIPE_V2` is the Stripe plugin again, stamped `0.1.0+swap` (a second build for hot swap).
//! `DIR` holds them all, for loading a whole directory.

include!(concat!(env!("OUT_DIR"), "/artifacts.rs"));
