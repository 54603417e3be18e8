/// Blobs: a registered blob ID with the storage resource that pays for it, certified once a
/// quorum of shards confirmed storing it.
module walrus::blob;

use std::string::String;
use sui::bcs;
use sui::dynamic_field;
use sui::hash;
use walrus::encoding;
use walrus::events::{emit_blob_registered, emit_blob_certified, emit_blob_deleted};
use walrus::messages::CertifiedBlobMessage;
use walrus::metadata::{Self, Metadata};
use walrus::storage_resource::Storage;

/// The blob is not certified.
const ENotCertified: u64 = 0;
/// The blob is not deletable.
const EBlobNotDeletable: u64 = 1;
/// The storage resource does not cover the needed epochs (or the blob has expired).
const EResourceBounds: u64 = 2;
/// The storage resource is smaller than the encoded blob.
const EResourceSize: u64 = 3;
/// The blob is already certified.
const EAlreadyCertified: u64 = 5;
/// The blob ID does not match (derivation or certificate).
const EInvalidBlobId: u64 = 6;
/// The blob already has metadata.
const EDuplicateMetadata: u64 = 7;
/// The blob has no metadata.
const EMissingMetadata: u64 = 8;
/// The persistence type in the certificate does not match the blob.
const EInvalidBlobPersistenceType: u64 = 9;
/// The object ID in a deletable certificate is not this blob's.
const EInvalidBlobObject: u64 = 10;

/// Name of the dynamic field holding the blob's `Metadata`.
const METADATA_DF: vector<u8> = b"metadata";

/// A registered blob and the storage it uses.
public struct Blob has key, store {
    id: UID,
    registered_epoch: u32,
    blob_id: u256,
    /// Unencoded size in bytes.
    size: u64,
    encoding_type: u8,
    /// The epoch in which the blob was first certified.
    certified_epoch: Option<u32>,
    storage: Storage,
    deletable: bool,
}

/// The value hashed to obtain a blob ID: BLAKE2b-256 of its BCS.
public struct BlobIdDerivation has drop {
    encoding_type: u8,
    size: u64,
    root_hash: u256,
}

// === Accessors ===

/// The blob object's ID.
public fun object_id(self: &Blob): ID { object::id(self) }

/// The epoch in which the blob was registered.
public fun registered_epoch(self: &Blob): u32 { self.registered_epoch }

/// The blob ID.
public fun blob_id(self: &Blob): u256 { self.blob_id }

/// The unencoded size.
public fun size(self: &Blob): u64 { self.size }

/// The encoding type.
public fun encoding_type(self: &Blob): u8 { self.encoding_type }

/// The epoch of first certification, if certified.
public fun certified_epoch(self: &Blob): &Option<u32> { &self.certified_epoch }

/// The storage resource.
public fun storage(self: &Blob): &Storage { &self.storage }

/// Whether the blob can be deleted by its owner.
public fun is_deletable(self: &Blob): bool { self.deletable }

/// The end epoch of the blob's storage (exclusive).
public fun end_epoch(self: &Blob): u32 { self.storage.end_epoch() }

/// The encoded size of the blob on `n_shards` shards.
public fun encoded_size(self: &Blob, n_shards: u16): u64 {
    encoding::encoded_blob_length(self.size, self.encoding_type, n_shards)
}

public(package) fun storage_mut(self: &mut Blob): &mut Storage { &mut self.storage }

/// Aborts with `ENotCertified` if the blob is not certified, or `EResourceBounds` if it has
/// expired at `current_epoch`.
public(package) fun assert_certified_not_expired(self: &Blob, current_epoch: u32) {
    assert!(self.certified_epoch.is_some(), ENotCertified);
    assert!(current_epoch < self.storage.end_epoch(), EResourceBounds);
}

