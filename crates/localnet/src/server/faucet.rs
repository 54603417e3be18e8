//! The faucet: `POST /v2/gas` sends SUI to a recipient, in the Sui faucet's request and
//! response format.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde::Deserialize;
use serde::Serialize;
use serde_json::json;
use sui_sdk_types::Address;

use super::FAUCET_PATH;
use crate::executor::coin_of;
use crate::node::Node;

/// MIST sent per faucet request: 1,000 SUI.
pub const FAUCET_AMOUNT_MIST: u64 = 1_000 * 1_000_000_000;

/// `{"FixedAmountRequest": {"recipient": "0x…"}}` (Sui) or `{"recipient": "0x…"}`.
#[derive(Debug, Deserialize)]
struct GasRequest {
    #[serde(rename = "FixedAmountRequest")]
    fixed_amount_request: Option<Recipient>,
    recipient: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Recipient {
    recipient: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CoinSent {
    amount: u64,
    id: String,
    transfer_tx_digest: String,
}

fn error(code: StatusCode, message: String) -> (StatusCode, Json<serde_json::Value>) {
    (
        code,
        Json(json!({ "status": { "Failure": { "internal": message } }, "coins_sent": null })),
    )
}

async fn gas(
    State(node): State<Arc<Node>>,
    body: Result<Json<GasRequest>, axum::extract::rejection::JsonRejection>,
) -> (StatusCode, Json<serde_json::Value>) {
    let Ok(Json(request)) = body else {
        return error(
            StatusCode::BAD_REQUEST,
            "expected {\"FixedAmountRequest\": {\"recipient\": \"0x…\"}}".into(),
        );
    };
    let Some(recipient) = request
        .fixed_amount_request
        .map(|r| r.recipient)
        .or(request.recipient)
    else {
        return error(StatusCode::BAD_REQUEST, "missing recipient".into());
    };
    let Ok(recipient) = recipient.parse::<Address>() else {
        return error(
            StatusCode::BAD_REQUEST,
            format!("invalid recipient address {recipient:?}"),
        );
    };
    let result =
        tokio::task::spawn_blocking(move || node.faucet_transfer(recipient, FAUCET_AMOUNT_MIST))
            .await;
    match result {
        Ok(Ok((tx, coins))) => {
            let digest = tx.transaction.digest().to_string();
            let coins_sent: Vec<CoinSent> = coins
                .iter()
                .map(|o| CoinSent {
                    amount: coin_of(o).map_or(0, |c| c.1),
                    id: o.object_id().to_string(),
                    transfer_tx_digest: digest.clone(),
                })
                .collect();
            (
                StatusCode::OK,
                Json(json!({ "status": "Success", "coins_sent": coins_sent })),
            )
        }
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("faucet task failed: {e}"),
        ),
    }
}

/// The faucet routes.
pub(super) fn router(node: Arc<Node>) -> axum::Router {
    axum::Router::new()
        .route(FAUCET_PATH, post(gas))
        .route("/gas", post(gas))
        .with_state(node)
}
