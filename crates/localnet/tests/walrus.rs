//! The `wal` and `walrus` natives against the chain: genesis, every success path and abort of
//! the storage and blob functions, objects compared byte for byte with `haulout-types`.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;

use haulout_localnet::ExecutedTx;
use haulout_localnet::walrus;
use haulout_localnet::walrus::WalrusArgs;
use haulout_localnet::walrus::bls;
use haulout_types::Blob;
use haulout_types::BlobCertified;
use haulout_types::BlobDeleted;
use haulout_types::BlobIdDerivation;
use haulout_types::BlobRegistered;
use haulout_types::Field;
use haulout_types::InvalidBlobID;
use haulout_types::Metadata;
use haulout_types::MoveStruct;
use haulout_types::MoveType;
use haulout_types::ObjectId;
use haulout_types::StakedWal;
use haulout_types::Staking;
use haulout_types::StakingPool;
use haulout_types::Storage;
use haulout_types::System;
use haulout_types::U256;
use haulout_types::Wal;
use haulout_types::abort;
use sui_sdk_types::Address;
use sui_sdk_types::Argument;
use sui_sdk_types::Command;
use sui_sdk_types::ExecutionStatus;
use sui_sdk_types::Identifier;
use sui_sdk_types::Input;
use sui_sdk_types::MoveCall;
use sui_sdk_types::Object;
use sui_sdk_types::SharedInput;
use sui_sdk_types::TypeTag;
use support::walrus::*;

const N_NODES: usize = 4;
const N_SHARDS: u16 = 12;

fn encoded_length(size: u64, n: u64) -> u64 {
    let f = (n - 1) / 3;
    let (p, s) = (n - 2 * f, n - f);
    let mut symbol = (size.max(1) - 1) / (p * s) + 1;
    if symbol % 2 == 1 {
        symbol += 1;
    }
    n * ((p + s) * symbol + n * 64 + 32)
}

fn units(size: u64) -> u64 {
    size.div_ceil(1 << 20)
}

impl W {
    fn new() -> Self {
        Self::with(WalrusArgs {
            nodes: N_NODES,
            n_shards: N_SHARDS,
            max_epochs_ahead: 5,
            ..Default::default()
        })
    }

    /// reserve_space(amount, epochs) then transfer the Storage to account `i`.
    fn buy(&self, i: usize, amount: u64, epochs: u32) -> Address {
        let tx = self.ok(
            i,
            vec![
                self.system(true),
                pure(&amount),
                pure(&epochs),
                Input::ImmutableOrOwned(reference(&self.wal_coin(i))),
                pure(&self.addr(i)),
            ],
            vec![
                call(
                    "system",
                    "reserve_space",
                    vec![
                        Argument::Input(0),
                        Argument::Input(1),
                        Argument::Input(2),
                        Argument::Input(3),
                    ],
                ),
                transfer(vec![Argument::Result(0)], 4),
            ],
        );
        created(&tx)[0]
    }

    /// Registers a blob of `size` bytes in `storage`; returns the Blob's ID and its blob ID.
    fn register(&self, i: usize, storage: Address, size: u64, deletable: bool) -> (Address, U256) {
        let root_hash = U256::from_le_bytes([7; 32]);
        let blob_id: U256 = BlobIdDerivation {
            encoding_type: 1,
            size,
            root_hash,
        }
        .blob_id()
        .into();
        let tx = self.register_with(i, storage, blob_id, root_hash, size, deletable);
        assert_eq!(status(&tx), ExecutionStatus::Success);
        (created(&tx)[0], blob_id)
    }

    fn register_with(
        &self,
        i: usize,
        storage: Address,
        blob_id: U256,
        root_hash: U256,
        size: u64,
        deletable: bool,
    ) -> Arc<ExecutedTx> {
        self.exec(
            i,
            vec![
                self.system(true),
                self.input_obj(storage),
                pure(&blob_id),
                pure(&root_hash),
                pure(&size),
                pure(&1u8),
                pure(&deletable),
                Input::ImmutableOrOwned(reference(&self.wal_coin(i))),
                pure(&self.addr(i)),
            ],
            vec![
                call(
                    "system",
                    "register_blob",
                    (0..8).map(Argument::Input).collect(),
                ),
                transfer(vec![Argument::Result(0)], 8),
            ],
        )
    }

    /// A quorum certificate from the nodes at `signers` (committee indices).
    fn certificate(&self, message: &[u8], signers: &[usize]) -> (Vec<u8>, Vec<u8>) {
        let sigs: Vec<[u8; 96]> = signers
            .iter()
            .map(|&i| self.g.nodes[i].protocol_key.sign(message))
            .collect();
        let refs: Vec<&[u8]> = sigs.iter().map(|s| s.as_slice()).collect();
        let signature = bls::aggregate_signatures(&refs).unwrap().to_vec();
        let mut bitmap = vec![0u8; N_NODES.div_ceil(8)];
        for &i in signers {
            bitmap[i / 8] |= 1 << (i % 8);
        }
        (signature, bitmap)
    }

    fn certify(
        &self,
        i: usize,
        blob: Address,
        message: &[u8],
        signers: &[usize],
    ) -> Arc<ExecutedTx> {
        let (signature, bitmap) = self.certificate(message, signers);
        self.certify_raw(i, blob, signature, bitmap, message.to_vec())
    }

    fn certify_raw(
        &self,
        i: usize,
        blob: Address,
        signature: Vec<u8>,
        bitmap: Vec<u8>,
        message: Vec<u8>,
    ) -> Arc<ExecutedTx> {
        self.exec(
            i,
            vec![
                self.system(false),
                self.input_obj(blob),
                pure(&signature),
                pure(&bitmap),
                pure(&message),
            ],
            vec![call(
                "system",
                "certify_blob",
                (0..5).map(Argument::Input).collect(),
            )],
        )
    }
}

fn certify_message(epoch: u32, blob_id: U256, object: Option<Address>) -> Vec<u8> {
    let mut m = vec![1, 0, 3];
    m.extend_from_slice(&epoch.to_le_bytes());
    m.extend_from_slice(&blob_id.to_le_bytes());
    match object {
        None => m.push(0),
        Some(id) => {
            m.push(1);
            m.extend_from_slice(id.as_bytes());
        }
    }
    m
}

#[test]
fn genesis_matches_contracts_section_6() {
    let w = W::new();
    let system: System = w.decode(w.system_id());
    assert_eq!(system.version, 1);
    assert_eq!(system.package_id, ObjectId::from(walrus::walrus_package()));
    let inner = w.system_inner();
    assert_eq!(inner.committee.epoch, 1);
    assert_eq!(inner.committee.n_shards, N_SHARDS);
    assert_eq!(inner.committee.members.len(), N_NODES);
    assert!(inner.storage_price_per_unit_size > 0 && inner.write_price_per_unit_size > 0);
    let ring = &inner.future_accounting;
    for i in 0..ring.length {
        let slot = &ring.ring_buffer[((ring.current_index + i) % ring.length) as usize];
        assert_eq!(slot.epoch, 1 + i, "ring slot for epoch offset {i}");
    }
    let staking = w.staking_inner();
    assert_eq!(staking.epoch, 1);
    assert!(matches!(
        staking.epoch_state,
        haulout_types::EpochState::EpochChangeDone(_)
    ));
    // Committee sorted by node ID, equal shards covering 0..n once, same order as members.
    let ids: Vec<ObjectId> = staking.committee.0.contents.iter().map(|e| e.key).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    let member_ids: Vec<ObjectId> = inner.committee.members.iter().map(|m| m.node_id).collect();
    assert_eq!(ids, member_ids);
    let mut shards: Vec<u16> = staking
        .committee
        .0
        .contents
        .iter()
        .flat_map(|e| {
            assert_eq!(e.value.len(), usize::from(N_SHARDS) / N_NODES);
            e.value.clone()
        })
        .collect();
    shards.sort();
    assert_eq!(shards, (0..N_SHARDS).collect::<Vec<_>>());
    // Pools: reachable through the object table, with the nodes' keys and addresses.
    let staking_obj: Staking = w.decode(addr(&w.g.info.staking_object_id));
    assert_eq!(staking_obj.package_id, system.package_id);
    for (i, member) in inner.committee.members.iter().enumerate() {
        let pool: StakingPool = w.decode(member.node_id.into());
        assert_eq!(pool.node_info.node_id, member.node_id);
        assert_eq!(pool.node_info.public_key, member.public_key);
        let secrets = &w.g.nodes[i];
        assert_eq!(
            pool.node_info.public_key.bytes,
            secrets.protocol_key.public_key_uncompressed().to_vec()
        );
        assert_eq!(pool.node_info.network_address, secrets.network_address);
        assert_eq!(member.weight, N_SHARDS / N_NODES as u16);
        let operator = secrets.sui_key.public_key().derive_address();
        let staked: StakedWal = w.decode(secrets.staked_wal_id);
        assert_eq!(staked.node_id, member.node_id);
        assert_eq!(
            *w.object(secrets.staked_wal_id).owner(),
            sui_sdk_types::Owner::Address(operator)
        );
    }
    // WAL: accounts funded, the supply conserved.
    assert_eq!(w.wal_balance(0), 1_000_000 * FROST);
    let total_staked: u64 =
        w.g.nodes
            .iter()
            .map(|n| w.decode::<StakedWal>(n.staked_wal_id).principal.value)
            .sum();
    let faucet = w.node.faucet_key().public_key().derive_address();
    let faucet_wal: u64 = w
        .owned(faucet, W::wal_type())
        .iter()
        .map(|o| u64::from_le_bytes(contents(o)[32..40].try_into().unwrap()))
        .sum();
    assert_eq!(
        faucet_wal + total_staked + 2 * 1_000_000 * FROST,
        Wal::TOTAL_SUPPLY_FROST
    );
}

