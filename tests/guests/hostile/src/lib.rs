//! A plugin that attacks its host. The `attack` setting picks the attack; `target` is a URL
//! for the network attacks. `check` runs it and reports what it got as the account name, so a
//! test can assert that nothing leaked.

// Natively (a workspace `cargo test`) nothing is exported, so nothing here is used.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod limits;

use intake_plugin_sdk::http::Request;
use intake_plugin_sdk::{
    Account, Capabilities, Donation, Error, FileImport, Page, PayoutPage, Plugin, PluginInfo,
    Result, Setting, Settings, Window, export_plugin,
};
use std::hint::black_box;
use std::sync::atomic::{AtomicU32, Ordering};

/// Survives between calls only if the host reuses an instance.
static CALLS: AtomicU32 = AtomicU32::new(0);

/// Declared but never served: the network tests grant their loopback servers explicitly.
const DECLARED: &str = "https://declared.invalid:443";

/// What the `declares-local` build declares (and routes its secret to): the host's loopback
/// in several spellings and a cloud metadata address, reachable only if the operator grants
/// them. Port 47811 is where the test listens.
const LOCAL_DECLARATIONS: &[&str] = &[
    DECLARED,
    "http://localhost:47811",
    "http://0.0.0.0:47811",
    "http://[::ffff:127.0.0.1]:47811",
    "http://2130706433:47811",
    "http://169.254.169.254",
];

fn declared() -> &'static [&'static str] {
    match limits::VARIANT {
        "declares-local" => LOCAL_DECLARATIONS,
        _ => &[DECLARED],
    }
}

struct Hostile;

impl Plugin for Hostile {
    fn info() -> PluginInfo {
        let (id, version, help) = match limits::VARIANT {
            "spin-info" => ("hostile".into(), endless_loop(), String::new()),
            "huge-help" => ("hostile".into(), "0.0.0".into(), "h".repeat(64 << 10)),
            "v2" => ("hostile".into(), "2.0.0".into(), String::new()),
            "impostor" => ("stripe".into(), "9.9.9".into(), String::new()),
            _ => ("hostile".into(), "0.0.0".into(), String::new()),
        };
        PluginInfo {
            id,
            name: "Hostile test guest".into(),
            version,
            settings: vec![
                Setting::text("attack", "Attack", "Which attack check runs."),
                Setting::text("padding", "Padding", &help),
                Setting::text("target", "Target", "A URL for the network attacks."),
                Setting::secret(
                    "api_key",
                    "API key",
                    "A secret it must never see.",
                    declared(),
                ),
            ],
            outbound: declared().iter().map(|o| o.to_string()).collect(),
            capabilities: Capabilities::FETCH
                | Capabilities::PAYOUTS
                | Capabilities::WEBHOOK
                | Capabilities::FILE_IMPORT,
            organization: None,
        }
    }

    fn check(settings: &Settings) -> Result<Account> {
        let target = settings.get_or("target", "");
        let got = match settings.require("attack")? {
            "endless-loop" => endless_loop(),
            "memory-bomb" => memory_bomb(),
            "deep-recursion" => recurse(0).to_string(),
            "stack-smash" => smash(0).to_string(),
            "panic" => panic!("hostile guest panics on purpose"),
            "stdout-flood" => stdout_flood(),
            "read-file" => read_files(),
            "read-env" => read_env(),
            "echo-settings" => format!("{:?}", settings),
            "count-calls" => (CALLS.fetch_add(1, Ordering::SeqCst) + 1).to_string(),
            "which-build" => limits::VARIANT.to_string(),
            "request" => send(Request::get(target))?,
            "follow-redirect" => follow_redirect(target)?,
            "secret-header" => send(Request::get(target).bearer_secret("api_key"))?,
            "steal" => outcome(Request::get(target).bearer_secret("api_key")),
            "secret-in-url" => send(Request::get(format!("{target}?key={{{{secret:api_key}}}}")))?,
            "secret-in-body" => send(Request::post(target).body("key={{secret:api_key}}"))?,
            "flood" => flood(target),
            "placeholder-bomb" => outcome(
                Request::get(target)
                    .header("authorization", "{{secret:api_key}}".repeat(1_000_000)),
            ),
            "placeholder-many" => outcome(
                Request::get(target).header("authorization", "{{secret:api_key}}".repeat(9)),
            ),
            "hmac-oracle" => hmac_oracle(),
            "basic-echo" => basic_echo(Request::get(target).header("authorization", BASIC)),
            "basic-elsewhere" => outcome(Request::get(target).header("x-api-key", BASIC)),
            "basic-in-body" => outcome(Request::post(target).body(BASIC)),
            "basic-in-url" => outcome(Request::get(format!("{target}?auth={BASIC}"))),
            "basic-no-key" => {
                outcome(Request::get(target).header("authorization", "Basic {{basic:hostile}}"))
            }
            "basic-many" => outcome(
                Request::get(target)
                    .header("authorization", "{{basic:hostile:api_key}}".repeat(5))
                    .header("x-other", "{{secret:api_key}}".repeat(4)),
            ),
            "basic-verify" => basic_verify(settings.get_or("padding", "")),
            "gzip-echo" => match Request::get(target)
                .header("accept-encoding", "gzip")
                .bearer_secret("api_key")
                .send()
            {
                Ok(response) => String::from_utf8_lossy(&response.body).into_owned(),
                Err(e) => format!("refused: {e:?}"),
            },
            "huge-response" => send(Request::get(target)).map(|body| body.len().to_string())?,
            other => return Err(Error::Config(format!("unknown attack `{other}`"))),
        };
        Ok(Account {
            id: "hostile".into(),
            name: got,
            livemode: false,
        })
    }