/// Derives the blob ID from the root hash, encoding type and unencoded size:
/// BLAKE2b-256(encoding_type u8 | size u64 LE | root_hash 32 B), read as a little-endian u256.
public fun derive_blob_id(root_hash: u256, encoding_type: u8, size: u64): u256 {
    let serialized = bcs::to_bytes(&BlobIdDerivation { encoding_type, size, root_hash });
    let encoded = hash::blake2b256(&serialized);
    let mut decoder = bcs::new(encoded);
    decoder.peel_u256()
}

/// Registers a blob in `registered_epoch`. Checks that the storage covers the epoch
/// (`EResourceBounds`), is at least the encoded size (`EResourceSize`), and that `blob_id`
/// derives from `root_hash`, `encoding_type` and `size` (`EInvalidBlobId`).
/// Emits `BlobRegistered`.
public(package) fun new(
    storage: Storage,
    blob_id: u256,
    root_hash: u256,
    size: u64,
    encoding_type: u8,
    deletable: bool,
    registered_epoch: u32,
    n_shards: u16,
    ctx: &mut TxContext,
): Blob {
    let id = object::new(ctx);
    assert!(registered_epoch >= storage.start_epoch(), EResourceBounds);
    assert!(registered_epoch < storage.end_epoch(), EResourceBounds);
    let encoded_size = encoding::encoded_blob_length(size, encoding_type, n_shards);
    assert!(encoded_size <= storage.storage_size(), EResourceSize);
    assert!(derive_blob_id(root_hash, encoding_type, size) == blob_id, EInvalidBlobId);

    emit_blob_registered(
        registered_epoch,
        blob_id,
        size,
        encoding_type,
        storage.end_epoch(),
        deletable,
        id.to_inner(),
    );
    Blob {
        id,
        registered_epoch,
        blob_id,
        size,
        encoding_type,
        certified_epoch: option::none(),
        storage,
        deletable,
    }
}

/// Certifies the blob in `current_epoch` from a verified certificate. Emits `BlobCertified`.
public(package) fun certify_with_certified_msg(
    blob: &mut Blob,
    current_epoch: u32,
    message: CertifiedBlobMessage,
) {
    assert!(blob.blob_id == message.certified_blob_id(), EInvalidBlobId);
    assert!(blob.certified_epoch.is_none(), EAlreadyCertified);
    assert!(current_epoch < blob.storage.end_epoch(), EResourceBounds);
    let persistence = message.blob_persistence_type();
    assert!(blob.deletable == persistence.is_deletable(), EInvalidBlobPersistenceType);
    if (blob.deletable) {
        assert!(persistence.object_id() == object::id(blob), EInvalidBlobObject);
    };
    blob.certified_epoch.fill(current_epoch);
    blob.emit_certified(false);
}

/// Deletes a deletable, unexpired blob (and its metadata) and returns its storage.
/// Emits `BlobDeleted`.
public(package) fun delete(mut self: Blob, epoch: u32): Storage {
    dynamic_field::remove_if_exists<vector<u8>, Metadata>(&mut self.id, METADATA_DF);
    let Blob { id, storage, deletable, blob_id, certified_epoch, .. } = self;
    assert!(deletable, EBlobNotDeletable);
    assert!(storage.end_epoch() > epoch, EResourceBounds);
    let object_id = id.to_inner();
    id.delete();
    emit_blob_deleted(epoch, blob_id, storage.end_epoch(), object_id, certified_epoch.is_some());
    storage
}

/// Destroys a blob and its storage and metadata, without an event. Lets an owner get rid of
/// an expired or unwanted blob.
public fun burn(mut self: Blob) {
    dynamic_field::remove_if_exists<vector<u8>, Metadata>(&mut self.id, METADATA_DF);
    let Blob { id, storage, .. } = self;
    id.delete();
    storage.destroy();
}

