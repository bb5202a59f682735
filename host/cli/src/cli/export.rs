//! `intake export`: the stored donations and the ledger as NDJSON or CSV, and
//! `intake export fec`: the committee's itemized receipts as a .fec file.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use intake_engine::export::{self as donations, Format};
use intake_engine::fec::{self, Report};
use intake_engine::ledger_export;

use super::fail;
use super::operate::{ConfigArg, load, open_store};

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Ndjson,
    Csv,
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(super) struct ExportArgs {
    #[command(subcommand)]
    command: Option<ExportCommand>,
    #[command(flatten)]
    config: ConfigArg,
    /// Only this integration's donations.
    #[arg(long)]
    integration: Option<String>,
    #[arg(long, value_enum, required = true)]
    format: Option<ExportFormat>,
    /// What to write: synced donations (as the processors sent them), the ledger's entries
    /// (what approval booked), contacts, or payouts with what each settles.
    #[arg(long, value_enum, default_value_t = ExportWhat::Donations)]
    what: ExportWhat,
}

#[derive(Subcommand)]
enum ExportCommand {
    /// The committee's itemized receipts for FEC filing: a .fec file (format 8.5) with the
    /// [committee] cover record, each earmarked receipt with its conduit memo, and each
    /// contribution whose donor's aggregate is over $200.
    Fec(FecArgs),
}

#[derive(Args)]
struct FecArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// The integration whose approved entries are reported.
    #[arg(long)]
    integration: String,
    /// First day covered (YYYY-MM-DD).
    #[arg(long)]
    from: String,
    /// Last day covered (YYYY-MM-DD).
    #[arg(long)]
    to: String,
    /// Write here instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// The report code, e.g. Q1, Q2, Q3, YE, 12G, 30G [default: the quarter `--to` ends:
    /// Q1, Q2, Q3 or YE].
    #[arg(long)]
    report_code: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportWhat {
    Donations,
    Entries,
    Contacts,
    Payouts,
}

pub(super) fn run(args: ExportArgs) -> ExitCode {
    match args.command {
        Some(ExportCommand::Fec(fec_args)) => fec_export(fec_args),
        None => ledger(args),
    }
}

fn ledger(args: ExportArgs) -> ExitCode {
    let config = match load(&args.config) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if let Some(id) = &args.integration
        && config.integration(id).is_none()
    {
        return fail(
            2,
            format!("no integration `{id}` in {}", config.path.display()),
        );
    }
    let store = match open_store(&config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let format = match args.format {
        Some(ExportFormat::Ndjson) => Format::Ndjson,
        Some(ExportFormat::Csv) => Format::Csv,
        None => return fail(2, "--format csv|ndjson is required"),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let integration = args.integration.as_deref();
    let written = match args.what {
        ExportWhat::Donations => {
            donations::donations(store.as_ref(), integration, format, &mut out)
        }
        ExportWhat::Entries => {
            ledger_export::entries(store.as_ref(), integration, format, &mut out)
        }
        ExportWhat::Contacts => match store.contacts() {
            Ok(contacts) => ledger_export::contacts(&contacts, format, &mut out),
            Err(e) => Err(e.into()),
        },
        ExportWhat::Payouts => {
            ledger_export::payouts(store.as_ref(), integration, format, &mut out)
        }
    };
    match written {
        Ok(_) => match out.flush() {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::SUCCESS, // stdout closed (e.g. `| head`)
        },
        Err(donations::ExportError::Write(_)) => ExitCode::SUCCESS,
        Err(e) => fail(1, e),
    }
}

fn day(text: &str, flag: &str) -> Result<time::Date, ExitCode> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.trim(), format).map_err(|_| {
        fail(
            2,
            format!("{flag} `{text}` is not a date: write YYYY-MM-DD"),
        )
    })
}

/// The quarterly report a date's quarter ends in.
fn quarter_code(date: time::Date) -> &'static str {
    match u8::from(date.month()) {
        1..=3 => "Q1",
        4..=6 => "Q2",
        7..=9 => "Q3",
        _ => "YE",
    }
}

fn fec_export(args: FecArgs) -> ExitCode {
    let config = match load(&args.config) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some(committee) = &config.committee else {
        return fail(
            2,
            format!(
                "{} has no [committee]: add the committee the report is filed for, e.g.\n\n\
                 [committee]\n\
                 fec_id = \"C00123456\"\n\
                 name = \"Jane Doe for Congress\"\n\
                 form = \"F3\"            # or \"F3X\" for a PAC or party\n\
                 street_1 = \"1 Main St\"\n\
                 city = \"Arlington\"\n\
                 state = \"VA\"\n\
                 zip = \"22201\"\n\
                 treasurer = {{ last = \"Doe\", first = \"John\" }}\n\n\
                 (`intake config example` shows it in a whole config)",
                config.path.display()
            ),
        );
    };
    if config.integration(&args.integration).is_none() {
        return fail(
            2,
            format!(
                "no integration `{}` in {}",
                args.integration,
                config.path.display()
            ),
        );
    }
    let (from, through) = match (day(&args.from, "--from"), day(&args.to, "--to")) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let store = match open_store(&config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let receipts = match fec::ledger::receipts(store.as_ref(), &args.integration, from, through) {
        Ok(r) => r,
        Err(e) => return fail(1, e),
    };
    let report = Report {
        from,
        through,
        report_code: args
            .report_code
            .map(|c| c.trim().to_ascii_uppercase())
            .unwrap_or_else(|| quarter_code(through).to_string()),
        software_name: "Intake".into(),
        software_version: env!("CARGO_PKG_VERSION").into(),
        // The day the file is made; the treasurer's filing software may re-sign it.
        date_signed: Some(time::OffsetDateTime::now_utc().date()),
    };
    // Checked and written whole before anything reaches the file.
    let mut text = Vec::new();
    if let Err(e) = fec::write_report(&mut text, committee, &report, &receipts) {
        return fail(
            if matches!(e, fec::FecError::BadReport(_)) {
                2
            } else {
                1
            },
            e,
        );
    }
    let earmarked = receipts.iter().filter(|r| r.earmark.is_some()).count();
    let written = match &args.output {
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&text)
                .and_then(|()| out.flush())
                .map_err(|e| format!("writing stdout: {e}"))
        }
    };
    if let Err(message) = written {
        return fail(1, message);
    }
    tell!(
        "{} receipts ({earmarked} earmarked, each with its conduit memo) from {from} to {through}, report {}{}",
        receipts.len(),
        report.report_code,
        args.output
            .map(|p| format!(", written to {}", p.display()))
            .unwrap_or_default()
    );
    ExitCode::SUCCESS
}
