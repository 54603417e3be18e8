//! Seal's own end-to-end vectors, and property tests of encrypt/decrypt.

use super::*;
use crate::codec::b64_decode;
use crate::ibe::MasterKey;
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::str::FromStr;

fn oid(s: &str) -> ObjectId {
    ObjectId::from_str(s).unwrap()
}

fn usk(h: &str) -> UserSecretKey {
    UserSecretKey::from_bytes(&hex::decode(h).unwrap().try_into().unwrap()).unwrap()
}

fn pk(h: &str) -> PublicKey {
    PublicKey::from_bytes(&hex::decode(h).unwrap().try_into().unwrap()).unwrap()
}

/// Seal's `lib.rs::typescript_test_vector`: a 2-of-3 AES object made by the TypeScript SDK with
/// random share indices 42/194/30; decrypts with the public keys (consistency checked) and
/// with every pair of keys.
#[test]
fn typescript_aes_object_vector() {
    let master_keys: Vec<MasterKey> = [
        "GpR7SBGd3si0yeCtH/Zf5SbMT8b7wwTi532/NPGNCZI=",
        "bbcjgCVjr8bl3To5S7cQdYEA/o1Tnr4jTk+uZ1ifs8A=",
        "QHBhV16RiH4JfZBofMLa4yHS4qX6Nv8Je0MlB4W2BV0=",
    ]
    .iter()
    .map(|k| MasterKey::from_bytes(&b64_decode(k).unwrap().try_into().unwrap()).unwrap())
    .collect();
    let public_keys: Vec<PublicKey> = master_keys.iter().map(MasterKey::public_key).collect();
    let bytes = b64_decode("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAECAwQDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEqAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAALCAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAMeAgCEy0p0JVyGZjTiAwvuhfbZgRbVf6B/7mt4YBW+QVwzyxJvwg7EWKC3fsVYdwiazbEZrmUt+DVDuTiiIvecSoBHN0eOW5WN77xC9ZX5IDVDqyLgP0/CzLPZav3kQES7HlkDUTPTRQGs51AtW3VBP7XW8eVDynrkuNBIAlmK8VpacwqhfgGc9jEeEyI8Radr3vFWawYpBc9NHdRgvD9GRmqhg0aGM4iKmAvnny2XR2i+O59QCk8K77YYsMPCSybazYjQGnUB2DGYvu/mXWg1dle5PPqH004F0vjlyHbNU+IQ+j4AJ2JiOXauUC7qc6NHcDrPkrdwyo4vMO7sxDK54lb719lK5r0M86MwXQEEAQIDBA==").unwrap();
    assert_eq!(bytes.len(), 412);
    let obj = EncryptedObject::parse(&bytes).unwrap();
    assert_eq!(obj.to_bytes(), bytes);
    assert_eq!(obj.threshold, 2);
    assert_eq!(
        obj.services.iter().map(|s| s.1).collect::<Vec<_>>(),
        [42, 194, 30]
    );
    let ids = [oid("0x1"), oid("0x2"), oid("0x3")];
    assert_eq!(obj.services.iter().map(|s| s.0).collect::<Vec<_>>(), ids);

    let full = full_id(&ObjectId([0; 32]), &[1, 2, 3, 4]);
    assert_eq!(obj.full_id(), full);
    let all: HashMap<ObjectId, UserSecretKey> = ids
        .iter()
        .zip(&master_keys)
        .map(|(o, k)| (*o, k.extract(&full)))
        .collect();
    let msg = b"My super secret message".to_vec();
    assert_eq!(decrypt(&obj, &all, Some(&public_keys)).unwrap(), msg);
    let mut taken = bytes.clone();
    assert_eq!(EncryptedObject::parse_taking(&mut taken).unwrap(), obj);
    assert_eq!(
        decrypt_in_place(obj.clone(), &all, Some(&public_keys)).unwrap(),
        msg
    );
    // a flipped ciphertext bit fails authentication in place too
    let mut bad = obj.clone();
    if let crate::Ciphertext::Aes256Gcm { blob, .. } = &mut bad.ciphertext {
        blob[0] ^= 1;
    }
    assert_eq!(
        decrypt_in_place(bad, &all, None),
        Err(Error::Authentication)
    );
    for skip in ids {
        let mut two = all.clone();
        two.remove(&skip);
        assert_eq!(decrypt(&obj, &two, None).unwrap(), msg);
        assert_eq!(decrypt(&obj, &two, Some(&public_keys)).unwrap(), msg);
        let mut one = two.clone();
        one.remove(&ids[if skip == ids[0] { 1 } else { 0 }]);
        assert_eq!(
            decrypt(&obj, &one, None),
            Err(Error::NotEnoughKeys { have: 1, need: 2 })
        );
    }
    // a key of another identity fails the nonce check
    let mut wrong = all.clone();
    wrong.insert(ids[0], master_keys[0].extract(b"another id"));
    wrong.remove(&ids[1]);
    assert_eq!(decrypt(&obj, &wrong, None), Err(Error::InvalidNonce));
}

