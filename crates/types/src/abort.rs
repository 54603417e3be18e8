//! Abort codes of the Move modules, with the same names and numbers as the `const E…: u64`
//! declarations in `move/` (checked by `tests/conformance.rs`; regenerate with
//! `tools/sync_from_move.py`).

macro_rules! abort_codes {
    ($($package:ident :: $module:ident { $($name:ident = $value:literal),* $(,)? })*) => {
        $(
            #[doc = concat!("Abort codes of `", stringify!($package), "::", stringify!($module), "`.")]
            #[allow(non_upper_case_globals)]
            pub mod $module {
                $(
                    #[doc = concat!("`", stringify!($name), "` in `", stringify!($package), "::", stringify!($module), "`.")]
                    pub const $name: u64 = $value;
                )*
            }
        )*

        /// Every abort code: (package, module, [(name, value)]).
        pub const ALL: &[(&str, &str, &[(&str, u64)])] = &[
            $((stringify!($package), stringify!($module), &[$((stringify!($name), $value)),*]),)*
        ];
    };
}

abort_codes! {
    policies::allowlist {
        EInvalidCap = 0,
        ENoAccess = 1,
        EDuplicate = 2,
    }
    policies::private {
        ENoAccess = 0,
    }
    policies::subscription {
        EInvalidCap = 0,
        EInvalidFee = 1,
        ENoAccess = 2,
    }
    policies::tle {
        ENoAccess = 0,
        EInvalidId = 1,
    }
    seal::key_server {
        EInvalidKeyType = 1,
        EInvalidVersion = 2,
        EInvalidServerType = 3,
    }
    seal::time {
        EStaleFullnode = 93492,
        EStaleKeyServer = 93493,
    }
    walrus::active_set {
        EZeroMaxSize = 0,
        EDuplicateInsertion = 1,
    }
    walrus::blob {
        ENotCertified = 0,
        EBlobNotDeletable = 1,
        EResourceBounds = 2,
        EResourceSize = 3,
        EAlreadyCertified = 5,
        EInvalidBlobId = 6,
        EDuplicateMetadata = 7,
        EMissingMetadata = 8,
        EInvalidBlobPersistenceType = 9,
        EInvalidBlobObject = 10,
    }
    walrus::bls_aggregate {
        EInvalidBitmap = 0,
        ESigVerification = 1,
        ENotEnoughStake = 2,
        EIncorrectCommittee = 3,
    }
    walrus::committee {
        EInvalidShardAssignment = 0,
    }
    walrus::encoding {
        EInvalidEncodingType = 0,
    }
    walrus::pool_exchange_rate {
        EInvalidRate = 0,
    }
    walrus::governance {
        EStakeNotActive = 0,
        EInsufficientStake = 1,
        ETitleTooLong = 2,
        EDescriptionTooLong = 3,
        EUnknownParameter = 4,
        EInvalidParameterValue = 5,
        EVotingClosed = 6,
        EAlreadyVoted = 7,
        EInvalidChoice = 8,
        EStakeTooNew = 9,
        EVotingNotEnded = 10,
        ENotActive = 11,
        ENotPassed = 12,
    }
    walrus::messages {
        EIncorrectAppId = 0,
        EIncorrectEpoch = 1,
        EInvalidMsgType = 2,
        EIncorrectIntentVersion = 3,
        EInvalidBlobPersistenceType = 4,
        ENotDeletable = 5,
        EInvalidKeyLength = 6,
    }
    walrus::pending_values {
        EIncorrectValue = 0,
    }
    walrus::staked_wal {
        ENotWithdrawing = 0,
        EMetadataMismatch = 1,
        EInvalidAmount = 2,
        ENonZeroPrincipal = 3,
        EAlreadyWithdrawing = 6,
        EVoteLocked = 7,
    }
    walrus::staking {
        EWrongVersion = 1,
    }
    walrus::staking_inner {
        EWrongEpochState = 0,
        EInvalidSyncEpoch = 1,
        EDuplicateSyncDone = 2,
        ENoStake = 3,
        ENotInCommittee = 4,
        ECommitteeSelected = 5,
        ENextCommitteeIsEmpty = 6,
        EInvalidNodeWeight = 7,
        EPoolNotFound = 8,
        EZeroNodeWeight = 9,
        EIncorrectNodeOrder = 10,
    }
    walrus::staking_pool {
        EPoolAlreadyUpdated = 0,
        ECalculationError = 1,
        EIncorrectEpochAdvance = 2,
        EPoolNotEmpty = 3,
        EInvalidProofOfPossession = 4,
        EPoolIsNotActive = 6,
        EZeroStake = 7,
        ENotStaked = 8,
        EIncorrectPoolId = 9,
        ENotWithdrawing = 10,
        EWithdrawEpochNotReached = 11,
        EActivationEpochNotReached = 12,
        EWithdrawDirectly = 13,
        EIncorrectCommissionRate = 14,
        EAuthorizationFailure = 15,
        EInvalidNetworkAddressLength = 16,
        EInvalidNameLength = 17,
        EZeroShares = 18,
    }
    walrus::storage_accounting {
        ETooFarInFuture = 0,
    }
    walrus::storage_node {
        EInvalidNetworkPublicKey = 0,
    }
    walrus::storage_resource {
        EInvalidEpoch = 0,
        EIncompatibleEpochs = 1,
        EIncompatibleAmount = 2,
        EInvalidEpochRange = 3,
    }
    walrus::system {
        EWrongVersion = 1,
    }
    walrus::system_state_inner {
        EInvalidMaxEpochsAhead = 0,
        EStorageExceeded = 1,
        EInvalidEpochsAhead = 2,
        EInvalidIdEpoch = 3,
        EIncorrectCommittee = 4,
        EInvalidAccountingEpoch = 5,
        EInvalidResourceSize = 11,
    }
}
