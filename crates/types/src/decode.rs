//! Checked decoding of objects and events by their Move type.

use serde::de::DeserializeOwned;
use sui_sdk_types::StructTag;

use crate::events::*;
use crate::governance::{ProposalCreated, ProposalExecuted, ProposalFinalized, VoteCast};
use crate::ids::Address;
use crate::move_type::{MoveStruct, Packages};

/// Errors decoding an object's or event's contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The Move type is not the one asked for.
    #[error("wrong type: expected {expected}, got {got}")]
    WrongType {
        /// The expected type.
        expected: String,
        /// The type found.
        got: String,
    },
    /// The contents are not a valid BCS value of the type (or have trailing bytes).
    #[error("invalid contents: {0}")]
    Bcs(#[from] bcs::Error),
}

/// Decodes `contents` as `T` after checking that `type_` is `T`'s type in `packages`.
///
/// # Errors
/// [`DecodeError::WrongType`] if the type differs, [`DecodeError::Bcs`] if the bytes do not decode.
pub fn decode_as<T: MoveStruct + DeserializeOwned>(
    type_: &StructTag,
    contents: &[u8],
    packages: &Packages,
) -> Result<T, DecodeError> {
    let expected = T::struct_tag(packages);
    if &expected != type_ {
        return Err(DecodeError::WrongType {
            expected: expected.to_string(),
            got: type_.to_string(),
        });
    }
    Ok(bcs::from_bytes(contents)?)
}

/// Any event of `walrus::events`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum WalrusEvent {
    /// [`BlobRegistered`].
    BlobRegistered(BlobRegistered),
    /// [`BlobCertified`].
    BlobCertified(BlobCertified),
    /// [`BlobDeleted`].
    BlobDeleted(BlobDeleted),
    /// [`InvalidBlobID`].
    InvalidBlobID(InvalidBlobID),
    /// [`EpochChangeStart`].
    EpochChangeStart(EpochChangeStart),
    /// [`EpochChangeDone`].
    EpochChangeDone(EpochChangeDone),
    /// [`ShardsReceived`].
    ShardsReceived(ShardsReceived),
    /// [`EpochParametersSelected`].
    EpochParametersSelected(EpochParametersSelected),
    /// [`ShardRecoveryStart`].
    ShardRecoveryStart(ShardRecoveryStart),
    /// [`ContractUpgraded`].
    ContractUpgraded(ContractUpgraded),
    /// [`RegisterDenyListUpdate`].
    RegisterDenyListUpdate(RegisterDenyListUpdate),
    /// [`DenyListUpdate`].
    DenyListUpdate(DenyListUpdate),
    /// [`DenyListBlobDeleted`].
    DenyListBlobDeleted(DenyListBlobDeleted),
    /// [`ContractUpgradeProposed`].
    ContractUpgradeProposed(ContractUpgradeProposed),
    /// [`ContractUpgradeQuorumReached`].
    ContractUpgradeQuorumReached(ContractUpgradeQuorumReached),
    /// [`ProtocolVersionUpdated`].
    ProtocolVersionUpdated(ProtocolVersionUpdated),
    /// [`PricesUpdated`].
    PricesUpdated(PricesUpdated),
    /// [`StoragePoolCreated`].
    StoragePoolCreated(StoragePoolCreated),
    /// [`PooledBlobRegistered`].
    PooledBlobRegistered(PooledBlobRegistered),
    /// [`PooledBlobCertified`].
    PooledBlobCertified(PooledBlobCertified),
    /// [`PooledBlobDeleted`].
    PooledBlobDeleted(PooledBlobDeleted),
    /// [`StoragePoolExtended`].
    StoragePoolExtended(StoragePoolExtended),
    /// [`ProposalCreated`].
    ProposalCreated(ProposalCreated),
    /// [`VoteCast`].
    VoteCast(VoteCast),
    /// [`ProposalFinalized`].
    ProposalFinalized(ProposalFinalized),
    /// [`ProposalExecuted`].
    ProposalExecuted(ProposalExecuted),
}

