//! The `postgres` client blocks on a runtime of its own, which tokio refuses inside an async
//! task. The engine calls the store from `spawn_blocking`, but a CRM or a test may call it
//! from async code directly: there the call moves to a scoped thread of its own.

/// Run `f` where a blocking database call is allowed.
pub(super) fn off_async<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    std::thread::scope(|scope| match scope.spawn(f).join() {
        Ok(value) => value,
        // The closure panicked: carry the panic to the caller, as a direct call would.
        Err(panic) => std::panic::resume_unwind(panic),
    })
}