/// ts-sdks `encrypt.test.ts` "Rust test vector decryption": an HMAC-CTR object made with
/// `seal-cli encrypt-hmac`, user keys from `seal-cli extract` with the two master keys.
#[test]
fn rust_hmac_object_vector() {
    let bytes = hex::decode("00000000000000000000000000000000000000000000000000000000000000000020381dd9078c322a4663c392761a0211b527c127b29583851217f948d62131f40903034401905bebdf8c04f3cd5f04f442a39372c8dc321c29edfb4f9cb30b23ab9601d726ecf6f7036ee3557cd6c7b93a49b231070e8eecada9cfa157e40e3f02e5d302dba72804cc9504a82bbaa13ed4a83a0e2c6219d7e45125cf57fd10cbab957a97030200b07b9e0e0bc81812957adee90c1eab51e738641f82983f17fee55ac15b75d86bf92e59ebf1cc1548a3db27d18ee315391086bb95f3333d16276d181bdf10c71d15c41d923d71d5c05383dda26b43004af78d7e08a6b086ebc3ea2e5d8752871b0305874fce4f5e944c97b13f60c2dcf1ff34410d2fcb07dc15405140a38d520606dbd23990a1c26f9ce2ce5776506cc18768485525511e59fc1c3ad346c95bb9cc288e7584add871e16e3aaf067f77bddf7df52ddf81ce0ecb130822328ac063c3dd39b21a4847f3aad9a816fadd2541ead355d4120f876e29bff825e5c53bedf6010d05d48cbd0c25cc230193f9389a012000000000000000000000000000000000000000000000000000000000000000018ba15d967ab74e1975c3149806cb483b5ce730be8039c46d18c2eb7c551f9fc4").unwrap();
    let obj = EncryptedObject::parse(&bytes).unwrap();
    assert_eq!(obj.to_bytes(), bytes);
    assert!(matches!(obj.ciphertext, Ciphertext::Hmac256Ctr { .. }));
    let inner =
        hex::decode("381dd9078c322a4663c392761a0211b527c127b29583851217f948d62131f409").unwrap();
    assert_eq!(obj.id, inner);
    let full = obj.full_id();

    let msk0 = MasterKey::from_bytes(
        &hex::decode("1aa66668afc1893b66eb5ad690b14b32b41797dd92f7220b11f7441b11d22bfb")
            .unwrap()
            .try_into()
            .unwrap(),
    )
    .unwrap();
    let msk1 = MasterKey::from_bytes(
        &hex::decode("0740419bedd2fdfb036f468a99d95d2f37ad66eb3111b815ca19ec001c35388a")
            .unwrap()
            .try_into()
            .unwrap(),
    )
    .unwrap();
    // extract gives exactly seal-cli's keys
    let usk0 = usk(
        "9376bdfac1abac0d81685c6ac9c944636709b76b500edaf20332b02b14de1b483996c68de07e77efad144ce01c6388e4",
    );
    let usk1 = usk(
        "a19f8891f888b65c4809bfa3181f8b26457c15bb41dbe61109b4ff5e06064e8afc95f70980f1ec1ef9b674b51f0d678d",
    );
    assert_eq!(msk0.extract(&full), usk0);
    assert_eq!(msk1.extract(&full), usk1);
    // the public keys given to seal-cli encrypt-hmac
    let pks = [
        pk(
            "877da4fe90156295283ff79e8473305b15744b8c7a49448444fa8b11db41eb0d3342eca266a0dcb5ea2be821c77862761834150b3f9b92094c205015f715bcddee2b66e313d72c77261a66aa4f7e3206ee1b898e44a0464ef202cc101d22cd01",
        ),
        pk(
            "8a87e93fa775d39af2b2c55467e092b6723ecc60e327bd88810e0ad15785489bd52e887a8ad352032a4cf7bc950e9c7a102d1167365ac90af850f5d306ee5f5296116d957808ade429917accf65270a33801bcf6a7d9cff17f303e82290beebf",
        ),
        pk(
            "9091d93753906661a9fcd7c705f96bdde5a9f93205f6144afaa9f950185c314a33c647a85308754b62b70a6cab45a3a60280b900f78998f710d84544371450d909b861d3ac2a508f9eb716c5198f8911d18018b083d21a5131863b5b3226a0fa",
        ),
    ];
    assert_eq!(msk0.public_key(), pks[0]);
    assert_eq!(msk1.public_key(), pks[1]);
    usk0.verify(&full, &pks[0]).unwrap();
    assert!(usk0.verify(&full, &pks[1]).is_err());

    let keys = HashMap::from([(obj.services[0].0, usk0), (obj.services[1].0, usk1)]);
    assert_eq!(decrypt(&obj, &keys, None).unwrap(), b"Hello, world!");
    assert_eq!(decrypt(&obj, &keys, Some(&pks)).unwrap(), b"Hello, world!");
    assert_eq!(
        decrypt(&obj, &keys, Some(&pks[..2])),
        Err(Error::PublicKeyCount {
            keys: 2,
            services: 3
        })
    );
    // a changed aad fails the MAC
    let mut tampered = obj.clone();
    if let Ciphertext::Hmac256Ctr { aad, .. } = &mut tampered.ciphertext {
        aad.get_or_insert_with(Vec::new).push(0);
    }
    assert_eq!(decrypt(&tampered, &keys, None), Err(Error::Authentication));
}

