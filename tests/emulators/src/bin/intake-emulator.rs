//! `intake-emulator stripe|winred --port P [--seed S] [--size N]`: one emulator as a program.
//! First line of stdout: its base URL. Second line: the credential to use, as its last word.
//! Then it serves until killed; `GET /_emulator/truth` gives what a correct sync stores.

use std::io::Write;

use clap::{Parser, ValueEnum};
use intake_emulators::{stripe, winred};

/// The processor to emulate.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Processor {
    Stripe,
    Winred,
}

/// A local processor emulator on loopback.
#[derive(Debug, Parser)]
#[command(name = "intake-emulator")]
struct Args {
    /// Which processor's wire format to speak.
    processor: Processor,
    /// Loopback port to serve on; 0 picks a free one.
    #[arg(long)]
    port: u16,
    /// Seed of the generated data (same seed, same data).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Donations to generate (Stripe: test-mode charges; WinRed: one federal committee's).
    #[arg(long, default_value_t = 300)]
    size: usize,
    /// Unix time the data ends at (default: a minute or two ago); fixes the timestamps.
    #[arg(long)]
    end: Option<i64>,
}

/// The FEC ID of the federal committee the WinRed emulator serves.
const FEC_ID: &str = "C00123456";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Each arm keeps its emulator alive until the process is killed.
    match args.processor {
        Processor::Stripe => {
            let config = stripe::Config {
                end: args.end,
                ..stripe::Config::new(args.seed, args.size)
            };
            let e = stripe::StripeEmulator::start_on(config, args.port).await?;
            announce(&e.url(), e.key(stripe::Mode::Test))?;
            std::future::pending::<()>().await;
        }
        Processor::Winred => {
            let config = winred::Config {
                end: args.end,
                ..winred::Config::new(args.seed).federal(FEC_ID, args.size)
            };
            let e = winred::WinRedEmulator::start_on(config, args.port).await?;
            announce(&e.url(), &e.committee(0).token)?;
            std::future::pending::<()>().await;
        }
    }
    Ok(())
}

fn announce(url: &str, credential: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{url}")?;
    writeln!(out, "credential: {credential}")?;
    out.flush()
}