#[test]
fn reserve_register_attributes_certify_delete() {
    let w = W::new();
    let size = 1_000u64;
    let encoded = encoded_length(size, u64::from(N_SHARDS));
    let before = w.wal_balance(0);
    let storage_id = w.buy(0, encoded, 3);
    let storage: Storage = w.decode(storage_id);
    let expected = Storage {
        id: storage_id.into(),
        start_epoch: 1,
        end_epoch: 4,
        storage_size: encoded,
    };
    assert_eq!(
        bcs::to_bytes(&storage).unwrap(),
        bcs::to_bytes(&expected).unwrap()
    );
    let inner = w.system_inner();
    let storage_cost = inner.storage_price_per_unit_size * units(encoded);
    assert_eq!(before - w.wal_balance(0), 3 * storage_cost);
    assert_eq!(inner.used_capacity_size, encoded);
    let ring = &inner.future_accounting;
    for i in 0..3 {
        let slot = &ring.ring_buffer[((ring.current_index + i) % ring.length) as usize];
        assert_eq!(slot.used_capacity, encoded);
        assert_eq!(slot.rewards_to_distribute.value, storage_cost);
    }

    let (blob_id_obj, blob_id) = w.register(0, storage_id, size, true);
    let blob: Blob = w.decode(blob_id_obj);
    let expected = Blob {
        id: blob_id_obj.into(),
        registered_epoch: 1,
        blob_id,
        size,
        encoding_type: 1,
        certified_epoch: None,
        storage: expected,
        deletable: true,
    };
    assert_eq!(
        contents(&w.object(blob_id_obj)),
        bcs::to_bytes(&expected).unwrap().as_slice()
    );
    assert_eq!(blob, expected);
    assert_eq!(
        w.object(blob_id_obj).as_struct().unwrap().object_type(),
        &Blob::struct_tag(&packages())
    );
    assert!(
        w.node.object(&storage_id).is_none(),
        "the storage is wrapped"
    );
    let inner = w.system_inner();
    let write_cost = inner.write_price_per_unit_size * units(encoded);
    assert_eq!(
        inner.future_accounting.ring_buffer[inner.future_accounting.current_index as usize]
            .rewards_to_distribute
            .value,
        storage_cost + write_cost
    );

    // Attributes: metadata::new, add_metadata, insert_or_update_metadata_pair (the SDK's PTB).
    let key = |s: &str| pure(&s.to_owned());
    w.ok(
        0,
        vec![
            w.input_obj(blob_id_obj),
            key("k1"),
            key("v1"),
            key("k2"),
            key("v2"),
            key("v3"),
        ],
        vec![
            call("metadata", "new", vec![]),
            call(
                "blob",
                "add_metadata",
                vec![Argument::Input(0), Argument::Result(0)],
            ),
            call(
                "blob",
                "insert_or_update_metadata_pair",
                vec![Argument::Input(0), Argument::Input(1), Argument::Input(2)],
            ),
            call(
                "blob",
                "insert_or_update_metadata_pair",
                vec![Argument::Input(0), Argument::Input(3), Argument::Input(4)],
            ),
            call(
                "blob",
                "insert_or_update_metadata_pair",
                vec![Argument::Input(0), Argument::Input(1), Argument::Input(5)],
            ),
        ],
    );
    let field_id = blob_id_obj.derive_dynamic_child_id(
        &TypeTag::Vector(Box::new(TypeTag::U8)),
        &bcs::to_bytes(&b"metadata".to_vec()).unwrap(),
    );
    let field: Field<Vec<u8>, Metadata> = w.decode(field_id);
    let expected_md: Metadata = Metadata {
        metadata: [
            ("k1".to_owned(), "v3".to_owned()),
            ("k2".to_owned(), "v2".to_owned()),
        ]
        .into_iter()
        .collect(),
    };
    assert_eq!(field.value, expected_md);
    assert_eq!(
        *w.object(field_id).owner(),
        sui_sdk_types::Owner::Object(blob_id_obj)
    );
    // A second add_metadata aborts with EDuplicateMetadata.
    let tx = w.exec(
        0,
        vec![w.input_obj(blob_id_obj)],
        vec![
            call("metadata", "new", vec![]),
            call(
                "blob",
                "add_metadata",
                vec![Argument::Input(0), Argument::Result(0)],
            ),
        ],
    );
    assert_eq!(
        aborted(&tx),
        ("blob".into(), abort::blob::EDuplicateMetadata)
    );

    // Certify with a quorum (3 of 4 nodes, weight 9 of 12).
    let message = certify_message(1, blob_id, Some(blob_id_obj));
    let tx = w.certify(0, blob_id_obj, &message, &[0, 1, 3]);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    let blob: Blob = w.decode(blob_id_obj);
    assert_eq!(blob.certified_epoch, Some(1));
    assert_eq!(
        events_of::<BlobCertified>(&tx),
        vec![BlobCertified {
            epoch: 1,
            blob_id,
            end_epoch: 4,
            deletable: true,
            object_id: blob_id_obj.into(),
            is_extension: false,
        }]
    );
    // Certifying again: EAlreadyCertified.
    let tx = w.certify(0, blob_id_obj, &message, &[0, 1, 2, 3]);
    assert_eq!(
        aborted(&tx),
        ("blob".into(), abort::blob::EAlreadyCertified)
    );

    // Delete: the metadata field and the blob go, the storage comes back.
    let tx = w.ok(
        0,
        vec![w.system(false), w.input_obj(blob_id_obj), pure(&w.addr(0))],
        vec![
            call(
                "system",
                "delete_blob",
                vec![Argument::Input(0), Argument::Input(1)],
            ),
            transfer(vec![Argument::Result(0)], 2),
        ],
    );
    let gone = deleted(&tx);
    assert!(gone.contains(&blob_id_obj) && gone.contains(&field_id));
    assert!(w.node.object(&blob_id_obj).is_none());
    let back: Storage = w.decode(storage_id);
    assert_eq!(back.end_epoch, 4);
    assert_eq!(
        events_of::<BlobDeleted>(&tx),
        vec![BlobDeleted {
            epoch: 1,
            blob_id,
            end_epoch: 4,
            object_id: blob_id_obj.into(),
            was_certified: true,
        }]
    );
}

/// The `InvalidBlobIdMsg` of `epoch` for `blob_id`: intent (2, 0, 3), epoch, blob ID.
fn invalid_blob_message(epoch: u32, blob_id: U256) -> Vec<u8> {
    let mut m = vec![2, 0, 3];
    m.extend_from_slice(&epoch.to_le_bytes());
    m.extend_from_slice(&blob_id.to_le_bytes());
    m
}

impl W {
    /// `system::extend_blob(blob, epochs)` paid from account 0's WAL.
    fn extend(&self, blob: Address, epochs: u32) -> Arc<ExecutedTx> {
        self.exec(
            0,
            vec![
                self.system(true),
                self.input_obj(blob),
                pure(&epochs),
                Input::ImmutableOrOwned(reference(&self.wal_coin(0))),
            ],
            vec![call(
                "system",
                "extend_blob",
                (0..4).map(Argument::Input).collect(),
            )],
        )
    }

    /// [`W::extend`], which must succeed.
    fn extend_ok(&self, blob: Address, epochs: u32) -> Arc<ExecutedTx> {
        let tx = self.extend(blob, epochs);
        assert_eq!(status(&tx), ExecutionStatus::Success, "extend_blob");
        tx
    }

    /// `system::invalidate_blob_id` with a certificate of `message` by `signers`.
    fn invalidate(&self, message: &[u8], signers: &[usize]) -> Arc<ExecutedTx> {
        let (signature, bitmap) = self.certificate(message, signers);
        self.exec(
            0,
            vec![
                self.system(false),
                pure(&signature),
                pure(&bitmap),
                pure(&message.to_vec()),
            ],
            vec![call(
                "system",
                "invalidate_blob_id",
                (0..4).map(Argument::Input).collect(),
            )],
        )
    }
}

/// Blobs across real epoch changes (the keeper's `voting_end`/`initiate_epoch_change`, then
/// every node's `epoch_sync_done`): storage bought and used; blobs registered, certified with
/// quorum certificates of the current committee's BLS keys, extended, deleted and invalidated;
/// certificates of a past epoch refused; expired blobs no longer certified or extended.
#[test]
fn blobs_across_epochs() {
    let w = W::new();
    let n = u64::from(N_SHARDS);
    let price = w.system_inner().storage_price_per_unit_size;
    let (size_a, size_b, size_c) = (1_000u64, 2_000u64, 3_000u64);
    let (enc_a, enc_b, enc_c) = (
        encoded_length(size_a, n),
        encoded_length(size_b, n),
        encoded_length(size_c, n),
    );
    // Epoch 1: A (permanent) in [1, 3), B (deletable) in [1, 4), C (permanent) in [1, 3).
    let storage_a = w.buy(0, enc_a, 2);
    let storage_b = w.buy(0, enc_b, 3);
    let storage_c = w.buy(0, enc_c, 2);
    let (a, id_a) = w.register(0, storage_a, size_a, false);
    let (b, id_b) = w.register(0, storage_b, size_b, true);
    let (c, id_c) = w.register(0, storage_c, size_c, false);
    assert_eq!(w.system_inner().used_capacity_size, enc_a + enc_b + enc_c);
    let tx = w.certify(0, a, &certify_message(1, id_a, None), &[0, 1, 2]);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    assert_eq!(w.decode::<Blob>(a).certified_epoch, Some(1));

    // Epoch 2.
    assert_eq!(w.advance_epoch(), 2);
    assert_eq!(w.system_inner().committee.epoch, 2);
    // A certificate of epoch 1 certifies nothing in epoch 2.
    let tx = w.certify(0, b, &certify_message(1, id_b, Some(b)), &[0, 1, 2]);
    assert_eq!(
        aborted(&tx),
        ("messages".into(), abort::messages::EIncorrectEpoch)
    );
    let tx = w.certify(0, b, &certify_message(2, id_b, Some(b)), &[1, 2, 3]);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    assert_eq!(w.decode::<Blob>(b).certified_epoch, Some(2));
    assert_eq!(
        events_of::<BlobCertified>(&tx),
        vec![BlobCertified {
            epoch: 2,
            blob_id: id_b,
            end_epoch: 4,
            deletable: true,
            object_id: b.into(),
            is_extension: false,
        }]
    );
    // A is extended from [1, 3) to [1, 5), paying epochs 3 and 4.
    let before = w.wal_balance(0);
    let tx = w.extend_ok(a, 2);
    assert_eq!(before - w.wal_balance(0), 2 * price * units(enc_a));
    assert_eq!(w.decode::<Blob>(a).storage.end_epoch, 5);
    assert_eq!(
        events_of::<BlobCertified>(&tx),
        // As on Walrus, an extension's event carries the epoch the blob was first certified in
        // (what reconfiguration needs), not the current one.
        vec![BlobCertified {
            epoch: 1,
            blob_id: id_a,
            end_epoch: 5,
            deletable: false,
            object_id: a.into(),
            is_extension: true,
        }]
    );
    // B is deleted in epoch 2: its storage [1, 4) comes back.
    let tx = w.ok(
        0,
        vec![w.system(false), w.input_obj(b), pure(&w.addr(0))],
        vec![
            call(
                "system",
                "delete_blob",
                vec![Argument::Input(0), Argument::Input(1)],
            ),
            transfer(vec![Argument::Result(0)], 2),
        ],
    );
    assert!(deleted(&tx).contains(&b));
    assert_eq!(w.decode::<Storage>(storage_b).end_epoch, 4);
    assert_eq!(
        events_of::<BlobDeleted>(&tx),
        vec![BlobDeleted {
            epoch: 2,
            blob_id: id_b,
            end_epoch: 4,
            object_id: b.into(),
            was_certified: true,
        }]
    );
    // C's blob ID is invalidated: one node (weight 3 of 12) is not enough, two are (f + 1);
    // a certificate of epoch 1 is refused.
    let tx = w.invalidate(&invalid_blob_message(2, id_c), &[0]);
    assert_eq!(
        aborted(&tx),
        (
            "bls_aggregate".into(),
            abort::bls_aggregate::ENotEnoughStake
        )
    );
    let tx = w.invalidate(&invalid_blob_message(1, id_c), &[0, 3]);
    assert_eq!(
        aborted(&tx),
        ("messages".into(), abort::messages::EIncorrectEpoch)
    );
    let tx = w.invalidate(&invalid_blob_message(2, id_c), &[0, 3]);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    assert_eq!(
        events_of::<InvalidBlobID>(&tx),
        vec![InvalidBlobID {
            epoch: 2,
            blob_id: id_c,
        }]
    );
    // A blob certificate is not an invalidation certificate.
    let tx = w.invalidate(&certify_message(2, id_c, None), &[0, 1, 2]);
    assert_eq!(
        aborted(&tx),
        ("messages".into(), abort::messages::EInvalidMsgType)
    );

    // Epoch 3: C's storage [1, 3) is over; certifying it now is out of bounds.
    assert_eq!(w.advance_epoch(), 3);
    let tx = w.certify(0, c, &certify_message(3, id_c, None), &[0, 1, 2, 3]);
    assert_eq!(aborted(&tx), ("blob".into(), abort::blob::EResourceBounds));
    // Epochs 4 and 5: A, extended to 5, is live in epoch 4 and can no longer be extended in 5.
    assert_eq!(w.advance_epoch(), 4);
    assert_eq!(w.decode::<Blob>(a).certified_epoch, Some(1));
    assert_eq!(w.advance_epoch(), 5);
    let tx = w.extend(a, 1);
    assert_eq!(aborted(&tx), ("blob".into(), abort::blob::EResourceBounds));
}