/// ts-sdks `encrypt.test.ts` "check share consistency": the first share was tampered with, so
/// the last two keys decrypt, all three do not, and the consistency check catches it.
#[test]
fn share_consistency_negative_vector() {
    let bytes = hex::decode("0063583d1c8cdcba3f77ecb865abf9ba6f15c0b0ea9b3c64a68d2eb7148e93f5b7040102030403a666b51aa8e0bfc007dbeffb209235fba72a0d842fee1d34d3ae92b77f7abac401d5a88eed8e4284a0249a1fb5e2ddf74cb2abe7626cf6bec85cf2610166a7d2e902b75f15765eef4e1979749b31ec2c687a63fcf72125babc61a0de2181be2a236a030200b33413ae30e25016257f17dc95cea8cfd6b07fcc90625bb0d0056c4743599e53d68f20a3f616e7246d66f3529a4aa12e0133559cdcb961506c24874aebfd2dc2361464f4ce29fd4353d0f612a19364c40c2ef532cebace91339d1dd7eb685c4f035c38df0a2ce80ae34505da3b56e765a2be97f0a21a91bbfa4362dee6baeb2ed5ae8e3655be0bc0993ff9feb479127232bf4de6e7153d10057297b9241d388d734bfec5dad0d9cb56508aa6d76c1acf3bc198d128d7ed3cc28bfb8ecb9e0b911a28063b9bc6b2f379e96957c17cda4ce3c6ed10bb24bdd5b1e7ad36392bedcb12010df33e1c157c227d498ada367fbf0109736f6d657468696e67276ac2d6c05a7c36152deb200070788d203f4e7413dbb8f14f437e021838d93a").unwrap();
    let obj = EncryptedObject::parse(&bytes).unwrap();
    assert_eq!(obj.to_bytes(), bytes);
    let usks = [
        usk(
            "8f7dbef2f6d0b80d3ab36f732b35d8afce136cd302ca1ab165ceee8672c19a9e50a2144f9ebceb2cf17ed10261291d13",
        ),
        usk(
            "adf809b14b17975cfa5b9359ef9fd697a9d04222ab3b6f7dbe40e5977ee451a6f2cf85849bda0b1cae1d879f5cd2bcfa",
        ),
        usk(
            "81a88dee8731f8ff8fa88f7ca205fe60c2846446c32495f40fe6795f1c29997ac8755a58722b857e60581b6adb22a327",
        ),
    ];
    let pks = [
        pk(
            "8528086b8cebb4ebd1fabb75393a4d77b91d4b3d77295c4d3997871cd40ffd3129ee51f0baf4976a3476897bad6b527b12f4ba6942c192d154bfd966e35329d0c6d1eec2b78adb29a5ef00501a89d41751b24121a284b8dfe8ffa96d86f366d2",
        ),
        pk(
            "8a93ff79be2c8a127b70506c9124d15db2361c52305f68f6c566b1c15ed23b36f27b627b928109376f9ec593fb14a83d0a3d21dcb6dc52f27ed88e83d2e2f47fa8720aa7b06945cfd36f7e34a49e060598e09637173deb0bc6c5b0c306c7a64e",
        ),
        pk(
            "a4940de9e0125302ce243a2fe0bae7ef8a5197a55e4038eb5a78256ed020512f527da02ab712f12f947bed1fef03334e129695636762efb81de28e7a0202a8995a7548bc977fdf135f3e6b176e5f3eaad79885891470564f78dd011ad4c8f1b4",
        ),
    ];
    // These public keys are not the ones of the keys above (none of the 9 pairs verifies), so
    // the last check of this vector would fail for any implementation; the genuine check of the
    // consistency logic is `tampered_share_detected_by_consistency_check` below.
    let full = obj.full_id();
    for k in &usks {
        for p in &pks {
            assert!(k.verify(&full, p).is_err());
        }
    }
    let ids: Vec<ObjectId> = obj.services.iter().map(|s| s.0).collect();
    let all: HashMap<_, _> = ids.iter().copied().zip(usks).collect();
    assert!(decrypt(&obj, &all, None).is_err());
    let last_two: HashMap<_, _> = ids[1..]
        .iter()
        .copied()
        .zip(usks[1..].iter().copied())
        .collect();
    assert_eq!(decrypt(&obj, &last_two, None).unwrap(), b"Hello, World!");
    assert_eq!(
        decrypt(&obj, &last_two, Some(&pks)),
        Err(Error::InconsistentShares)
    );
}

