//! `intake queue list|show|approve|reject`: the import queue, as staff review it.

use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use intake_engine::queue::{
    Approval, ContactChoice, QueueError, QueueFilter, QueueId, QueueStatus,
};

use super::fail;
use super::operate::{ConfigArg, load, open_store};
use crate::{queue_json, queue_report};

#[derive(Subcommand)]
pub(super) enum QueueCommand {
    /// The queue with each donation's possible matches (pending items by default).
    List {
        #[command(flatten)]
        config: ConfigArg,
        /// Only this integration's.
        #[arg(long)]
        integration: Option<String>,
        #[arg(long, value_enum, default_value_t = StatusArg::Pending)]
        status: StatusArg,
        /// At most this many.
        #[arg(long)]
        limit: Option<usize>,
        #[arg(long)]
        json: bool,
    },
    /// One item: the donation, each candidate contact with the reasons, its decision.
    Show {
        id: QueueId,
        #[command(flatten)]
        config: ConfigArg,
        #[arg(long)]
        json: bool,
    },
    /// Book an item to the ledger, for a contact or a new one.
    Approve {
        id: QueueId,
        #[command(flatten)]
        config: ConfigArg,
        /// The contact it belongs to (one of the possible matches, usually).
        #[arg(long, conflicts_with = "new_contact")]
        contact: Option<i64>,
        /// Make a new contact from the donor.
        #[arg(long)]
        new_contact: bool,
        /// Who approves [default: $USER].
        #[arg(long)]
        by: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Keep an item out of the ledger.
    Reject {
        id: QueueId,
        #[command(flatten)]
        config: ConfigArg,
        /// Why, kept with the decision.
        #[arg(long)]
        reason: Option<String>,
        /// Who rejects [default: $USER].
        #[arg(long)]
        by: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum StatusArg {
    Pending,
    Approved,
    Rejected,
    All,
}

fn reviewer(by: Option<String>) -> String {
    by.or_else(|| std::env::var("USER").ok())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "operator".into())
}

fn queue_failed(e: QueueError) -> ExitCode {
    match e {
        QueueError::Store(_) => fail(1, e),
        _ => fail(2, e),
    }
}

fn print_json(value: &impl serde::Serialize) {
    say!("{}", serde_json::to_string(value).unwrap_or_default());
}

pub(super) fn run(command: QueueCommand) -> ExitCode {
    match dispatch(command) {
        Ok(code) | Err(code) => code,
    }
}

fn dispatch(command: QueueCommand) -> Result<ExitCode, ExitCode> {
    match command {
        QueueCommand::List {
            config,
            integration,
            status,
            limit,
            json,
        } => {
            let config = load(&config)?;
            let store = open_store(&config)?;
            let filter = QueueFilter {
                integration,
                status: match status {
                    StatusArg::Pending => Some(QueueStatus::Pending),
                    StatusArg::Approved => Some(QueueStatus::Approved),
                    StatusArg::Rejected => Some(QueueStatus::Rejected),
                    StatusArg::All => None,
                },
                limit,
            };
            let rows = queue_json::list(store.as_ref(), &filter).map_err(queue_failed)?;
            if json {
                for (item, candidates) in &rows {
                    print_json(&queue_json::list_entry(item, candidates));
                }
            } else if rows.is_empty() {
                tell!("the queue is empty");
            } else {
                say!("{}", queue_report::queue_table(&rows));
            }
            Ok(ExitCode::SUCCESS)
        }
        QueueCommand::Show { id, config, json } => {
            let config = load(&config)?;
            let store = open_store(&config)?;
            store.enqueue_new().map_err(queue_failed)?;
            let shown = queue_json::show(store.as_ref(), id).map_err(queue_failed)?;
            if json {
                print_json(&shown.to_json());
            } else {
                say!(
                    "{}",
                    queue_report::item_detail(&shown.item, &shown.candidates, &shown.entries)
                        .trim_end()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        QueueCommand::Approve {
            id,
            config,
            contact,
            new_contact,
            by,
            json,
        } => {
            let config = load(&config)?;
            let store = open_store(&config)?;
            store.enqueue_new().map_err(queue_failed)?;
            let item = store.queue_item(id).map_err(queue_failed)?;
            let choice = match (contact, new_contact) {
                (Some(c), _) => ContactChoice::Existing(c),
                (None, true) => ContactChoice::New,
                (None, false) if item.donation.reverses.is_some() => ContactChoice::New,
                (None, false) if item.status == QueueStatus::Approved => ContactChoice::New,
                (None, false) => {
                    return Err(fail(
                        2,
                        format!(
                            "choose who queue item {id} is from: --contact C (see `intake queue show {id}`) or --new-contact"
                        ),
                    ));
                }
            };
            let defaults = config
                .integration(&item.integration)
                .map(|i| i.defaults.clone())
                .unwrap_or_default();
            let by = reviewer(by);
            let approved = store
                .approve(
                    id,
                    &Approval {
                        contact: choice,
                        defaults: &defaults,
                        by: &by,
                    },
                )
                .map_err(queue_failed)?;
            if json {
                print_json(&approved);
            } else if approved.already {
                say!(
                    "queue item {id} was already approved (contact {}); nothing changed",
                    approved.contact
                );
            } else {
                let entries: Vec<String> = approved
                    .entries
                    .iter()
                    .map(|e| format!("{} {}", e.role.as_str(), e.id))
                    .collect();
                say!(
                    "queue item {id} approved for {}contact {}: {}",
                    if approved.new_contact { "new " } else { "" },
                    approved.contact,
                    entries.join(", ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        QueueCommand::Reject {
            id,
            config,
            reason,
            by,
            json,
        } => {
            let config = load(&config)?;
            let store = open_store(&config)?;
            store.enqueue_new().map_err(queue_failed)?;
            let rejected = store
                .reject(id, reason.as_deref(), &reviewer(by))
                .map_err(queue_failed)?;
            if json {
                print_json(&rejected);
            } else if rejected.already {
                say!("queue item {id} was already rejected; nothing changed");
            } else {
                say!("queue item {id} rejected");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
