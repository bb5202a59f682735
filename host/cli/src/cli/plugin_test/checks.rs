//! The contract's promises, each checked by calling the plugin through the real host.

use std::collections::BTreeSet;
use std::time::Duration;

use intake_host::types::{Capabilities, Person, PluginError, PluginInfo, Window};
use intake_host::{CallError, Host, Integration};

use super::fixture::Delivery;
use super::server::{INJECTED_WAIT, Inject, KitServer};

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Outcome {
    Pass,
    Fail,
}

/// One row of the report.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Checked {
    pub name: &'static str,
    pub outcome: Outcome,
    pub detail: String,
}

/// Pages one walk may take before the kit calls it endless.
const MAX_PAGES: usize = 1000;
/// Cursors the resume check starts from (spread over the walk).
const MAX_RESUMES: usize = 20;
/// Retries of a temporary failure during a walk (a live endpoint may throttle).
const RETRIES: u32 = 4;

/// A window nothing can have been received in yet.
pub(crate) fn future_window() -> Window {
    Window {
        since: "2100-01-01T00:00:00Z".into(),
        until: Some("2100-02-01T00:00:00Z".into()),
    }
}

/// The contract's name for an error's kind, or what went wrong in the host.
pub(crate) fn kind(e: &CallError) -> String {
    match e {
        CallError::Plugin(PluginError::Config(_)) => "config".into(),
        CallError::Plugin(PluginError::Auth(_)) => "auth".into(),
        CallError::Plugin(PluginError::RateLimited(Some(s))) => format!("rate-limited ({s} s)"),
        CallError::Plugin(PluginError::RateLimited(None)) => "rate-limited".into(),
        CallError::Plugin(PluginError::Transient(_)) => "transient".into(),
        CallError::Plugin(PluginError::InvalidData(_)) => "invalid-data".into(),
        CallError::Plugin(PluginError::Unsupported) => "unsupported".into(),
        other => format!("host error ({other})"),
    }
}

fn unsupported(e: &CallError) -> bool {
    matches!(e, CallError::Plugin(PluginError::Unsupported))
}

/// A plugin error the contract allows from an export that works (not a crash, not broken
/// output, not "unsupported" from a declared capability).
fn contract_error(e: &CallError) -> bool {
    matches!(e, CallError::Plugin(p) if !matches!(p, PluginError::Unsupported))
}

/// One page as the walks keep it.
struct Seen {
    ids: Vec<String>,
    next: Option<String>,
}

pub(crate) struct Kit<'a> {
    pub host: &'a Host,
    pub info: PluginInfo,
    pub integration: Integration,
    pub window: Window,
    pub server: &'a KitServer,
    pub webhook: Option<Delivery>,
}