impl WalrusEvent {
    /// Decodes an event whose type is `type_`. Returns `Ok(None)` for events that are not
    /// `walrus::events::*` of the package whose type-origin address is `walrus` (or that this
    /// crate does not know).
    ///
    /// # Errors
    /// [`DecodeError::Bcs`] if a known event's contents do not decode.
    pub fn decode(
        type_: &StructTag,
        contents: &[u8],
        walrus: Address,
    ) -> Result<Option<Self>, DecodeError> {
        if type_.address() != &walrus
            || type_.module().as_str() != "events"
            || !type_.type_params().is_empty()
        {
            return Ok(None);
        }
        Ok(Some(match type_.name().as_str() {
            BlobRegistered::NAME => Self::BlobRegistered(bcs::from_bytes(contents)?),
            BlobCertified::NAME => Self::BlobCertified(bcs::from_bytes(contents)?),
            BlobDeleted::NAME => Self::BlobDeleted(bcs::from_bytes(contents)?),
            InvalidBlobID::NAME => Self::InvalidBlobID(bcs::from_bytes(contents)?),
            EpochChangeStart::NAME => Self::EpochChangeStart(bcs::from_bytes(contents)?),
            EpochChangeDone::NAME => Self::EpochChangeDone(bcs::from_bytes(contents)?),
            ShardsReceived::NAME => Self::ShardsReceived(bcs::from_bytes(contents)?),
            EpochParametersSelected::NAME => {
                Self::EpochParametersSelected(bcs::from_bytes(contents)?)
            }
            ShardRecoveryStart::NAME => Self::ShardRecoveryStart(bcs::from_bytes(contents)?),
            ContractUpgraded::NAME => Self::ContractUpgraded(bcs::from_bytes(contents)?),
            RegisterDenyListUpdate::NAME => {
                Self::RegisterDenyListUpdate(bcs::from_bytes(contents)?)
            }
            DenyListUpdate::NAME => Self::DenyListUpdate(bcs::from_bytes(contents)?),
            DenyListBlobDeleted::NAME => Self::DenyListBlobDeleted(bcs::from_bytes(contents)?),
            ContractUpgradeProposed::NAME => {
                Self::ContractUpgradeProposed(bcs::from_bytes(contents)?)
            }
            ContractUpgradeQuorumReached::NAME => {
                Self::ContractUpgradeQuorumReached(bcs::from_bytes(contents)?)
            }
            ProtocolVersionUpdated::NAME => {
                Self::ProtocolVersionUpdated(bcs::from_bytes(contents)?)
            }
            PricesUpdated::NAME => Self::PricesUpdated(bcs::from_bytes(contents)?),
            StoragePoolCreated::NAME => Self::StoragePoolCreated(bcs::from_bytes(contents)?),
            PooledBlobRegistered::NAME => Self::PooledBlobRegistered(bcs::from_bytes(contents)?),
            PooledBlobCertified::NAME => Self::PooledBlobCertified(bcs::from_bytes(contents)?),
            PooledBlobDeleted::NAME => Self::PooledBlobDeleted(bcs::from_bytes(contents)?),
            StoragePoolExtended::NAME => Self::StoragePoolExtended(bcs::from_bytes(contents)?),
            ProposalCreated::NAME => Self::ProposalCreated(bcs::from_bytes(contents)?),
            VoteCast::NAME => Self::VoteCast(bcs::from_bytes(contents)?),
            ProposalFinalized::NAME => Self::ProposalFinalized(bcs::from_bytes(contents)?),
            ProposalExecuted::NAME => Self::ProposalExecuted(bcs::from_bytes(contents)?),
            _ => return Ok(None),
        }))
    }

