//! What a plugin's store holds for one call: a WASI context that grants nothing, the memory
//! limiter, captured stdout/stderr, and the capabilities the host lends.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::config::Limits;
use crate::guest_log::LogBudget;
use crate::integration::Secret;
use crate::outbound::Outbound;

pub(crate) struct CallState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) limiter: StoreLimiter,
    pub(crate) outbound: Outbound,
    pub(crate) secrets: Arc<HashMap<String, Secret>>,
    pub(crate) plugin_id: String,
    pub(crate) log: LogBudget,
    /// `verify-hmac-sha256` calls left in this call.
    pub(crate) hmac_calls_left: u32,
    pub(crate) stdout: CapturedOutput,
    pub(crate) stderr: CapturedOutput,
}

impl CallState {
    pub(crate) fn new(plugin_id: &str, limits: &Limits, outbound: Outbound) -> CallState {
        let stdout = CapturedOutput::new(limits.max_output_bytes);
        let stderr = CapturedOutput::new(limits.max_output_bytes);
        // No preopened directories, no environment, no arguments, closed stdin, no network
        // sockets: the plugin reaches the world only through the imports below.
        let mut wasi = WasiCtx::builder();
        wasi.stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false);
        CallState {
            wasi: wasi.build(),
            table: ResourceTable::new(),
            limiter: StoreLimiter::new(limits),
            secrets: outbound.secrets.clone(),
            outbound,
            plugin_id: plugin_id.to_string(),
            log: LogBudget::new(limits.max_log_bytes_per_call, limits.max_log_lines_per_call),
            hmac_calls_left: limits.max_hmac_verifications,
            stdout,
            stderr,
        }
    }

    /// Emit what the guest printed to `tracing`, sanitized line by line as `log` is.
    pub(crate) fn flush_output(&self) {
        self.log.finish(&self.plugin_id);
        for (stream, captured) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            let text = captured.text();
            for line in text.lines().filter(|l| !l.is_empty()) {
                let line = crate::guest_log::sanitize(line, 4096);
                tracing::debug!(plugin = %self.plugin_id, stream, "{line}");
            }
            if captured.truncated() {
                tracing::warn!(plugin = %self.plugin_id, stream, "guest output over the cap was dropped");
            }
        }
    }
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// Caps the store's memories together (not each alone) and its tables; remembers whether the
/// cap is what stopped the guest, so the caller gets `MemoryLimit` rather than a bare trap.
pub(crate) struct StoreLimiter {
    memory_cap: usize,
    memory_total: usize,
    table_cap: usize,
    pub(crate) memory_exceeded: bool,
}

impl StoreLimiter {
    fn new(limits: &Limits) -> StoreLimiter {
        StoreLimiter {
            memory_cap: limits.memory_bytes as usize,
            memory_total: 0,
            table_cap: limits.max_table_elements,
            memory_exceeded: false,
        }
    }
}

impl ResourceLimiter for StoreLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let total = self.memory_total - current.min(self.memory_total) + desired;
        if total > self.memory_cap {
            self.memory_exceeded = true;
            return Err(wasmtime::format_err!(
                "memory limit of {} bytes exceeded",
                self.memory_cap
            ));
        }
        self.memory_total = total;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= self.table_cap)
    }
}

/// Guest stdout or stderr: kept up to a cap, the rest dropped (never an error to the guest,
/// never unbounded memory in the host).
#[derive(Clone)]
pub(crate) struct CapturedOutput {
    inner: Arc<Mutex<Captured>>,
}

struct Captured {
    bytes: Vec<u8>,
    cap: usize,
    truncated: bool,
}

impl CapturedOutput {
    fn new(cap: usize) -> CapturedOutput {
        CapturedOutput {
            inner: Arc::new(Mutex::new(Captured {
                bytes: Vec::new(),
                cap,
                truncated: false,
            })),
        }
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.inner.lock().unwrap_or_else(|e| e.into_inner()).bytes)
            .into_owned()
    }

    fn truncated(&self) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .truncated
    }

    fn write(&self, buf: &[u8]) {
        let mut captured = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let room = captured.cap.saturating_sub(captured.bytes.len());
        let take = room.min(buf.len());
        captured.bytes.extend_from_slice(&buf[..take]);
        captured.truncated |= take < buf.len();
    }
}

impl IsTerminal for CapturedOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CapturedOutput {
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }

    // Direct, not through wasmtime's async adapter: no task per stream, no copies.
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }
}

impl OutputStream for CapturedOutput {
    fn write(&mut self, bytes: bytes::Bytes) -> StreamResult<()> {
        CapturedOutput::write(self, &bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        // Always writable: what is over the cap is dropped, never refused.
        Ok(64 << 10)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for CapturedOutput {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for CapturedOutput {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.write(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_past_the_cap_is_dropped_and_noted() {
        let mut out = CapturedOutput::new(10);
        OutputStream::write(&mut out, bytes::Bytes::from_static(b"0123456")).unwrap();
        OutputStream::write(&mut out, bytes::Bytes::from_static(b"789abcdef")).unwrap();
        assert_eq!(out.text(), "0123456789");
        assert!(out.truncated());
        // Still writable: a chatty guest is never blocked or failed for it.
        assert!(out.check_write().unwrap() > 0);
    }
}
