#[test_only]
/// A small network for tests: four storage nodes registered with real proofs of possession
/// (test keys 1..4), a `Staking` with 12 shards, a `System`, the WAL treasury and the
/// governance configuration, driven through epochs with a test clock.
module walrus::test_network;

use sui::clock::{Self, Clock};
use sui::coin::Coin;
use sui::test_scenario::{Self as ts, Scenario};
use wal::wal::{ProtectedTreasury, WAL};
use walrus::auth;
use walrus::blob::Blob;
use walrus::governance::{Self, GovernanceConfig, Proposal, ProposalAction};
use walrus::node_metadata;
use walrus::staked_wal::StakedWal;
use walrus::staking::{Self, Staking};
use walrus::storage_node::StorageNodeCap;
use walrus::storage_resource::Storage;
use walrus::system::{Self, System};
use walrus::test_utils as tu;

const ADMIN: address = @0xad;
/// The address that stakes in tests.
const STAKER: address = @0x5;
const EPOCH_DURATION_MS: u64 = 10_000;
const N_SHARDS: u16 = 12;
const MAX_EPOCHS_AHEAD: u32 = 10;
/// Node capacity vote of each node, in bytes.
const NODE_CAPACITY: u64 = 1_000_000_000_000;

public struct TestNetwork {
    scenario: Scenario,
    clock: Clock,
    staking: Staking,
    system: System,
    treasury: ProtectedTreasury,
    config: GovernanceConfig,
    caps: vector<StorageNodeCap>,
    node_ids: vector<ID>,
}

/// A 33-byte network public key.
public fun network_key(): vector<u8> {
    let mut key = vector[2u8];
    let mut i = 0;
    while (i < 32) {
        key.push_back(7);
        i = i + 1;
    };
    key
}

/// Storage price vote of node `i` (100, 200, 300, 400).
public fun storage_price_vote(i: u64): u64 { (i + 1) * 100 }

/// Write price vote of node `i` (1000, 2000, 3000, 4000).
public fun write_price_vote(i: u64): u64 { (i + 1) * 1000 }

/// Creates the network in epoch 0 with the four nodes registered (no stake yet).
public fun new(): TestNetwork {
    let mut scenario = ts::begin(ADMIN);
    wal::wal::init_for_testing(scenario.ctx());
    governance::init_for_testing(scenario.ctx());
    scenario.next_tx(ADMIN);
    let treasury = scenario.take_shared<ProtectedTreasury>();
    let config = scenario.take_shared<GovernanceConfig>();
    let clock = clock::create_for_testing(scenario.ctx());
    let mut staking = staking::new_for_testing(EPOCH_DURATION_MS, N_SHARDS, &clock, scenario.ctx());
    let system = system::new_for_testing(MAX_EPOCHS_AHEAD, scenario.ctx());
    let mut caps = vector[];
    let mut node_ids = vector[];
    let mut i = 0;
    while (i < 4) {
        scenario.next_tx(tu::node_sender(i));
        let cap = staking.register_candidate(
            b"node".to_string(),
            b"127.0.0.1:9100".to_string(),
            node_metadata::default(),
            tu::pk(i),
            network_key(),
            tu::pop(i),
            0,
            storage_price_vote(i),
            write_price_vote(i),
            NODE_CAPACITY,
            scenario.ctx(),
        );
        node_ids.push_back(cap.node_id());
        caps.push_back(cap);
        i = i + 1;
    };
    scenario.next_tx(STAKER);
    TestNetwork { scenario, clock, staking, system, treasury, config, caps, node_ids }
}

/// Creates the network, stakes `amount` FROST with each node and moves to epoch 1 (each node
/// holds 3 shards). Returns the four stakes.
public fun new_in_epoch_1(amount: u64): (TestNetwork, vector<StakedWal>) {
    let mut net = new();
    let mut stakes = vector[];
    let mut i = 0;
    while (i < 4) {
        stakes.push_back(net.stake(i, amount));
        i = i + 1;
    };
    net.next_epoch();
    (net, stakes)
}

