//! Alone in its binary, so the process's peak RSS is this test's: a plugin that returns 130k
//! donations gets a typed error at the transfer limit, and the host never allocates for them.

mod common;

use intake_host::types::Window;
use intake_host::{CallError, Integration, Limits};

/// Peak resident memory of this process so far, in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[tokio::test]
async fn a_huge_result_hits_the_transfer_limit_with_bounded_memory() {
    let limits = Limits {
        memory_bytes: 256 << 20,
        ..common::test_limits()
    };
    let host = common::loaded_host(limits).await;
    let window = Window {
        since: "2024-01-01T00:00:00Z".into(),
        until: None,
    };
    let many = Integration::new("hostile").setting("attack", "many-donations");
    let before = peak_rss_kib();
    let err = host.fetch(&many, &window, None).await.unwrap_err();
    let grown_mib = (peak_rss_kib() - before) / 1024;
    assert!(
        matches!(err, CallError::TransferLimit(n) if n == 32 << 20),
        "{err:?}"
    );
    eprintln!("peak RSS grew by {grown_mib} MiB");
    // The guest's own memory (the 130k records it built) is most of it; lifting them into
    // host records would add hundreds of MiB more.
    assert!(grown_mib < 160, "peak RSS grew by {grown_mib} MiB");
    let ok = Integration::new("hostile").setting("attack", "none");
    assert_eq!(
        host.fetch(&ok, &window, None)
            .await
            .unwrap()
            .donations
            .len(),
        1
    );
}
