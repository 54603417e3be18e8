-- The Walrus network's history and current state. u64 amounts are NUMERIC(20,0) (they may exceed
-- BIGINT); counts, sizes and epochs that fit are BIGINT/INT. IDs are 0x-prefixed lowercase hex,
-- blob IDs base64url as Walrus spells them.

-- Every checkpoint indexed.
CREATE TABLE checkpoints (
    sequence_number   BIGINT PRIMARY KEY,
    digest            TEXT   NOT NULL,
    epoch             BIGINT NOT NULL,
    timestamp_ms      BIGINT NOT NULL,
    tx_count          INT    NOT NULL,
    walrus_events     INT    NOT NULL
);

-- Every Walrus event, with where it happened.
CREATE TABLE events (
    checkpoint     BIGINT   NOT NULL,
    tx_index       INT      NOT NULL,
    event_index    INT      NOT NULL,
    tx_digest      TEXT     NOT NULL,
    timestamp_ms   BIGINT   NOT NULL,
    event_type     TEXT     NOT NULL,
    -- The blob, proposal or node the event is about, for filtering.
    subject        TEXT,
    data           JSONB    NOT NULL,
    bcs            BYTEA    NOT NULL,
    PRIMARY KEY (checkpoint, tx_index, event_index)
);
CREATE INDEX events_type ON events (event_type, checkpoint);
CREATE INDEX events_subject ON events (subject, checkpoint) WHERE subject IS NOT NULL;

-- Blob objects (`walrus::blob::Blob`, also inside a `SharedBlob`).
CREATE TABLE blobs (
    object_id          TEXT     PRIMARY KEY,
    blob_id            TEXT     NOT NULL,
    -- The owning address, or the SharedBlob's ID for a shared blob; NULL once deleted.
    owner              TEXT,
    size               BIGINT   NOT NULL,
    encoded_size       BIGINT   NOT NULL,
    encoding_type      SMALLINT NOT NULL,
    -- REGISTERED, CERTIFIED, DELETED, EXPIRED or INVALID.
    status             TEXT     NOT NULL,
    registered_epoch   BIGINT   NOT NULL,
    certified_epoch    BIGINT,
    end_epoch          BIGINT   NOT NULL,
    deletable          BOOLEAN  NOT NULL,
    storage_id         TEXT     NOT NULL,
    -- The object version the row reflects (rows only move forward).
    version            BIGINT   NOT NULL,
    created_checkpoint BIGINT   NOT NULL,
    updated_checkpoint BIGINT   NOT NULL
);
CREATE INDEX blobs_blob_id ON blobs (blob_id);
CREATE INDEX blobs_owner ON blobs (owner, object_id);
CREATE INDEX blobs_status ON blobs (status, object_id);
CREATE INDEX blobs_live_end_epoch ON blobs (end_epoch) WHERE status IN ('REGISTERED', 'CERTIFIED');

-- A blob's attributes (its `metadata` dynamic field).
CREATE TABLE blob_attributes (
    blob_object_id     TEXT   PRIMARY KEY,
    attributes         JSONB  NOT NULL,
    version            BIGINT NOT NULL,
    updated_checkpoint BIGINT NOT NULL
);

-- Live storage resources (`walrus::storage_resource::Storage` objects owned by an address).
CREATE TABLE storage_resources (
    object_id          TEXT   PRIMARY KEY,
    owner              TEXT,
    start_epoch        BIGINT NOT NULL,
    end_epoch          BIGINT NOT NULL,
    storage_size       BIGINT NOT NULL,
    version            BIGINT NOT NULL,
    updated_checkpoint BIGINT NOT NULL
);
CREATE INDEX storage_resources_owner ON storage_resources (owner, object_id);

-- Staking pools, one per storage node.
CREATE TABLE staking_pools (
    node_id              TEXT          PRIMARY KEY,
    name                 TEXT          NOT NULL,
    network_address      TEXT          NOT NULL,
    public_key           BYTEA         NOT NULL,
    network_public_key   BYTEA         NOT NULL,
    -- ACTIVE, WITHDRAWING or WITHDRAWN.
    state                TEXT          NOT NULL,
    withdrawing_epoch    BIGINT,
    stake                NUMERIC(20,0) NOT NULL,
    shares               NUMERIC(20,0) NOT NULL,
    commission_rate      INT           NOT NULL,
    rewards              NUMERIC(20,0) NOT NULL,
    commission           NUMERIC(20,0) NOT NULL,
    activation_epoch     BIGINT        NOT NULL,
    latest_epoch         BIGINT        NOT NULL,
    storage_price_vote   NUMERIC(20,0) NOT NULL,
    write_price_vote     NUMERIC(20,0) NOT NULL,
    capacity_vote        NUMERIC(20,0) NOT NULL,
    version              BIGINT        NOT NULL,
    updated_checkpoint   BIGINT        NOT NULL
);

