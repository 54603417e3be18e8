//! `fetch_key` throughput of one key server on this machine, next to the throughput of its
//! `/health` endpoint measured in the same run (the HTTP floor of the same server and client).
//!
//! A local chain (in process) with one genesis key server; 32 concurrent clients send valid
//! requests for one key each (the `private` policy of the `policies` package, dry-run on the
//! chain every time), for `HAULOUT_BENCH_SECONDS` (default 5) seconds per phase.
//!
//! `cargo bench -p haulout-keyserver --bench fetch_key`

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser as _;
use haulout_sui::crypto::{Signer as _, SuiSigner as _};
use haulout_sui::sdk::{
    Argument, Command, Ed25519Signature, Identifier, Input, MoveCall, PersonalMessage,
    ProgrammableTransaction,
};

#[derive(clap::Parser)]
struct Args {
    #[command(flatten)]
    localnet: haulout_localnet::LocalnetArgs,
}

const CLIENTS: usize = 32;

fn body(policies: haulout_sui::sdk::Address, wallet: &haulout_sui::Ed25519PrivateKey) -> Vec<u8> {
    let user = wallet.public_key().derive_address();
    let id = [&user.into_inner()[..], b"bench"].concat();
    let ptb = ProgrammableTransaction {
        inputs: vec![Input::Pure(bcs::to_bytes(&id).unwrap())],
        commands: vec![Command::MoveCall(MoveCall {
            package: policies,
            module: Identifier::from_static("private"),
            function: Identifier::from_static("seal_approve"),
            type_arguments: vec![],
            arguments: vec![Argument::Input(0)],
        })],
    };
    let ptb = bcs::to_bytes(&ptb).unwrap();
    let session = haulout_sui::Ed25519PrivateKey::new([5; 32]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let mut certificate = haulout_seal::api::Certificate {
        user: haulout_seal::ObjectId(user.into_inner()),
        session_vk: session.public_key().into_inner(),
        creation_time: now,
        ttl_min: 30,
        signature: vec![],
        mvr_name: None,
    };
    let message = certificate.message(&haulout_seal::ObjectId(policies.into_inner()));
    certificate.signature = wallet
        .sign_personal_message(&PersonalMessage(message.as_bytes().into()))
        .unwrap()
        .to_bytes();
    let (_, enc_key, enc_verification_key) = haulout_seal::elgamal::generate(&mut rand::rng());
    let signed = haulout_seal::session::signed_request(&ptb, &enc_key, &enc_verification_key);
    let signature: Ed25519Signature = session.try_sign(&signed).unwrap();
    serde_json::to_vec(&haulout_seal::api::FetchKeyRequest {
        ptb,
        enc_key,
        enc_verification_key,
        request_signature: signature.into_inner(),
        certificate,
    })
    .unwrap()
}

/// Requests per second of `CLIENTS` clients sending `request` for `seconds`.
async fn rate(http: &reqwest::Client, url: String, payload: Option<Vec<u8>>, seconds: f64) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (http, url, payload, done) = (http.clone(), url.clone(), payload.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let request = match &payload {
                    Some(body) => http
                        .post(&url)
                        .header("Content-Type", "application/json")
                        .body(body.clone()),
                    None => http.get(&url),
                };
                let response = request.send().await.expect("request");
                assert!(response.status().is_success(), "{}", response.status());
                response.bytes().await.expect("body");
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let seconds: f64 = std::env::var("HAULOUT_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5.0);
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let data = dir.path().join("chain");
    let args = Args::parse_from([
        "localnet",
        "--fresh",
        "--listen",
        "127.0.0.1:0",
        "--accounts",
        "1",
        "--nodes",
        "0",
        "--key-servers",
        "1",
        "--key-server-base-port",
        &port.to_string(),
        "--data",
        data.to_str().unwrap(),
    ]);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let shutdown = tokio_util::sync::CancellationToken::new();
        let (localnet, chain) = haulout_localnet::Localnet::start(
            &args.localnet,
            haulout_localnet::package::registry(),
            shutdown.clone(),
        )
        .await
        .unwrap();
        let seal: haulout_localnet::seal::SealInfo = localnet.info.section("seal").unwrap().unwrap();
        let mut config = haulout_keyserver::KeyServerConfig::load(std::path::Path::new(
            &seal.key_servers[0].config,
        ))
        .unwrap();
        config.rpc_url = localnet.info.rpc_url.clone();
        config.rate_limit_per_second = 0;
        let (addr, server) = haulout_keyserver::start(config, shutdown.clone()).await.unwrap();
        let keys = haulout_sui::Keystore::load(&data.join("keystore")).unwrap();
        let policies: haulout_sui::sdk::Address = seal.policies_package_id.parse().unwrap();
        let payload = body(policies, &keys.keys()[0]);
        let http = reqwest::Client::new();
        // Warm up (connections, caches), then measure.
        rate(&http, format!("http://{addr}/v1/fetch_key"), Some(payload.clone()), 0.5).await;
        let health = rate(&http, format!("http://{addr}/health"), None, seconds).await;
        let fetch = rate(&http, format!("http://{addr}/v1/fetch_key"), Some(payload), seconds).await;
        println!(
            "fetch_key: {fetch:.0} requests/s (1 key each, {CLIENTS} clients); /health: {health:.0} requests/s; ratio {:.3}",
            fetch / health
        );
        shutdown.cancel();
        let _ = server.await;
        let _ = chain.await;
    });
}
