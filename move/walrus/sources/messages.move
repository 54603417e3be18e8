/// Protocol messages signed by storage nodes (walrus-protocol.md §4): the intent header
/// `type u8 | version u8 (0) | app u8 (3) | epoch u32`, followed by the message body.
module walrus::messages;

use sui::bcs::{Self, BCS};
use sui::bls12381::bls12381_min_pk_verify;

/// The Walrus storage app ID in the intent.
const APP_ID: u8 = 3;
/// The only intent version.
const INTENT_VERSION: u8 = 0;
/// Length of a compressed BLS12-381 G1 public key.
const BLS_KEY_LEN: u64 = 48;

const PROOF_OF_POSSESSION_MSG_TYPE: u8 = 0;
const BLOB_CERT_MSG_TYPE: u8 = 1;
const INVALID_BLOB_ID_MSG_TYPE: u8 = 2;

/// The app ID in the message is not 3.
const EIncorrectAppId: u64 = 0;
/// The epoch in the message is not the committee's epoch.
const EIncorrectEpoch: u64 = 1;
/// The message type is wrong for the operation.
const EInvalidMsgType: u64 = 2;
/// The intent version is not 0.
const EIncorrectIntentVersion: u64 = 3;
/// The blob persistence type tag is neither 0 (permanent) nor 1 (deletable).
const EInvalidBlobPersistenceType: u64 = 4;
/// Asked for the object ID of a permanent persistence type.
const ENotDeletable: u64 = 5;
/// The BLS public key is not 48 bytes long.
const EInvalidKeyLength: u64 = 6;

/// The message signed by a BLS key to prove possession: intent (type 0), the epoch, the
/// owner's Sui address and the 48-byte key (serialized without a length prefix).
public struct ProofOfPossessionMessage has drop {
    intent_type: u8,
    intent_version: u8,
    intent_app: u8,
    epoch: u32,
    sui_address: address,
    bls_key: vector<u8>,
}

/// A message with a verified certificate, with its header parsed.
public struct CertifiedMessage has drop {
    intent_type: u8,
    intent_version: u8,
    cert_epoch: u32,
    message: vector<u8>,
    /// Weight (shards) of the signers; not part of the signed message.
    stake_support: u16,
}

/// How a certified blob is stored: permanent, or deletable with the Blob object's ID.
public enum BlobPersistenceType has copy, drop {
    Permanent,
    Deletable { object_id: ID },
}

/// A certified storage confirmation for a blob.
public struct CertifiedBlobMessage has drop {
    blob_id: u256,
    blob_persistence_type: BlobPersistenceType,
}

/// A certified statement that a blob ID is invalid.
public struct CertifiedInvalidBlobId has drop {
    blob_id: u256,
}

/// Creates a proof-of-possession message. Aborts with `EInvalidKeyLength` unless the key has
/// 48 bytes.
public(package) fun new_proof_of_possession_msg(
    epoch: u32,
    sui_address: address,
    bls_key: vector<u8>,
): ProofOfPossessionMessage {
    assert!(bls_key.length() == BLS_KEY_LEN, EInvalidKeyLength);
    ProofOfPossessionMessage {
        intent_type: PROOF_OF_POSSESSION_MSG_TYPE,
        intent_version: INTENT_VERSION,
        intent_app: APP_ID,
        epoch,
        sui_address,
        bls_key,
    }
}

/// The signed bytes of a proof of possession: `00 00 03 | epoch u32 LE | address | key[48]`.
public(package) fun to_bcs(self: &ProofOfPossessionMessage): vector<u8> {
    let mut bytes = vector[self.intent_type, self.intent_version, self.intent_app];
    bytes.append(bcs::to_bytes(&self.epoch));
    bytes.append(bcs::to_bytes(&self.sui_address));
    bytes.append(self.bls_key);
    bytes
}

/// Verifies `pop_signature` (96-byte min_pk signature) over the message with its own key.
public(package) fun verify_proof_of_possession(
    self: &ProofOfPossessionMessage,
    pop_signature: vector<u8>,
): bool {
    let message_bytes = self.to_bcs();
    bls12381_min_pk_verify(&pop_signature, &self.bls_key, &message_bytes)
}

/// Parses the header of `message_bytes`, checking the intent version, app ID and that the epoch
/// equals `committee_epoch`.
public(package) fun new_certified_message(
    message_bytes: vector<u8>,
    committee_epoch: u32,
    stake_support: u16,
): CertifiedMessage {
    let mut bcs_message = bcs::new(message_bytes);
    let intent_type = bcs_message.peel_u8();
    let intent_version = bcs_message.peel_u8();
    assert!(intent_version == INTENT_VERSION, EIncorrectIntentVersion);
    let intent_app = bcs_message.peel_u8();
    assert!(intent_app == APP_ID, EIncorrectAppId);
    let cert_epoch = bcs_message.peel_u32();
    assert!(cert_epoch == committee_epoch, EIncorrectEpoch);
    let message = bcs_message.into_remainder_bytes();
    CertifiedMessage { intent_type, intent_version, cert_epoch, message, stake_support }
}

