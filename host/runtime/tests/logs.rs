//! The plugin's `log` import seen from a subscriber: a flood from one call is capped (and the
//! drop counted once), and a message cannot forge a line or carry terminal escapes.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{loaded_host, test_limits};
use intake_host::Integration;
use intake_host::types::Window;

/// Every formatted event, in one buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

fn subscriber(out: &Captured) -> impl tracing::Subscriber + Send + Sync + use<> {
    let out = out.clone();
    tracing_subscriber::fmt()
        .with_writer(move || out.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish()
}

fn window() -> Window {
    Window {
        since: "2024-01-01T00:00:00Z".into(),
        until: None,
    }
}

#[tokio::test]
async fn a_log_flood_is_capped_and_counted_once() {
    let host = loaded_host(test_limits()).await;
    let out = Captured::default();
    let _guard = tracing::subscriber::set_default(subscriber(&out));
    let page = host
        .fetch(
            &Integration::new("hostile").setting("attack", "log-flood"),
            &window(),
            None,
        )
        .await
        .unwrap();
    assert_eq!(page.donations[0].id, "don_ok");
    let text = out.text();
    let from_guest = text.lines().filter(|l| l.contains("yyyy")).count();
    // 100,000 messages of 1023 bytes against 64 KiB: 64 whole ones and a 65th cut short.
    assert_eq!(from_guest, 65, "{}", &text[..text.len().min(2000)]);
    assert!(text.len() < 128 << 10, "captured {} bytes", text.len());
    let dropped: Vec<&str> = text.lines().filter(|l| l.contains("dropped")).collect();
    assert_eq!(dropped.len(), 1, "{dropped:?}");
    assert!(dropped[0].contains("dropped=99935"), "{}", dropped[0]);
}

#[tokio::test]
async fn a_message_cannot_forge_a_line_or_escape_the_terminal() {
    let host = loaded_host(test_limits()).await;
    let out = Captured::default();
    let _guard = tracing::subscriber::set_default(subscriber(&out));
    host.fetch(
        &Integration::new("hostile").setting("attack", "log-forge"),
        &window(),
        None,
    )
    .await
    .unwrap();
    let text = out.text();
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("forged")).collect();
    assert_eq!(lines.len(), 1, "one event, one line: {text}");
    assert!(
        lines[0].contains(
            "first line\u{FFFD}INFO plugin=stripe: forged line\u{FFFD}[31m red\u{FFFD}[0m"
        ),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("plugin=\"hostile\"") || lines[0].contains("plugin=hostile"));
    assert!(!text.contains('\x1b'));
}
