//! The parts of the API web clients depend on: simulation with input resolution and gas
//! selection (what `Transaction.build()` does), gRPC-web over HTTP/1.1 with CORS, the faucet.

mod support;

use axum::body::Body;
use axum::http::Request;
use axum::http::StatusCode;
use haulout_localnet::NativeRegistry;
use haulout_localnet::Node;
use prost::Message as _;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_sdk_types::Address;
use sui_sdk_types::Argument;
use sui_sdk_types::Command;
use sui_sdk_types::Input;
use sui_sdk_types::ProgrammableTransaction;
use support::*;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt as _;

/// The TypeScript SDK's `Transaction.build()`: object inputs given by ID only, no gas payment,
/// no budget, no price; the server resolves them and the client signs what comes back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulate_resolves_inputs_and_selects_gas() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut chain = Chain::start(dir.path(), true).await;
    let (alice, bob) = (chain.address(0), chain.address(1));
    let coins = chain.coins(alice).await;
    let ptb = ProgrammableTransaction {
        inputs: vec![
            Input::ImmutableOrOwned(coins[3].0.clone()),
            Input::Pure(bob.as_bytes().to_vec()),
        ],
        commands: vec![Command::TransferObjects(sui_sdk_types::TransferObjects {
            objects: vec![Argument::Input(0)],
            address: Argument::Input(1),
        })],
    };
    let executed = chain
        .simulate(
            alice,
            ptb,
            "transaction.transaction.sender,transaction.transaction.gas_payment,transaction.transaction.expiration,transaction.transaction.kind,transaction.effects.status,transaction.effects.epoch",
            |inputs| unresolve(&mut inputs[0]),
        )
        .await
        .expect("simulate");
    assert!(status_success(&executed), "{executed:?}");
    let mut resolved = executed.transaction.expect("resolved transaction");
    resolved.version = Some(1); // not in the mask the SDK uses; it rebuilds the transaction itself
    let resolved = sui_sdk_types::Transaction::try_from(&resolved).expect("fully resolved");
    assert!(!resolved.gas_payment.objects.is_empty(), "gas was selected");
    assert!(resolved.gas_payment.budget >= GAS_PRICE * haulout_localnet::COMPUTATION_UNITS);
    assert_eq!(resolved.gas_payment.price, GAS_PRICE);

    let bob_before = chain.balance(bob).await;
    let key = chain.keys[0].clone();
    let done = chain
        .execute(&resolved, &key)
        .await
        .expect("execute the resolved transaction");
    assert!(status_success(&done));
    assert_eq!(chain.balance(bob).await, bob_before + coins[3].1);
    chain.stop().await;
}

async fn body_bytes(body: Body) -> Vec<u8> {
    axum::body::to_bytes(body, 1 << 20)
        .await
        .expect("body")
        .to_vec()
}

#[tokio::test]
async fn grpc_web_over_http1_with_cors_and_the_faucet() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (node, _) = Node::open(dir.path(), 1, NativeRegistry::with_sui_framework()).expect("open");
    let app = haulout_localnet::router(node.clone(), CancellationToken::new());

    // gRPC-web: a length-prefixed empty GetServiceInfoRequest over HTTP/1.1.
    let request = Request::post("/sui.rpc.v2.LedgerService/GetServiceInfo")
        .header("content-type", "application/grpc-web+proto")
        .header("x-grpc-web", "1")
        .header("origin", "http://example.test")
        .body(Body::from(vec![0u8, 0, 0, 0, 0]))
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.as_bytes()),
        Some(&b"*"[..])
    );
    let body = body_bytes(response.into_body()).await;
    assert_eq!(body[0], 0, "data frame first");
    let len = u32::from_be_bytes(body[1..5].try_into().expect("len")) as usize;
    let info = proto::GetServiceInfoResponse::decode(&body[5..5 + len]).expect("decode");
    assert_eq!(info.chain_id(), node.chain_id());
    let trailers = String::from_utf8_lossy(&body[5 + len + 5..]).to_lowercase();
    assert!(
        body[5 + len] & 0x80 != 0 && trailers.contains("grpc-status:0"),
        "{trailers}"
    );

    // CORS preflight.
    let preflight = Request::options("/sui.rpc.v2.LedgerService/GetServiceInfo")
        .header("origin", "http://example.test")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type,x-grpc-web")
        .body(Body::empty())
        .expect("request");
    let response = app.clone().oneshot(preflight).await.expect("response");
    assert!(response.status().is_success());
    assert!(
        response
            .headers()
            .contains_key("access-control-allow-methods")
    );

    // Faucet.
    let recipient = Address::new([7; 32]);
    let request = Request::post(haulout_localnet::FAUCET_PATH)
        .header("content-type", "application/json")
        .body(Body::from(format!(
            r#"{{"FixedAmountRequest":{{"recipient":"{recipient}"}}}}"#
        )))
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let json: serde_json::Value =
        serde_json::from_slice(&body_bytes(response.into_body()).await).expect("json");
    assert_eq!(json["status"], "Success");
    assert_eq!(
        json["coins_sent"][0]["amount"],
        haulout_localnet::FAUCET_AMOUNT_MIST
    );
    let balances = node.balances(recipient);
    assert_eq!(
        balances.values().next().map(|b| b.1),
        Some(haulout_localnet::FAUCET_AMOUNT_MIST)
    );

    let request = Request::post(haulout_localnet::FAUCET_PATH)
        .header("content-type", "application/json")
        .body(Body::from(
            r#"{"FixedAmountRequest":{"recipient":"not-an-address"}}"#,
        ))
        .expect("request");
    let response = app.oneshot(request).await.expect("response");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}