impl Kit<'_> {
    fn row(&self, name: &'static str, result: Result<String, String>) -> Checked {
        let misses = self.server.take_misses();
        let (outcome, mut detail) = match result {
            Ok(detail) => (Outcome::Pass, detail),
            Err(detail) => (Outcome::Fail, detail),
        };
        if !misses.is_empty() {
            detail.push_str(&format!(
                " [no recorded exchange for: {}]",
                misses.join(", ")
            ));
        }
        Checked {
            name,
            outcome,
            detail,
        }
    }

    fn declares(&self, capability: Capabilities) -> bool {
        self.info.capabilities.contains(capability)
    }

    /// Every check, in order.
    pub async fn run(&self) -> Vec<Checked> {
        let mut rows = vec![self.row("info", self.info_check().await)];
        rows.push(self.row("check", self.check_account().await));
        if !self.declares(Capabilities::FETCH) {
            rows.push(self.row("fetch", self.says_unsupported_fetch().await));
        } else {
            match self.walk(&self.window, None).await {
                Err(e) => rows.push(self.row("fetch", Err(e))),
                Ok(pages) => {
                    rows.push(self.row("fetch", full_walk(&pages)));
                    rows.push(self.row("resume", self.resume(&pages).await));
                    rows.push(self.row("caught up", self.caught_up(&pages).await));
                    rows.push(self.row("foreign cursor", self.foreign_cursor(&pages).await));
                    rows.push(self.row("future window", self.future().await));
                }
            }
            for (name, inject, want) in [
                (
                    "malformed page",
                    Inject::Malformed,
                    "invalid-data".to_string(),
                ),
                (
                    "429",
                    Inject::TooManyRequests,
                    format!("rate-limited ({INJECTED_WAIT} s)"),
                ),
                ("5xx", Inject::ServerError, "transient".to_string()),
            ] {
                rows.push(self.row(name, self.injected(inject, &want).await));
            }
        }
        rows.push(self.row("payouts", self.payouts().await));
        rows.push(self.row("webhook", self.webhook().await));
        rows.push(self.row("file import", self.file_import().await));
        rows.push(self.row("donation link", self.donation_link().await));
        rows
    }

    async fn info_check(&self) -> Result<String, String> {
        // Loading already validated the info. Asked again, it must come back the same, with
        // no network: the host runs `info` with every request denied.
        let before = self.server.requests();
        let ask = async || {
            self.host
                .info(&self.info.id)
                .await
                .map_err(|e| format!("info failed when asked again: {}: {e}", kind(&e)))
        };
        let (first, second) = (ask().await?, ask().await?);
        if first != second || first.id != self.info.id {
            return Err("info answered differently when asked again".into());
        }
        if self.server.requests() != before {
            return Err("info made a request".into());
        }
        Ok(format!(
            "{} {}: {} settings, {} origins",
            self.info.id,
            self.info.version,
            self.info.settings.len(),
            self.info.outbound.len()
        ))
    }

    async fn check_account(&self) -> Result<String, String> {
        match self.host.check(&self.integration).await {
            Ok(account) => Ok(format!("account {} ({})", account.name, account.id)),
            Err(e) if unsupported(&e) => Ok("unsupported".into()),
            Err(e) => Err(format!("{}: {e}", kind(&e))),
        }
    }

    async fn says_unsupported_fetch(&self) -> Result<String, String> {
        match self.host.fetch(&self.integration, &self.window, None).await {
            Err(e) if unsupported(&e) => Ok("not declared; says unsupported".into()),
            Err(e) => Err(format!("not declared, but answered {}: {e}", kind(&e))),
            Ok(_) => Err("not declared in capabilities, but answered".into()),
        }
    }

    /// One call, retrying what the contract says may succeed later.
    async fn fetch_page(&self, window: &Window, cursor: Option<&str>) -> Result<Seen, CallError> {
        let mut attempt = 0;
        loop {
            match self.host.fetch(&self.integration, window, cursor).await {
                Ok(page) => {
                    return Ok(Seen {
                        ids: page.donations.into_iter().map(|d| d.id).collect(),
                        next: page.next_cursor,
                    });
                }
                Err(e) if e.is_retryable() && attempt < RETRIES => {
                    attempt += 1;
                    let wait = match &e {
                        CallError::Plugin(PluginError::RateLimited(Some(s))) => (*s).min(2),
                        _ => 1,
                    };
                    tokio::time::sleep(Duration::from_secs(u64::from(wait))).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Every page of `window` from `cursor` to the end.
    async fn walk(&self, window: &Window, cursor: Option<String>) -> Result<Vec<Seen>, String> {
        let mut pages = Vec::new();
        let mut seen_cursors = BTreeSet::new();
        let mut cursor = cursor;
        loop {
            let page = self
                .fetch_page(window, cursor.as_deref())
                .await
                .map_err(|e| {
                    let from = cursor
                        .as_deref()
                        .map(|c| format!(" (from cursor `{c}`)"))
                        .unwrap_or_default();
                    format!("page {}{from}: {}: {e}", pages.len() + 1, kind(&e))
                })?;
            let next = page.next.clone();
            pages.push(page);
            match next {
                None => return Ok(pages),
                Some(next) => {
                    if !seen_cursors.insert(next.clone()) {
                        return Err(format!(
                            "page {} handed back cursor `{next}` a second time: paging would never end",
                            pages.len()
                        ));
                    }
                    if pages.len() >= MAX_PAGES {
                        return Err(format!("more than {MAX_PAGES} pages: paging never ends?"));
                    }
                    cursor = Some(next);
                }
            }
        }
    }

    async fn resume(&self, pages: &[Seen]) -> Result<String, String> {
        let cursors: Vec<(usize, &str)> = pages
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.next.as_deref().map(|c| (i, c)))
            .collect();
        if cursors.is_empty() {
            return Ok("one page: no cursor to resume from".into());
        }
        let step = cursors.len().div_ceil(MAX_RESUMES).max(1);
        let mut tried = 0;
        for &(i, cursor) in cursors.iter().step_by(step) {
            let expected = ids(&pages[i + 1..]);
            let got = ids(&self.walk(&self.window, Some(cursor.to_string())).await?);
            if got != expected {
                return Err(format!(
                    "from cursor `{cursor}` (after page {}): {}",
                    i + 1,
                    difference(&expected, &got)
                ));
            }
            tried += 1;
        }
        Ok(format!(
            "the same records from {tried} of {} cursors",
            cursors.len()
        ))
    }

    async fn caught_up(&self, pages: &[Seen]) -> Result<String, String> {
        let all = ids(pages);
        let last = pages.iter().rev().find_map(|p| p.next.clone());
        let again = ids(&self.walk(&self.window, last.clone()).await?);
        let new: Vec<&String> = again.difference(&all).collect();
        if !new.is_empty() {
            return Err(format!(
                "fetching again gave records not seen before: {new:?}"
            ));
        }
        Ok(match last {
            Some(_) => "nothing new from the last cursor".into(),
            None => "fetching again gave nothing new".into(),
        })
    }

    /// A cursor handed back with another window must be refused as `config`, not followed.
    async fn foreign_cursor(&self, pages: &[Seen]) -> Result<String, String> {
        let Some(cursor) = pages.iter().find_map(|p| p.next.as_deref()) else {
            return Ok("one page: no cursor to try".into());
        };
        let other = Window {
            since: "1999-01-01T00:00:00Z".into(),
            until: Some("1999-02-01T00:00:00Z".into()),
        };
        match self.host.fetch(&self.integration, &other, Some(cursor)).await {
            Err(e) if kind(&e) == "config" => Ok(format!("refused: {e}")),
            Err(e) => Err(format!(
                "the first cursor with another window gave {}; expected config: {e}",
                kind(&e)
            )),
            Ok(_) => Err(
                "the first cursor with another window (1999-01) was followed; expected a config error"
                    .into(),
            ),
        }
    }

    async fn future(&self) -> Result<String, String> {
        let window = future_window();
        let got = ids(&self.walk(&window, None).await?);
        if got.is_empty() {
            Ok(format!(
                "{} → {}: empty",
                window.since,
                window.until.unwrap_or_default()
            ))
        } else {
            Err(format!(
                "{} records in a window that has not happened: {got:?}",
                got.len()
            ))
        }
    }

    async fn injected(&self, inject: Inject, want: &str) -> Result<String, String> {
        self.server.inject(Some(inject));
        let result = self.host.fetch(&self.integration, &self.window, None).await;
        self.server.inject(None);
        match result {
            Ok(_) => Err(format!("answered a page; expected {want}")),
            Err(e) if kind(&e) == want => Ok(want.to_string()),
            Err(e) => Err(format!("{}; expected {want}: {e}", kind(&e))),
        }
    }

    async fn payouts(&self) -> Result<String, String> {
        let result = self
            .host
            .fetch_payouts(&self.integration, &self.window, None)
            .await;
        declared_or_unsupported(self.declares(Capabilities::PAYOUTS), result, |p| {
            format!("{} payouts on the first page", p.payouts.len())
        })
    }

    async fn webhook(&self) -> Result<String, String> {
        let (headers, body) = match &self.webhook {
            // Every header value tampered with: a signature or password no longer matches.
            Some(d) => (
                d.headers
                    .iter()
                    .map(|(k, v)| (k.clone(), tamper(v)))
                    .collect::<Vec<_>>(),
                d.body.clone().into_bytes(),
            ),
            None => (Vec::new(), b"{}".to_vec()),
        };
        let result = self
            .host
            .parse_webhook(&self.integration, &headers, &body)
            .await;
        if !self.declares(Capabilities::WEBHOOK) {
            return declared_or_unsupported(false, result, |_| String::new());
        }
        match result {
            Err(CallError::Plugin(PluginError::Auth(m))) => {
                Ok(format!("bad signature refused: {m}"))
            }
            Err(e) => Err(format!(
                "a badly signed delivery gave {}; expected auth: {e}",
                kind(&e)
            )),
            Ok(d) => Err(format!(
                "a badly signed delivery was accepted ({} donations)",
                d.len()
            )),
        }
    }

    async fn file_import(&self) -> Result<String, String> {
        let result = self
            .host
            .parse_export(&self.integration, "export.csv", b"not,an,export\n1,2,3\n")
            .await;
        declared_or_unsupported(self.declares(Capabilities::FILE_IMPORT), result, |f| {
            format!("a stranger's CSV: {} rows rejected", f.rejected.len())
        })
    }

    async fn donation_link(&self) -> Result<String, String> {
        let donor: Person = serde_json::from_value(serde_json::json!({
            "first_name": "Mary", "last_name": "Smith", "email": "mary@example.com"
        }))
        .map_err(|e| format!("kit: {e}"))?;
        let result = self
            .host
            .donation_link(
                &self.integration,
                "https://example.com/donate",
                &donor,
                None,
            )
            .await;
        declared_or_unsupported(self.declares(Capabilities::DONATION_LINK), result, |url| {
            url
        })
    }
}

/// A declared export answers (a value or a contract error); an undeclared one says
/// unsupported.
fn declared_or_unsupported<T>(
    declared: bool,
    result: Result<T, CallError>,
    describe: impl FnOnce(T) -> String,
) -> Result<String, String> {
    match (declared, result) {
        (true, Ok(v)) => Ok(describe(v)),
        (true, Err(e)) if contract_error(&e) => Ok(format!("answers: {}", kind(&e))),
        (true, Err(e)) => Err(format!("declared, but {}: {e}", kind(&e))),
        (false, Err(e)) if unsupported(&e) => Ok("not declared; says unsupported".into()),
        (false, Err(e)) => Err(format!("not declared, but answered {}: {e}", kind(&e))),
        (false, Ok(_)) => Err("not declared in capabilities, but answered".into()),
    }
}

fn full_walk(pages: &[Seen]) -> Result<String, String> {
    let mut all = BTreeSet::new();
    for id in pages.iter().flat_map(|p| &p.ids) {
        if !all.insert(id) {
            return Err(format!("record `{id}` came twice in one window"));
        }
    }
    Ok(format!("{} records in {} pages", all.len(), pages.len()))
}

fn ids(pages: &[Seen]) -> BTreeSet<String> {
    pages.iter().flat_map(|p| p.ids.iter().cloned()).collect()
}

fn difference(expected: &BTreeSet<String>, got: &BTreeSet<String>) -> String {
    let missing: Vec<&String> = expected.difference(got).take(5).collect();
    let extra: Vec<&String> = got.difference(expected).take(5).collect();
    format!("missing {missing:?}, unexpected {extra:?}")
}

/// The value with its last character changed.
fn tamper(value: &str) -> String {
    let mut chars: Vec<char> = value.chars().collect();
    match chars.last_mut() {
        Some(c) => *c = if *c == '0' { '1' } else { '0' },
        None => chars.push('0'),
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(ids: &[&str], next: Option<&str>) -> Seen {
        Seen {
            ids: ids.iter().map(|s| s.to_string()).collect(),
            next: next.map(str::to_string),
        }
    }

    #[test]
    fn a_record_twice_in_one_window_fails_the_walk() {
        let pages = [page(&["a", "b"], Some("c1")), page(&["c"], None)];
        assert_eq!(full_walk(&pages).unwrap(), "3 records in 2 pages");
        let pages = [page(&["a", "b"], Some("c1")), page(&["b"], None)];
        assert_eq!(
            full_walk(&pages).unwrap_err(),
            "record `b` came twice in one window"
        );
    }

    #[test]
    fn tampering_changes_the_last_character() {
        assert_eq!(tamper("t=1,v1=ab"), "t=1,v1=a0");
        assert_eq!(tamper("Basic eDp5"), "Basic eDp0");
        assert_eq!(tamper("10"), "11");
        assert_eq!(tamper(""), "0");
    }

    #[test]
    fn undeclared_exports_must_say_unsupported() {
        let unsupported: Result<(), CallError> = Err(CallError::Plugin(PluginError::Unsupported));
        assert_eq!(
            declared_or_unsupported(false, unsupported, |_| String::new()).unwrap(),
            "not declared; says unsupported"
        );
        let answered: Result<u8, CallError> = Ok(1);
        assert_eq!(
            declared_or_unsupported(false, answered, |_| String::new()).unwrap_err(),
            "not declared in capabilities, but answered"
        );
        let unsupported: Result<(), CallError> = Err(CallError::Plugin(PluginError::Unsupported));
        assert!(
            declared_or_unsupported(true, unsupported, |_| String::new())
                .unwrap_err()
                .starts_with("declared, but unsupported")
        );
        let crashed: Result<(), CallError> = Err(CallError::Crashed("trap".into()));
        assert!(
            declared_or_unsupported(true, crashed, |_| String::new())
                .unwrap_err()
                .starts_with("declared, but host error (the plugin crashed: trap)")
        );
    }
}