/// Stakes `amount` FROST with node `i`.
public fun stake(self: &mut TestNetwork, i: u64, amount: u64): StakedWal {
    let coin = tu::mint_wal(amount, self.scenario.ctx());
    let node_id = self.node_ids[i];
    self.staking.stake_with_pool(coin, node_id, self.scenario.ctx())
}

/// Lets an epoch pass: voting end, epoch change and sync done by every committee member.
public fun next_epoch(self: &mut TestNetwork) {
    self.clock.increment_for_testing(EPOCH_DURATION_MS);
    self.staking.voting_end(&self.clock);
    self.initiate_epoch_change();
    self.sync_all();
}

/// `initiate_epoch_change` with the network's objects.
public fun initiate_epoch_change(self: &mut TestNetwork) {
    self
        .staking
        .initiate_epoch_change(
            &mut self.system,
            &mut self.treasury,
            &self.clock,
            self.scenario.ctx(),
        );
}

/// `epoch_sync_done` for every node in the committee.
public fun sync_all(self: &mut TestNetwork) {
    let epoch = self.staking.epoch();
    let mut i = 0;
    while (i < 4) {
        let node_id = self.node_ids[i];
        if (self.staking.committee().contains(&node_id)) {
            self.staking.epoch_sync_done(&mut self.caps[i], epoch, &self.clock);
        };
        i = i + 1;
    };
}

/// `voting_end` at the network's clock.
public fun voting_end(self: &mut TestNetwork) {
    self.staking.voting_end(&self.clock);
}

/// `epoch_sync_done` for node `i` with its registered capability.
public fun sync_done(self: &mut TestNetwork, i: u64, epoch: u32) {
    self.staking.epoch_sync_done(&mut self.caps[i], epoch, &self.clock);
}

/// `epoch_sync_done` with `cap`.
public fun sync_done_with(self: &mut TestNetwork, cap: &mut StorageNodeCap, epoch: u32) {
    self.staking.epoch_sync_done(cap, epoch, &self.clock);
}

/// A new capability for node `i` (a stand-in for the registered one: same node ID).
public fun stand_in_cap(self: &mut TestNetwork, i: u64): StorageNodeCap {
    let node_id = self.node_ids[i];
    walrus::storage_node::new_cap_for_testing(node_id, self.scenario.ctx())
}

/// `system::reserve_space`.
public fun reserve_space(
    self: &mut TestNetwork,
    size: u64,
    epochs: u32,
    coin: &mut Coin<WAL>,
): Storage {
    self.system.reserve_space(size, epochs, coin, self.scenario.ctx())
}

/// `system::register_blob` (RS2, permanent).
public fun register_blob(
    self: &mut TestNetwork,
    storage: Storage,
    blob_id: u256,
    root_hash: u256,
    size: u64,
    coin: &mut Coin<WAL>,
): Blob {
    self
        .system
        .register_blob(storage, blob_id, root_hash, size, 1, false, coin, self.scenario.ctx())
}

/// `staking::request_withdraw_stake`.
public fun request_withdraw(self: &mut TestNetwork, sw: &mut StakedWal) {
    self.staking.request_withdraw_stake(sw, self.scenario.ctx());
}

/// `staking::withdraw_stake`.
public fun withdraw(self: &mut TestNetwork, sw: StakedWal): Coin<WAL> {
    self.staking.withdraw_stake(sw, self.scenario.ctx())
}

/// `staked_wal::split`.
public fun split(self: &mut TestNetwork, sw: &mut StakedWal, amount: u64): StakedWal {
    sw.split(amount, self.scenario.ctx())
}

/// Collects node `i`'s commission, authenticated with its registered capability.
public fun collect_commission_with_cap(self: &mut TestNetwork, i: u64): Coin<WAL> {
    let auth = auth::authenticate_with_object(&self.caps[i]);
    let node_id = self.node_ids[i];
    self.staking.collect_commission(node_id, auth, self.scenario.ctx())
}

/// Collects node `i`'s commission, authenticated as the transaction sender.
public fun collect_commission_as_sender(self: &mut TestNetwork, i: u64): Coin<WAL> {
    let auth = auth::authenticate_sender(self.scenario.ctx());
    let node_id = self.node_ids[i];
    self.staking.collect_commission(node_id, auth, self.scenario.ctx())
}

