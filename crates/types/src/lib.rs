//! Rust mirror of haulout's on-chain Move layouts, protocol messages and dynamic-field IDs.
//!
//! Every type's BCS is byte-identical to its Move counterpart in `move/walrus` and `move/wal`.
//!
//! - Objects and events: [`System`], [`SystemStateInnerV1`], [`Staking`], [`StakingInnerV1`],
//!   [`StakingPool`], [`Blob`], [`Storage`], the events ([`BlobRegistered`], …), governance
//!   ([`Proposal`], …) and the Sui framework types they contain ([`Balance`], [`VecMap`], …).
//!   Each implements [`MoveStruct`]: module, name, type parameters, field list and type tag.
//! - [`abort`]: the abort codes of each Move module; [`constants`]: its other integer
//!   constants (limits, defaults, message types); [`functions`]: the Move functions a
//!   transaction calls, with their parameter types.
//! - Protocol messages ([`StorageConfirmation`], [`SignedMessage`], …) with checked decoding.
//! - [`decode_as`] and [`WalrusEvent::decode`]: contents decoded after checking their Move type.
//! - [`derive_dynamic_field_id`] and [`derive_dynamic_object_field_id`].
//! - The `seal` and `policies` packages: [`KeyServer`], [`KeyServerV2`], [`Allowlist`],
//!   [`Service`], [`Subscription`], … tagged with [`SealPackages`].
//!
//! ```
//! use haulout_types::{MoveStruct, ObjectId, Packages, System, TypeTag, derive_dynamic_field_id};
//!
//! // A `System` object's contents, as a Sui node serves them.
//! let mut contents = vec![0xaa; 32]; // id
//! contents.extend(1u64.to_le_bytes()); // version
//! contents.extend([0x11; 32]); // package_id
//! contents.push(0); // new_package_id: None
//! let system: System = bcs::from_bytes(&contents)?;
//! assert_eq!(system.package_id, ObjectId::new([0x11; 32]));
//!
//! // Its inner state is the `u64` dynamic field keyed by `version`.
//! let inner_id =
//!     derive_dynamic_field_id(system.id, &TypeTag::U64, &system.version.to_le_bytes());
//! # let _ = inner_id;
//! let packages = Packages { walrus: system.package_id.into(), wal: system.package_id.into() };
//! assert!(System::struct_tag(&packages).to_string().ends_with("::system::System"));
//! # Ok::<(), bcs::Error>(())
//! ```

// Tests may unwrap (see the workspace lints).
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod blob;
mod decode;
mod dynamic_field;
mod events;
mod framework;
mod governance;
mod ids;
mod messages;
mod move_type;
mod registry;
mod seal;
mod staking;
mod system;
mod wal;

pub mod abort;
pub mod bls;
pub mod constants;
pub mod functions;
pub mod node_api;

pub use blob::{Blob, BlobIdDerivation, Metadata, SharedBlob, Storage};
pub use decode::{DecodeError, WalrusEvent, decode_as};
pub use dynamic_field::{
    derive_dynamic_field_id, derive_dynamic_object_field_id, dynamic_field_id_of,
    dynamic_object_field_id_of,
};
pub use events::*;
pub use framework::{
    Bag, Balance, Coin, CoinMetadata, Element, Entry, Field, G1, ObjectBag, ObjectTable, Publisher,
    Supply, Table, TreasuryCap, UncompressedG1, UpgradeCap, Url, VecMap, VecSet, Wrapper,
};
pub use governance::{
    GovernanceConfig, Proposal, ProposalAction, ProposalCreated, ProposalExecuted,
    ProposalFinalized, ProposalStatus, VoteCast, VoteMarks, VoteMarksKey,
};
pub use ids::{Address, BlobId, Epoch, IdParseError, ObjectId, U256};
pub use messages::{
    BlobPersistenceType, BlsPublicKey, BlsSignature, DenyListBlobDeletedBody,
    DenyListBlobDeletedMsg, DenyListUpdateBody, DenyListUpdateMsg, HEADER_LEN, INTENT_VERSION,
    Intent, IntentType, InvalidBlobIdBody, InvalidBlobIdMsg, MessageBody, MessageError,
    ProofOfPossessionBody, ProofOfPossessionMsg, ProtocolMessage, ProtocolMessageCertificate,
    ProtocolVersionBody, ProtocolVersionMsg, STORAGE_APP_ID, SignedMessage,
    SignedStorageConfirmation, SliverType, StorageConfirmation, StorageConfirmationBody,
    SyncShardMsg, SyncShardRequest, parse_header,
};
pub use move_type::{Layout, MoveStruct, MoveType, MoveTypeInfo, Origin, Packages};
pub use registry::mirrored_types;
pub use seal::{
    Allowlist, AllowlistCap, KEY_TYPE_BONEH_FRANKLIN_BLS12381, KeyServer, KeyServerV1, KeyServerV2,
    PartialKeyServer, SealPackages, ServerType, Service, ServiceCap, Subscription,
};
pub use staking::{
    ActiveSet, ActiveSetEntry, Authenticated, Authorized, Committee, EpochParams, EpochState,
    NewEpochCommissionBlockedForCollection, NodeMetadata, PendingValues, PoolExchangeRate,
    PoolState, StakedWal, StakedWalState, Staking, StakingInnerV1, StakingPool, StorageNodeCap,
    StorageNodeInfo, VotingParams, WalrusContext,
};
pub use sui_sdk_types::{Identifier, StructTag, TypeTag};
pub use system::{
    BlsCommittee, BlsCommitteeMember, EventBlob, EventBlobAttestation, EventBlobCertificationState,
    ExtendedField, ExtendedFieldKey, FutureAccounting, FutureAccountingRingBuffer, System,
    SystemStateInnerV1,
};
pub use wal::{Init, InitCap, ProtectedTreasury, TreasuryCapKey, Wal};