/// Seal's `test_share_consistency`: an encryptor adds 1 to the first encrypted share but makes
/// the rest of the object consistent with the tampered share list. Keys 2 and 3 decrypt, all
/// three do not, and with the (right) public keys the consistency check rejects keys 2 and 3.
#[test]
fn tampered_share_detected_by_consistency_check() {
    let mut rng = ChaCha20Rng::seed_from_u64(21);
    let msks: Vec<MasterKey> = (0..3).map(|_| MasterKey::generate(&mut rng)).collect();
    let services: Vec<(ObjectId, u8)> = (0..3u8).map(|i| (ObjectId([i + 1; 32]), i + 1)).collect();
    let pks: Vec<PublicKey> = msks.iter().map(MasterKey::public_key).collect();
    let pkg = ObjectId([0x42; 32]);
    let inner = [1u8, 2, 3, 4];
    let full = full_id(&pkg, &inner);

    let mut base_key = [0u8; KEY_SIZE];
    rand::RngCore::fill_bytes(&mut rng, &mut base_key);
    let shares = shamir::split(&mut rng, &base_key, 2, &[1, 2, 3]).unwrap();
    let r = ibe::random_scalar(&mut rng);
    let nonce = G2Element::generator() * r;
    let gid = hash_to_g1(&full);
    let mut encrypted_shares: Vec<[u8; KEY_SIZE]> = shares
        .iter()
        .zip(&services)
        .zip(&pks)
        .map(|((share, service), pk)| {
            xor(
                share,
                &share_key(&ibe::encapsulate(&(gid * r), pk), &nonce, &gid, service),
            )
        })
        .collect();
    encrypted_shares[0][0] = encrypted_shares[0][0].wrapping_add(1);
    let ids = services.iter().map(|s| s.0);
    let rk = h3(
        KeyPurpose::EncryptedRandomness,
        &base_key,
        2,
        &encrypted_shares,
        ids.clone(),
    );
    let dem_key = h3(KeyPurpose::Dem, &base_key, 2, &encrypted_shares, ids);
    let (blob, mac) = dem::hmac_ctr_encrypt(&dem_key, b"Hello, World!", b"something").unwrap();
    let obj = EncryptedObject {
        version: 0,
        package_id: pkg,
        id: inner.to_vec(),
        services: services.clone(),
        threshold: 2,
        encrypted_shares: IbeEncryptions::BonehFranklinBls12381 {
            nonce: Nonce(nonce),
            encrypted_shares,
            encrypted_randomness: xor(&r.to_byte_array(), &rk),
        },
        ciphertext: Ciphertext::Hmac256Ctr {
            blob,
            aad: Some(b"something".to_vec()),
            mac,
        },
    };
    let usk = |i: usize| (services[i].0, msks[i].extract(&full));
    let all = HashMap::from([usk(0), usk(1), usk(2)]);
    assert!(decrypt(&obj, &all, Some(&pks)).is_err());
    assert!(decrypt(&obj, &all, None).is_err());
    let last_two = HashMap::from([usk(1), usk(2)]);
    assert_eq!(decrypt(&obj, &last_two, None).unwrap(), b"Hello, World!");
    assert_eq!(
        decrypt(&obj, &last_two, Some(&pks)),
        Err(Error::InconsistentShares)
    );
}

