//! The scripted history the indexer's tests replay: a local chain (opened in-process) driven
//! with PTBs through every kind of change the indexer records.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::sync::Arc;

use haulout_localnet::ExecutedTx;
use haulout_localnet::walrus::{WalrusArgs, bls};
use haulout_types::{Blob, BlobId, BlobIdDerivation, Proposal, U256};
use sui_sdk_types::{Address, Argument, ExecutionStatus, Input};

use crate::support::walrus::*;

pub const N_NODES: usize = 4;
pub const N_SHARDS: u16 = 12;

/// What the script did, to check the index against.
pub struct Script {
    pub w: W,
    pub blob_a: (Address, U256),
    pub blob_b: (Address, U256),
    pub blob_c: (Address, U256),
    pub storage_back: Address,
    pub staked: Address,
    pub proposal: Address,
}

pub fn encoded(size: u64) -> u64 {
    haulout_indexer::encoded_blob_length(size, N_SHARDS).unwrap()
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

fn invalid_blob_message(epoch: u32, blob_id: U256) -> Vec<u8> {
    let mut m = vec![2, 0, 3];
    m.extend_from_slice(&epoch.to_le_bytes());
    m.extend_from_slice(&blob_id.to_le_bytes());
    m
}

pub trait Walrus {
    fn buy(&self, i: usize, amount: u64, epochs: u32) -> Address;
    fn register(&self, i: usize, storage: Address, size: u64, deletable: bool) -> (Address, U256);
    fn certificate(&self, message: &[u8], signers: &[usize]) -> (Vec<u8>, Vec<u8>);
    fn certify(&self, blob: Address, message: &[u8]) -> Arc<ExecutedTx>;
    fn seal(&self);
}

impl Walrus for W {
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
                    (0..4).map(Argument::Input).collect(),
                ),
                transfer(vec![Argument::Result(0)], 4),
            ],
        );
        created(&tx)[0]
    }

    fn register(&self, i: usize, storage: Address, size: u64, deletable: bool) -> (Address, U256) {
        let root_hash = U256::from_le_bytes([size as u8; 32]);
        let blob_id: U256 = BlobIdDerivation {
            encoding_type: 1,
            size,
            root_hash,
        }
        .blob_id()
        .into();
        let tx = self.ok(
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
        );
        (self.created_of::<Blob>(&tx), blob_id)
    }

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

    fn certify(&self, blob: Address, message: &[u8]) -> Arc<ExecutedTx> {
        let (signature, bitmap) = self.certificate(message, &[0, 1, 2]);
        self.ok(
            0,
            vec![
                self.system(false),
                self.input_obj(blob),
                pure(&signature),
                pure(&bitmap),
                pure(&message.to_vec()),
            ],
            vec![call(
                "system",
                "certify_blob",
                (0..5).map(Argument::Input).collect(),
            )],
        )
    }

    /// Cuts a checkpoint of what was executed since the last one.
    fn seal(&self) {
        self.set_time(0);
    }
}

fn governance(w: &W, function: &str, inputs: Vec<Input>, who: Who) -> Arc<ExecutedTx> {
    let n = u16::try_from(inputs.len()).unwrap();
    w.ok(
        who,
        inputs,
        vec![call(
            "governance",
            function,
            (0..n).map(Argument::Input).collect(),
        )],
    )
}