/// Registers another candidate with key `i` and proof of possession `pop` from the current
/// sender.
public fun register_candidate(self: &mut TestNetwork, i: u64, pop: vector<u8>): StorageNodeCap {
    self
        .staking
        .register_candidate(
            b"node".to_string(),
            b"127.0.0.1:9100".to_string(),
            node_metadata::default(),
            tu::pk(i),
            network_key(),
            pop,
            0,
            1,
            1,
            1,
            self.scenario.ctx(),
        )
}

/// Creates a proposal with `staked` from the current sender.
public fun create_proposal(
    self: &mut TestNetwork,
    staked: &StakedWal,
    title: vector<u8>,
    action: ProposalAction,
) {
    governance::create_proposal(
        &mut self.config,
        &self.staking,
        staked,
        title.to_string(),
        b"description".to_string(),
        action,
        self.scenario.ctx(),
    );
}

/// Creates a proposal with a description of `description_length` bytes.
public fun create_proposal_with_description(
    self: &mut TestNetwork,
    staked: &StakedWal,
    description_length: u64,
) {
    let mut description = vector[];
    let mut i = 0;
    while (i < description_length) {
        description.push_back(0x61);
        i = i + 1;
    };
    governance::create_proposal(
        &mut self.config,
        &self.staking,
        staked,
        b"title".to_string(),
        description.to_string(),
        governance::signal_action(),
        self.scenario.ctx(),
    );
}

/// Takes the most recently shared proposal (in a new transaction from the staker).
public fun take_proposal(self: &mut TestNetwork): Proposal {
    self.scenario.next_tx(STAKER);
    self.scenario.take_shared<Proposal>()
}

/// Returns a proposal taken with `take_proposal`.
public fun return_proposal(proposal: Proposal) {
    ts::return_shared(proposal);
}

/// Votes on `proposal` with `staked`.
public fun vote(
    self: &mut TestNetwork,
    proposal: &mut Proposal,
    staked: &mut StakedWal,
    choice: u8,
) {
    governance::vote(proposal, &self.staking, staked, choice, self.scenario.ctx());
}

/// Finalizes `proposal`.
public fun finalize(self: &mut TestNetwork, proposal: &mut Proposal) {
    governance::finalize(proposal, &self.config, &self.staking);
}

/// Executes `proposal`.
public fun execute(self: &mut TestNetwork, proposal: &mut Proposal) {
    governance::execute(proposal, &mut self.config, &mut self.staking);
}

/// A WAL coin of `amount` FROST.
public fun mint(self: &mut TestNetwork, amount: u64): Coin<WAL> {
    tu::mint_wal(amount, self.scenario.ctx())
}

public fun scenario(self: &mut TestNetwork): &mut Scenario { &mut self.scenario }

public fun clock(self: &mut TestNetwork): &mut Clock { &mut self.clock }

public fun staking(self: &mut TestNetwork): &mut Staking { &mut self.staking }

public fun system(self: &mut TestNetwork): &mut System { &mut self.system }

public fun treasury(self: &mut TestNetwork): &mut ProtectedTreasury { &mut self.treasury }

public fun config(self: &mut TestNetwork): &mut GovernanceConfig { &mut self.config }

public fun cap(self: &mut TestNetwork, i: u64): &mut StorageNodeCap { &mut self.caps[i] }

public fun node_id(self: &TestNetwork, i: u64): ID { self.node_ids[i] }

public fun ctx(self: &mut TestNetwork): &mut TxContext { self.scenario.ctx() }

/// Starts a new transaction from `sender` (shared objects created earlier become visible).
public fun next_tx(self: &mut TestNetwork, sender: address) {
    self.scenario.next_tx(sender);
}

/// Destroys the network.
public fun destroy(self: TestNetwork) {
    let TestNetwork { scenario, clock, staking, system, treasury, config, caps, node_ids: _ } =
        self;
    ts::return_shared(treasury);
    ts::return_shared(config);
    clock.destroy_for_testing();
    staking.destroy_for_testing();
    system.destroy_for_testing();
    tu::destroy(caps);
    scenario.end();
}

/// The staker's address.
public fun staker(): address { STAKER }
