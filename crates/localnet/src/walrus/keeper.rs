//! The epoch keeper: the chain calls `staking::voting_end` and `staking::initiate_epoch_change`
//! itself when they are due by its own clock, as keepers do on a real network.
//!
//! After each checkpoint (which moves the `Clock`), [`Keeper::tick`] reads the staking state:
//! in `EpochChangeDone(start)` it sends `voting_end` once the clock reaches
//! `start + epoch_duration / 2`; in `NextParamsSelected(start)` it sends
//! `initiate_epoch_change` once it reaches `start + epoch_duration`. In `EpochChangeSync` it
//! waits for the storage nodes' `epoch_sync_done`, as on Walrus. The transactions are signed by
//! the faucet account and go through the normal execution path (events, effects, checkpoints).

use std::sync::Arc;

use anyhow::Context as _;
use haulout_types::EpochState;
use haulout_types::Field;
use haulout_types::StakingInnerV1;
use sui_crypto::SuiSigner as _;
use sui_sdk_types::Address;
use sui_sdk_types::Argument;
use sui_sdk_types::Command;
use sui_sdk_types::GasPayment;
use sui_sdk_types::Identifier;
use sui_sdk_types::Input;
use sui_sdk_types::MoveCall;
use sui_sdk_types::ObjectData;
use sui_sdk_types::ObjectReference;
use sui_sdk_types::Owner;
use sui_sdk_types::ProgrammableTransaction;
use sui_sdk_types::SharedInput;
use sui_sdk_types::StructTag;
use sui_sdk_types::Transaction;
use sui_sdk_types::TransactionExpiration;
use sui_sdk_types::TransactionKind;
use sui_sdk_types::TypeTag;

use super::WalrusGenesis;
use crate::ExecutedTx;
use crate::Node;
use crate::TypeFilter;
use crate::value::CLOCK_ID;

/// Calls the epoch-change functions of the `walrus` package when they are due.
#[derive(Clone, Debug)]
pub struct Keeper {
    staking: Address,
    system: Address,
    treasury: Address,
}

impl Keeper {
    /// The keeper of the Walrus deployment described by `info`.
    ///
    /// # Errors
    /// If an object ID in `info` does not parse.
    pub fn new(info: &WalrusGenesis) -> anyhow::Result<Self> {
        let parse = |s: &str| {
            s.parse::<Address>()
                .with_context(|| format!("invalid object ID {s:?}"))
        };
        Ok(Self {
            staking: parse(&info.staking_object_id)?,
            system: parse(&info.system_object_id)?,
            treasury: parse(&info.treasury_id)?,
        })
    }

    /// The time of the node's `Clock` (ms).
    fn clock_ms(node: &Node) -> Option<u64> {
        let clock = node.object(&CLOCK_ID)?;
        let ObjectData::Struct(s) = clock.data() else {
            return None;
        };
        let bytes: [u8; 8] = s.contents().get(32..40)?.try_into().ok()?;
        Some(u64::from_le_bytes(bytes))
    }

    fn staking_inner(&self, node: &Node) -> anyhow::Result<StakingInnerV1> {
        let id = self
            .staking
            .derive_dynamic_child_id(&TypeTag::U64, &1u64.to_le_bytes());
        let object = node.object(&id).context("the staking state is missing")?;
        let ObjectData::Struct(s) = object.data() else {
            anyhow::bail!("the staking state is not a Move object");
        };
        let field: Field<u64, StakingInnerV1> = bcs::from_bytes(s.contents())?;
        Ok(field.value)
    }

    /// The function due now, if any.
    fn due(&self, node: &Node) -> anyhow::Result<Option<&'static str>> {
        let Some(now) = Self::clock_ms(node) else {
            return Ok(None);
        };
        let inner = self.staking_inner(node)?;
        Ok(match inner.epoch_state {
            EpochState::EpochChangeDone(start)
                if now >= start.saturating_add(inner.epoch_duration / 2) =>
            {
                Some("voting_end")
            }
            EpochState::NextParamsSelected(start)
                if now >= start.saturating_add(inner.epoch_duration) =>
            {
                Some("initiate_epoch_change")
            }
            _ => None,
        })
    }

    fn shared(node: &Node, id: Address, mutable: bool) -> anyhow::Result<Input> {
        let object = node.object(&id).context("a Walrus object is missing")?;
        let Owner::Shared(version) = *object.owner() else {
            anyhow::bail!("{id} is not shared");
        };
        Ok(Input::Shared(SharedInput::new(id, version, mutable)))
    }

    /// Sends `voting_end` or `initiate_epoch_change` if one is due by the node's clock; returns
    /// the executed transaction (which may have failed: its status says).
    ///
    /// # Errors
    /// If the state cannot be read or the transaction is rejected before execution.
    pub fn tick(&self, node: &Node) -> anyhow::Result<Option<Arc<ExecutedTx>>> {
        let Some(function) = self.due(node)? else {
            return Ok(None);
        };
        let clock = Input::Shared(SharedInput::new(CLOCK_ID, 1, false));
        let (inputs, n) = if function == "voting_end" {
            (vec![Self::shared(node, self.staking, true)?, clock], 2)
        } else {
            (
                vec![
                    Self::shared(node, self.staking, true)?,
                    Self::shared(node, self.system, true)?,
                    Self::shared(node, self.treasury, true)?,
                    clock,
                ],
                4,
            )
        };
        let command = Command::MoveCall(MoveCall {
            package: super::walrus_package(),
            module: Identifier::from_static("staking"),
            function: Identifier::new(function)?,
            type_arguments: vec![],
            arguments: (0..n).map(Argument::Input).collect(),
        });
        let key = node.faucet_key();
        let sender = key.public_key().derive_address();
        let (coins, _) = node.owned_objects(
            sender,
            Some(&TypeFilter::Exact(StructTag::gas_coin())),
            None,
            usize::MAX,
        );
        // The smallest coin, leaving the large ones to the faucet's transfers.
        let gas = coins
            .into_iter()
            .min_by_key(crate::executor::sui_balance)
            .context("the faucet has no gas coins")?;
        let transaction = Transaction {
            kind: TransactionKind::ProgrammableTransaction(ProgrammableTransaction {
                inputs,
                commands: vec![command],
            }),
            sender,
            gas_payment: GasPayment {
                objects: vec![ObjectReference::new(
                    gas.object_id(),
                    gas.version(),
                    gas.digest(),
                )],
                owner: sender,
                price: node.reference_gas_price(),
                budget: 1_000_000_000,
            },
            expiration: TransactionExpiration::None,
        };
        let signature = key
            .sign_transaction(&transaction)
            .map_err(|e| anyhow::anyhow!("signing the keeper transaction: {e}"))?;
        let tx = node
            .execute(transaction, vec![signature])
            .map_err(|e| anyhow::anyhow!("the keeper's {function} was rejected: {e}"))?;
        Ok(Some(tx))
    }
}
