//! Property tests of the protocol-message codecs and of decoding garbage.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use haulout_types::*;
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn arb_blob_id() -> impl Strategy<Value = BlobId> {
    any::<[u8; 32]>().prop_map(BlobId)
}

fn arb_object_id() -> impl Strategy<Value = ObjectId> {
    any::<[u8; 32]>().prop_map(ObjectId::new)
}

fn arb_persistence() -> impl Strategy<Value = BlobPersistenceType> {
    prop_oneof![
        Just(BlobPersistenceType::Permanent),
        arb_object_id().prop_map(|object_id| BlobPersistenceType::Deletable { object_id }),
    ]
}

/// Encodes, decodes, checks equality and that every strict prefix is rejected.
fn round_trip<T: MessageBody + PartialEq + std::fmt::Debug>(msg: ProtocolMessage<T>) {
    let bytes = msg.to_bcs();
    assert_eq!(&bytes[..3], &msg.intent.to_bytes());
    assert_eq!(ProtocolMessage::<T>::from_bcs(&bytes).as_ref(), Ok(&msg));
    for cut in 0..bytes.len() {
        assert!(ProtocolMessage::<T>::from_bcs(&bytes[..cut]).is_err());
    }
    let mut longer = bytes;
    longer.push(0);
    assert!(ProtocolMessage::<T>::from_bcs(&longer).is_err());
}

/// Decoding arbitrary bytes never panics, and whatever decodes re-encodes to the same bytes.
fn garbage<T: Serialize + DeserializeOwned>(bytes: &[u8]) {
    if let Ok(v) = bcs::from_bytes::<T>(bytes) {
        assert_eq!(bcs::to_bytes(&v).unwrap(), bytes);
    }
}

proptest! {
    #[test]
    fn storage_confirmation(epoch: u32, blob_id in arb_blob_id(), blob_type in arb_persistence()) {
        let msg = StorageConfirmation::new(epoch, StorageConfirmationBody { blob_id, blob_type });
        let len = msg.to_bcs().len();
        prop_assert_eq!(len, match blob_type {
            BlobPersistenceType::Permanent => 40,
            BlobPersistenceType::Deletable { .. } => 72,
        });
        round_trip(msg);
    }

    #[test]
    fn signed_confirmation_json_and_bcs(
        epoch: u32,
        blob_id in arb_blob_id(),
        blob_type in arb_persistence(),
        sig in any::<[u8; 32]>(),
    ) {
        let msg = StorageConfirmation::new(epoch, StorageConfirmationBody { blob_id, blob_type });
        let mut signature = [0u8; 96];
        signature[..32].copy_from_slice(&sig);
        let signed = SignedStorageConfirmation::new(&msg, BlsSignature(signature));
        let json = serde_json::to_string(&signed).unwrap();
        let back: SignedStorageConfirmation = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &signed);
        prop_assert_eq!(back.message(), Ok(msg));
        let bytes = bcs::to_bytes(&signed).unwrap();
        prop_assert_eq!(bcs::from_bytes::<SignedStorageConfirmation>(&bytes).unwrap(), signed);
    }

    #[test]
    fn other_messages(
        epoch: u32,
        blob_id in arb_blob_id(),
        node in arb_object_id(),
        addr: [u8; 32],
        key_head: [u8; 32],
        n: u64,
        m: u64,
        shard: u16,
        secondary: bool,
    ) {
        round_trip(InvalidBlobIdMsg::new(epoch, InvalidBlobIdBody { blob_id }));
        let mut key = [0u8; 48];
        key[..32].copy_from_slice(&key_head);
        round_trip(ProofOfPossessionMsg::new(epoch, ProofOfPossessionBody {
            sui_address: Address::new(addr),
            bls_public_key: BlsPublicKey(key),
        }));
        round_trip(SyncShardMsg::new(epoch, SyncShardRequest::V1 {
            shard_index: shard,
            sliver_type: if secondary { SliverType::Secondary } else { SliverType::Primary },
            starting_blob_id: blob_id,
            sliver_count: n,
            epoch,
        }));
        round_trip(ProtocolVersionMsg::new(epoch, ProtocolVersionBody {
            start_epoch: epoch,
            protocol_version: n,
        }));
        round_trip(DenyListUpdateMsg::new(epoch, DenyListUpdateBody {
            storage_node_id: node,
            sequence_number: n,
            size: m,
            root: U256::from_le_bytes(addr),
        }));
        round_trip(DenyListBlobDeletedMsg::new(epoch, DenyListBlobDeletedBody { blob_id }));
    }

    #[test]
    fn certificate_json(signers: Vec<u16>, message: Vec<u8>) {
        let cert = ProtocolMessageCertificate {
            signers,
            serialized_message: message,
            signature: BlsSignature([3; 96]),
        };
        let json = serde_json::to_string(&cert).unwrap();
        prop_assert_eq!(serde_json::from_str::<ProtocolMessageCertificate>(&json).unwrap(), cert.clone());
        let bytes = bcs::to_bytes(&cert).unwrap();
        prop_assert_eq!(bcs::from_bytes::<ProtocolMessageCertificate>(&bytes).unwrap(), cert);
    }

    #[test]
    fn garbage_messages_are_errors_not_panics(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
        let _ = StorageConfirmation::from_bcs(&bytes);
        let _ = ProofOfPossessionMsg::from_bcs(&bytes);
        let _ = SyncShardMsg::from_bcs(&bytes);
        if let Ok(msg) = InvalidBlobIdMsg::from_bcs(&bytes) {
            prop_assert_eq!(msg.to_bcs(), bytes.clone());
        }
        if let Ok(msg) = StorageConfirmation::from_bcs(&bytes) {
            prop_assert_eq!(msg.to_bcs(), bytes.clone());
        }
    }

    #[test]
    fn garbage_objects_are_errors_not_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        garbage::<System>(&bytes);
        garbage::<Blob>(&bytes);
        garbage::<StakedWal>(&bytes);
        garbage::<StakingPool>(&bytes);
        garbage::<SystemStateInnerV1>(&bytes);
        garbage::<StakingInnerV1>(&bytes);
        garbage::<Proposal>(&bytes);
        garbage::<BlobRegistered>(&bytes);
    }

    #[test]
    fn valid_header_with_garbage_body(epoch: u32, tail in proptest::collection::vec(any::<u8>(), 0..80)) {
        let mut bytes = vec![1, 0, 3];
        bytes.extend_from_slice(&epoch.to_le_bytes());
        bytes.extend_from_slice(&tail);
        match StorageConfirmation::from_bcs(&bytes) {
            Ok(msg) => prop_assert_eq!(msg.to_bcs(), bytes),
            Err(e) => prop_assert!(matches!(e, MessageError::Body(_))),
        }
    }
}

#[test]
fn intent_types_round_trip() {
    for b in 0u8..=6 {
        let t = IntentType::try_from(b).unwrap();
        assert_eq!(t as u8, b);
    }
    assert_eq!(
        IntentType::try_from(7),
        Err(MessageError::UnknownIntentType { got: 7 })
    );
}