#[test]
fn plain_mode_and_backup_key() {
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let msks: Vec<MasterKey> = (0..3).map(|_| MasterKey::generate(&mut rng)).collect();
    let servers: Vec<(ObjectId, PublicKey)> = msks
        .iter()
        .enumerate()
        .map(|(i, m)| (ObjectId([i as u8 + 1; 32]), m.public_key()))
        .collect();
    let pkg = ObjectId([0xee; 32]);
    let (obj, key) = encrypt(pkg, b"id", &servers, 2, EncryptionInput::Plain, &mut rng).unwrap();
    let full = full_id(&pkg, b"id");
    let usks: HashMap<_, _> = servers
        .iter()
        .zip(&msks)
        .map(|((o, _), m)| (*o, m.extract(&full)))
        .collect();
    assert_eq!(decrypt(&obj, &usks, None).unwrap(), key.to_vec());

    let (obj, key) = encrypt(
        pkg,
        b"id",
        &servers,
        3,
        EncryptionInput::Aes256Gcm {
            data: b"payload",
            aad: None,
        },
        &mut rng,
    )
    .unwrap();
    assert_eq!(decrypt_with_key(&obj, &key).unwrap(), b"payload");
    assert_eq!(decrypt(&obj, &usks, None).unwrap(), b"payload");

    for t in [0, 4] {
        assert_eq!(
            encrypt(pkg, b"id", &servers, t, EncryptionInput::Plain, &mut rng).unwrap_err(),
            Error::InvalidThreshold {
                threshold: t,
                servers: 3
            }
        );
    }
}

