#[test_only]
/// Test helpers and fixed BLS test vectors.
///
/// The vectors were computed offline with @noble/curves (BLS12-381 min_pk, DST
/// `BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_`) for the insecure test secret keys 1, 2, 3
/// and 4 (key 1 is the G1 generator, as in shared/vectors/walrus-onchain-*.json).
/// BLOB1 = derive_blob_id(ROOT1, 1, SIZE1), BLOB2 = derive_blob_id(ROOT2, 1, SIZE2).
/// M1 is a permanent storage confirmation for BLOB1 in epoch 0, M3 the same in epoch 1, M2 an
/// invalid-blob-ID message for BLOB2 in epoch 0. SIG_x_y is the aggregate signature over message
/// x by the keys listed (0-based: key index i has secret key i + 1). POPi is the proof of
/// possession of key i for sender 0xa0 + i in epoch 0.
module walrus::test_utils;

use sui::bls12381;
use sui::coin::{Self, Coin};
use sui::test_utils as sui_test_utils;
use wal::wal::WAL;
use walrus::bls_aggregate::{Self, BlsCommittee};

const PK1: vector<u8> =
    x"97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb";
const PK2: vector<u8> =
    x"a572cbea904d67468808c8eb50a9450c9721db309128012543902d0ac358a62ae28f75bb8f1c7c42c39a8c5529bf0f4e";
const PK3: vector<u8> =
    x"89ece308f9d1f0131765212deca99697b112d61f9be9a5f1f3780a51335b3ff981747a0b2ca2179b96d2c0c9024e5224";
const PK4: vector<u8> =
    x"ac9b60d5afcbd5663a8a44b7c5a02f19e9a77ab0a35bd65809bb5c67ec582c897feb04decc694b13e08587f3ff9b5b60";
const M1: vector<u8> =
    x"01000300000000c118bdaddd248c69a706aadc3e487ca08fd5a1438daec9897e823f6e29fdaa4700";
const SIG_M1_ALL: vector<u8> =
    x"82be4cd0dbc18faf5b3c3d5df3d888be13501c544e61c64a74161f2d7a1f5017a63c56d7f19de188e948a87ec43edef61909b3a3c7aa9df3190a482891ec19d443e8183502c89828fae4bbe172fd0bc65161842e87b6975f023dda915674b3fe";
const SIG_M1_23: vector<u8> =
    x"a094b03766a116d023ebb28b380d1d3dacdfe3af2bc429e0176828185b561bee48b57cf268f0e912663f84415832844905f97f993eed66dc5c1c8d0c05f1a11b3e1b3143e6edae94f2b887c5c0d60353a83ee5b2e4b9d7edffeb7f661c5dc58d";
const M2: vector<u8> =
    x"02000300000000ad1ac994986a866a254f7a864ce25eeffbaa814b59739ed0521310b754801b8e";
const SIG_M2_3: vector<u8> =
    x"ac9bbc048c944d5bd0bd8403526adf91449469473b71cae82a7907e1c39831fc34e6a99072d141a73937da1cd36ee90a0cfc2de6a36e294f8255c7f26c2443f3dc5f43c8c6e0eacd71601a694280e8ec189109866708d7d5dbb8441b795c703b";
const M3: vector<u8> =
    x"01000301000000c118bdaddd248c69a706aadc3e487ca08fd5a1438daec9897e823f6e29fdaa4700";
const SIG_M3_ALL: vector<u8> =
    x"839b2dee82fa0c492cfd5929c12ddcf79517b64dd9562188e2c330f1b992b78042cb92cc84e46a6d62c9f691b44444bd1447f02b0738922e2d2ccfb185811898fd9af90b87df8390f7dd45b7b8cda745ed6ec4110de3dfa5c4080fdd5c12d087";
const POP1: vector<u8> =
    x"99e3d177ab6a5309153bc503eccb0e5f424db23a3312daa453ff993db9f73be0a90076e55753f14f9647b07fbcc461d90f581b6b10421aa15f28a726fc60f514049793ce6cdbc8afc5f30379f9cac69bfa06a19f45013ce410fed2b4ac5cc1f2";
const POP2: vector<u8> =
    x"b7abb1d391fbfe4e49b1ca7dd9dbc3728f67ce7c79ab2387ca785b724e7316c8ca02ed55218f51be2c5af0972eb4502b04248a9f0ce26d47fbde2debddf77715d8bda9ac7229a78ee2b67fe2c07b985f7435d9b017d60f4d8d4af63331e2698b";
