//! Local processor emulators: HTTP servers on loopback that speak each processor's wire
//! format, with seeded data of any size and knobs for faults. Used by the end-to-end tests,
//! the benchmarks and the demo.

pub mod actblue;
pub mod server;
pub mod stripe;
pub mod truth;
pub mod webhooks;
pub mod winred;
