//! Programmable privacy end to end, with real processes on 127.0.0.1: a local chain whose
//! genesis made three Seal key servers (served by `haulout localnet`), four storage nodes, and
//! the `haulout` CLI storing files encrypted under each policy of the `policies` package and
//! reading them back as different wallets. Storage nodes only ever see ciphertext.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use support::{Network, http, json, pattern, wait_for};

const HAULOUT: &str = env!("CARGO_BIN_EXE_haulout");

/// A keystore holding only funded account `i` of the network (the others read as it).
fn wallet(net: &Network, i: usize) -> PathBuf {
    let keys: Vec<String> =
        serde_json::from_slice(&std::fs::read(net.chain_dir().join("keystore")).expect("keystore"))
            .expect("keys");
    let path = net.path(&format!("wallet-{i}"));
    std::fs::write(&path, serde_json::to_vec(&[&keys[i]]).expect("json")).expect("write");
    path
}

fn address(net: &Network, wallet: &Path) -> String {
    let out = net.haulout_ok(&[
        "--wallet",
        &wallet.display().to_string(),
        "wallet",
        "address",
    ]);
    out["address"].as_str().expect("address").to_owned()
}

/// `haulout read` as `wallet`: the bytes, or the error output.
fn read_as(net: &Network, wallet: &Path, blob_id: &str, extra: &[&str]) -> Result<Vec<u8>, String> {
    let out_file = net.path(&format!("read-{blob_id}-{}", extra.len()));
    let mut args = vec!["--wallet", wallet.to_str().expect("utf-8"), "read", blob_id];
    let out_arg = out_file.display().to_string();
    args.extend_from_slice(&["--out", &out_arg]);
    args.extend_from_slice(extra);
    let out = net.haulout(&args);
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let data = std::fs::read(&out_file).expect("read output");
    let _ = std::fs::remove_file(&out_file);
    Ok(data)
}

fn store_encrypted(net: &Network, name: &str, data: &[u8], policy: &str, extra: &[&str]) -> String {
    let mut args = vec!["--encrypt", "--policy", policy];
    args.extend_from_slice(extra);
    net.store(name, data, &args).0
}

/// The key servers of the network file, each answering `/health`.
fn wait_for_key_servers(net: &Network) -> Vec<(String, u16)> {
    let info = json(&std::fs::read(net.network_file()).expect("localnet.json"));
    let servers: Vec<(String, u16)> = info["seal"]["keyServers"]
        .as_array()
        .expect("keyServers")
        .iter()
        .map(|k| {
            let url = k["url"].as_str().expect("url");
            let port = url.rsplit(':').next().expect("port").parse().expect("port");
            (k["objectId"].as_str().expect("id").to_owned(), port)
        })
        .collect();
    for (_, port) in &servers {
        wait_for("a key server", || {
            http(*port, "GET", "/health", &[], b"").is_some_and(|(s, _)| s == 200)
        });
    }
    servers
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether any file under `dir` contains `needle`.
fn any_file_contains(dir: &Path, needle: &[u8]) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let path = e.path();
        if path.is_dir() {
            any_file_contains(&path, needle)
        } else {
            std::fs::read(&path).is_ok_and(|data| contains(&data, needle))
        }
    })
}