const POP3: vector<u8> =
    x"a736fde2f10f04725332a3770b3d4bd17a62db663f511ba7c5063af803fb27fdc35154ec34494716e517b91e7193f66208f42e4a301a67b4fc4574adf8763437b9ef0956b16e143e90eb559eb0aa6c8c2dc6d01621fe441d908665d776e4abec";
const POP4: vector<u8> =
    x"8b6bbeffb8531394e76b1678b471445144b665c6aff64b840cc939792752174cf3d9faa7c8dc291178f2b476c26dafe60358a87945fcb5ba176a2635ccb24a571a75a84edb8b5fa9f876b8de879faa5b7e7edf4f77e31450b2b3b1876a755cb7";

const BLOB1: u256 = 0x47aafd296e3f827e89c9ae8d43a1d58fa07c483edcaa06a7698c24ddadbd18c1;
const BLOB2: u256 = 0x8e1b8054b7101352d09e73594b81aafbef5ee24c867a4f256a866a9894c91aad;
const ROOT1: u256 = 0x1234;
const ROOT2: u256 = 0x5678;
const SIZE1: u64 = 1000;
const SIZE2: u64 = 5000;

/// FROST per WAL.
const FROST_PER_WAL: u64 = 1_000_000_000;

public fun pk(i: u64): vector<u8> {
    if (i == 0) PK1
    else if (i == 1) PK2
    else if (i == 2) PK3
    else PK4
}

public fun pop(i: u64): vector<u8> {
    if (i == 0) POP1
    else if (i == 1) POP2
    else if (i == 2) POP3
    else POP4
}

/// The sender whose proof of possession is `pop(i)`.
public fun node_sender(i: u64): address {
    if (i == 0) @0xa1
    else if (i == 1) @0xa2
    else if (i == 2) @0xa3
    else @0xa4
}

public fun m1(): vector<u8> { M1 }

public fun sig_m1_all(): vector<u8> { SIG_M1_ALL }

public fun sig_m1_23(): vector<u8> { SIG_M1_23 }

public fun m2(): vector<u8> { M2 }

public fun sig_m2_3(): vector<u8> { SIG_M2_3 }

public fun m3(): vector<u8> { M3 }

public fun sig_m3_all(): vector<u8> { SIG_M3_ALL }

public fun blob1(): u256 { BLOB1 }

public fun blob2(): u256 { BLOB2 }

public fun root1(): u256 { ROOT1 }

public fun root2(): u256 { ROOT2 }

public fun size1(): u64 { SIZE1 }

public fun size2(): u64 { SIZE2 }

/// `amount` WAL in FROST.
public fun frost(amount: u64): u64 { amount * FROST_PER_WAL }

/// A WAL coin of `amount` FROST.
public fun mint_wal(amount: u64, ctx: &mut TxContext): Coin<WAL> {
    coin::mint_for_testing<WAL>(amount, ctx)
}

/// Destroys anything.
public fun destroy<T>(x: T) {
    sui_test_utils::destroy(x)
}

/// The committee of `epoch` with members i = 0..3: key `pk(i)`, weight i + 1 and node ID
/// `@(i + 1)`, so 10 shards; a quorum needs weight 7 and one correct node weight 4.
public fun committee_1234(epoch: u32): BlsCommittee {
    let ids = vector[@0x1, @0x2, @0x3, @0x4];
    let mut members = vector[];
    let mut i = 0;
    while (i < 4) {
        let key = bls12381::g1_to_uncompressed_g1(&bls12381::g1_from_bytes(&pk(i)));
        members.push_back(
            bls_aggregate::new_bls_committee_member(key, (i + 1) as u16, ids[i].to_id()),
        );
        i = i + 1;
    };
    bls_aggregate::new_bls_committee(epoch, members)
}

/// A bitmap with the bits of `indices` set.
public fun bitmap(indices: vector<u64>, len: u64): vector<u8> {
    let mut bytes = vector[];
    let mut b = 0;
    while (b < len) {
        bytes.push_back(0u8);
        b = b + 1;
    };
    let mut i = 0;
    while (i < indices.length()) {
        let idx = indices[i];
        let byte = &mut bytes[idx / 8];
        *byte = *byte | (1u8 << ((idx % 8) as u8));
        i = i + 1;
    };
    bytes
}