#[test]
fn registered_event_and_register_aborts() {
    let w = W::new();
    let size = 5_000u64;
    let encoded = encoded_length(size, u64::from(N_SHARDS));
    let storage = w.buy(0, encoded, 2);
    let root_hash = U256::from_le_bytes([9; 32]);
    let blob_id: U256 = BlobIdDerivation {
        encoding_type: 1,
        size,
        root_hash,
    }
    .blob_id()
    .into();
    // Wrong blob ID.
    let tx = w.register_with(
        0,
        storage,
        U256::from_le_bytes([1; 32]),
        root_hash,
        size,
        false,
    );
    assert_eq!(aborted(&tx), ("blob".into(), abort::blob::EInvalidBlobId));
    // Storage too small for the encoded size.
    let tx = w.register_with(0, storage, blob_id, root_hash, size * 100, false);
    assert_eq!(aborted(&tx), ("blob".into(), abort::blob::EResourceSize));
    // Success, with the event.
    let tx = w.register_with(0, storage, blob_id, root_hash, size, false);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    let object = created(&tx)[0];
    assert_eq!(
        events_of::<BlobRegistered>(&tx),
        vec![BlobRegistered {
            epoch: 1,
            blob_id,
            size,
            encoding_type: 1,
            end_epoch: 3,
            deletable: false,
            object_id: object.into(),
        }]
    );
    // A permanent blob cannot be deleted.
    let tx = w.exec(
        0,
        vec![w.system(false), w.input_obj(object), pure(&w.addr(0))],
        vec![
            call(
                "system",
                "delete_blob",
                vec![Argument::Input(0), Argument::Input(1)],
            ),
            transfer(vec![Argument::Result(0)], 2),
        ],
    );
    assert_eq!(
        aborted(&tx),
        ("blob".into(), abort::blob::EBlobNotDeletable)
    );
    // Certificates: a deletable message for a permanent blob, too few signers, a bad
    // signature, a bad bitmap, the wrong epoch, the wrong blob.
    let permanent = certify_message(1, blob_id, None);
    let tx = w.certify(
        0,
        object,
        &certify_message(1, blob_id, Some(object)),
        &[0, 1, 2],
    );
    assert_eq!(
        aborted(&tx),
        ("blob".into(), abort::blob::EInvalidBlobPersistenceType)
    );
    let tx = w.certify(0, object, &permanent, &[0, 1]);
    assert_eq!(
        aborted(&tx),
        (
            "bls_aggregate".into(),
            abort::bls_aggregate::ENotEnoughStake
        )
    );
    let (sig, bitmap) = w.certificate(b"something else", &[0, 1, 2]);
    let tx = w.certify_raw(0, object, sig, bitmap, permanent.clone());
    assert_eq!(
        aborted(&tx),
        (
            "bls_aggregate".into(),
            abort::bls_aggregate::ESigVerification
        )
    );
    let (sig, _) = w.certificate(&permanent, &[0, 1, 2]);
    let tx = w.certify_raw(0, object, sig.clone(), vec![0b0111, 0], permanent.clone());
    assert_eq!(
        aborted(&tx),
        ("bls_aggregate".into(), abort::bls_aggregate::EInvalidBitmap)
    );
    let tx = w.certify_raw(0, object, sig, vec![0b10111], permanent.clone());
    assert_eq!(
        aborted(&tx),
        ("bls_aggregate".into(), abort::bls_aggregate::EInvalidBitmap)
    );
    let tx = w.certify(0, object, &certify_message(2, blob_id, None), &[0, 1, 2]);
    assert_eq!(
        aborted(&tx),
        ("messages".into(), abort::messages::EIncorrectEpoch)
    );
    let tx = w.certify(0, object, &certify_message(1, root_hash, None), &[0, 1, 2]);
    assert_eq!(aborted(&tx), ("blob".into(), abort::blob::EInvalidBlobId));
    let mut bad_intent = permanent.clone();
    bad_intent[0] = 2;
    let tx = w.certify(0, object, &bad_intent, &[0, 1, 2]);
    assert_eq!(
        aborted(&tx),
        ("messages".into(), abort::messages::EInvalidMsgType)
    );
    // Extending an uncertified blob: ENotCertified.
    let tx = w.extend(object, 1);
    assert_eq!(aborted(&tx), ("blob".into(), abort::blob::ENotCertified));
    // Certify, then extend by 2 epochs, paying storage for epochs 3 and 4.
    let tx = w.certify(0, object, &permanent, &[1, 2, 3]);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    let before = w.wal_balance(0);
    let tx = w.extend_ok(object, 2);
    let blob: Blob = w.decode(object);
    assert_eq!(blob.storage.end_epoch, 5);
    let price = w.system_inner().storage_price_per_unit_size;
    assert_eq!(before - w.wal_balance(0), 2 * price * units(encoded));
    assert!(events_of::<BlobCertified>(&tx)[0].is_extension);
    // Beyond max_epochs_ahead (5): EInvalidEpochsAhead.
    let tx = w.extend(object, 2);
    assert_eq!(
        aborted(&tx),
        (
            "system_state_inner".into(),
            abort::system_state_inner::EInvalidEpochsAhead
        )
    );
    // extend_blob_with_resource with a storage for [5, 6).
    let extension = {
        let tx = w.ok(
            0,
            vec![
                w.system(true),
                pure(&blob.storage.storage_size),
                pure(&5u32),
                pure(&6u32),
                Input::ImmutableOrOwned(reference(&w.wal_coin(0))),
                pure(&w.addr(0)),
            ],
            vec![
                call(
                    "system",
                    "reserve_space_for_epochs",
                    (0..5).map(Argument::Input).collect(),
                ),
                transfer(vec![Argument::Result(0)], 5),
            ],
        );
        created(&tx)[0]
    };
    let tx = w.ok(
        0,
        vec![w.system(false), w.input_obj(object), w.input_obj(extension)],
        vec![call(
            "system",
            "extend_blob_with_resource",
            (0..3).map(Argument::Input).collect(),
        )],
    );
    assert!(deleted(&tx).contains(&extension));
    assert_eq!(w.decode::<Blob>(object).storage.end_epoch, 6);
}

#[test]
fn reserve_space_aborts() {
    let w = W::new();
    let args = |amount: u64, epochs: u32, coin: &Object| {
        vec![
            w.system(true),
            pure(&amount),
            pure(&epochs),
            Input::ImmutableOrOwned(reference(coin)),
            pure(&w.addr(0)),
        ]
    };
    let cmds = || {
        vec![
            call(
                "system",
                "reserve_space",
                (0..4).map(Argument::Input).collect(),
            ),
            transfer(vec![Argument::Result(0)], 4),
        ]
    };
    let coin = w.wal_coin(0);
    let inner_abort = |code| ("system_state_inner".to_owned(), code);
    let tx = w.exec(0, args(1_000, 0, &coin), cmds());
    assert_eq!(
        aborted(&tx),
        inner_abort(abort::system_state_inner::EInvalidEpochsAhead)
    );
    let tx = w.exec(0, args(1_000, 6, &w.wal_coin(0)), cmds());
    assert_eq!(
        aborted(&tx),
        inner_abort(abort::system_state_inner::EInvalidEpochsAhead)
    );
    let tx = w.exec(0, args(0, 1, &w.wal_coin(0)), cmds());
    assert_eq!(
        aborted(&tx),
        inner_abort(abort::system_state_inner::EInvalidResourceSize)
    );
    let tx = w.exec(0, args(u64::MAX / 2, 1, &w.wal_coin(0)), cmds());
    assert_eq!(aborted(&tx), ("balance".into(), 2));
    let capacity = w.system_inner().total_capacity_size;
    // More than the capacity (priced at 1000 FROST/MiB: affordable with 1M WAL).
    let tx = w.exec(0, args(capacity + 1, 1, &w.wal_coin(0)), cmds());
    assert_eq!(
        aborted(&tx),
        inner_abort(abort::system_state_inner::EStorageExceeded)
    );
    // Nothing changed.
    assert_eq!(w.system_inner().used_capacity_size, 0);
}

