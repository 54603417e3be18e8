/// Key-value attributes of a blob, stored as the blob's dynamic field `b"metadata"`.
module walrus::metadata;

use std::string::String;
use sui::vec_map::{Self, VecMap};

/// The attributes of a blob.
public struct Metadata has drop, store {
    metadata: VecMap<String, String>,
}

/// Creates empty metadata.
public fun new(): Metadata {
    Metadata { metadata: vec_map::empty() }
}

/// Inserts `key` with `value`, replacing the value if the key is present.
public fun insert_or_update(self: &mut Metadata, key: String, value: String) {
    if (self.metadata.contains(&key)) {
        *self.metadata.get_mut(&key) = value;
    } else {
        self.metadata.insert(key, value);
    }
}

/// Removes `key` and returns the pair. Aborts (in `vec_map`) if the key is absent.
public fun remove(self: &mut Metadata, key: &String): (String, String) {
    self.metadata.remove(key)
}

/// Removes `key` if present and returns its value.
public fun remove_if_exists(self: &mut Metadata, key: &String): Option<String> {
    if (self.metadata.contains(key)) {
        let (_, value) = self.metadata.remove(key);
        option::some(value)
    } else {
        option::none()
    }
}

/// The key-value map.
public fun metadata(self: &Metadata): &VecMap<String, String> {
    &self.metadata
}
