//! The other integer constants of the Move modules (limits, defaults, message types), with
//! the same names, types and values (checked by `tests/conformance.rs`; regenerate with
//! `tools/sync_from_move.py`).

macro_rules! constants {
    ($($package:ident :: $module:ident { $($name:ident : $ty:ty = $value:literal),* $(,)? })*) => {
        $(
            #[doc = concat!("Constants of `", stringify!($package), "::", stringify!($module), "`.")]
            pub mod $module {
                $(
                    #[doc = concat!("`", stringify!($name), "` in `", stringify!($package), "::", stringify!($module), "`.")]
                    pub const $name: $ty = $value;
                )*
            }
        )*

        /// Every constant: (package, module, name, value).
        pub const ALL: &[(&str, &str, &str, u128)] = &[
            $($((stringify!($package), stringify!($module), stringify!($name), $value as u128),)*)*
        ];
    };
}

constants! {
    policies::allowlist {
        MARKER: u64 = 3,
    }
    policies::subscription {
        MARKER: u64 = 3,
    }
    seal::key_server {
        KEY_TYPE_BONEH_FRANKLIN_BLS12381: u8 = 0,
        V1: u64 = 1,
        V2: u64 = 2,
    }
    seal::time {
        ALLOWED_KEY_SERVER_STALENESS_IN_MS: u64 = 30_000,
    }
    wal::wal {
        TOTAL_WAL_SUPPLY_TO_MINT: u64 = 5_000_000_000,
        DECIMALS: u8 = 9,
    }
    walrus::encoding {
        RS2: u8 = 1,
    }
    walrus::governance {
        DEFAULT_MIN_STAKE_TO_PROPOSE: u64 = 1_000_000_000_000,
        DEFAULT_VOTING_PERIOD_EPOCHS: u32 = 2,
        DEFAULT_QUORUM_BPS: u16 = 2_000,
        DEFAULT_PASS_THRESHOLD_BPS: u16 = 5_000,
        N_BASIS_POINTS: u64 = 10_000,
        MAX_TITLE_LENGTH: u64 = 200,
        MAX_DESCRIPTION_LENGTH: u64 = 4_000,
        MAX_VOTING_PERIOD_EPOCHS: u64 = 53,
        MIN_EPOCH_DURATION_MS: u64 = 1_000,
        CHOICE_YES: u8 = 0,
        CHOICE_NO: u8 = 1,
        CHOICE_ABSTAIN: u8 = 2,
        STATUS_PASSED: u8 = 1,
        STATUS_REJECTED: u8 = 2,
    }
    walrus::messages {
        APP_ID: u8 = 3,
        INTENT_VERSION: u8 = 0,
        BLS_KEY_LEN: u64 = 48,
        PROOF_OF_POSSESSION_MSG_TYPE: u8 = 0,
        BLOB_CERT_MSG_TYPE: u8 = 1,
        INVALID_BLOB_ID_MSG_TYPE: u8 = 2,
    }
    walrus::redstuff {
        DIGEST_LEN: u64 = 32,
        BLOB_ID_LEN: u64 = 32,
    }
    walrus::staking {
        VERSION: u64 = 1,
    }
    walrus::staking_inner {
        MIN_STAKE: u64 = 0,
        ACTIVE_SET_SIZE_LIMIT: u16 = 150,
        MIN_NODES_FOR_SHARDS_LIMIT: u64 = 20,
        SHARDS_LIMIT_DENOMINATOR: u64 = 10,
    }
    walrus::staking_pool {
        MAX_NODE_NAME_LENGTH: u64 = 100,
        MAX_NETWORK_ADDRESS_LENGTH: u64 = 259,
        N_BASIS_POINTS: u16 = 10_000,
    }
    walrus::storage_accounting {
        BURN_PERCENT: u128 = 3,
    }
    walrus::storage_node {
        NETWORK_PUBLIC_KEY_LEN: u64 = 33,
    }
    walrus::system {
        VERSION: u64 = 1,
    }
    walrus::system_state_inner {
        MAX_MAX_EPOCHS_AHEAD: u32 = 1_000,
        BYTES_PER_UNIT_SIZE: u64 = 1_048_576,
    }
}
