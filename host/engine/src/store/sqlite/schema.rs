//! The SQLite schema, as numbered migrations applied in order (`PRAGMA user_version`).

/// Each entry moves the schema one version up. Never edit a released entry: append.
/// The migration that adds contact keys; contacts made before it are indexed as it runs.
pub(super) const CONTACT_KEYS: usize = 4;

pub(super) const MIGRATIONS: &[&str] = &[
    // 1: entries, their history, payouts, sync state, runs, rejected rows.
    r#"
    CREATE TABLE donations (
        integration   TEXT NOT NULL,
        id            TEXT NOT NULL,
        kind          TEXT NOT NULL,
        reverses      TEXT,
        amount        INTEGER NOT NULL,
        currency      TEXT NOT NULL,
        received_at   TEXT NOT NULL,
        payout_id     TEXT,
        record        TEXT NOT NULL,
        via           TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        revision      INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (integration, id)
    ) WITHOUT ROWID;
    CREATE INDEX donations_by_time ON donations (integration, received_at, id);
    CREATE INDEX donations_by_reverses ON donations (integration, reverses) WHERE reverses IS NOT NULL;

    CREATE TABLE donation_history (
        integration TEXT NOT NULL,
        id          TEXT NOT NULL,
        revision    INTEGER NOT NULL,
        record      TEXT NOT NULL,
        replaced_at TEXT NOT NULL,
        PRIMARY KEY (integration, id, revision)
    ) WITHOUT ROWID;

    CREATE TABLE fee_entries (
        integration TEXT NOT NULL,
        id          TEXT NOT NULL,
        amount      INTEGER NOT NULL,
        currency    TEXT NOT NULL,
        charged_at  TEXT NOT NULL,
        donation_id TEXT,
        payout_id   TEXT,
        record      TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (integration, id)
    ) WITHOUT ROWID;

    CREATE TABLE payouts (
        integration TEXT NOT NULL,
        id          TEXT NOT NULL,
        paid_at     TEXT NOT NULL,
        net         INTEGER NOT NULL,
        currency    TEXT NOT NULL,
        record      TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (integration, id)
    ) WITHOUT ROWID;

    -- The conduit check (or bank deposit) is the whole; each donation and fee a split.
    CREATE TABLE payout_items (
        integration TEXT NOT NULL,
        payout_id   TEXT NOT NULL,
        item_kind   TEXT NOT NULL CHECK (item_kind IN ('donation', 'fee')),
        item_id     TEXT NOT NULL,
        PRIMARY KEY (integration, payout_id, item_kind, item_id)
    ) WITHOUT ROWID;

    CREATE TABLE sync_state (
        integration     TEXT NOT NULL,
        stream          TEXT NOT NULL,
        window_since    TEXT,
        window_until    TEXT,
        cursor          TEXT,
        completed_until TEXT,
        PRIMARY KEY (integration, stream)
    ) WITHOUT ROWID;

    CREATE TABLE runs (
        id          INTEGER PRIMARY KEY,
        integration TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        status      TEXT NOT NULL,
        detail      TEXT,
        new         INTEGER NOT NULL DEFAULT 0,
        updated     INTEGER NOT NULL DEFAULT 0,
        unchanged   INTEGER NOT NULL DEFAULT 0,
        rejected    INTEGER NOT NULL DEFAULT 0,
        pages       INTEGER NOT NULL DEFAULT 0,
        calls       INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX runs_by_integration ON runs (integration, id);

    CREATE TABLE rejected_rows (
        integration TEXT NOT NULL,
        source      TEXT NOT NULL,
        line        INTEGER NOT NULL,
        message     TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (integration, source, line)
    ) WITHOUT ROWID;
    "#,
    // The import queue, the ledger it feeds, and the organizations (conduits) it refers to.
    r#"
    CREATE TABLE queue (
        id          INTEGER PRIMARY KEY,
        integration TEXT NOT NULL,
        donation_id TEXT NOT NULL,
        status      TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'approved', 'rejected')),
        queued_at   TEXT NOT NULL,
        decided_at  TEXT,
        decided_by  TEXT,
        reason      TEXT,
        contact_id  INTEGER,
        UNIQUE (integration, donation_id)
    );
    CREATE INDEX queue_by_status ON queue (status, integration, id);

    CREATE TABLE organizations (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        fec_id     TEXT,
        address    TEXT,
        created_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX organizations_by_fec_id ON organizations (fec_id) WHERE fec_id IS NOT NULL;
    CREATE UNIQUE INDEX organizations_by_name ON organizations (name) WHERE fec_id IS NULL;

    -- memo_for: a conduit memo's earmarked receipt. reverses: a refund's original entry.
    CREATE TABLE ledger (
        id              INTEGER PRIMARY KEY,
        integration     TEXT NOT NULL,
        donation_id     TEXT NOT NULL,
        role            TEXT NOT NULL
                        CHECK (role IN ('contribution', 'earmarked_receipt', 'conduit_memo')),
        contact_id      INTEGER,
        organization_id INTEGER REFERENCES organizations (id),
        memo_for        INTEGER REFERENCES ledger (id),
        reverses        INTEGER REFERENCES ledger (id),
        amount          INTEGER NOT NULL,
        currency        TEXT NOT NULL,
        received_at     TEXT NOT NULL,
        bank_account    TEXT,
        election_period TEXT,
        category        TEXT,
        created_at      TEXT NOT NULL,
        UNIQUE (integration, donation_id, role)
    );
    CREATE INDEX ledger_by_contact ON ledger (contact_id, election_period)
        WHERE contact_id IS NOT NULL;
    CREATE INDEX ledger_by_time ON ledger (integration, received_at, id);

    ALTER TABLE runs ADD COLUMN requests INTEGER NOT NULL DEFAULT 0;
    "#,
    // Claims on integrations, for several processes sharing one file.
    r#"
    CREATE TABLE leases (
        integration TEXT PRIMARY KEY,
        holder      TEXT NOT NULL,
        expires_ms  INTEGER NOT NULL
    ) WITHOUT ROWID;
    "#,
    // Contacts (donor records) and the keys matching finds them by (matching::blocking_keys).
    r#"
    CREATE TABLE IF NOT EXISTS contacts (
        id         INTEGER PRIMARY KEY,
        person     TEXT NOT NULL,
        email      TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE contact_keys (
        key        TEXT NOT NULL,
        contact_id INTEGER NOT NULL REFERENCES contacts (id),
        PRIMARY KEY (key, contact_id)
    ) WITHOUT ROWID;
    "#,
    // 5: scheduled fires taken, one row per (integration, slot): the key that makes a slot fire
    // once across workers, and the record a restart reads to catch up a missed run.
    r#"
    CREATE TABLE schedule_slots (
        integration TEXT NOT NULL,
        slot        TEXT NOT NULL,
        worker      TEXT NOT NULL,
        PRIMARY KEY (integration, slot)
    ) WITHOUT ROWID;
    "#, // 6: the tables that hold a processor's whole record (its JSON, a kilobyte or more) become
    // rowid tables. In a WITHOUT ROWID table a row that size overflows its b-tree cell (a cell
    // holds about a quarter of a page), so every insert split pages and wrote overflow chains:
    // storing a page of 200 donations cost three times what it does now (BENCHMARKS.md, "What
    // the store costs a sync"). Same columns, same keys, rows copied as they are.
    r#"
    CREATE TABLE donations_6 (
        integration   TEXT NOT NULL,
        id            TEXT NOT NULL,
        kind          TEXT NOT NULL,
        reverses      TEXT,
        amount        INTEGER NOT NULL,
        currency      TEXT NOT NULL,
        received_at   TEXT NOT NULL,
        payout_id     TEXT,
        record        TEXT NOT NULL,
        via           TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        revision      INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (integration, id)
    );
    INSERT INTO donations_6 SELECT integration, id, kind, reverses, amount, currency,
        received_at, payout_id, record, via, first_seen_at, updated_at, revision
        FROM donations ORDER BY integration, received_at, id;
    DROP TABLE donations;
    ALTER TABLE donations_6 RENAME TO donations;
    CREATE INDEX donations_by_time ON donations (integration, received_at, id);
    CREATE INDEX donations_by_reverses ON donations (integration, reverses) WHERE reverses IS NOT NULL;

    CREATE TABLE donation_history_6 (
        integration TEXT NOT NULL,
        id          TEXT NOT NULL,
        revision    INTEGER NOT NULL,
        record      TEXT NOT NULL,
        replaced_at TEXT NOT NULL,
        PRIMARY KEY (integration, id, revision)
    );
    INSERT INTO donation_history_6 SELECT integration, id, revision, record, replaced_at
        FROM donation_history;
    DROP TABLE donation_history;
    ALTER TABLE donation_history_6 RENAME TO donation_history;

    CREATE TABLE fee_entries_6 (
        integration TEXT NOT NULL,
        id          TEXT NOT NULL,
        amount      INTEGER NOT NULL,
        currency    TEXT NOT NULL,
        charged_at  TEXT NOT NULL,
        donation_id TEXT,
        payout_id   TEXT,
        record      TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (integration, id)
    );
    INSERT INTO fee_entries_6 SELECT integration, id, amount, currency, charged_at,
        donation_id, payout_id, record, updated_at FROM fee_entries;
    DROP TABLE fee_entries;
    ALTER TABLE fee_entries_6 RENAME TO fee_entries;

    CREATE TABLE payouts_6 (
        integration TEXT NOT NULL,
        id          TEXT NOT NULL,
        paid_at     TEXT NOT NULL,
        net         INTEGER NOT NULL,
        currency    TEXT NOT NULL,
        record      TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (integration, id)
    );
    INSERT INTO payouts_6 SELECT integration, id, paid_at, net, currency, record, updated_at
        FROM payouts;
    DROP TABLE payouts;
    ALTER TABLE payouts_6 RENAME TO payouts;
    "#,
];
