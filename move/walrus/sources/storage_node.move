/// Storage node information kept in its staking pool, and the capability that authorizes the
/// node's operator.
module walrus::storage_node;

use std::string::String;
use sui::bls12381::{UncompressedG1, g1_from_bytes, g1_to_uncompressed_g1};
use sui::group_ops::Element;
use walrus::event_blob::EventBlobAttestation;
use walrus::extended_field::{Self, ExtendedField};
use walrus::node_metadata::NodeMetadata;

/// The network public key is not 33 bytes (a compressed P-256 key).
const EInvalidNetworkPublicKey: u64 = 0;

/// Length of a compressed secp256r1 public key.
const NETWORK_PUBLIC_KEY_LEN: u64 = 33;

/// A storage node's public information.
public struct StorageNodeInfo has store {
    name: String,
    node_id: ID,
    /// `host:port`, without a scheme.
    network_address: String,
    /// The node's BLS key (min_pk), uncompressed.
    public_key: Element<UncompressedG1>,
    /// The key to use from the next epoch in which the node is in the committee.
    next_epoch_public_key: Option<Element<UncompressedG1>>,
    network_public_key: vector<u8>,
    metadata: ExtendedField<NodeMetadata>,
}

/// Authorizes the operator of a storage node.
public struct StorageNodeCap has key, store {
    id: UID,
    node_id: ID,
    last_epoch_sync_done: u32,
    last_event_blob_attestation: Option<EventBlobAttestation>,
    deny_list_root: u256,
    deny_list_sequence: u64,
    deny_list_size: u64,
}

/// Creates node information. `public_key` is a 48-byte compressed G1 point (aborts in
/// `bls12381` if invalid); aborts with `EInvalidNetworkPublicKey` unless the network key has
/// 33 bytes.
public(package) fun new(
    name: String,
    node_id: ID,
    network_address: String,
    public_key: vector<u8>,
    network_public_key: vector<u8>,
    metadata: NodeMetadata,
    ctx: &mut TxContext,
): StorageNodeInfo {
    assert!(network_public_key.length() == NETWORK_PUBLIC_KEY_LEN, EInvalidNetworkPublicKey);
    StorageNodeInfo {
        name,
        node_id,
        network_address,
        public_key: g1_to_uncompressed_g1(&g1_from_bytes(&public_key)),
        next_epoch_public_key: option::none(),
        network_public_key,
        metadata: extended_field::new(metadata, ctx),
    }
}

/// Creates the capability of node `node_id`.
public(package) fun new_cap(node_id: ID, ctx: &mut TxContext): StorageNodeCap {
    StorageNodeCap {
        id: object::new(ctx),
        node_id,
        last_epoch_sync_done: 0,
        last_event_blob_attestation: option::none(),
        deny_list_root: 0,
        deny_list_sequence: 0,
        deny_list_size: 0,
    }
}

/// The node's name.
public fun name(self: &StorageNodeInfo): String { self.name }

/// The node's ID (= its staking pool's ID).
public fun id(self: &StorageNodeInfo): ID { self.node_id }

/// The node's network address.
public fun network_address(self: &StorageNodeInfo): String { self.network_address }

/// The node's current BLS public key.
public fun public_key(self: &StorageNodeInfo): &Element<UncompressedG1> { &self.public_key }

/// The key the node will use in its next committee epoch: the pending key if set, otherwise the
/// current key.
public fun next_epoch_public_key(self: &StorageNodeInfo): &Element<UncompressedG1> {
    if (self.next_epoch_public_key.is_some()) self.next_epoch_public_key.borrow()
    else &self.public_key
}

/// The node's network (TLS) public key.
public fun network_public_key(self: &StorageNodeInfo): vector<u8> { self.network_public_key }

/// The node's metadata.
public fun metadata(self: &StorageNodeInfo): NodeMetadata { *self.metadata.borrow() }

/// The node ID of a capability.
public fun node_id(cap: &StorageNodeCap): ID { cap.node_id }

/// The last epoch for which the node signalled that it finished syncing.
public fun last_epoch_sync_done(cap: &StorageNodeCap): u32 { cap.last_epoch_sync_done }

public(package) fun set_last_epoch_sync_done(self: &mut StorageNodeCap, epoch: u32) {
    self.last_epoch_sync_done = epoch;
}

public(package) fun set_name(self: &mut StorageNodeInfo, name: String) { self.name = name; }

public(package) fun set_network_address(self: &mut StorageNodeInfo, network_address: String) {
    self.network_address = network_address;
}

/// Sets the BLS key for the next committee epoch (48-byte compressed G1).
public(package) fun set_next_public_key(self: &mut StorageNodeInfo, public_key: vector<u8>) {
    self.next_epoch_public_key = option::some(g1_to_uncompressed_g1(&g1_from_bytes(&public_key)));
}

/// Sets the network public key. Aborts with `EInvalidNetworkPublicKey` unless it has 33 bytes.
public(package) fun set_network_public_key(
    self: &mut StorageNodeInfo,
    network_public_key: vector<u8>,
) {
    assert!(network_public_key.length() == NETWORK_PUBLIC_KEY_LEN, EInvalidNetworkPublicKey);
    self.network_public_key = network_public_key;
}

public(package) fun set_node_metadata(self: &mut StorageNodeInfo, metadata: NodeMetadata) {
    self.metadata.swap(metadata);
}

/// Makes the pending public key current, if there is one.
public(package) fun rotate_public_key(self: &mut StorageNodeInfo) {
    if (self.next_epoch_public_key.is_some()) {
        self.public_key = self.next_epoch_public_key.extract();
    }
}

/// Destroys node information.
public(package) fun destroy(self: StorageNodeInfo) {
    let StorageNodeInfo { metadata, .. } = self;
    metadata.destroy();
}

#[test_only]
/// Creates a capability for tests.
public fun new_cap_for_testing(node_id: ID, ctx: &mut TxContext): StorageNodeCap {
    new_cap(node_id, ctx)
}

#[test_only]
/// Destroys a capability in a test.
public fun destroy_cap_for_testing(cap: StorageNodeCap) {
    let StorageNodeCap { id, .. } = cap;
    id.delete();
}