/// Runs the scripted history (sealing checkpoints as it goes), then `extra` more checkpoints
/// of one blob registration each, and returns what it made.
pub fn script(extra: usize) -> Script {
    let w = W::with(WalrusArgs {
        nodes: N_NODES,
        n_shards: N_SHARDS,
        max_epochs_ahead: 5,
        stake_per_node: 10_000,
        ..Default::default()
    });
    w.seal();
    // Blob A: deletable, attributes, certified, then deleted (its storage comes back).
    let s1 = w.buy(0, encoded(1_000), 3);
    let a = w.register(0, s1, 1_000, true);
    w.ok(
        0,
        vec![
            w.input_obj(a.0),
            pure(&"k".to_owned()),
            pure(&"v".to_owned()),
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
        ],
    );
    w.seal();
    w.certify(a.0, &certify_message(1, a.1, Some(a.0)));
    w.seal();
    // Blob B: permanent, certified, extended by one epoch.
    let s2 = w.buy(0, encoded(2_000), 3);
    let b = w.register(0, s2, 2_000, false);
    w.certify(b.0, &certify_message(1, b.1, None));
    w.ok(
        0,
        vec![
            w.system(true),
            w.input_obj(b.0),
            pure(&1u32),
            Input::ImmutableOrOwned(reference(&w.wal_coin(0))),
        ],
        vec![call(
            "system",
            "extend_blob",
            (0..4).map(Argument::Input).collect(),
        )],
    );
    w.seal();
    w.ok(
        0,
        vec![w.system(false), w.input_obj(a.0), pure(&w.addr(0))],
        vec![
            call(
                "system",
                "delete_blob",
                vec![Argument::Input(0), Argument::Input(1)],
            ),
            transfer(vec![Argument::Result(0)], 2),
        ],
    );
    // Blob C: registered, then its blob ID certified invalid.
    let s3 = w.buy(0, encoded(3_000), 2);
    let c = w.register(0, s3, 3_000, false);
    let (signature, bitmap) = w.certificate(&invalid_blob_message(1, c.1), &[0, 1, 2]);
    w.ok(
        0,
        vec![
            w.system(false),
            pure(&signature),
            pure(&bitmap),
            pure(&invalid_blob_message(1, c.1)),
        ],
        vec![call(
            "system",
            "invalidate_blob_id",
            (0..4).map(Argument::Input).collect(),
        )],
    );
    w.seal();

    // Stake: account 1 stakes with node 0, splits, withdraws the (pre-active) part directly;
    // node 3 withdraws its genesis stake, so the next committee has no place for it.
    let staked = w.stake(1, 5_000 * FROST, w.g.nodes[0].node_id);
    let part = w.split(1, staked, 1_000 * FROST);
    assert_eq!(
        status(&w.withdraw(&w.keys[1], part)),
        ExecutionStatus::Success
    );
    let node3 = &w.g.nodes[3];
    assert_eq!(
        status(&w.request_withdraw(&node3.sui_key, node3.staked_wal_id)),
        ExecutionStatus::Success
    );
    w.seal();

    // A signal proposal by node 0, voted yes by nodes 0 and 1, no by node 2.
    let config = Input::Shared(sui_sdk_types::SharedInput::new(
        addr(&w.g.info.governance_config_id),
        1,
        true,
    ));
    let tx = w.exec(
        Who::Node(0),
        vec![
            config.clone(),
            w.staking(false),
            w.input_obj(w.g.nodes[0].staked_wal_id),
            pure(&"Raise the bar".to_owned()),
            pure(&"A signal for the indexer test".to_owned()),
        ],
        vec![
            call("governance", "signal_action", vec![]),
            call(
                "governance",
                "create_proposal",
                (0..5)
                    .map(Argument::Input)
                    .chain([Argument::Result(0)])
                    .collect(),
            ),
        ],
    );
    assert_eq!(status(&tx), ExecutionStatus::Success);
    let proposal = w.created_of::<Proposal>(&tx);
    for (node, choice) in [(0, 0u8), (1, 0), (2, 1)] {
        governance(
            &w,
            "vote",
            vec![
                w.shared(proposal, true),
                w.staking(false),
                w.input_obj(w.g.nodes[node].staked_wal_id),
                pure(&choice),
            ],
            Who::Node(node),
        );
    }
    w.seal();

    // Two epoch changes (the committee loses node 3), then finalize and execute.
    w.advance_epoch();
    w.seal();
    w.advance_epoch();
    w.seal();
    let config_ro = Input::Shared(sui_sdk_types::SharedInput::new(
        addr(&w.g.info.governance_config_id),
        1,
        false,
    ));
    governance(
        &w,
        "finalize",
        vec![w.shared(proposal, true), config_ro, w.staking(false)],
        Who::Account(0),
    );
    governance(
        &w,
        "execute",
        vec![w.shared(proposal, true), config, w.staking(true)],
        Who::Account(0),
    );
    w.seal();
    for i in 0..extra {
        let size = 10_000 + i as u64;
        let storage = w.buy(0, encoded(size), 2);
        w.register(0, storage, size, true);
        w.seal();
    }
    Script {
        storage_back: s1,
        w,
        blob_a: a,
        blob_b: b,
        blob_c: c,
        staked,
        proposal,
    }
}

pub fn blob_id(id: U256) -> String {
    BlobId::from(id).to_string()
}
