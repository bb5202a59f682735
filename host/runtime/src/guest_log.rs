//! The plugin's `log` import, made safe to forward: a per-call budget of bytes and lines
//! (the rest dropped and counted once, at the end of the call), control characters replaced
//! so a message cannot forge a log line or move the terminal, and nothing that can panic.

use tracing::Level;

/// What one call may still log.
pub(crate) struct LogBudget {
    bytes_left: usize,
    lines_left: u32,
    dropped: u64,
}

impl LogBudget {
    pub(crate) fn new(max_bytes: usize, max_lines: u32) -> LogBudget {
        LogBudget {
            bytes_left: max_bytes,
            lines_left: max_lines,
            dropped: 0,
        }
    }

    /// Forward one message as one event, if the budget allows; otherwise count it.
    pub(crate) fn emit(&mut self, plugin: &str, level: Level, message: &str) {
        if self.lines_left == 0 || self.bytes_left == 0 {
            self.dropped = self.dropped.saturating_add(1);
            return;
        }
        let message = sanitize(message, self.bytes_left);
        self.lines_left -= 1;
        self.bytes_left = self.bytes_left.saturating_sub(message.len().max(1));
        // `tracing` wants a constant level per call site.
        match level {
            Level::TRACE => tracing::trace!(plugin, "{message}"),
            Level::DEBUG => tracing::debug!(plugin, "{message}"),
            Level::INFO => tracing::info!(plugin, "{message}"),
            Level::WARN => tracing::warn!(plugin, "{message}"),
            _ => tracing::error!(plugin, "{message}"),
        }
    }

    /// Say once how much was dropped. Called when the call ends.
    pub(crate) fn finish(&self, plugin: &str) {
        if self.dropped > 0 {
            tracing::warn!(
                plugin,
                dropped = self.dropped,
                "plugin log messages over the per-call cap were dropped"
            );
        }
    }
}

/// At most `max_bytes` of `message` (cut on a char boundary), with every control character
/// (newlines, ESC, C1 controls) shown as U+FFFD instead.
pub(crate) fn sanitize(message: &str, max_bytes: usize) -> String {
    let mut out = String::with_capacity(message.len().min(max_bytes));
    for c in message.chars() {
        let c = if c.is_control() { '\u{FFFD}' } else { c };
        if out.len() + c.len_utf8() > max_bytes {
            out.push('…');
            break;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_cannot_forge_lines_or_escape() {
        assert_eq!(
            sanitize("ok\nINFO plugin=stripe forged\x1b[2K", 100),
            "ok\u{FFFD}INFO plugin=stripe forged\u{FFFD}[2K"
        );
        assert_eq!(sanitize("a\u{85}b\r", 100), "a\u{FFFD}b\u{FFFD}");
    }

    #[test]
    fn cut_on_a_char_boundary() {
        // "é" is two bytes: a cut at 3 bytes keeps "aé" minus nothing, never half a char.
        assert_eq!(sanitize("aéé", 3), "aé…");
        assert_eq!(sanitize("ééé", 1), "…");
    }

    #[test]
    fn budget_counts_lines_and_bytes() {
        let mut budget = LogBudget::new(10, 3);
        for _ in 0..5 {
            budget.emit("p", Level::INFO, "abcd");
        }
        // 4 + 4 bytes, then 2 bytes left for a third (cut), then two dropped.
        assert_eq!(budget.lines_left, 0);
        assert_eq!(budget.dropped, 2);
    }
}