    /// The event's Move name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::BlobRegistered(_) => BlobRegistered::NAME,
            Self::BlobCertified(_) => BlobCertified::NAME,
            Self::BlobDeleted(_) => BlobDeleted::NAME,
            Self::InvalidBlobID(_) => InvalidBlobID::NAME,
            Self::EpochChangeStart(_) => EpochChangeStart::NAME,
            Self::EpochChangeDone(_) => EpochChangeDone::NAME,
            Self::ShardsReceived(_) => ShardsReceived::NAME,
            Self::EpochParametersSelected(_) => EpochParametersSelected::NAME,
            Self::ShardRecoveryStart(_) => ShardRecoveryStart::NAME,
            Self::ContractUpgraded(_) => ContractUpgraded::NAME,
            Self::RegisterDenyListUpdate(_) => RegisterDenyListUpdate::NAME,
            Self::DenyListUpdate(_) => DenyListUpdate::NAME,
            Self::DenyListBlobDeleted(_) => DenyListBlobDeleted::NAME,
            Self::ContractUpgradeProposed(_) => ContractUpgradeProposed::NAME,
            Self::ContractUpgradeQuorumReached(_) => ContractUpgradeQuorumReached::NAME,
            Self::ProtocolVersionUpdated(_) => ProtocolVersionUpdated::NAME,
            Self::PricesUpdated(_) => PricesUpdated::NAME,
            Self::StoragePoolCreated(_) => StoragePoolCreated::NAME,
            Self::PooledBlobRegistered(_) => PooledBlobRegistered::NAME,
            Self::PooledBlobCertified(_) => PooledBlobCertified::NAME,
            Self::PooledBlobDeleted(_) => PooledBlobDeleted::NAME,
            Self::StoragePoolExtended(_) => StoragePoolExtended::NAME,
            Self::ProposalCreated(_) => ProposalCreated::NAME,
            Self::VoteCast(_) => VoteCast::NAME,
            Self::ProposalFinalized(_) => ProposalFinalized::NAME,
            Self::ProposalExecuted(_) => ProposalExecuted::NAME,
        }
    }

    /// The event's BCS (its `contents`).
    ///
    /// # Errors
    /// Never for these types; kept for the `bcs` signature.
    pub fn to_bcs(&self) -> Result<Vec<u8>, bcs::Error> {
        match self {
            Self::BlobRegistered(e) => bcs::to_bytes(e),
            Self::BlobCertified(e) => bcs::to_bytes(e),
            Self::BlobDeleted(e) => bcs::to_bytes(e),
            Self::InvalidBlobID(e) => bcs::to_bytes(e),
            Self::EpochChangeStart(e) => bcs::to_bytes(e),
            Self::EpochChangeDone(e) => bcs::to_bytes(e),
            Self::ShardsReceived(e) => bcs::to_bytes(e),
            Self::EpochParametersSelected(e) => bcs::to_bytes(e),
            Self::ShardRecoveryStart(e) => bcs::to_bytes(e),
            Self::ContractUpgraded(e) => bcs::to_bytes(e),
            Self::RegisterDenyListUpdate(e) => bcs::to_bytes(e),
            Self::DenyListUpdate(e) => bcs::to_bytes(e),
            Self::DenyListBlobDeleted(e) => bcs::to_bytes(e),
            Self::ContractUpgradeProposed(e) => bcs::to_bytes(e),
            Self::ContractUpgradeQuorumReached(e) => bcs::to_bytes(e),
            Self::ProtocolVersionUpdated(e) => bcs::to_bytes(e),
            Self::PricesUpdated(e) => bcs::to_bytes(e),
            Self::StoragePoolCreated(e) => bcs::to_bytes(e),
            Self::PooledBlobRegistered(e) => bcs::to_bytes(e),
            Self::PooledBlobCertified(e) => bcs::to_bytes(e),
            Self::PooledBlobDeleted(e) => bcs::to_bytes(e),
            Self::StoragePoolExtended(e) => bcs::to_bytes(e),
            Self::ProposalCreated(e) => bcs::to_bytes(e),
            Self::VoteCast(e) => bcs::to_bytes(e),
            Self::ProposalFinalized(e) => bcs::to_bytes(e),
            Self::ProposalExecuted(e) => bcs::to_bytes(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ObjectId, U256};
    use crate::move_type::Packages;
    use crate::{Blob, Storage};

    fn packages() -> Packages {
        Packages {
            walrus: Address::new([0x11; 32]),
            wal: Address::new([0x22; 32]),
        }
    }

    #[test]
    fn decodes_events_by_type() {
        let event = BlobRegistered {
            epoch: 1,
            blob_id: U256::from(7u8),
            size: 10,
            encoding_type: 1,
            end_epoch: 3,
            deletable: true,
            object_id: ObjectId::new([5; 32]),
        };
        let bytes = bcs::to_bytes(&event).unwrap();
        let tag = BlobRegistered::struct_tag(&packages());
        let decoded = WalrusEvent::decode(&tag, &bytes, packages().walrus).unwrap();
        assert_eq!(decoded, Some(WalrusEvent::BlobRegistered(event)));
        assert_eq!(
            decoded.as_ref().map(WalrusEvent::name),
            Some("BlobRegistered")
        );
        assert_eq!(decoded.unwrap().to_bcs().unwrap(), bytes);
        // Another package's event of the same name is not ours.
        assert_eq!(
            WalrusEvent::decode(&tag, &bytes, Address::new([9; 32])),
            Ok(None)
        );
        assert!(matches!(
            WalrusEvent::decode(&tag, &bytes[..10], packages().walrus),
            Err(DecodeError::Bcs(_))
        ));
    }

    #[test]
    fn decode_as_checks_the_type() {
        let blob = Blob {
            id: ObjectId::new([1; 32]),
            registered_epoch: 1,
            blob_id: U256::ZERO,
            size: 3,
            encoding_type: 1,
            certified_epoch: None,
            storage: Storage {
                id: ObjectId::new([2; 32]),
                start_epoch: 1,
                end_epoch: 2,
                storage_size: 100,
            },
            deletable: false,
        };
        let bytes = bcs::to_bytes(&blob).unwrap();
        assert_eq!(bytes.len(), 127);
        let tag = Blob::struct_tag(&packages());
        assert_eq!(decode_as::<Blob>(&tag, &bytes, &packages()), Ok(blob));
        assert!(matches!(
            decode_as::<Storage>(&tag, &bytes, &packages()),
            Err(DecodeError::WrongType { .. })
        ));
    }
}
