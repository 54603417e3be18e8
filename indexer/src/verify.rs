//! Checkpoint verification: each checkpoint must follow the last one committed (sequence number,
//! `previous_digest` chain), hash to its digest, commit to its contents, and — where the
//! validator committee of its epoch is known — carry that committee's BLS quorum signature.

use sui_crypto::bls12381::ValidatorCommitteeSignatureVerifier;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_sdk_types::{CheckpointContents, CheckpointSummary, Digest, ValidatorCommittee};

use crate::error::{IndexerError, Result};

/// The last verified checkpoint, and the committee that signs the next ones.
#[derive(Debug)]
pub struct Verifier {
    /// The last verified checkpoint's sequence number and digest (`None` before genesis).
    last: Option<(u64, Digest)>,
    /// The committee of the epoch being followed, if known.
    committee: Option<ValidatorCommitteeSignatureVerifier>,
    /// Checkpoints whose signature was checked, and those left unchecked for want of their
    /// committee.
    signatures_checked: u64,
    signatures_unchecked: u64,
}

impl Verifier {
    /// A verifier that expects `last + 1` next (genesis if `None`). `committee`, if known, is
    /// the validator committee of the epoch the next checkpoint is in.
    ///
    /// # Errors
    /// If `committee` is not a usable BLS committee.
    pub fn new(last: Option<(u64, Digest)>, committee: Option<ValidatorCommittee>) -> Result<Self> {
        let committee = committee
            .map(ValidatorCommitteeSignatureVerifier::new)
            .transpose()
            .map_err(|e| IndexerError::Malformed(format!("validator committee: {e}")))?;
        Ok(Self {
            last,
            committee,
            signatures_checked: 0,
            signatures_unchecked: 0,
        })
    }

    /// The sequence number the next checkpoint must have.
    pub fn next(&self) -> u64 {
        self.last.map_or(0, |(seq, _)| seq + 1)
    }

    /// How many signatures were checked and how many could not be (no committee known).
    pub fn signature_counts(&self) -> (u64, u64) {
        (self.signatures_checked, self.signatures_unchecked)
    }

    /// Verifies `checkpoint` (which must carry `summary.bcs`, `contents.bcs` and `signature`)
    /// and makes it the last one. With `defer_signature`, its BLS signature is left to a later
    /// checkpoint's: a certified checkpoint certifies every one its `previous_digest` chain
    /// leads back to, so a run of checkpoints needs only its last signature checked. The last
    /// checkpoint of an epoch is always checked (it hands over to the next committee).
    /// Returns whether the checkpoint is covered (its signature checked, or no committee
    /// known); one that is not must only be committed together with a later covered one.
    ///
    /// # Errors
    /// [`IndexerError::Verification`] if it does not follow, or its digest, contents or
    /// signature do not match.
    pub fn verify(
        &mut self,
        checkpoint: &proto::Checkpoint,
        defer_signature: bool,
    ) -> Result<bool> {
        let seq = checkpoint.sequence_number.unwrap_or(u64::MAX);
        let fail = |reason: String| IndexerError::Verification {
            sequence_number: seq,
            reason,
        };
        if seq != self.next() {
            return Err(fail(format!(
                "expected checkpoint {} next (sequence continuity)",
                self.next()
            )));
        }
        let summary: CheckpointSummary = checkpoint
            .summary
            .as_ref()
            .and_then(|s| s.bcs.as_ref())
            .ok_or_else(|| fail("no summary.bcs".into()))?
            .deserialize()
            .map_err(|e| fail(format!("summary.bcs does not decode: {e}")))?;
        if summary.sequence_number != seq {
            return Err(fail(format!(
                "its summary says sequence number {}",
                summary.sequence_number
            )));
        }
        let digest = summary.digest();
        if let Some(claimed) = checkpoint.digest.as_deref()
            && claimed != digest.to_string()
        {
            return Err(fail(format!(
                "its digest is {claimed} but its summary hashes to {digest}"
            )));
        }
        let expected_previous = self.last.map(|(_, d)| d);
        if summary.previous_digest != expected_previous {
            return Err(fail(format!(
                "previous_digest {:?} is not the digest {:?} of the last checkpoint indexed",
                summary.previous_digest.map(|d| d.to_string()),
                expected_previous.map(|d| d.to_string()),
            )));
        }
        if let Some(bcs) = checkpoint.contents.as_ref().and_then(|c| c.bcs.as_ref()) {
            let contents: CheckpointContents = bcs
                .deserialize()
                .map_err(|e| fail(format!("contents.bcs does not decode: {e}")))?;
            if contents.digest() != summary.content_digest {
                return Err(fail(format!(
                    "contents hash to {} but the summary commits to {}",
                    contents.digest(),
                    summary.content_digest
                )));
            }
            if contents.transactions().len() != checkpoint.transactions.len() {
                return Err(fail(format!(
                    "{} transactions served for {} in its contents",
                    checkpoint.transactions.len(),
                    contents.transactions().len()
                )));
            }
            for (tx, entry) in checkpoint.transactions.iter().zip(contents.transactions()) {
                if tx.digest() != entry.transaction().to_string() {
                    return Err(fail(format!(
                        "transaction {} is not {} of its contents",
                        tx.digest(),
                        entry.transaction()
                    )));
                }
            }
        } else {
            return Err(fail("no contents.bcs".into()));
        }
        let mut covered = true;
        match &self.committee {
            Some(committee)
                if committee.committee().epoch == summary.epoch
                    && defer_signature
                    && summary.end_of_epoch_data.is_none() =>
            {
                covered = false;
            }
            Some(committee) if committee.committee().epoch == summary.epoch => {
                let signature = checkpoint
                    .signature
                    .as_ref()
                    .ok_or_else(|| fail("no signature".into()))?;
                let signature = sui_sdk_types::ValidatorAggregatedSignature::try_from(signature)
                    .map_err(|e| fail(format!("signature does not decode: {e}")))?;
                committee
                    .verify_checkpoint_summary(&summary, &signature)
                    .map_err(|e| fail(format!("BLS signature: {e}")))?;
                self.signatures_checked += 1;
            }
            _ => self.signatures_unchecked += 1,
        }
        // The last checkpoint of an epoch names the next epoch's committee.
        if let Some(end) = &summary.end_of_epoch_data {
            let next = ValidatorCommittee {
                epoch: summary.epoch + 1,
                members: end.next_epoch_committee.clone(),
            };
            self.committee = Some(
                ValidatorCommitteeSignatureVerifier::new(next)
                    .map_err(|e| fail(format!("next epoch's committee: {e}")))?,
            );
        }
        self.last = Some((seq, digest));
        Ok(covered)
    }
}