#[test]
fn storage_split_fuse_destroy_and_accessors() {
    let w = W::new();
    let s = w.buy(0, 2_000_000, 4);
    // split_by_epoch at 3: [1,3) and [3,5).
    let tx = w.ok(
        0,
        vec![w.input_obj(s), pure(&3u32), pure(&w.addr(0))],
        vec![
            call(
                "storage_resource",
                "split_by_epoch",
                vec![Argument::Input(0), Argument::Input(1)],
            ),
            transfer(vec![Argument::Result(0)], 2),
        ],
    );
    let later = created(&tx)[0];
    assert_eq!(
        (
            w.decode::<Storage>(s).end_epoch,
            w.decode::<Storage>(later).start_epoch
        ),
        (3, 3)
    );
    // Invalid split epoch.
    let tx = w.exec(
        0,
        vec![w.input_obj(s), pure(&3u32), pure(&w.addr(0))],
        vec![
            call(
                "storage_resource",
                "split_by_epoch",
                vec![Argument::Input(0), Argument::Input(1)],
            ),
            transfer(vec![Argument::Result(0)], 2),
        ],
    );
    assert_eq!(
        aborted(&tx),
        (
            "storage_resource".into(),
            abort::storage_resource::EInvalidEpoch
        )
    );
    // fuse (periods) them back.
    let tx = w.ok(
        0,
        vec![w.input_obj(s), w.input_obj(later)],
        vec![call(
            "storage_resource",
            "fuse",
            vec![Argument::Input(0), Argument::Input(1)],
        )],
    );
    assert!(deleted(&tx).contains(&later));
    assert_eq!(w.decode::<Storage>(s).end_epoch, 5);
    // split_by_size then fuse_amount.
    let tx = w.ok(
        0,
        vec![w.input_obj(s), pure(&500_000u64), pure(&w.addr(0))],
        vec![
            call(
                "storage_resource",
                "split_by_size",
                vec![Argument::Input(0), Argument::Input(1)],
            ),
            transfer(vec![Argument::Result(0)], 2),
        ],
    );
    let part = created(&tx)[0];
    assert_eq!(w.decode::<Storage>(s).storage_size, 500_000);
    assert_eq!(w.decode::<Storage>(part).storage_size, 1_500_000);
    let tx = w.exec(
        0,
        vec![w.input_obj(s), pure(&600_000u64), pure(&w.addr(0))],
        vec![
            call(
                "storage_resource",
                "split_by_size",
                vec![Argument::Input(0), Argument::Input(1)],
            ),
            transfer(vec![Argument::Result(0)], 2),
        ],
    );
    assert_eq!(
        aborted(&tx),
        (
            "storage_resource".into(),
            abort::storage_resource::EIncompatibleAmount
        )
    );
    // fuse_amount joins the sizes of equal periods.
    w.ok(
        0,
        vec![w.input_obj(s), w.input_obj(part)],
        vec![call(
            "storage_resource",
            "fuse_amount",
            vec![Argument::Input(0), Argument::Input(1)],
        )],
    );
    assert_eq!(w.decode::<Storage>(s).storage_size, 2_000_000);
    // Accessors through a PTB, then destroy.
    let tx = w.ok(
        0,
        vec![w.input_obj(s)],
        vec![
            call("storage_resource", "storage_size", vec![Argument::Input(0)]),
            call("storage_resource", "destroy", vec![Argument::Input(0)]),
        ],
    );
    assert!(deleted(&tx).contains(&s));
}

#[test]
fn accessors_wal_and_staking() {
    let w = W::new();
    let treasury = addr(&w.g.info.treasury_id);
    // wal::burn lowers the supply (the TreasuryCap under the dynamic object field).
    let tx = w.ok(
        0,
        vec![
            Input::Shared(SharedInput::new(treasury, 1, true)),
            Input::ImmutableOrOwned(reference(&w.wal_coin(0))),
            pure(&(5 * FROST)),
        ],
        vec![
            Command::SplitCoins(sui_sdk_types::SplitCoins {
                coin: Argument::Input(1),
                amounts: vec![Argument::Input(2)],
            }),
            call_at(
                walrus::wal_package(),
                "wal",
                "burn",
                vec![Argument::Input(0), Argument::NestedResult(0, 0)],
            ),
            call_at(
                walrus::wal_package(),
                "wal",
                "total_supply",
                vec![Argument::Input(0)],
            ),
        ],
    );
    assert_eq!(status(&tx), ExecutionStatus::Success);
    let cap = tx
        .output_objects
        .iter()
        .find(|o| o.as_struct().unwrap().object_type().name().as_str() == "TreasuryCap")
        .unwrap();
    let cap: haulout_types::TreasuryCap<Wal> = bcs::from_bytes(contents(cap)).unwrap();
    assert_eq!(cap.total_supply.value, Wal::TOTAL_SUPPLY_FROST - 5 * FROST);

    // stake_with_pool: a StakedWal active from epoch 2, pending stake and active set updated.
    let node_id: Address = w.g.nodes[0].node_id;
    let amount = 1_000 * FROST;
    let tx = w.stake_tx(0, amount, node_id);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    let staked_id = w.created_of::<StakedWal>(&tx);
    let staked: StakedWal = w.decode(staked_id);
    assert_eq!(staked.principal.value, amount);
    assert_eq!(staked.activation_epoch, 2);
    let pool: StakingPool = w.decode(node_id);
    assert_eq!(pool.pending_stake.0.get(&2), Some(&amount));
    // Unknown pool: EPoolNotFound.
    let tx = w.stake_tx(0, amount, Address::ZERO);
    assert_eq!(
        aborted(&tx),
        ("staking_inner".into(), abort::staking_inner::EPoolNotFound)
    );

    // staked_wal::split / join / destroy_zero.
    let part = w.split(0, staked_id, 400 * FROST);
    let part_sw: StakedWal = w.decode(part);
    assert_eq!(part_sw.principal.value, 400 * FROST);
    assert_eq!(part_sw.activation_epoch, 2);
    assert_eq!(part_sw.node_id, staked.node_id);
    assert_eq!(
        w.decode::<StakedWal>(staked_id).principal.value,
        600 * FROST
    );
    for amount in [0, 600 * FROST] {
        let tx = w.split_tx(0, staked_id, amount);
        assert_eq!(
            aborted(&tx),
            ("staked_wal".into(), abort::staked_wal::EInvalidAmount)
        );
    }
    let tx = w.exec(
        0,
        vec![w.input_obj(part)],
        vec![call("staked_wal", "destroy_zero", vec![Argument::Input(0)])],
    );
    assert_eq!(
        aborted(&tx),
        ("staked_wal".into(), abort::staked_wal::ENonZeroPrincipal)
    );
    let tx = w.join(0, staked_id, part);
    assert!(deleted(&tx).contains(&part));
    assert_eq!(w.decode::<StakedWal>(staked_id), staked);
    let tx = w.exec(
        0,
        vec![w.input_obj(staked_id)],
        vec![call(
            "staked_wal",
            "withdraw_epoch",
            vec![Argument::Input(0)],
        )],
    );
    assert_eq!(
        aborted(&tx),
        ("staked_wal".into(), abort::staked_wal::ENotWithdrawing)
    );
}

/// Node `n` calls `staking::<function>(staking, cap, value)`.
fn node_setting<T: serde::Serialize>(
    w: &W,
    n: usize,
    function: &str,
    value: &T,
) -> Arc<ExecutedTx> {
    let secrets = &w.g.nodes[n];
    w.exec_as(
        &secrets.sui_key,
        vec![
            Input::Shared(SharedInput::new(addr(&w.g.info.staking_object_id), 1, true)),
            w.input_obj(secrets.cap_id),
            pure(value),
        ],
        vec![call(
            "staking",
            function,
            vec![Argument::Input(0), Argument::Input(1), Argument::Input(2)],
        )],
    )
}

#[test]
fn node_settings_and_votes() {
    let w = W::new();
    let node_id = w.g.nodes[1].node_id;
    let before: StakingPool = w.decode(node_id);
    let ok = |tx: Arc<ExecutedTx>| assert_eq!(status(&tx), ExecutionStatus::Success);
    ok(node_setting(&w, 1, "set_storage_price_vote", &7_000u64));
    ok(node_setting(&w, 1, "set_write_price_vote", &9_000u64));
    ok(node_setting(&w, 1, "set_node_capacity_vote", &(5u64 << 40)));
    ok(node_setting(&w, 1, "set_next_commission", &1_500u16));
    ok(node_setting(&w, 1, "set_next_commission", &2_500u16));
    ok(node_setting(&w, 1, "set_name", &"renamed".to_string()));
    ok(node_setting(
        &w,
        1,
        "set_network_address",
        &"10.0.0.1:9000".to_string(),
    ));
    let mut expected = before.clone();
    expected.voting_params.storage_price = 7_000;
    expected.voting_params.write_price = 9_000;
    expected.voting_params.node_capacity = 5 << 40;
    // Epoch 1 + 2, replaced by the second vote.
    expected
        .pending_commission_rate
        .0
        .contents
        .push(haulout_types::Entry {
            key: 3,
            value: 2_500,
        });
    expected.node_info.name = "renamed".into();
    expected.node_info.network_address = "10.0.0.1:9000".into();
    let after: StakingPool = w.decode(node_id);
    assert_eq!(after, expected);
    assert_eq!(bcs::to_bytes(&after).unwrap(), contents(&w.object(node_id)));
    // Aborts.
    let tx = node_setting(&w, 1, "set_next_commission", &10_001u16);
    assert_eq!(
        aborted(&tx),
        (
            "staking_pool".into(),
            abort::staking_pool::EIncorrectCommissionRate
        )
    );
    ok(node_setting(&w, 1, "set_next_commission", &10_000u16));
    let tx = node_setting(&w, 1, "set_name", &"n".repeat(101));
    assert_eq!(
        aborted(&tx),
        (
            "staking_pool".into(),
            abort::staking_pool::EInvalidNameLength
        )
    );
    ok(node_setting(&w, 1, "set_name", &"n".repeat(100)));
    let tx = node_setting(&w, 1, "set_network_address", &"a".repeat(260));
    assert_eq!(
        aborted(&tx),
        (
            "staking_pool".into(),
            abort::staking_pool::EInvalidNetworkAddressLength
        )
    );
    ok(node_setting(&w, 1, "set_network_address", &"a".repeat(259)));
}

