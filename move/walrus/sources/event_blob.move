/// Event-blob certification state. Event blobs are out of scope for haulout's first milestone:
/// the state keeps Walrus's layout and stays empty.
module walrus::event_blob;

use sui::vec_map::{Self, VecMap};

/// The latest checkpoint a node attested to.
public struct EventBlobAttestation has copy, drop, store {
    checkpoint_sequence_num: u64,
    epoch: u32,
}

/// An event blob: its ID and the last checkpoint it covers.
public struct EventBlob has copy, drop, store {
    blob_id: u256,
    ending_checkpoint_sequence_number: u64,
}

/// Certification state of event blobs, kept in the system state.
public struct EventBlobCertificationState has store {
    latest_certified_blob: Option<EventBlob>,
    aggregate_weight_per_blob: VecMap<EventBlob, u16>,
}

/// Creates an empty certification state.
public(package) fun create_with_empty_state(): EventBlobCertificationState {
    EventBlobCertificationState {
        latest_certified_blob: option::none(),
        aggregate_weight_per_blob: vec_map::empty(),
    }
}

/// Forgets all pending attestations (called at each epoch change).
public(package) fun reset(self: &mut EventBlobCertificationState) {
    self.aggregate_weight_per_blob = vec_map::empty();
}

/// Creates an attestation.
public(package) fun new_attestation(
    checkpoint_sequence_num: u64,
    epoch: u32,
): EventBlobAttestation {
    EventBlobAttestation { checkpoint_sequence_num, epoch }
}