    fn fetch(settings: &Settings, _window: &Window, cursor: Option<&str>) -> Result<Page> {
        limits::fetch(settings, cursor)
    }

    fn fetch_payouts(
        settings: &Settings,
        _window: &Window,
        _cursor: Option<&str>,
    ) -> Result<PayoutPage> {
        limits::fetch_payouts(settings)
    }

    fn parse_webhook(
        settings: &Settings,
        _headers: &[(String, String)],
        _body: &[u8],
    ) -> Result<Vec<Donation>> {
        limits::parse_webhook(settings)
    }

    fn parse_export(settings: &Settings, _file_name: &str, _contents: &[u8]) -> Result<FileImport> {
        limits::parse_export(settings)
    }
}

fn endless_loop() -> String {
    let mut n: u64 = 0;
    loop {
        n = black_box(n.wrapping_add(1));
    }
}

fn memory_bomb() -> String {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        hoard.push(black_box(vec![7u8; 1 << 20]));
    }
}

/// Small frames: exhausts the engine's native stack for wasm.
#[inline(never)]
fn recurse(depth: u64) -> u64 {
    if depth == u64::MAX {
        return 0;
    }
    1 + recurse(black_box(depth + 1)).wrapping_mul(black_box(3))
}

/// Big frames: overruns the guest's own stack in linear memory.
#[inline(never)]
#[allow(unconditional_recursion)]
fn smash(depth: u64) -> u64 {
    let pad = black_box([depth; 64]);
    smash(black_box(depth + 1)) + pad[0]
}

fn stdout_flood() -> String {
    let line = "x".repeat(1023);
    for _ in 0..(8 * 1024) {
        println!("{line}");
    }
    "flooded".into()
}

fn read_files() -> String {
    let tries = ["/etc/passwd", "/proc/self/environ", ".", "/"];
    tries
        .iter()
        .map(|path| match std::fs::read(path) {
            Ok(bytes) => format!("{path}: READ {} bytes", bytes.len()),
            Err(e) => match std::fs::read_dir(path) {
                Ok(_) => format!("{path}: LISTED"),
                Err(_) => format!("{path}: denied ({e})"),
            },
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn read_env() -> String {
    let vars: Vec<String> = std::env::vars().map(|(k, v)| format!("{k}={v}")).collect();
    let args: Vec<String> = std::env::args().collect();
    format!("env={vars:?} args={args:?}")
}

/// The response body as text, or the host's refusal as an error.
fn send(request: Request) -> Result<String> {
    let response = request.send()?;
    Ok(String::from_utf8_lossy(&response.body).into_owned())
}

fn follow_redirect(target: &str) -> Result<String> {
    let response = Request::get(target).send()?;
    match response.header("location") {
        Some(next) if (300..400).contains(&response.status) => send(Request::get(next)),
        _ => Ok(format!("no redirect: HTTP {}", response.status)),
    }
}

fn flood(target: &str) -> String {
    let (mut sent, mut refused) = (0, 0);
    for _ in 0..10_000 {
        match Request::get(target).send() {
            Ok(_) => sent += 1,
            Err(_) => refused += 1,
        }
    }
    format!("sent={sent} refused={refused}")
}

/// What sending `request` gave, in words: "sent: HTTP 200" or "refused: …".
fn outcome(request: Request) -> String {
    match request.send() {
        Ok(response) => format!("sent: HTTP {}", response.status),
        Err(e) => format!("refused: {e:?}"),
    }
}

/// The host-built HTTP Basic credential for user `hostile` and the `api_key` secret.
const BASIC: &str = "Basic {{basic:hostile:api_key}}";

/// Send `request` and hand back all the server echoed: body and `x-echo` header.
fn basic_echo(request: Request) -> String {
    match request.send() {
        Ok(response) => format!(
            "body={} x-echo={}",
            String::from_utf8_lossy(&response.body),
            response.header("x-echo").unwrap_or("")
        ),
        Err(e) => format!("refused: {e:?}"),
    }
}

/// Ask the host whether `authorization` is Basic for user `hostile` and `api_key`, until it
/// stops answering: the check must not become an oracle either.
fn basic_verify(authorization: &str) -> String {
    let (mut verdicts, mut refusal) = (Vec::new(), None);
    for _ in 0..20 {
        match intake_plugin_sdk::__private::intake::plugin::secrets::verify_basic(
            "hostile",
            "api_key",
            authorization,
        ) {
            Ok(ok) => verdicts.push(ok),
            Err(e) => {
                refusal.get_or_insert(e);
            }
        }
    }
    format!(
        "first={:?} answered={} refused={}",
        verdicts.first(),
        verdicts.len(),
        refusal.unwrap_or_default()
    )
}

/// Guess the `api_key` secret through the host's HMAC check, as many times as allowed.
fn hmac_oracle() -> String {
    let (mut answered, mut first_refusal) = (0, None);
    for guess in 0..20u8 {
        match intake_plugin_sdk::secrets::verify_hmac_sha256(
            "api_key",
            b"probe",
            &[vec![guess; 32]],
        ) {
            Ok(_) => answered += 1,
            Err(e) => {
                first_refusal.get_or_insert_with(|| format!("{e:?}"));
            }
        }
    }
    format!(
        "answered={answered} refused={}",
        first_refusal.unwrap_or_default()
    )
}

export_plugin!(Hostile);
