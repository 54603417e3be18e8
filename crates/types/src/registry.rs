//! The list of every mirrored Move type, for tools that check them all.

use crate::blob::*;
use crate::events::*;
use crate::framework::*;
use crate::governance::*;
use crate::messages::BlobPersistenceType;
use crate::move_type::MoveTypeInfo;
use crate::seal::*;
use crate::staking::*;
use crate::system::*;
use crate::wal::*;

/// Every Move struct and enum this crate mirrors (generic ones once, at any instantiation).
pub fn mirrored_types() -> Vec<MoveTypeInfo> {
    vec![
        // Sui framework
        MoveTypeInfo::of::<Balance<Wal>>(),
        MoveTypeInfo::of::<Supply<Wal>>(),
        MoveTypeInfo::of::<Coin<Wal>>(),
        MoveTypeInfo::of::<TreasuryCap<Wal>>(),
        MoveTypeInfo::of::<Url>(),
        MoveTypeInfo::of::<CoinMetadata<Wal>>(),
        MoveTypeInfo::of::<Table<u64, u64>>(),
        MoveTypeInfo::of::<ObjectTable<u64, u64>>(),
        MoveTypeInfo::of::<Bag>(),
        MoveTypeInfo::of::<ObjectBag>(),
        MoveTypeInfo::of::<Entry<u64, u64>>(),
        MoveTypeInfo::of::<VecMap<u64, u64>>(),
        MoveTypeInfo::of::<VecSet<u64>>(),
        MoveTypeInfo::of::<G1>(),
        MoveTypeInfo::of::<UncompressedG1>(),
        MoveTypeInfo::of::<Element<G1>>(),
        MoveTypeInfo::of::<Field<u64, u64>>(),
        MoveTypeInfo::of::<Wrapper<u64>>(),
        MoveTypeInfo::of::<UpgradeCap>(),
        MoveTypeInfo::of::<Publisher>(),
        // wal
        MoveTypeInfo::of::<Wal>(),
        MoveTypeInfo::of::<ProtectedTreasury>(),
        MoveTypeInfo::of::<TreasuryCapKey>(),
        MoveTypeInfo::of::<Init>(),
        MoveTypeInfo::of::<InitCap>(),
        // walrus: system
        MoveTypeInfo::of::<System>(),
        MoveTypeInfo::of::<SystemStateInnerV1>(),
        MoveTypeInfo::of::<BlsCommittee>(),
        MoveTypeInfo::of::<BlsCommitteeMember>(),
        MoveTypeInfo::of::<FutureAccountingRingBuffer>(),
        MoveTypeInfo::of::<FutureAccounting>(),
        MoveTypeInfo::of::<EventBlobCertificationState>(),
        MoveTypeInfo::of::<EventBlob>(),
        MoveTypeInfo::of::<EventBlobAttestation>(),
        MoveTypeInfo::of::<ExtendedField<u64>>(),
        MoveTypeInfo::of::<ExtendedFieldKey>(),
        // walrus: staking
        MoveTypeInfo::of::<Staking>(),
        MoveTypeInfo::of::<StakingInnerV1>(),
        MoveTypeInfo::of::<EpochState>(),
        MoveTypeInfo::of::<Committee>(),
        MoveTypeInfo::of::<EpochParams>(),
        MoveTypeInfo::of::<ActiveSet>(),
        MoveTypeInfo::of::<ActiveSetEntry>(),
        MoveTypeInfo::of::<StakingPool>(),
        MoveTypeInfo::of::<PoolState>(),
        MoveTypeInfo::of::<VotingParams>(),
        MoveTypeInfo::of::<Authorized>(),
        MoveTypeInfo::of::<StorageNodeInfo>(),
        MoveTypeInfo::of::<NodeMetadata>(),
        MoveTypeInfo::of::<PendingValues>(),
        MoveTypeInfo::of::<PoolExchangeRate>(),
        MoveTypeInfo::of::<NewEpochCommissionBlockedForCollection>(),
        MoveTypeInfo::of::<StorageNodeCap>(),
        MoveTypeInfo::of::<StakedWal>(),
        MoveTypeInfo::of::<StakedWalState>(),
        MoveTypeInfo::of::<Authenticated>(),
        MoveTypeInfo::of::<WalrusContext>(),
        MoveTypeInfo::of::<BlobPersistenceType>(),
        // walrus: blobs
        MoveTypeInfo::of::<Storage>(),
        MoveTypeInfo::of::<Blob>(),
        MoveTypeInfo::of::<Metadata>(),
        MoveTypeInfo::of::<SharedBlob>(),
        MoveTypeInfo::of::<BlobIdDerivation>(),
        // walrus: events
        MoveTypeInfo::of::<BlobRegistered>(),
        MoveTypeInfo::of::<BlobCertified>(),
        MoveTypeInfo::of::<BlobDeleted>(),
        MoveTypeInfo::of::<InvalidBlobID>(),
        MoveTypeInfo::of::<EpochChangeStart>(),
        MoveTypeInfo::of::<EpochChangeDone>(),
        MoveTypeInfo::of::<ShardsReceived>(),
        MoveTypeInfo::of::<EpochParametersSelected>(),
        MoveTypeInfo::of::<ShardRecoveryStart>(),
        MoveTypeInfo::of::<ContractUpgraded>(),
        MoveTypeInfo::of::<RegisterDenyListUpdate>(),
        MoveTypeInfo::of::<DenyListUpdate>(),
        MoveTypeInfo::of::<DenyListBlobDeleted>(),
        MoveTypeInfo::of::<ContractUpgradeProposed>(),
        MoveTypeInfo::of::<ContractUpgradeQuorumReached>(),
        MoveTypeInfo::of::<ProtocolVersionUpdated>(),
        MoveTypeInfo::of::<PricesUpdated>(),
        MoveTypeInfo::of::<StoragePoolCreated>(),
        MoveTypeInfo::of::<PooledBlobRegistered>(),
        MoveTypeInfo::of::<PooledBlobCertified>(),
        MoveTypeInfo::of::<PooledBlobDeleted>(),
        MoveTypeInfo::of::<StoragePoolExtended>(),
        // walrus: governance
        MoveTypeInfo::of::<GovernanceConfig>(),
        MoveTypeInfo::of::<Proposal>(),
        MoveTypeInfo::of::<ProposalAction>(),
        MoveTypeInfo::of::<ProposalStatus>(),
        MoveTypeInfo::of::<VoteMarks>(),
        MoveTypeInfo::of::<VoteMarksKey>(),
        MoveTypeInfo::of::<ProposalCreated>(),
        MoveTypeInfo::of::<VoteCast>(),
        MoveTypeInfo::of::<ProposalFinalized>(),
        MoveTypeInfo::of::<ProposalExecuted>(),
        // seal
        MoveTypeInfo::of::<KeyServer>(),
        MoveTypeInfo::of::<KeyServerV1>(),
        MoveTypeInfo::of::<KeyServerV2>(),
        MoveTypeInfo::of::<ServerType>(),
        MoveTypeInfo::of::<PartialKeyServer>(),
        // policies
        MoveTypeInfo::of::<Allowlist>(),
        MoveTypeInfo::of::<AllowlistCap>(),
        MoveTypeInfo::of::<Service>(),
        MoveTypeInfo::of::<Subscription>(),
        MoveTypeInfo::of::<ServiceCap>(),
    ]
}