/// A weighted server (listed twice) holds two shares; its one key covers both.
#[test]
fn weighted_server() {
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    let a = MasterKey::generate(&mut rng);
    let b = MasterKey::generate(&mut rng);
    let (ia, ib) = (ObjectId([0xa; 32]), ObjectId([0xb; 32]));
    let servers = [
        (ia, a.public_key()),
        (ia, a.public_key()),
        (ib, b.public_key()),
    ];
    let pkg = ObjectId([1; 32]);
    let (obj, _) = encrypt(
        pkg,
        b"w",
        &servers,
        2,
        EncryptionInput::Hmac256Ctr {
            data: b"weighted",
            aad: Some(b""),
        },
        &mut rng,
    )
    .unwrap();
    let full = full_id(&pkg, b"w");
    let only_a = HashMap::from([(ia, a.extract(&full))]);
    let pks: Vec<PublicKey> = servers.iter().map(|s| s.1).collect();
    assert_eq!(decrypt(&obj, &only_a, Some(&pks)).unwrap(), b"weighted");
    let only_b = HashMap::from([(ib, b.extract(&full))]);
    assert!(matches!(
        decrypt(&obj, &only_b, None),
        Err(Error::NotEnoughKeys { have: 1, need: 2 })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any t-of-n object decrypts with any t-subset of the keys (with and without the
    /// consistency check), in every DEM mode, and survives its own BCS round trip.
    #[test]
    fn encrypt_decrypt_round_trip(
        seed in any::<u64>(),
        n in 1usize..6,
        t_frac in 0.0f64..1.0,
        mode in 0u8..3,
        data in proptest::collection::vec(any::<u8>(), 0..200),
        aad in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..16)),
        inner in proptest::collection::vec(any::<u8>(), 0..40),
        subset_seed in any::<u64>(),
    ) {
        let t = 1 + ((n as f64 - 1.0) * t_frac).round() as u8;
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let msks: Vec<MasterKey> = (0..n).map(|_| MasterKey::generate(&mut rng)).collect();
        let servers: Vec<(ObjectId, PublicKey)> = msks
            .iter()
            .map(|m| {
                let mut o = [0u8; 32];
                rand::RngCore::fill_bytes(&mut rng, &mut o);
                (ObjectId(o), m.public_key())
            })
            .collect();
        let pkg = ObjectId([7; 32]);
        let input = match mode {
            0 => EncryptionInput::Aes256Gcm { data: &data, aad: aad.as_deref() },
            1 => EncryptionInput::Hmac256Ctr { data: &data, aad: aad.as_deref() },
            _ => EncryptionInput::Plain,
        };
        // encrypt_to_bytes, from the same randomness, writes the same bytes.
        let mut rng_bytes = rng.clone();
        let (obj, key) = encrypt(pkg, &inner, &servers, t, input, &mut rng).unwrap();
        let (bytes, key_bytes) =
            encrypt_to_bytes(pkg, &inner, &servers, t, input, &mut rng_bytes).unwrap();
        prop_assert_eq!(&bytes, &obj.to_bytes());
        prop_assert_eq!(key_bytes, key);
        let obj = EncryptedObject::parse(&bytes).unwrap();
        let expected = if mode == 2 { key.to_vec() } else { data.clone() };
        prop_assert_eq!(decrypt_with_key(&obj, &key).unwrap(), expected.clone());

        let full = full_id(&pkg, &inner);
        let mut order: Vec<usize> = (0..n).collect();
        let mut pick = ChaCha20Rng::seed_from_u64(subset_seed);
        for i in (1..n).rev() {
            let j = (rand::Rng::random::<u64>(&mut pick) % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let keys: HashMap<ObjectId, UserSecretKey> = order[..t as usize]
            .iter()
            .map(|&i| (servers[i].0, msks[i].extract(&full)))
            .collect();
        let pks: Vec<PublicKey> = servers.iter().map(|s| s.1).collect();
        prop_assert_eq!(decrypt(&obj, &keys, None).unwrap(), expected.clone());
        prop_assert_eq!(decrypt(&obj, &keys, Some(&pks)).unwrap(), expected.clone());
        prop_assert_eq!(decrypt_in_place(obj.clone(), &keys, Some(&pks)).unwrap(), expected);
        if t > 1 {
            let fewer: HashMap<_, _> = keys.iter().skip(1).map(|(k, v)| (*k, *v)).collect();
            prop_assert!(
                matches!(decrypt(&obj, &fewer, None), Err(Error::NotEnoughKeys { .. })),
                "t-1 keys must not decrypt"
            );
        }
    }
}
