//! The Postgres schema, as numbered migrations. The same tables as the SQLite store, in
//! Postgres types; times stay RFC 3339 text and records stay the exact JSON text written, so
//! "the same record again" is the same comparison on both backends.

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
        amount        BIGINT NOT NULL,
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
    CREATE INDEX donations_by_time ON donations (integration, received_at, id);
    CREATE INDEX donations_by_reverses ON donations (integration, reverses)
        WHERE reverses IS NOT NULL;

    CREATE TABLE donation_history (
        integration TEXT NOT NULL,
        id          TEXT NOT NULL,
        revision    INTEGER NOT NULL,
        record      TEXT NOT NULL,
        replaced_at TEXT NOT NULL,
        PRIMARY KEY (integration, id, revision)
    );

    CREATE TABLE fee_entries (
        integration TEXT NOT NULL,
        id          TEXT NOT NULL,
        amount      BIGINT NOT NULL,
        currency    TEXT NOT NULL,
        charged_at  TEXT NOT NULL,
        donation_id TEXT,
        payout_id   TEXT,
        record      TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (integration, id)
    );

    CREATE TABLE payouts (
        integration TEXT NOT NULL,
        id          TEXT NOT NULL,
        paid_at     TEXT NOT NULL,
        net         BIGINT NOT NULL,
        currency    TEXT NOT NULL,
        record      TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (integration, id)
    );

    -- The conduit check (or bank deposit) is the whole; each donation and fee a split.
    CREATE TABLE payout_items (
        integration TEXT NOT NULL,
        payout_id   TEXT NOT NULL,
        item_kind   TEXT NOT NULL CHECK (item_kind IN ('donation', 'fee')),
        item_id     TEXT NOT NULL,
        PRIMARY KEY (integration, payout_id, item_kind, item_id)
    );

    CREATE TABLE sync_state (
        integration     TEXT NOT NULL,
        stream          TEXT NOT NULL,
        window_since    TEXT,
        window_until    TEXT,
        cursor          TEXT,
        completed_until TEXT,
        PRIMARY KEY (integration, stream)
    );

    CREATE TABLE runs (
        id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        integration TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        status      TEXT NOT NULL,
        detail      TEXT,
        new         BIGINT NOT NULL DEFAULT 0,
        updated     BIGINT NOT NULL DEFAULT 0,
        unchanged   BIGINT NOT NULL DEFAULT 0,
        rejected    BIGINT NOT NULL DEFAULT 0,
        pages       BIGINT NOT NULL DEFAULT 0,
        calls       BIGINT NOT NULL DEFAULT 0,
        requests    BIGINT NOT NULL DEFAULT 0
    );
    CREATE INDEX runs_by_integration ON runs (integration, id);

    CREATE TABLE rejected_rows (
        integration TEXT NOT NULL,
        source      TEXT NOT NULL,
        line        BIGINT NOT NULL,
        message     TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (integration, source, line)
    );
    "#,
    // 2: claims on integrations, one worker each at a time.
    r#"
    CREATE TABLE leases (
        integration TEXT PRIMARY KEY,
        holder      TEXT NOT NULL,
        expires_at  TIMESTAMPTZ NOT NULL
    );
    "#,
    // 3: contacts, the import queue, the ledger it feeds, and the organizations (conduits).
    r#"
    CREATE TABLE contacts (
        id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        person     TEXT NOT NULL,
        email      TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX contacts_by_email ON contacts (email) WHERE email IS NOT NULL;

    CREATE TABLE queue (
        id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        integration TEXT NOT NULL,
        donation_id TEXT NOT NULL,
        status      TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'approved', 'rejected')),
        queued_at   TEXT NOT NULL,
        decided_at  TEXT,
        decided_by  TEXT,
        reason      TEXT,
        contact_id  BIGINT REFERENCES contacts (id),
        UNIQUE (integration, donation_id)
    );
    CREATE INDEX queue_by_status ON queue (status, integration, id);

    CREATE TABLE organizations (
        id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name       TEXT NOT NULL,
        fec_id     TEXT,
        address    TEXT,
        created_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX organizations_by_fec_id ON organizations (fec_id) WHERE fec_id IS NOT NULL;
    CREATE UNIQUE INDEX organizations_by_name ON organizations (name) WHERE fec_id IS NULL;

    -- memo_for: a conduit memo's earmarked receipt. reverses: a refund's original entry.
    CREATE TABLE ledger (
        id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        integration     TEXT NOT NULL,
        donation_id     TEXT NOT NULL,
        role            TEXT NOT NULL
                        CHECK (role IN ('contribution', 'earmarked_receipt', 'conduit_memo')),
        contact_id      BIGINT REFERENCES contacts (id),
        organization_id BIGINT REFERENCES organizations (id),
        memo_for        BIGINT REFERENCES ledger (id),
        reverses        BIGINT REFERENCES ledger (id),
        amount          BIGINT NOT NULL,
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
    CREATE INDEX ledger_by_donation ON ledger (integration, donation_id, id);
    "#,
    // 4: the keys matching finds contacts by (matching::blocking_keys).
    r#"
    CREATE TABLE contact_keys (
        key        TEXT NOT NULL,
        contact_id BIGINT NOT NULL REFERENCES contacts (id),
        PRIMARY KEY (key, contact_id)
    );
    "#,
    // 5: scheduled fires taken, one row per (integration, slot): the key that makes a slot fire
    // once across workers, and the record a restart reads to catch up a missed run.
    r#"
    CREATE TABLE schedule_slots (
        integration TEXT NOT NULL,
        slot        TEXT NOT NULL,
        worker      TEXT NOT NULL,
        fired_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (integration, slot)
    );
    "#,
];