#[test]
fn every_policy_allows_and_denies_as_its_move_code_says() {
    let net = Network::start(4, 4, "1h");
    wait_for_key_servers(&net);
    let owner = wallet(&net, 0);
    let reader = wallet(&net, 1);
    let reader_address = address(&net, &reader);

    // Private: only the owner reads; the ciphertext is what nodes hold.
    let secret = pattern(200_000, 1);
    let blob = store_encrypted(&net, "private", &secret, "private", &[]);
    assert_eq!(
        read_as(&net, &owner, &blob, &[]).expect("the owner reads"),
        secret
    );
    let err = read_as(&net, &reader, &blob, &[]).expect_err("another user is refused");
    assert!(err.contains("private to"), "{err}");
    let raw = read_as(&net, &reader, &blob, &["--raw"]).expect("the ciphertext is public");
    assert!(raw.len() > secret.len() && !contains(&raw, &secret[..64]));
    haulout_seal::EncryptedObject::parse(&raw).expect("a Seal EncryptedObject");

    // Allowlist: not a member, a member, removed.
    let created = net.haulout_ok(&["allowlist", "create", "friends"]);
    let list = created["allowlistId"]
        .as_str()
        .expect("allowlistId")
        .to_owned();
    let data = pattern(5_000, 2);
    let blob = store_encrypted(&net, "allowlist", &data, &format!("allowlist:{list}"), &[]);
    let err = read_as(&net, &reader, &blob, &[]).expect_err("not on the list");
    assert!(
        err.contains("NoAccess") && err.contains("allowlist"),
        "{err}"
    );
    net.haulout_ok(&["allowlist", "add", &list, &reader_address]);
    assert_eq!(
        read_as(&net, &reader, &blob, &[]).expect("a member reads"),
        data
    );
    net.haulout_ok(&["allowlist", "remove", &list, &reader_address]);
    let err = read_as(&net, &reader, &blob, &[]).expect_err("removed");
    assert!(err.contains("NoAccess"), "{err}");
    // Only the cap holder administers it.
    let out = net.haulout(&[
        "--wallet",
        reader.to_str().expect("utf-8"),
        "allowlist",
        "add",
        &list,
        &reader_address,
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Subscription: unpaid, paid, expired.
    let created = net.haulout_ok(&[
        "subscription",
        "create",
        "news",
        "--fee",
        "2",
        "--ttl",
        "1h",
    ]);
    let service = created["serviceId"].as_str().expect("serviceId").to_owned();
    let data = pattern(7_000, 3);
    let blob = store_encrypted(
        &net,
        "subscription",
        &data,
        &format!("subscription:{service}"),
        &[],
    );
    let err = read_as(&net, &reader, &blob, &[]).expect_err("no subscription");
    assert!(err.contains("holds no subscription"), "{err}");
    let reader_arg = reader.to_str().expect("utf-8");
    let wal_before = net.haulout_ok(&["wallet", "balance"])["wal"]
        .as_u64()
        .expect("wal");
    let bought = net.haulout_ok(&["--wallet", reader_arg, "subscription", "buy", &service]);
    assert_eq!(bought["fee"], 2_000_000_000u64);
    let wal_after = net.haulout_ok(&["wallet", "balance"])["wal"]
        .as_u64()
        .expect("wal");
    assert_eq!(
        wal_after - wal_before,
        2_000_000_000,
        "the fee goes to the service owner"
    );
    assert_eq!(
        read_as(&net, &reader, &blob, &[]).expect("a subscriber reads"),
        data
    );
    let short = net.haulout_ok(&[
        "subscription",
        "create",
        "flash",
        "--fee",
        "1",
        "--ttl",
        "2s",
    ]);
    let short = short["serviceId"].as_str().expect("serviceId").to_owned();
    let blob = store_encrypted(&net, "short", &data, &format!("subscription:{short}"), &[]);
    net.haulout_ok(&["--wallet", reader_arg, "subscription", "buy", &short]);
    wait_for("the 2 s subscription to expire", || {
        read_as(&net, &reader, &blob, &[]).is_err_and(|e| e.contains("NoAccess"))
    });

    // Time lock: refused before the time, readable by anyone after.
    let data = pattern(3_000, 4);
    let blob = store_encrypted(&net, "tle", &data, "tle:+4s", &[]);
    let err = read_as(&net, &reader, &blob, &[]).expect_err("too early");
    assert!(err.contains("NoAccess") && err.contains("tle"), "{err}");
    wait_for("the time lock to open", || {
        read_as(&net, &reader, &blob, &[]).is_ok()
    });
    assert_eq!(read_as(&net, &reader, &blob, &[]).expect("open"), data);

    // Storage nodes hold no plaintext of an encrypted blob; the same bytes stored in the
    // clear are found by the same search (so the search would see them).
    let marker = &secret[1_000..1_064];
    assert!(
        (0..4).all(|i| !any_file_contains(&net.node_storage(i), marker)),
        "a node's data directory holds plaintext of an encrypted blob"
    );
    net.store("clear", &secret, &[]);
    assert!(
        (0..4).any(|i| any_file_contains(&net.node_storage(i), marker)),
        "the control (an unencrypted copy) should be found"
    );
}

struct KeyServerProcess(Child);

impl Drop for KeyServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn two_of_three_survives_one_key_server_down_and_fails_clearly_with_two() {
    let net = Network::start(4, 4, "1h");
    let genesis = wait_for_key_servers(&net);
    // Two more key servers, made with `haulout key-server init` and run as processes.
    let mut extra = Vec::new();
    let mut ids = vec![genesis[0].0.clone()];
    for i in 0..2 {
        let port = support::free_ports(1);
        let config = net.path(&format!("ks-{i}.toml"));
        let out = net.haulout_ok(&[
            "key-server",
            "init",
            "--config",
            &config.display().to_string(),
            "--name",
            &format!("extra-{i}"),
            "--listen",
            &format!("127.0.0.1:{port}"),
        ]);
        ids.push(out["objectId"].as_str().expect("objectId").to_owned());
        let child = Command::new(HAULOUT)
            .args(["key-server", "--config"])
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("haulout key-server starts");
        extra.push(KeyServerProcess(child));
        wait_for("the new key server", || {
            http(port, "GET", "/health", &[], b"").is_some_and(|(s, _)| s == 200)
        });
    }
    let data = pattern(10_000, 5);
    let blob = store_encrypted(
        &net,
        "two-of-three",
        &data,
        "private",
        &["--key-servers", &ids.join(","), "--threshold", "2"],
    );
    let owner = wallet(&net, 0);
    assert_eq!(read_as(&net, &owner, &blob, &[]).expect("all up"), data);
    drop(extra.pop());
    assert_eq!(read_as(&net, &owner, &blob, &[]).expect("one down"), data);
    drop(extra.pop());
    let err = read_as(&net, &owner, &blob, &[]).expect_err("two down");
    assert!(err.contains("only 1 of the 2 key shares"), "{err}");
}

/// A `fetch_key` request for `seal_approve` of `module` in the policies package with inner id
/// `id`, certified by `wallet` (creation `created_ms`, TTL `ttl`) and signed by its session key.
struct Request {
    body: serde_json::Value,
    enc_secret: haulout_seal::elgamal::SecretKey,
}

fn request(
    policies: haulout_sui::sdk::Address,
    module: &str,
    function: &str,
    id: &[u8],
    wallet: &haulout_sui::Ed25519PrivateKey,
    created_ms: u64,
    ttl: u16,
) -> Request {
    use haulout_sui::crypto::{Signer as _, SuiSigner as _};
    use haulout_sui::sdk::{
        Argument, Ed25519Signature, Input, PersonalMessage, ProgrammableTransaction,
    };
    let ptb = ProgrammableTransaction {
        inputs: vec![Input::Pure(bcs::to_bytes(&id.to_vec()).expect("bcs"))],
        commands: vec![haulout_sui::sdk::Command::MoveCall(
            haulout_sui::sdk::MoveCall {
                package: policies,
                module: haulout_sui::sdk::Identifier::new(module).expect("module"),
                function: haulout_sui::sdk::Identifier::new(function).expect("function"),
                type_arguments: vec![],
                arguments: vec![Argument::Input(0)],
            },
        )],
    };
    let ptb = bcs::to_bytes(&ptb).expect("bcs");
    let session = haulout_sui::Ed25519PrivateKey::new([7; 32]);
    let mut certificate = haulout_seal::api::Certificate {
        user: haulout_seal::ObjectId(wallet.public_key().derive_address().into_inner()),
        session_vk: session.public_key().into_inner(),
        creation_time: created_ms,
        ttl_min: ttl,
        signature: vec![],
        mvr_name: None,
    };
    let message = certificate.message(&haulout_seal::ObjectId(policies.into_inner()));
    certificate.signature = wallet
        .sign_personal_message(&PersonalMessage(message.as_bytes().into()))
        .expect("sign")
        .to_bytes();
    let (enc_secret, enc_key, enc_verification_key) =
        haulout_seal::elgamal::generate(&mut rand::rng());
    let signed = haulout_seal::session::signed_request(&ptb, &enc_key, &enc_verification_key);
    let signature: Ed25519Signature = session.try_sign(&signed).expect("sign");
    let request = haulout_seal::api::FetchKeyRequest {
        ptb,
        enc_key,
        enc_verification_key,
        request_signature: signature.into_inner(),
        certificate,
    };
    Request {
        body: serde_json::to_value(&request).expect("json"),
        enc_secret,
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_millis() as u64
}

/// POSTs `body` to a key server's `/v1/fetch_key`; status and JSON answer.
fn fetch(port: u16, body: &[u8]) -> (u16, serde_json::Value) {
    let (status, answer) = http(
        port,
        "POST",
        "/v1/fetch_key",
        &[("Content-Type", "application/json")],
        body,
    )
    .expect("the key server answers");
    (status, json(&answer))
}

#[test]
fn a_key_server_answers_seal_errors_to_bad_requests_and_releases_nothing() {
    let net = Network::start(4, 4, "1h");
    let servers = wait_for_key_servers(&net);
    let info = json(&std::fs::read(net.network_file()).expect("localnet.json"));
    let policies: haulout_sui::sdk::Address = info["seal"]["policiesPackageId"]
        .as_str()
        .expect("policies")
        .parse()
        .expect("address");
    let (object_id, port) = servers[0].clone();
    let pk_hex = info["seal"]["keyServers"][0]["publicKey"]
        .as_str()
        .expect("pk");
    let pk_bytes: [u8; 96] = hex::decode(pk_hex.trim_start_matches("0x"))
        .expect("hex")
        .try_into()
        .expect("96 bytes");
    let public_key = haulout_seal::PublicKey::from_bytes(&pk_bytes).expect("pk");
    let keys = haulout_sui::Keystore::load(&net.chain_dir().join("keystore")).expect("keystore");
    let (alice, bob) = (&keys.keys()[0], &keys.keys()[1]);
    let alice_id: Vec<u8> = [
        &alice.public_key().derive_address().into_inner()[..],
        b"nonce",
    ]
    .concat();

    // The proof of possession, bound to this server's object.
    let (status, body) = http(
        port,
        "GET",
        &format!("/v1/service?service_id={object_id}"),
        &[],
        b"",
    )
    .expect("service");
    assert_eq!(status, 200);
    let service = json(&body);
    assert_eq!(service["service_id"], object_id.as_str());
    let pop: haulout_seal::ibe::ProofOfPossession =
        serde_json::from_value(service["pop"].clone()).expect("pop");
    let object = haulout_seal::ObjectId(
        object_id
            .parse::<haulout_sui::sdk::Address>()
            .expect("id")
            .into_inner(),
    );
    pop.verify(&public_key, &object).expect("the PoP verifies");
    let (status, body) =
        http(port, "GET", "/v1/service?service_id=0x2", &[], b"").expect("service");
    assert_eq!(
        (status, json(&body)["error"].clone()),
        (400, "InvalidServiceId".into())
    );

    // A valid request for Alice's own private id: one key, which decrypts and verifies.
    let ok = request(
        policies,
        "private",
        "seal_approve",
        &alice_id,
        alice,
        now_ms(),
        10,
    );
    let (status, answer) = fetch(port, &serde_json::to_vec(&ok.body).expect("json"));
    assert_eq!(status, 200, "{answer}");
    let response: haulout_seal::api::FetchKeyResponse =
        serde_json::from_value(answer).expect("answer");
    let full_id = haulout_seal::full_id(&haulout_seal::ObjectId(policies.into_inner()), &alice_id);
    assert_eq!(response.decryption_keys.len(), 1);
    assert_eq!(response.decryption_keys[0].id, full_id);
    let key =
        haulout_seal::elgamal::decrypt(&ok.enc_secret, &response.decryption_keys[0].encrypted_key);
    key.verify(&full_id, &public_key)
        .expect("the released key is the identity's");

    // Refusals, each with Seal's error name and status, and no key.
    // A request body: `module::function` of `id`, certified by `wallet` at `created` for `ttl`.
    let body = |module, function, id: &[u8], wallet, created: u64, ttl| {
        let r = request(policies, module, function, id, wallet, created, ttl);
        serde_json::to_vec(&r.body).expect("json")
    };
    let now = now_ms();
    let private =
        |wallet, created, ttl| body("private", "seal_approve", &alice_id, wallet, created, ttl);
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "Bob asks for Alice's private id",
            private(bob, now, 10),
            403,
            "NoAccess",
        ),
        (
            "a function that is not seal_approve*",
            body("allowlist", "add", &alice_id, alice, now, 10),
            403,
            "InvalidPTB",
        ),
        (
            "an expired session",
            private(alice, now - 11 * 60_000, 10),
            403,
            "InvalidCertificate",
        ),
        (
            "a session from the future",
            private(alice, now + 3_600_000, 10),
            403,
            "InvalidCertificate",
        ),
        (
            "a TTL above 30 minutes",
            private(alice, now, 31),
            403,
            "InvalidCertificate",
        ),
        (
            "malformed JSON",
            b"{\"ptb\": 1".to_vec(),
            400,
            "InvalidRequest",
        ),
        (
            "an oversized body",
            vec![b' '; 200 * 1024],
            413,
            "PayloadTooLarge",
        ),
    ];
    for (what, body, status, error) in cases {
        let (got, answer) = fetch(port, &body);
        assert_eq!(
            (got, answer["error"].as_str()),
            (status, Some(error)),
            "{what}: {answer}"
        );
        assert!(answer.get("decryption_keys").is_none(), "{what}");
    }
    // A certificate claimed by Bob but signed by Alice, and a request signature that does not
    // cover the request.
    let mut forged = request(
        policies,
        "private",
        "seal_approve",
        &alice_id,
        alice,
        now_ms(),
        10,
    );
    forged.body["certificate"]["user"] = bob.public_key().derive_address().to_string().into();
    let (status, answer) = fetch(port, &serde_json::to_vec(&forged.body).expect("json"));
    assert_eq!(
        (status, answer["error"].as_str()),
        (403, Some("InvalidSignature")),
        "{answer}"
    );
    let mut resigned = request(
        policies,
        "private",
        "seal_approve",
        &alice_id,
        alice,
        now_ms(),
        10,
    );
    let other = request(
        policies,
        "private",
        "seal_approve",
        b"other id",
        alice,
        now_ms(),
        10,
    );
    resigned.body["request_signature"] = other.body["request_signature"].clone();
    let (status, answer) = fetch(port, &serde_json::to_vec(&resigned.body).expect("json"));
    assert_eq!(
        (status, answer["error"].as_str()),
        (403, Some("InvalidSessionSignature")),
        "{answer}"
    );
    let metrics = http(port, "GET", "/metrics", &[], b"").expect("metrics");
    assert!(
        String::from_utf8_lossy(&metrics.1).contains("haulout_keyserver_keys_released_total 1")
    );
}