-- Live staked WAL positions.
CREATE TABLE staked_wal (
    object_id          TEXT          PRIMARY KEY,
    owner              TEXT,
    node_id            TEXT          NOT NULL,
    principal          NUMERIC(20,0) NOT NULL,
    activation_epoch   BIGINT        NOT NULL,
    -- STAKED or WITHDRAWING.
    state              TEXT          NOT NULL,
    withdraw_epoch     BIGINT,
    version            BIGINT        NOT NULL,
    updated_checkpoint BIGINT        NOT NULL
);
CREATE INDEX staked_wal_owner ON staked_wal (owner, object_id);
CREATE INDEX staked_wal_node ON staked_wal (node_id, object_id);

-- The committee of each epoch: node to shards.
CREATE TABLE committees (
    epoch     BIGINT   NOT NULL,
    node_id   TEXT     NOT NULL,
    shards    INT[]    NOT NULL,
    PRIMARY KEY (epoch, node_id)
);

-- Epochs: prices, capacity, rewards.
CREATE TABLE epochs (
    epoch                  BIGINT        PRIMARY KEY,
    start_checkpoint       BIGINT        NOT NULL,
    start_timestamp_ms     BIGINT        NOT NULL,
    storage_price          NUMERIC(20,0) NOT NULL,
    write_price            NUMERIC(20,0) NOT NULL,
    total_capacity         NUMERIC(20,0) NOT NULL,
    used_capacity          NUMERIC(20,0) NOT NULL,
    -- WAL to distribute as rewards at the end of the epoch (FROST).
    rewards                NUMERIC(20,0) NOT NULL,
    -- WAL burned during the epoch (FROST), where the chain reports it.
    burn                   NUMERIC(20,0) NOT NULL DEFAULT 0,
    n_shards               INT           NOT NULL,
    -- SYNC, DONE or PARAMS_SELECTED.
    state                  TEXT          NOT NULL,
    updated_checkpoint     BIGINT        NOT NULL
);

-- Governance proposals with their tallies.
CREATE TABLE proposals (
    number             BIGINT        PRIMARY KEY,
    object_id          TEXT          NOT NULL UNIQUE,
    proposer           TEXT          NOT NULL,
    title              TEXT          NOT NULL,
    description        TEXT          NOT NULL,
    action             JSONB         NOT NULL,
    created_epoch      BIGINT        NOT NULL,
    voting_end_epoch   BIGINT        NOT NULL,
    yes                NUMERIC(20,0) NOT NULL,
    no                 NUMERIC(20,0) NOT NULL,
    abstain            NUMERIC(20,0) NOT NULL,
    -- ACTIVE, PASSED, REJECTED or EXECUTED.
    status             TEXT          NOT NULL,
    version            BIGINT        NOT NULL,
    updated_checkpoint BIGINT        NOT NULL
);
CREATE INDEX proposals_status ON proposals (status, number);

-- Every vote.
CREATE TABLE votes (
    proposal_id        TEXT          NOT NULL,
    staked_wal_id      TEXT          NOT NULL,
    voter              TEXT          NOT NULL,
    choice             SMALLINT      NOT NULL,
    weight             NUMERIC(20,0) NOT NULL,
    checkpoint         BIGINT        NOT NULL,
    tx_digest          TEXT          NOT NULL,
    PRIMARY KEY (proposal_id, staked_wal_id)
);

-- Network totals, kept exact by the committer (deltas of the rows it replaces).
CREATE TABLE totals (
    id                    BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
    blob_count            BIGINT  NOT NULL,
    certified_blob_count  BIGINT  NOT NULL,
    stored_bytes          NUMERIC(30,0) NOT NULL
);
INSERT INTO totals VALUES (TRUE, 0, 0, 0);
