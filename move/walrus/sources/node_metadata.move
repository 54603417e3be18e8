/// Free-form metadata of a storage node (images, links, description).
module walrus::node_metadata;

use std::string::String;
use sui::vec_map::{Self, VecMap};

/// Metadata of a storage node, stored in an `ExtendedField` of its `StorageNodeInfo`.
public struct NodeMetadata has copy, drop, store {
    image_url: String,
    project_url: String,
    description: String,
    extra_fields: VecMap<String, String>,
}

/// Creates node metadata with no extra fields.
public fun new(image_url: String, project_url: String, description: String): NodeMetadata {
    NodeMetadata { image_url, project_url, description, extra_fields: vec_map::empty() }
}

/// Returns the image URL.
public fun image_url(self: &NodeMetadata): String { self.image_url }

/// Returns the project URL.
public fun project_url(self: &NodeMetadata): String { self.project_url }

/// Returns the description.
public fun description(self: &NodeMetadata): String { self.description }

/// Returns the extra fields.
public fun extra_fields(self: &NodeMetadata): &VecMap<String, String> { &self.extra_fields }

/// Returns empty metadata.
public fun default(): NodeMetadata {
    new(b"".to_string(), b"".to_string(), b"".to_string())
}
