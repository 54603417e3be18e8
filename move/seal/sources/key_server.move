/// Registration of Seal key servers, in the layouts of Seal's `seal::key_server` so that the
/// `@mysten/seal` SDK finds a server by the ID of its `KeyServer` object.
///
/// A `KeyServer` keeps its versioned contents in a dynamic field keyed by the version (`u64`):
/// `1` holds a `KeyServerV1`, `2` a `KeyServerV2`. The SDK reads the highest version between
/// `first_version` and `last_version`. haulout registers independent (single-key) servers only;
/// the committee variant is declared so that the layout is Seal's.
module seal::key_server;

use std::string::String;
use sui::bls12381::g2_from_bytes;
use sui::dynamic_field as df;

/// The only key type: Boneh-Franklin IBE over BLS12-381 (public key in G2).
const KEY_TYPE_BONEH_FRANKLIN_BLS12381: u8 = 0;
/// The version of the `KeyServerV1` dynamic field.
const V1: u64 = 1;
/// The version of the `KeyServerV2` dynamic field.
const V2: u64 = 2;

/// The key type is not `KEY_TYPE_BONEH_FRANKLIN_BLS12381`.
const EInvalidKeyType: u64 = 1;
/// The key server has no contents of the version asked for.
const EInvalidVersion: u64 = 2;
/// The operation does not apply to this server type (e.g. a URL update of a committee).
const EInvalidServerType: u64 = 3;

/// A registered key server. It is a capability in itself: keep it owned (or wrapped).
public struct KeyServer has key, store {
    id: UID,
    first_version: u64,
    last_version: u64,
}

/// Version 1 of a key server's contents.
public struct KeyServerV1 has store {
    name: String,
    url: String,
    key_type: u8,
    pk: vector<u8>,
}

/// Version 2 of a key server's contents: independent or committee servers.
public struct KeyServerV2 has store {
    name: String,
    key_type: u8,
    pk: vector<u8>,
    server_type: ServerType,
}

/// How a version 2 key server answers.
public enum ServerType has drop, store {
    Independent {
        url: String,
    },
    Committee {
        version: u32,
        threshold: u16,
        partial_key_servers: vector<PartialKeyServer>,
    },
}

/// One member of a committee key server.
public struct PartialKeyServer has copy, drop, store {
    name: String,
    url: String,
    partial_pk: vector<u8>,
    party_id: u16,
}

/// Registers an independent key server (version 2) and sends it to the sender. `pk` must be a
/// compressed G2 element (96 bytes).
entry fun create_and_transfer_v2_independent_server(
    name: String,
    url: String,
    key_type: u8,
    pk: vector<u8>,
    ctx: &mut TxContext,
) {
    assert!(key_type == KEY_TYPE_BONEH_FRANKLIN_BLS12381, EInvalidKeyType);
    let _ = g2_from_bytes(&pk);
    let mut key_server = KeyServer {
        id: object::new(ctx),
        first_version: V2,
        last_version: V2,
    };
    let key_server_v2 = KeyServerV2 {
        name,
        key_type,
        pk,
        server_type: ServerType::Independent { url },
    };
    df::add(&mut key_server.id, V2, key_server_v2);
    transfer::transfer(key_server, ctx.sender());
}

/// Changes the URL of an independent server (version 2) or of a version 1 server.
public fun update(s: &mut KeyServer, url: String) {
    if (df::exists_(&s.id, V2)) {
        let v2: &mut KeyServerV2 = df::borrow_mut(&mut s.id, V2);
        match (&mut v2.server_type) {
            ServerType::Independent { url: value } => {
                *value = url;
            },
            _ => abort EInvalidServerType,
        }
    } else if (df::exists_(&s.id, V1)) {
        let v1: &mut KeyServerV1 = df::borrow_mut(&mut s.id, V1);
        v1.url = url;
    } else {
        abort EInvalidVersion
    }
}

/// The server's name.
public fun name(s: &KeyServer): String {
    if (df::exists_(&s.id, V2)) {
        let v2: &KeyServerV2 = df::borrow(&s.id, V2);
        v2.name
    } else if (df::exists_(&s.id, V1)) {
        let v1: &KeyServerV1 = df::borrow(&s.id, V1);
        v1.name
    } else {
        abort EInvalidVersion
    }
}

/// The server's URL (independent and version 1 servers only).
public fun url(s: &KeyServer): String {
    if (df::exists_(&s.id, V2)) {
        let v2: &KeyServerV2 = df::borrow(&s.id, V2);
        match (&v2.server_type) {
            ServerType::Independent { url } => *url,
            _ => abort EInvalidServerType,
        }
    } else if (df::exists_(&s.id, V1)) {
        let v1: &KeyServerV1 = df::borrow(&s.id, V1);
        v1.url
    } else {
        abort EInvalidVersion
    }
}

/// The server's key type.
public fun key_type(s: &KeyServer): u8 {
    if (df::exists_(&s.id, V2)) {
        let v2: &KeyServerV2 = df::borrow(&s.id, V2);
        v2.key_type
    } else if (df::exists_(&s.id, V1)) {
        let v1: &KeyServerV1 = df::borrow(&s.id, V1);
        v1.key_type
    } else {
        abort EInvalidVersion
    }
}

/// The server's public key (a reference: callable from Move, not from a PTB).
public fun pk(s: &KeyServer): &vector<u8> {
    if (df::exists_(&s.id, V2)) {
        let v2: &KeyServerV2 = df::borrow(&s.id, V2);
        &v2.pk
    } else if (df::exists_(&s.id, V1)) {
        let v1: &KeyServerV1 = df::borrow(&s.id, V1);
        &v1.pk
    } else {
        abort EInvalidVersion
    }
}

/// The server's object ID, which identifies it in ciphertexts.
public fun id(s: &KeyServer): address {
    s.id.to_address()
}
