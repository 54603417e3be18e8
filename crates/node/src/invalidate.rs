//! Byzantine writers: when the symbols of a certified blob decode to a sliver its metadata does
//! not commit to, the node holds an inconsistency proof. It sends the proof to the other
//! committee members (`POST /v1/blobs/{id}/inconsistencyProof/{axis}`), each of which checks it
//! and answers with a signed `InvalidBlobIdMsg`; with signatures from members holding more than
//! a third of the shards (its own included), it submits `system::invalidate_blob_id`. The
//! `InvalidBlobID` event then makes every node stop serving the blob and delete it.

use std::sync::Arc;
use std::time::Duration;

use haulout_sui::Walrus;
use haulout_sui::sdk::Address;
use haulout_types::node_api::ApiSuccess;
use haulout_types::{InvalidBlobIdBody, SignedMessage, bls};

use crate::follower::NodeIdentity;
use crate::state::NodeState;

/// The chain access a node needs to submit invalidations.
#[derive(Clone)]
pub struct Invalidator {
    /// The Walrus deployment.
    pub walrus: Walrus,
    /// The node's own identity (pays gas).
    pub me: NodeIdentity,
}

impl std::fmt::Debug for Invalidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Invalidator")
            .field("node_id", &self.me.node_id)
            .finish_non_exhaustive()
    }
}

impl Invalidator {
    /// Collects a validity certificate for invalidating `blob` with `proof` (BCS, of `axis`
    /// "primary" or "secondary") and submits it.
    ///
    /// # Errors
    /// If too few members sign or the transaction fails.
    pub async fn invalidate(
        &self,
        state: &Arc<NodeState>,
        blob: [u8; 32],
        axis: &str,
        proof: Vec<u8>,
    ) -> anyhow::Result<()> {
        let view = state
            .committees()
            .ok_or_else(|| anyhow::anyhow!("no committee yet"))?;
        let committee = &view.current;
        let own = state.sign_invalid(&blob)?;
        let message = own.serialized_message.clone();
        let blob_text = redstuff::BlobId(blob).to_string();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()?;
        let answers = futures::future::join_all(
            committee
                .members
                .iter()
                .filter(|m| m.node_id != self.me.node_id)
                .map(|m| {
                    let http = http.clone();
                    let url = format!(
                        "http://{}/v1/blobs/{blob_text}/inconsistencyProof/{axis}",
                        m.network_address
                    );
                    let proof = proof.clone();
                    async move {
                        let response = http
                            .post(&url)
                            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                            .body(proof)
                            .send()
                            .await
                            .ok()?;
                        if !response.status().is_success() {
                            return None;
                        }
                        let body = response.bytes().await.ok()?;
                        if body.len() > 1 << 16 {
                            return None;
                        }
                        let signed: ApiSuccess<SignedMessage<InvalidBlobIdBody>> =
                            serde_json::from_slice(&body).ok()?;
                        Some((m.node_id, signed.success.data))
                    }
                }),
        )
        .await;
        let mut signers: Vec<(Address, [u8; 96])> = vec![(self.me.node_id, own.signature.0)];
        for (node_id, signed) in answers.into_iter().flatten() {
            let Some((_, member)) = committee.member(node_id) else {
                continue;
            };
            if signed.serialized_message == message
                && bls::verify(&signed.signature.0, &member.public_key, &message)
            {
                signers.push((node_id, signed.signature.0));
            }
        }
        let weight: u32 = signers
            .iter()
            .filter_map(|(id, _)| committee.member(*id))
            .map(|(_, m)| m.shards.len() as u32)
            .sum();
        if !committee.is_validity(weight) {
            anyhow::bail!(
                "only {weight} of {} shards attest that blob {blob_text} is invalid",
                committee.n_shards
            );
        }
        let (_, inner) = self.walrus.system_state().await?;
        let members = &inner.committee.members;
        let mut bitmap = vec![0u8; members.len().div_ceil(8)];
        let mut signatures = Vec::new();
        for (node_id, signature) in &signers {
            if let Some(i) = members
                .iter()
                .position(|m| Address::from(m.node_id) == *node_id)
            {
                bitmap[i / 8] |= 1 << (i % 8);
                signatures.push(*signature);
            }
        }
        let refs: Vec<&[u8]> = signatures.iter().map(|s| s.as_slice()).collect();
        let aggregate = bls::aggregate_signatures(&refs)
            .ok_or_else(|| anyhow::anyhow!("could not aggregate the signatures"))?;
        self.walrus
            .invalidate_blob_id(&self.me.sui_key, &aggregate, &bitmap, &message)
            .await?;
        tracing::warn!(blob = %blob_text, weight, "blob invalidated on chain");
        Ok(())
    }
}