/// Parses a certified storage confirmation (type 1): blob ID then persistence type. Trailing
/// bytes are ignored. Aborts with `EInvalidMsgType` for another type.
public(package) fun certify_blob_message(message: CertifiedMessage): CertifiedBlobMessage {
    assert!(message.intent_type == BLOB_CERT_MSG_TYPE, EInvalidMsgType);
    let mut bcs_body = bcs::new(message.into_message());
    let blob_id = bcs_body.peel_u256();
    let blob_persistence_type = peel_blob_persistence_type(&mut bcs_body);
    CertifiedBlobMessage { blob_id, blob_persistence_type }
}

/// Parses a certified invalid-blob-ID message (type 2). Aborts with `EInvalidMsgType` for
/// another type.
public(package) fun invalid_blob_id_message(message: CertifiedMessage): CertifiedInvalidBlobId {
    assert!(message.intent_type == INVALID_BLOB_ID_MSG_TYPE, EInvalidMsgType);
    let mut bcs_body = bcs::new(message.into_message());
    let blob_id = bcs_body.peel_u256();
    CertifiedInvalidBlobId { blob_id }
}

/// Reads a `BlobPersistenceType` (`00`, or `01` followed by a 32-byte object ID).
public(package) fun peel_blob_persistence_type(bcs: &mut BCS): BlobPersistenceType {
    let tag = bcs.peel_u8();
    if (tag == 0) {
        BlobPersistenceType::Permanent
    } else if (tag == 1) {
        BlobPersistenceType::Deletable { object_id: bcs.peel_address().to_id() }
    } else {
        abort EInvalidBlobPersistenceType
    }
}

// === Accessors ===

public(package) fun intent_type(self: &CertifiedMessage): u8 { self.intent_type }

public(package) fun intent_version(self: &CertifiedMessage): u8 { self.intent_version }

public(package) fun cert_epoch(self: &CertifiedMessage): u32 { self.cert_epoch }

public(package) fun stake_support(self: &CertifiedMessage): u16 { self.stake_support }

public(package) fun message(self: &CertifiedMessage): &vector<u8> { &self.message }

public(package) fun into_message(self: CertifiedMessage): vector<u8> {
    let CertifiedMessage { message, .. } = self;
    message
}

public(package) fun certified_blob_id(self: &CertifiedBlobMessage): u256 { self.blob_id }

public(package) fun blob_persistence_type(self: &CertifiedBlobMessage): BlobPersistenceType {
    self.blob_persistence_type
}

public(package) fun invalid_blob_id(self: &CertifiedInvalidBlobId): u256 { self.blob_id }

/// True for `Deletable`.
public(package) fun is_deletable(self: &BlobPersistenceType): bool {
    match (self) {
        BlobPersistenceType::Deletable { .. } => true,
        BlobPersistenceType::Permanent => false,
    }
}

/// The object ID of a deletable persistence type. Aborts with `ENotDeletable` for `Permanent`.
public(package) fun object_id(self: &BlobPersistenceType): ID {
    match (self) {
        BlobPersistenceType::Deletable { object_id } => *object_id,
        BlobPersistenceType::Permanent => abort ENotDeletable,
    }
}

// === Test helpers ===

#[test_only]
/// The bytes of a storage confirmation for a permanent blob.
public fun certified_permanent_message_bytes(epoch: u32, blob_id: u256): vector<u8> {
    let mut message = vector[BLOB_CERT_MSG_TYPE, INTENT_VERSION, APP_ID];
    message.append(bcs::to_bytes(&epoch));
    message.append(bcs::to_bytes(&blob_id));
    message.push_back(0);
    message
}

#[test_only]
/// The bytes of a storage confirmation for a deletable blob.
public fun certified_deletable_message_bytes(epoch: u32, blob_id: u256, object_id: ID): vector<u8> {
    let mut message = vector[BLOB_CERT_MSG_TYPE, INTENT_VERSION, APP_ID];
    message.append(bcs::to_bytes(&epoch));
    message.append(bcs::to_bytes(&blob_id));
    message.push_back(1);
    message.append(bcs::to_bytes(&object_id));
    message
}

#[test_only]
/// The bytes of an invalid-blob-ID message.
public fun invalid_message_bytes(epoch: u32, blob_id: u256): vector<u8> {
    let mut message = vector[INVALID_BLOB_ID_MSG_TYPE, INTENT_VERSION, APP_ID];
    message.append(bcs::to_bytes(&epoch));
    message.append(bcs::to_bytes(&blob_id));
    message
}

#[test_only]
/// A certified blob message without a certificate.
public fun certified_blob_message_for_testing(
    blob_id: u256,
    persistence: BlobPersistenceType,
): CertifiedBlobMessage {
    CertifiedBlobMessage { blob_id, blob_persistence_type: persistence }
}

#[test_only]
/// `Permanent`.
public fun permanent_for_testing(): BlobPersistenceType { BlobPersistenceType::Permanent }

#[test_only]
/// `Deletable { object_id }`.
public fun deletable_for_testing(object_id: ID): BlobPersistenceType {
    BlobPersistenceType::Deletable { object_id }
}
