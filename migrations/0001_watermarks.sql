-- One row per pipeline: how far it has committed. Written in the same transaction as the rows
-- of the checkpoints it covers, so rows and watermark never disagree (exactly once).
CREATE TABLE watermarks (
    pipeline                    TEXT PRIMARY KEY,
    -- The chain the rows come from (base58 digest of its genesis checkpoint).
    chain_id                    TEXT   NOT NULL,
    -- Last checkpoint fully written (inclusive), its digest, epoch and timestamp.
    checkpoint_hi_inclusive     BIGINT NOT NULL,
    checkpoint_digest           TEXT   NOT NULL,
    epoch_hi_inclusive          BIGINT NOT NULL,
    timestamp_ms_hi_inclusive   BIGINT NOT NULL,
    -- Transactions up to and including the last checkpoint.
    tx_hi                       BIGINT NOT NULL,
    -- History below this checkpoint may have been pruned.
    reader_lo                   BIGINT NOT NULL DEFAULT 0
);