#[test]
fn request_withdraw_and_withdraw_stake_in_one_epoch() {
    let w = W::new();
    let node_id = w.g.nodes[2].node_id;
    let pool_before: StakingPool = w.decode(node_id);
    let active_before = w.staking_inner();
    let amount = 300 * FROST;
    let staked = w.stake(0, amount, node_id);
    // Not active yet and no committee selected: no request, a direct withdrawal.
    let tx = w.request_withdraw(&w.keys[0], staked);
    assert_eq!(
        aborted(&tx),
        (
            "staking_pool".into(),
            abort::staking_pool::EWithdrawDirectly
        )
    );
    let balance = w.wal_balance(0);
    let tx = w.withdraw(&w.keys[0], staked);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    assert!(deleted(&tx).contains(&staked));
    assert_eq!(w.wal_balance(0), balance + amount);
    let mut pool: StakingPool = w.decode(node_id);
    // pending_values::reduce leaves a zero entry.
    assert_eq!(pool.pending_stake.0.get(&2), Some(&0));
    pool.pending_stake = pool_before.pending_stake.clone();
    assert_eq!(pool, pool_before);
    assert_eq!(w.staking_inner(), active_before);

    // The genesis stake (active, node in the current committee): withdrawable from epoch 2.
    let secrets = &w.g.nodes[2];
    let genesis_sw: StakedWal = w.decode(secrets.staked_wal_id);
    let tx = w.withdraw(&secrets.sui_key, secrets.staked_wal_id);
    assert_eq!(
        aborted(&tx),
        ("staking_pool".into(), abort::staking_pool::ENotWithdrawing)
    );
    let tx = w.request_withdraw(&secrets.sui_key, secrets.staked_wal_id);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    let sw: StakedWal = w.decode(secrets.staked_wal_id);
    assert_eq!(
        sw.state,
        haulout_types::StakedWalState::Withdrawing { withdraw_epoch: 2 }
    );
    assert_eq!(sw.principal, genesis_sw.principal);
    assert_eq!(
        bcs::to_bytes(&sw).unwrap(),
        contents(&w.object(secrets.staked_wal_id))
    );
    let pool: StakingPool = w.decode(node_id);
    // Flat rate at activation: shares = principal.
    assert_eq!(
        pool.pending_shares_withdraw.0.get(&2),
        Some(&genesis_sw.principal.value)
    );
    // The active set loses the node (its stake at epoch 2 is zero).
    let tx = w.request_withdraw(&secrets.sui_key, secrets.staked_wal_id);
    assert_eq!(
        aborted(&tx),
        ("staking_pool".into(), abort::staking_pool::ENotStaked)
    );
    let tx = w.withdraw(&secrets.sui_key, secrets.staked_wal_id);
    assert_eq!(
        aborted(&tx),
        (
            "staking_pool".into(),
            abort::staking_pool::EWithdrawEpochNotReached
        )
    );
}

impl W {
    /// Node `n` collects its commission (authenticated with its cap, or as the sender if
    /// `as_sender`); the coin goes to the node's account.
    fn collect_commission(&self, n: usize, as_sender: bool) -> Arc<ExecutedTx> {
        let secrets = &self.g.nodes[n];
        let auth = if as_sender {
            call("auth", "authenticate_sender", vec![])
        } else {
            Command::MoveCall(MoveCall {
                package: walrus::walrus_package(),
                module: Identifier::new("auth").unwrap(),
                function: Identifier::new("authenticate_with_object").unwrap(),
                type_arguments: vec![TypeTag::Struct(Box::new(
                    haulout_types::StorageNodeCap::struct_tag(&packages()),
                ))],
                arguments: vec![Argument::Input(1)],
            })
        };
        self.exec_as(
            &secrets.sui_key,
            vec![
                self.staking(true),
                self.input_obj(secrets.cap_id),
                pure(&secrets.node_id),
                pure(&secrets.sui_key.public_key().derive_address()),
            ],
            vec![
                auth,
                call(
                    "staking",
                    "collect_commission",
                    vec![Argument::Input(0), Argument::Input(2), Argument::Result(0)],
                ),
                transfer(vec![Argument::Result(1)], 3),
            ],
        )
    }

    fn update_prices(&self) -> Arc<ExecutedTx> {
        self.ok(
            0,
            vec![self.staking(true), self.system(true)],
            vec![call(
                "staking",
                "update_prices",
                vec![Argument::Input(0), Argument::Input(1)],
            )],
        )
    }
}

#[test]
fn collect_commission_and_update_prices() {
    let w = W::new();
    // The cap is the commission receiver; the sender is not.
    let tx = w.collect_commission(0, true);
    assert_eq!(
        aborted(&tx),
        (
            "staking_pool".into(),
            abort::staking_pool::EAuthorizationFailure
        )
    );
    let tx = w.collect_commission(0, false);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    let coin = created(&tx)[0];
    assert_eq!(contents(&w.object(coin))[32..40], 0u64.to_le_bytes());

    // Prices: the quorum_below of the committee's votes (3 shards each of 12: removing the
    // highest vote leaves 9 shards, a quorum; removing the next leaves 6, not one).
    for (n, (storage, write)) in [(100u64, 40u64), (400, 10), (200, 30), (300, 20)]
        .into_iter()
        .enumerate()
    {
        let tx = node_setting(&w, n, "set_storage_price_vote", &storage);
        assert_eq!(status(&tx), ExecutionStatus::Success);
        let tx = node_setting(&w, n, "set_write_price_vote", &write);
        assert_eq!(status(&tx), ExecutionStatus::Success);
    }
    let tx = w.update_prices();
    let sys = w.system_inner();
    assert_eq!(sys.storage_price_per_unit_size, 300);
    assert_eq!(sys.write_price_per_unit_size, 30);
    assert_eq!(
        events_of::<haulout_types::PricesUpdated>(&tx),
        vec![haulout_types::PricesUpdated {
            epoch: 1,
            storage_price: 300,
            write_price: 30
        }]
    );
}

/// Account `i` registers a candidate with `key`; `pop`, the network key and the commission as
/// given. The cap goes to account `i`.
fn register_candidate(
    w: &W,
    i: usize,
    key: &bls::BlsKey,
    pop: &[u8],
    network_public_key: &[u8],
    commission: u16,
) -> Arc<ExecutedTx> {
    w.exec(
        i,
        vec![
            w.staking(true),
            pure(&"candidate".to_string()),
            pure(&"127.0.0.1:9999".to_string()),
            pure(&"https://img".to_string()),
            pure(&"https://proj".to_string()),
            pure(&"desc".to_string()),
            pure(&key.public_key().to_vec()),
            pure(&network_public_key.to_vec()),
            pure(&pop.to_vec()),
            pure(&commission),
            pure(&11u64),
            pure(&22u64),
            pure(&(1u64 << 40)),
            pure(&w.addr(i)),
        ],
        vec![
            call(
                "node_metadata",
                "new",
                vec![Argument::Input(3), Argument::Input(4), Argument::Input(5)],
            ),
            call(
                "staking",
                "register_candidate",
                vec![
                    Argument::Input(0),
                    Argument::Input(1),
                    Argument::Input(2),
                    Argument::Result(0),
                    Argument::Input(6),
                    Argument::Input(7),
                    Argument::Input(8),
                    Argument::Input(9),
                    Argument::Input(10),
                    Argument::Input(11),
                    Argument::Input(12),
                ],
            ),
            transfer(vec![Argument::Result(1)], 13),
        ],
    )
}

#[test]
fn register_candidate_checks_the_proof_of_possession() {
    let w = W::new();
    let key = bls::BlsKey::from_ikm(&[9; 32]);
    let pk = key.public_key();
    let pop_for = |epoch: u32, sender: Address| {
        key.sign(&bls::proof_of_possession_message(
            epoch,
            sender.as_bytes(),
            &pk,
        ))
    };
    let network_key = [2u8; 33];
    // Wrong epoch, wrong sender: EInvalidProofOfPossession.
    for pop in [pop_for(0, w.addr(1)), pop_for(1, w.addr(0))] {
        let tx = register_candidate(&w, 1, &key, &pop, &network_key, 100);
        assert_eq!(
            aborted(&tx),
            (
                "staking_pool".into(),
                abort::staking_pool::EInvalidProofOfPossession
            )
        );
    }
    let pop = pop_for(1, w.addr(1));
    let tx = register_candidate(&w, 1, &key, &pop, &network_key, 10_001);
    assert_eq!(
        aborted(&tx),
        (
            "staking_pool".into(),
            abort::staking_pool::EIncorrectCommissionRate
        )
    );
    let tx = register_candidate(&w, 1, &key, &pop, &[2u8; 32], 100);
    assert_eq!(
        aborted(&tx),
        (
            "storage_node".into(),
            abort::storage_node::EInvalidNetworkPublicKey
        )
    );
    let inner_before = w.staking_inner();
    let tx = register_candidate(&w, 1, &key, &pop, &network_key, 100);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    let cap_id = w.created_of::<haulout_types::StorageNodeCap>(&tx);
    let cap: haulout_types::StorageNodeCap = w.decode(cap_id);
    assert_eq!(
        *w.object(cap_id).owner(),
        sui_sdk_types::Owner::Address(w.addr(1))
    );
    let pool: StakingPool = w.decode(cap.node_id.into());
    assert_eq!(
        bcs::to_bytes(&pool).unwrap(),
        contents(&w.object(cap.node_id.into()))
    );
    assert_eq!(pool.id, cap.node_id);
    assert_eq!(pool.node_info.name, "candidate");
    assert_eq!(pool.node_info.network_address, "127.0.0.1:9999");
    assert_eq!(
        pool.node_info.public_key.bytes,
        key.public_key_uncompressed().to_vec()
    );
    assert_eq!(pool.node_info.network_public_key, network_key.to_vec());
    assert_eq!(pool.voting_params.storage_price, 11);
    assert_eq!(pool.voting_params.write_price, 22);
    assert_eq!(pool.voting_params.node_capacity, 1 << 40);
    assert_eq!(pool.commission_rate, 100);
    assert_eq!((pool.activation_epoch, pool.latest_epoch), (1, 1));
    assert_eq!(
        pool.commission_receiver,
        haulout_types::Authorized::ObjectID(cap_id.into())
    );
    assert_eq!(
        pool.governance_authorized,
        haulout_types::Authorized::Address(w.addr(1))
    );
    // The exchange rate at activation is flat; the metadata hangs under its extended field.
    let rate_id = Address::from(pool.exchange_rates.id)
        .derive_dynamic_child_id(&TypeTag::U32, &1u32.to_le_bytes());
    let rate: Field<u32, haulout_types::PoolExchangeRate> = w.decode(rate_id);
    assert_eq!(rate.value, haulout_types::PoolExchangeRate::Flat);
    let metadata_id = Address::from(pool.node_info.metadata.id).derive_dynamic_child_id(
        &haulout_types::ExtendedFieldKey::type_tag(&packages()),
        &[0],
    );
    let metadata: Field<haulout_types::ExtendedFieldKey, haulout_types::NodeMetadata> =
        w.decode(metadata_id);
    assert_eq!(metadata.value.project_url, "https://proj");
    assert_eq!(metadata.value.description, "desc");
    let inner = w.staking_inner();
    assert_eq!(inner.pools.size, inner_before.pools.size + 1);
    // Not in the active set until staked; staking works.
    let staked = w.stake(0, 5 * FROST, cap.node_id.into());
    assert_eq!(w.decode::<StakedWal>(staked).activation_epoch, 2);
    let pool: StakingPool = w.decode(cap.node_id.into());
    assert_eq!(pool.pending_stake.0.get(&2), Some(&(5 * FROST)));
}