/// Extends a certified, unexpired blob with `extension`, which must have the same size and
/// start where the blob's storage ends. Emits `BlobCertified { is_extension: true }`.
public(package) fun extend_with_resource(blob: &mut Blob, extension: Storage, current_epoch: u32) {
    blob.assert_certified_not_expired(current_epoch);
    assert!(extension.end_epoch() > blob.storage.end_epoch(), EResourceBounds);
    blob.storage.fuse_periods(extension);
    blob.emit_certified(true);
}

/// Emits `BlobCertified` with the first certified epoch.
public(package) fun emit_certified(self: &Blob, is_extension: bool) {
    emit_blob_certified(
        *self.certified_epoch.borrow(),
        self.blob_id,
        self.storage.end_epoch(),
        self.deletable,
        self.id.to_inner(),
        is_extension,
    );
}

// === Metadata ===

/// Attaches `metadata` to the blob. Aborts with `EDuplicateMetadata` if it already has some.
public fun add_metadata(self: &mut Blob, metadata: Metadata) {
    assert!(!dynamic_field::exists_(&self.id, METADATA_DF), EDuplicateMetadata);
    dynamic_field::add(&mut self.id, METADATA_DF, metadata)
}

/// Attaches `metadata`, returning the metadata it replaces, if any.
public fun add_or_replace_metadata(self: &mut Blob, metadata: Metadata): Option<Metadata> {
    let old = if (dynamic_field::exists_(&self.id, METADATA_DF)) {
        option::some(self.take_metadata())
    } else {
        option::none()
    };
    self.add_metadata(metadata);
    old
}

/// Removes and returns the blob's metadata. Aborts with `EMissingMetadata` if there is none.
public fun take_metadata(self: &mut Blob): Metadata {
    assert!(dynamic_field::exists_(&self.id, METADATA_DF), EMissingMetadata);
    dynamic_field::remove(&mut self.id, METADATA_DF)
}

/// Sets `key` to `value` in the blob's metadata, creating the metadata if needed.
public fun insert_or_update_metadata_pair(self: &mut Blob, key: String, value: String) {
    if (!dynamic_field::exists_(&self.id, METADATA_DF)) {
        self.add_metadata(metadata::new());
    };
    let metadata: &mut Metadata = dynamic_field::borrow_mut(&mut self.id, METADATA_DF);
    metadata.insert_or_update(key, value)
}

/// Removes `key` from the blob's metadata and returns the pair. Aborts with
/// `EMissingMetadata` if the blob has no metadata.
public fun remove_metadata_pair(self: &mut Blob, key: &String): (String, String) {
    assert!(dynamic_field::exists_(&self.id, METADATA_DF), EMissingMetadata);
    let metadata: &mut Metadata = dynamic_field::borrow_mut(&mut self.id, METADATA_DF);
    metadata.remove(key)
}

/// Removes `key` from the blob's metadata if present and returns its value.
public fun remove_metadata_pair_if_exists(self: &mut Blob, key: &String): Option<String> {
    if (!dynamic_field::exists_(&self.id, METADATA_DF)) {
        option::none()
    } else {
        let metadata: &mut Metadata = dynamic_field::borrow_mut(&mut self.id, METADATA_DF);
        metadata.remove_if_exists(key)
    }
}

#[test_only]
/// Certifies a blob from a message without a certificate.
public fun certify_with_certified_msg_for_testing(
    blob: &mut Blob,
    current_epoch: u32,
    message: CertifiedBlobMessage,
) {
    certify_with_certified_msg(blob, current_epoch, message)
}

#[test_only]
/// Creates a blob in a test.
public fun new_for_testing(
    storage: Storage,
    blob_id: u256,
    root_hash: u256,
    size: u64,
    encoding_type: u8,
    deletable: bool,
    registered_epoch: u32,
    n_shards: u16,
    ctx: &mut TxContext,
): Blob {
    new(
        storage,
        blob_id,
        root_hash,
        size,
        encoding_type,
        deletable,
        registered_epoch,
        n_shards,
        ctx,
    )
}
