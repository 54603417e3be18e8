//! The bytes a user and a session key sign when asking a key server for keys.

use crate::codec::b64_encode;
use crate::elgamal;
use crate::object::{ObjectId, put_bytes};

/// The package name in the personal message: the MVR name if the certificate has one, else the
/// first-version package id as `0x` and 64 lowercase hex digits.
pub fn package_name(first_package_id: &ObjectId, mvr_name: Option<&str>) -> String {
    match mvr_name {
        Some(name) => name.to_owned(),
        None => first_package_id.to_string(),
    }
}

/// The UTF-8 text the user's wallet signs (as a Sui personal message) to certify a session key:
/// `Accessing keys of package <P> for <TTL> mins from <YYYY-MM-DD HH:MM:SS> UTC, session key
/// <base64 session pk>`, the time being `creation_time_ms / 1000` seconds in UTC.
pub fn signed_message(
    package_name: &str,
    session_vk: &[u8; 32],
    creation_time_ms: u64,
    ttl_min: u16,
) -> String {
    format!(
        "Accessing keys of package {package_name} for {ttl_min} mins from {} UTC, session key {}",
        utc_datetime(creation_time_ms / 1000),
        b64_encode(session_vk)
    )
}

/// The bytes the session key signs (raw Ed25519, no intent) for one request: the BCS of
/// `{ptb: vector<u8>, enc_key: vector<u8>, enc_verification_key: vector<u8>}`, where `ptb` is the
/// BCS `ProgrammableTransaction` exactly as sent (base64-decoded).
pub fn signed_request(
    ptb: &[u8],
    enc_key: &elgamal::PublicKey,
    enc_verification_key: &elgamal::VerificationKey,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(ptb.len() + 160);
    put_bytes(&mut out, ptb);
    put_bytes(&mut out, &enc_key.to_bytes());
    put_bytes(&mut out, &enc_verification_key.to_bytes());
    out
}

/// `YYYY-MM-DD HH:MM:SS` for seconds since the Unix epoch, as chrono's `Display` writes it.
fn utc_datetime(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    let year = if y > 9999 {
        format!("+{y}")
    } else {
        format!("{y:04}")
    };
    format!(
        "{year}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::b64_decode;
    use std::str::FromStr;

    fn session_vk() -> [u8; 32] {
        b64_decode("DX2rNYyNrapO+gBJp1sHQ2VVsQo2ghm7aA9wVxNJ13U=")
            .unwrap()
            .try_into()
            .unwrap()
    }

    /// seal-sdk's `test_signed_message_regression` (the session key is sui-types'
    /// `deterministic_random_account_key`, given here by its base64 encoding).
    #[test]
    fn signed_message_regression() {
        let pkg =
            ObjectId::from_str("0xc457b42d48924087ea3f22d35fd2fe9afdf5bdfe38cc51c0f14f3282f6d5")
                .unwrap();
        assert_eq!(
            signed_message(&package_name(&pkg, None), &session_vk(), 1622548800, 30),
            "Accessing keys of package 0x0000c457b42d48924087ea3f22d35fd2fe9afdf5bdfe38cc51c0f14f3282f6d5 for 30 mins from 1970-01-19 18:42:28 UTC, session key DX2rNYyNrapO+gBJp1sHQ2VVsQo2ghm7aA9wVxNJ13U="
        );
    }

    /// seal-sdk's `test_signed_message_mvr_regression`.
    #[test]
    fn signed_message_mvr_regression() {
        let pkg = ObjectId([0; 32]);
        assert_eq!(
            signed_message(
                &package_name(&pkg, Some("@my/package")),
                &session_vk(),
                1622548800,
                30
            ),
            "Accessing keys of package @my/package for 30 mins from 1970-01-19 18:42:28 UTC, session key DX2rNYyNrapO+gBJp1sHQ2VVsQo2ghm7aA9wVxNJ13U="
        );
    }

    #[test]
    fn dates() {
        assert_eq!(utc_datetime(0), "1970-01-01 00:00:00");
        assert_eq!(utc_datetime(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(utc_datetime(1_735_689_599), "2024-12-31 23:59:59");
        assert_eq!(utc_datetime(4_107_542_400), "2100-03-01 00:00:00");
        assert_eq!(utc_datetime(253_402_300_799), "9999-12-31 23:59:59");
    }

    /// seal-sdk's `test_signed_request_regression`: a PTB with no inputs and one MoveCall
    /// `0xd92b…f6d5::bla::seal_approve_x()`, and the ElGamal keys of `genkey(StdRng([0; 32]))`
    /// (taken from the expected bytes, since that RNG belongs to rand 0.8).
    #[test]
    fn signed_request_regression() {
        use sui_sdk_types::{Address, Command, Identifier, MoveCall, ProgrammableTransaction};
        let expected = hex::decode("38000100d92bc457b42d48924087ea3f22d35fd2fe9afdf5bdfe38cc51c0f14f3282f6d503626c610e7365616c5f617070726f76655f7800003085946cd4134ecb8f7739bbd3522d1c8fab793c6c431a8b0b77b4f1885d4c096aafab755e7b8bce8688410cee9908fb29608faaf686c0dcbe3f65f1130e8be538d7ea009347d397f517188dfa14417618887a0412e404fff56efbafb63d1fc4970a1187b4ccb6e767a91822312e533fa53dee69f77ef5130be095e147ff3d40e96e8ddc4bf554dae3bcc34048fe9330cccf").unwrap();
        let ptb = ProgrammableTransaction {
            inputs: vec![],
            commands: vec![Command::MoveCall(MoveCall {
                package: Address::from_str(
                    "0xd92bc457b42d48924087ea3f22d35fd2fe9afdf5bdfe38cc51c0f14f3282f6d5",
                )
                .unwrap(),
                module: Identifier::from_str("bla").unwrap(),
                function: Identifier::from_str("seal_approve_x").unwrap(),
                type_arguments: vec![],
                arguments: vec![],
            })],
        };
        let ptb = bcs::to_bytes(&ptb).unwrap();
        assert_eq!(ptb.len(), 0x38);
        let enc_key = elgamal::PublicKey::from_bytes(
            &expected[1 + 56 + 1..1 + 56 + 1 + 48].try_into().unwrap(),
        )
        .unwrap();
        let enc_vk = elgamal::VerificationKey::from_bytes(
            &expected[1 + 56 + 1 + 48 + 1..].try_into().unwrap(),
        )
        .unwrap();
        // the two keys share their discrete log, as genkey makes them
        assert!(enc_key.matches(&enc_vk));
        assert_eq!(signed_request(&ptb, &enc_key, &enc_vk), expected);
    }
}