#[test]
fn voting_end_selects_the_next_committee() {
    let w = W::new();
    let inner = w.staking_inner();
    let haulout_types::EpochState::EpochChangeDone(start) = inner.epoch_state else {
        panic!("genesis is in EpochChangeDone");
    };
    let half = inner.epoch_duration / 2;
    w.set_time(start + half - 1);
    let tx = w.voting_end();
    assert_eq!(
        aborted(&tx),
        (
            "staking_inner".into(),
            abort::staking_inner::EWrongEpochState
        )
    );
    w.set_time(start + half);
    let tx = w.voting_end();
    assert_eq!(status(&tx), ExecutionStatus::Success);
    assert_eq!(
        events_of::<haulout_types::EpochParametersSelected>(&tx),
        vec![haulout_types::EpochParametersSelected { next_epoch: 2 }]
    );
    let after = w.staking_inner();
    // Equal stakes: the same committee, the same shards.
    assert_eq!(after.next_committee.as_ref(), Some(&inner.committee));
    assert_eq!(
        after.epoch_state,
        haulout_types::EpochState::NextParamsSelected(start)
    );
    // Each node votes 1 TiB × 12 shards / 3 shards = 4 TiB.
    assert_eq!(
        after.next_epoch_params,
        Some(haulout_types::EpochParams {
            total_capacity_size: 4 << 40,
            storage_price_per_unit_size: u64::MAX,
            write_price_per_unit_size: u64::MAX,
        })
    );
    let tx = w.voting_end();
    assert_eq!(
        aborted(&tx),
        (
            "staking_inner".into(),
            abort::staking_inner::EWrongEpochState
        )
    );
    // Stake added now activates at E+2.
    let staked = w.stake(0, FROST, w.g.nodes[0].node_id);
    assert_eq!(w.decode::<StakedWal>(staked).activation_epoch, 3);

    // epoch_sync_done outside a sync: the cap is marked, ShardsReceived, no state change.
    let tx = w.epoch_sync_done(0, 2);
    assert_eq!(
        aborted(&tx),
        (
            "staking_inner".into(),
            abort::staking_inner::EInvalidSyncEpoch
        )
    );
    let tx = w.epoch_sync_done(0, 1);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    assert_eq!(
        events_of::<haulout_types::ShardsReceived>(&tx),
        vec![haulout_types::ShardsReceived {
            epoch: 1,
            shards: w.g.nodes[0].shards.clone()
        }]
    );
    let cap: haulout_types::StorageNodeCap = w.decode(w.g.nodes[0].cap_id);
    assert_eq!(cap.last_epoch_sync_done, 1);
    assert_eq!(w.staking_inner().epoch_state, after.epoch_state);
    let tx = w.epoch_sync_done(0, 1);
    assert_eq!(
        aborted(&tx),
        (
            "staking_inner".into(),
            abort::staking_inner::EDuplicateSyncDone
        )
    );
}

impl W {
    fn treasury_supply(&self) -> u64 {
        let treasury = addr(&self.g.info.treasury_id);
        let key = haulout_types::Wrapper {
            name: haulout_types::TreasuryCapKey::default(),
        };
        let field_id = treasury.derive_dynamic_child_id(
            &haulout_types::Wrapper::<haulout_types::TreasuryCapKey>::type_tag(&packages()),
            &bcs::to_bytes(&key).unwrap(),
        );
        let field: Field<haulout_types::Wrapper<haulout_types::TreasuryCapKey>, ObjectId> =
            self.decode(field_id);
        let cap: haulout_types::TreasuryCap<Wal> = self.decode(field.value.into());
        cap.total_supply.value
    }
}

/// Four epochs: storage bought, stake added, withdrawn with rewards, commission collected, a
/// new node joining the committee; every amount computed by hand from the Move formulas.
#[test]
fn epochs_rewards_commission_and_a_committee_change() {
    let w = W::with_registry(
        WalrusArgs {
            nodes: N_NODES,
            n_shards: N_SHARDS,
            max_epochs_ahead: 5,
            stake_per_node: 1_000,
            ..Default::default()
        },
        registry_with_expect(),
    );
    let g_stake = 1_000 * FROST; // genesis stake (and shares) of each pool
    let dur = w.staking_inner().epoch_duration;
    let haulout_types::EpochState::EpochChangeDone(t0) = w.staking_inner().epoch_state else {
        panic!("genesis is in EpochChangeDone");
    };
    let node0 = w.g.nodes[0].node_id;

    // Epoch 1: 1 TiB for 4 epochs (1 MiB units × 1000 FROST per epoch), a stake of 1000 WAL
    // with node 0 (active from epoch 2), node 0's commission 10% from epoch 3.
    w.buy(0, 1 << 40, 4);
    let r_epoch: u64 = (1 << 20) * 1_000;
    let ring = &w.system_inner().future_accounting;
    assert_eq!(
        ring.ring_buffer[ring.current_index as usize]
            .rewards_to_distribute
            .value,
        r_epoch
    );
    let s = 1_000 * FROST;
    let staked = w.stake(1, s, node0);
    assert_eq!(
        status(&node_setting(&w, 0, "set_next_commission", &1_000u16)),
        ExecutionStatus::Success
    );
    let supply = w.treasury_supply();

    // Too early for the epoch change.
    w.set_time(t0 + dur / 2);
    // No committee selected yet.
    assert_eq!(
        aborted(&w.initiate_epoch_change()),
        (
            "staking_inner".into(),
            abort::staking_inner::ENextCommitteeIsEmpty
        )
    );
    assert_eq!(status(&w.voting_end()), ExecutionStatus::Success);
    w.set_time(t0 + dur - 1);
    assert_eq!(
        aborted(&w.initiate_epoch_change()),
        (
            "staking_inner".into(),
            abort::staking_inner::EWrongEpochState
        )
    );
    w.set_time(t0 + dur);
    let tx = w.initiate_epoch_change();
    assert_eq!(status(&tx), ExecutionStatus::Success);
    assert_eq!(
        events_of::<haulout_types::EpochChangeStart>(&tx),
        vec![haulout_types::EpochChangeStart { epoch: 2 }]
    );
    assert_eq!(events_of::<haulout_types::PricesUpdated>(&tx).len(), 1);
    // 3% of epoch 1's rewards burned; the rest split equally (3 shards each of 12).
    let burn = r_epoch * 3 / 100;
    assert_eq!(w.treasury_supply(), supply - burn);
    let r1 = (r_epoch - burn) / 4;
    let w2 = g_stake + r1;
    let pool: StakingPool = w.decode(node0);
    assert_eq!(pool.rewards_pool.value, r1);
    assert_eq!(pool.commission.value, 0);
    assert_eq!(pool.wal_balance, w2 + s);
    let n2 = ((u128::from(w2 + s) * u128::from(g_stake)) / u128::from(w2)) as u64;
    assert_eq!(pool.num_shares, n2);
    assert_eq!(w.system_inner().committee.epoch, 2);
    assert_eq!(w.staking_inner().epoch, 2);
    // Node 0's stake for epoch 2 is double: 6 shards (see below).
    assert_eq!(
        w.staking_inner()
            .committee
            .0
            .get(&node0.into())
            .map(Vec::len),
        Some(6)
    );

    // Epoch 2: the nodes sync (a quorum is 9 of 12 shards: the third one ends the change).
    for n in 0..3 {
        let secrets = &w.g.nodes[n];
        let tx = w.sync_done_as(&secrets.sui_key, secrets.cap_id, 2);
        assert_eq!(status(&tx), ExecutionStatus::Success);
        assert_eq!(
            events_of::<haulout_types::EpochChangeDone>(&tx).len(),
            usize::from(n == 2)
        );
    }
    let t1 = t0 + dur;
    assert_eq!(
        w.staking_inner().epoch_state,
        haulout_types::EpochState::EpochChangeDone(t1)
    );
    // A new node registers and gets 2000 WAL of stake (active from epoch 3).
    let key = bls::BlsKey::from_ikm(&[5; 32]);
    let pop = key.sign(&bls::proof_of_possession_message(
        2,
        w.addr(1).as_bytes(),
        &key.public_key(),
    ));
    let tx = register_candidate(&w, 1, &key, &pop, &[2u8; 33], 0);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    let new_cap_id = w.created_of::<haulout_types::StorageNodeCap>(&tx);
    let new_node: Address = w
        .decode::<haulout_types::StorageNodeCap>(new_cap_id)
        .node_id
        .into();
    w.stake(0, 2_000 * FROST, new_node);
    assert_eq!(
        aborted(&w.sync_done_as(&w.keys[1], new_cap_id, 2)),
        (
            "staking_inner".into(),
            abort::staking_inner::ENotInCommittee
        )
    );
    // The staker asks to withdraw: node 0 is in the current committee only, so epoch 3.
    assert_eq!(
        status(&w.request_withdraw(&w.keys[1], staked)),
        ExecutionStatus::Success
    );
    let shares = ((u128::from(s) * u128::from(g_stake)) / u128::from(w2)) as u64;
    let pool: StakingPool = w.decode(node0);
    assert_eq!(pool.pending_shares_withdraw.0.get(&3), Some(&shares));
    let tx = w.withdraw(&w.keys[1], staked);
    assert_eq!(
        aborted(&tx),
        (
            "staking_pool".into(),
            abort::staking_pool::EWithdrawEpochNotReached
        )
    );
    w.set_time(t1 + dur / 2);
    assert_eq!(status(&w.voting_end()), ExecutionStatus::Success);
    let next = w.staking_inner().next_committee.unwrap();
    assert_eq!(next.0.contents.len(), 5);
    assert!(next.0.get(&new_node.into()).is_some_and(|s| !s.is_empty()));
    w.set_time(t1 + dur);
    assert_eq!(status(&w.initiate_epoch_change()), ExecutionStatus::Success);
    // The committee changed: the new node holds shards; shards moved, none lost.
    let inner = w.staking_inner();
    assert_eq!(inner.epoch, 3);
    assert_eq!(inner.committee, next);
    let mut all: Vec<u16> = inner
        .committee
        .0
        .contents
        .iter()
        .flat_map(|e| e.value.clone())
        .collect();
    all.sort_unstable();
    assert_eq!(all, (0..N_SHARDS).collect::<Vec<_>>());
    let sys = w.system_inner();
    assert_eq!(sys.committee.epoch, 3);
    assert_eq!(sys.committee.members.len(), 5);

    // Epoch 2's committee came from the stake at voting_end in epoch 1 (before epoch 1's
    // rewards): node 0 with 2000 WAL, the others 1000. D'Hondt over 12 shards, at most 6 per
    // node: 5, 2, 2, 2, then the last shard is a tie (2000/6 = 1000/3) won by node 0, first in
    // the active set. So node 0 got 6/12 of epoch 2's rewards, with commission still 0; then
    // the rate 10% applies.
    let r2 = (r_epoch - burn) * 6 / 12;
    let w3 = w2 + s + r2;
    let pool: StakingPool = w.decode(node0);
    assert_eq!(pool.commission.value, 0);
    assert_eq!(pool.commission_rate, 1_000);
    assert_eq!(pool.rewards_pool.value, r1 + r2);
    // Epoch 3: everyone syncs; the staker withdraws principal + rewards at the epoch-3 rate.
    for n in 0..N_NODES {
        let secrets = &w.g.nodes[n];
        w.sync_done_as(&secrets.sui_key, secrets.cap_id, 3);
    }
    w.sync_done_as(&w.keys[1], new_cap_id, 3);
    assert!(matches!(
        w.staking_inner().epoch_state,
        haulout_types::EpochState::EpochChangeDone(_)
    ));
    let rewards = ((u128::from(shares) * u128::from(w3)) / u128::from(n2)) as u64 - s;
    assert!(rewards > 0);
    // staking::calculate_rewards gives the same from the recorded exchange rates.
    assert_eq!(
        status(&w.calculate_rewards(node0, s, 2, 3, rewards)),
        ExecutionStatus::Success
    );
    assert_eq!(
        aborted(&w.calculate_rewards(node0, s, 2, 3, rewards + 1)).1,
        1
    );
    let balance = w.wal_balance(1);
    let tx = w.withdraw(&w.keys[1], staked);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    assert_eq!(w.wal_balance(1), balance + s + rewards);

    // Epoch 3 → 4: node 0 gets its weight's share of epoch 3's rewards, 10% as commission.
    let w0 = inner.committee.0.get(&node0.into()).unwrap().len() as u64;
    let t2 = t1 + dur;
    w.set_time(t2 + dur / 2);
    assert_eq!(status(&w.voting_end()), ExecutionStatus::Success);
    w.set_time(t2 + dur);
    assert_eq!(status(&w.initiate_epoch_change()), ExecutionStatus::Success);
    let r3_total = r_epoch - r_epoch * 3 / 100;
    let r3 = r3_total * w0 / 12;
    let commission = r3 * 1_000 / 10_000;
    let pool: StakingPool = w.decode(node0);
    assert_eq!(pool.commission.value, commission);
    let tx = w.collect_commission(0, false);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    let coin = created(&tx)[0];
    assert_eq!(contents(&w.object(coin))[32..40], commission.to_le_bytes());
    assert_eq!(w.decode::<StakingPool>(node0).commission.value, 0);
}

/// The chain runs voting_end and initiate_epoch_change itself at half and full epoch duration
/// after the epoch's start, by its own clock (moved here checkpoint by checkpoint).
#[test]
fn the_keeper_changes_epochs_on_schedule() {
    let w = W::with(WalrusArgs {
        nodes: N_NODES,
        n_shards: N_SHARDS,
        max_epochs_ahead: 5,
        epoch_duration: std::time::Duration::from_millis(1_000),
        ..Default::default()
    });
    let keeper = walrus::keeper::Keeper::new(&w.g.info).unwrap();
    let haulout_types::EpochState::EpochChangeDone(t0) = w.staking_inner().epoch_state else {
        panic!("genesis is in EpochChangeDone");
    };
    let mut start = t0;
    for epoch in 1..=3u32 {
        w.set_time(start + 499);
        assert!(keeper.tick(&w.node).unwrap().is_none());
        w.set_time(start + 500);
        let tx = keeper.tick(&w.node).unwrap().unwrap();
        assert_eq!(status(&tx), ExecutionStatus::Success);
        assert_eq!(
            events_of::<haulout_types::EpochParametersSelected>(&tx),
            vec![haulout_types::EpochParametersSelected {
                next_epoch: epoch + 1
            }]
        );
        assert!(keeper.tick(&w.node).unwrap().is_none());
        w.set_time(start + 999);
        assert!(keeper.tick(&w.node).unwrap().is_none());
        w.set_time(start + 1_000);
        let tx = keeper.tick(&w.node).unwrap().unwrap();
        assert_eq!(status(&tx), ExecutionStatus::Success);
        assert_eq!(
            events_of::<haulout_types::EpochChangeStart>(&tx),
            vec![haulout_types::EpochChangeStart { epoch: epoch + 1 }]
        );
        assert_eq!(w.staking_inner().epoch, epoch + 1);
        // Waiting for the storage nodes.
        w.set_time(start + 1_600);
        assert!(keeper.tick(&w.node).unwrap().is_none());
        for n in 0..3 {
            let secrets = &w.g.nodes[n];
            let tx = w.sync_done_as(&secrets.sui_key, secrets.cap_id, epoch + 1);
            assert_eq!(status(&tx), ExecutionStatus::Success);
        }
        // The new epoch starts when the sync is done.
        start += 1_600;
        assert_eq!(
            w.staking_inner().epoch_state,
            haulout_types::EpochState::EpochChangeDone(start)
        );
    }
    assert_eq!(w.system_inner().committee.epoch, 4);
}

#[test]
fn every_registered_function_mirrors_a_move_function() {
    use haulout_localnet::Param;
    use haulout_types::functions::ALL;
    let registry = walrus::registry();
    let mut count = 0;
    for (package, module, name, f) in registry.functions() {
        let package = if *package == walrus::walrus_package() {
            "walrus"
        } else if *package == walrus::wal_package() {
            "wal"
        } else {
            continue;
        };
        let Some(m) = ALL
            .iter()
            .find(|m| m.package == package && m.module == module && m.name == name)
        else {
            panic!("{package}::{module}::{name} is registered but not a dispatched Move function");
        };
        assert_eq!(
            f.sig.params.len(),
            m.params.len(),
            "{module}::{name}: parameter count"
        );
        for (param, spelled) in f.sig.params.iter().zip(m.params) {
            let ok = match param {
                Param::TxContext { mutable: true } => *spelled == "&mut TxContext",
                Param::TxContext { mutable: false } => *spelled == "&TxContext",
                Param::MutRef(_) => spelled.starts_with("&mut "),
                Param::Ref(_) => spelled.starts_with('&') && !spelled.starts_with("&mut "),
                Param::Val(_) => !spelled.starts_with('&'),
            };
            assert!(ok, "{module}::{name}: {param:?} vs {spelled}");
        }
        count += 1;
    }
    assert!(count >= 55, "only {count} natives registered");
}

/// Node `n` calls `staking::set_next_public_key(staking, cap, key, pop)`.
fn set_next_public_key(w: &W, n: usize, key: &[u8], pop: &[u8]) -> Arc<ExecutedTx> {
    let secrets = &w.g.nodes[n];
    w.exec_as(
        &secrets.sui_key,
        vec![
            w.staking(true),
            w.input_obj(secrets.cap_id),
            pure(&key.to_vec()),
            pure(&pop.to_vec()),
        ],
        vec![call(
            "staking",
            "set_next_public_key",
            (0..4).map(Argument::Input).collect(),
        )],
    )
}

#[test]
fn node_keys_and_metadata() {
    let w = W::new();
    let n = 1;
    let secrets = &w.g.nodes[n];
    let node_id = secrets.node_id;
    let sender = secrets.sui_key.public_key().derive_address();
    let key = bls::BlsKey::from_ikm(&[7; 32]);
    let pk = key.public_key();
    let pop = |epoch: u32, sender: Address| {
        key.sign(&bls::proof_of_possession_message(
            epoch,
            sender.as_bytes(),
            &pk,
        ))
    };
    let before: StakingPool = w.decode(node_id);
    // A key of the wrong length: messages::EInvalidKeyLength, before the proof is checked.
    let tx = set_next_public_key(&w, n, &pk[..47], &pop(1, sender));
    assert_eq!(
        aborted(&tx),
        ("messages".into(), abort::messages::EInvalidKeyLength)
    );
    // Wrong epoch, wrong sender: EInvalidProofOfPossession.
    for bad in [pop(0, sender), pop(1, w.addr(0))] {
        let tx = set_next_public_key(&w, n, &pk, &bad);
        assert_eq!(
            aborted(&tx),
            (
                "staking_pool".into(),
                abort::staking_pool::EInvalidProofOfPossession
            )
        );
    }
    let tx = set_next_public_key(&w, n, &pk, &pop(1, sender));
    assert_eq!(status(&tx), ExecutionStatus::Success);
    // set_network_public_key: exactly 33 bytes.
    for len in [32, 34] {
        let tx = node_setting(&w, n, "set_network_public_key", &vec![3u8; len]);
        assert_eq!(
            aborted(&tx),
            (
                "storage_node".into(),
                abort::storage_node::EInvalidNetworkPublicKey
            )
        );
    }
    let tx = node_setting(&w, n, "set_network_public_key", &vec![3u8; 33]);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    let mut expected = before.clone();
    expected.node_info.next_epoch_public_key = Some(haulout_types::Element::new(
        key.public_key_uncompressed().to_vec(),
    ));
    expected.node_info.network_public_key = vec![3; 33];
    let after: StakingPool = w.decode(node_id);
    assert_eq!(after, expected);
    assert_eq!(bcs::to_bytes(&after).unwrap(), contents(&w.object(node_id)));

    // set_node_metadata swaps the value under the extended field (mutated, not recreated).
    let tx = w.exec_as(
        &secrets.sui_key,
        vec![
            w.staking(true),
            w.input_obj(secrets.cap_id),
            pure(&"https://new-img".to_string()),
            pure(&"https://new-proj".to_string()),
            pure(&"new desc".to_string()),
        ],
        vec![
            call(
                "node_metadata",
                "new",
                vec![Argument::Input(2), Argument::Input(3), Argument::Input(4)],
            ),
            call(
                "staking",
                "set_node_metadata",
                vec![Argument::Input(0), Argument::Input(1), Argument::Result(0)],
            ),
        ],
    );
    assert_eq!(status(&tx), ExecutionStatus::Success);
    let metadata_id = Address::from(after.node_info.metadata.id).derive_dynamic_child_id(
        &haulout_types::ExtendedFieldKey::type_tag(&packages()),
        &[0],
    );
    assert!(!created(&tx).contains(&metadata_id));
    let metadata: Field<haulout_types::ExtendedFieldKey, haulout_types::NodeMetadata> =
        w.decode(metadata_id);
    assert_eq!(
        metadata.value,
        haulout_types::NodeMetadata {
            image_url: "https://new-img".into(),
            project_url: "https://new-proj".into(),
            description: "new desc".into(),
            extra_fields: haulout_types::VecMap::default(),
        }
    );
    assert_eq!(
        bcs::to_bytes(&metadata).unwrap(),
        contents(&w.object(metadata_id))
    );
    assert_eq!(w.decode::<StakingPool>(node_id), after);
}

impl W {
    /// `staking::<function>(staking, node_id, auth, auth::authorized_address(to))`, signed by
    /// node `n`'s account; `auth` is the sender, or node `n`'s cap with `with_cap`.
    fn set_authorized(
        &self,
        n: usize,
        function: &str,
        node_id: Address,
        with_cap: bool,
        to: Address,
    ) -> Arc<ExecutedTx> {
        let secrets = &self.g.nodes[n];
        let auth = if with_cap {
            Command::MoveCall(MoveCall {
                package: walrus::walrus_package(),
                module: Identifier::new("auth").unwrap(),
                function: Identifier::new("authenticate_with_object").unwrap(),
                type_arguments: vec![TypeTag::Struct(Box::new(
                    haulout_types::StorageNodeCap::struct_tag(&packages()),
                ))],
                arguments: vec![Argument::Input(1)],
            })
        } else {
            call("auth", "authenticate_sender", vec![])
        };
        self.exec_as(
            &secrets.sui_key,
            vec![
                self.staking(true),
                self.input_obj(secrets.cap_id),
                pure(&node_id),
                pure(&to),
            ],
            vec![
                auth,
                call("auth", "authorized_address", vec![Argument::Input(3)]),
                call(
                    "staking",
                    function,
                    vec![
                        Argument::Input(0),
                        Argument::Input(2),
                        Argument::Result(0),
                        Argument::Result(1),
                    ],
                ),
            ],
        )
    }
}

#[test]
fn commission_receiver_and_governance_authorized() {
    use haulout_types::Authorized;
    let w = W::new();
    let n = 2;
    let node_id = w.g.nodes[n].node_id;
    let account = w.g.nodes[n].sui_key.public_key().derive_address();
    let failure = (
        "staking_pool".to_string(),
        abort::staking_pool::EAuthorizationFailure,
    );
    // The commission receiver is the cap, not the account.
    let f = "set_commission_receiver";
    assert_eq!(
        aborted(&w.set_authorized(n, f, node_id, false, account)),
        failure
    );
    assert_eq!(
        aborted(&w.set_authorized(n, f, Address::ZERO, true, account)),
        ("staking_inner".into(), abort::staking_inner::EPoolNotFound)
    );
    let before: StakingPool = w.decode(node_id);
    let tx = w.set_authorized(n, f, node_id, true, account);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    let mut expected = before.clone();
    expected.commission_receiver = Authorized::Address(account);
    let after: StakingPool = w.decode(node_id);
    assert_eq!(after, expected);
    assert_eq!(bcs::to_bytes(&after).unwrap(), contents(&w.object(node_id)));
    // Now the account collects the commission and the cap no longer can.
    assert_eq!(aborted(&w.collect_commission(n, false)), failure);
    assert_eq!(
        status(&w.collect_commission(n, true)),
        ExecutionStatus::Success
    );
    assert_eq!(
        aborted(&w.set_authorized(n, f, node_id, true, account)),
        failure
    );

    // Governance is authorized by the account, not the cap.
    let f = "set_governance_authorized";
    assert_eq!(
        aborted(&w.set_authorized(n, f, node_id, true, w.addr(0))),
        failure
    );
    assert_eq!(
        aborted(&w.set_authorized(n, f, Address::ZERO, false, w.addr(0))),
        ("staking_inner".into(), abort::staking_inner::EPoolNotFound)
    );
    let tx = w.set_authorized(n, f, node_id, false, w.addr(0));
    assert_eq!(status(&tx), ExecutionStatus::Success);
    expected.governance_authorized = Authorized::Address(w.addr(0));
    let after: StakingPool = w.decode(node_id);
    assert_eq!(after, expected);
    assert_eq!(bcs::to_bytes(&after).unwrap(), contents(&w.object(node_id)));
    // The account is no longer authorized.
    assert_eq!(
        aborted(&w.set_authorized(n, f, node_id, false, account)),
        failure
    );
}

impl W {
    /// `expect_bool(staking::can_withdraw_staked_wal_early(staking, staked), expected)`.
    fn can_withdraw_early(&self, staked: Address, expected: bool) -> Arc<ExecutedTx> {
        self.exec(
            0,
            vec![self.staking(true), self.input_obj(staked), pure(&expected)],
            vec![
                call(
                    "staking",
                    "can_withdraw_staked_wal_early",
                    vec![Argument::Input(0), Argument::Input(1)],
                ),
                call(
                    "views_testing",
                    "expect_bool",
                    vec![Argument::Result(0), Argument::Input(2)],
                ),
            ],
        )
    }

    /// `expect_u64(staking::calculate_rewards(staking, node_id, principal, from, to), expected)`.
    fn calculate_rewards(
        &self,
        node_id: Address,
        principal: u64,
        from: u32,
        to: u32,
        expected: u64,
    ) -> Arc<ExecutedTx> {
        self.exec(
            0,
            vec![
                self.staking(true),
                pure(&node_id),
                pure(&principal),
                pure(&from),
                pure(&to),
                pure(&expected),
            ],
            vec![
                call(
                    "staking",
                    "calculate_rewards",
                    (0..5).map(Argument::Input).collect(),
                ),
                call(
                    "views_testing",
                    "expect_u64",
                    vec![Argument::Result(0), Argument::Input(5)],
                ),
            ],
        )
    }
}

#[test]
fn try_join_active_set_and_views() {
    let w = W::with_registry(
        WalrusArgs {
            nodes: N_NODES,
            n_shards: N_SHARDS,
            max_epochs_ahead: 5,
            ..Default::default()
        },
        registry_with_expect(),
    );
    let n = 2;
    let node_id = w.g.nodes[n].node_id;
    let entry = |set: &haulout_types::ActiveSet| {
        set.nodes
            .iter()
            .find(|e| Address::from(e.node_id) == node_id)
            .map(|e| e.staked_amount)
    };
    let set_before = w.active_set();
    let amount = 300 * FROST;
    let staked = w.stake(0, amount, node_id);
    // try_join_active_set: the node's active-set stake is its stake at E+1.
    let tx = node_setting_no_value(&w, n, "try_join_active_set");
    assert_eq!(status(&tx), ExecutionStatus::Success);
    let set = w.active_set();
    assert_eq!(
        entry(&set),
        entry(&set_before).map(|s| s + amount),
        "stake at E+1"
    );
    assert_eq!(set.total_stake, set_before.total_stake + amount);

    // can_withdraw_staked_wal_early: activating at E+1 with no committee selected: yes.
    assert_eq!(
        status(&w.can_withdraw_early(staked, true)),
        ExecutionStatus::Success
    );
    assert_eq!(aborted(&w.can_withdraw_early(staked, false)).1, 1);
    // calculate_rewards: flat exchange rates, no rewards; unknown pool: EPoolNotFound.
    assert_eq!(
        status(&w.calculate_rewards(node_id, amount, 1, 5, 0)),
        ExecutionStatus::Success
    );
    assert_eq!(
        status(&w.calculate_rewards(node_id, amount, 1, u32::MAX, 0)),
        ExecutionStatus::Success
    );
    assert_eq!(
        aborted(&w.calculate_rewards(Address::ZERO, amount, 1, 5, 0)),
        ("staking_inner".into(), abort::staking_inner::EPoolNotFound)
    );

    // Once the next committee (with the node) is selected, stake activating at E+1 is counted.
    let inner = w.staking_inner();
    let haulout_types::EpochState::EpochChangeDone(start) = inner.epoch_state else {
        panic!("genesis is in EpochChangeDone");
    };
    w.set_time(start + inner.epoch_duration / 2);
    assert_eq!(status(&w.voting_end()), ExecutionStatus::Success);
    assert_eq!(
        status(&w.can_withdraw_early(staked, false)),
        ExecutionStatus::Success
    );
    // Stake activating at E+2: yes.
    let later = w.stake(0, amount, node_id);
    assert_eq!(w.decode::<StakedWal>(later).activation_epoch, 3);
    assert_eq!(
        status(&w.can_withdraw_early(later, true)),
        ExecutionStatus::Success
    );
    // After the selection, try_join_active_set uses the stake at E+2.
    let tx = node_setting_no_value(&w, n, "try_join_active_set");
    assert_eq!(status(&tx), ExecutionStatus::Success);
    assert_eq!(
        entry(&w.active_set()),
        entry(&set_before).map(|s| s + 2 * amount)
    );
}

/// Node `n` calls `staking::<function>(staking, cap)`.
fn node_setting_no_value(w: &W, n: usize, function: &str) -> Arc<ExecutedTx> {
    let secrets = &w.g.nodes[n];
    w.exec_as(
        &secrets.sui_key,
        vec![w.staking(true), w.input_obj(secrets.cap_id)],
        vec![call(
            "staking",
            function,
            vec![Argument::Input(0), Argument::Input(1)],
        )],
    )
}
