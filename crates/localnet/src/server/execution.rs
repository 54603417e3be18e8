//! `TransactionExecutionService`: execution and simulation (with input resolution and gas
//! selection, as `Transaction.build()` in the TypeScript SDK needs).

use std::collections::BTreeSet;

use sui_rpc::field::FieldMaskTree;
use sui_rpc::field::FieldMaskUtil as _;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_rpc::proto::sui::rpc::v2::transaction_execution_service_server::TransactionExecutionService;
use sui_sdk_types::Address;
use sui_sdk_types::Argument;
use sui_sdk_types::Command;
use sui_sdk_types::Input;
use sui_sdk_types::Owner;
use sui_sdk_types::SharedInput;
use sui_sdk_types::Transaction;
use sui_sdk_types::TransactionKind;
use tonic::Request;
use tonic::Response;
use tonic::Status;

use super::Rpc;
use crate::natives::Param;
use crate::natives::SigType;
use crate::store::ExecutedTx;
use crate::value::CLOCK_ID;

const EXECUTE_DEFAULT_MASK: &str = "effects.status,checkpoint";
const SIMULATE_DEFAULT_MASK: &str = "transaction.effects.status";

/// A mask for an `ExecutedTransaction`, given relative to it or to a response wrapping it in
/// a `transaction` field (clients use both forms).
fn executed_mask<R: sui_rpc::field::MessageFields>(
    mask: Option<prost_types::FieldMask>,
    default: &str,
    prefer_response: bool,
) -> Result<FieldMaskTree, Status> {
    let mask = mask.unwrap_or_else(|| prost_types::FieldMask::from_str(default));
    let as_tx = mask.validate::<proto::ExecutedTransaction>().is_ok();
    let as_response = mask.validate::<R>().is_ok();
    let tree = FieldMaskTree::from_field_mask(&mask);
    match (as_tx, as_response) {
        (true, true) if !prefer_response => Ok(tree),
        (_, true) => Ok(tree.subtree("transaction").unwrap_or_default()),
        (true, false) => Ok(tree),
        (false, false) => Err(Status::invalid_argument(format!(
            "invalid read_mask: {}",
            mask.display()
        ))),
    }
}

fn executed_message(tx: &ExecutedTx, mask: &FieldMaskTree) -> proto::ExecutedTransaction {
    let with_objects = mask
        .subtree(proto::ExecutedTransaction::OBJECTS_FIELD.name)
        .is_some();
    let full = crate::proto::executed_transaction(tx, with_objects);
    crate::proto::masked_transaction(&full, mask)
}

/// Rejects a version or digest given for an object input that is not the object's current one.
fn check_given_reference(
    input: &proto::Input,
    object: &sui_sdk_types::Object,
) -> Result<(), Status> {
    let id = object.object_id();
    if let Some(version) = input.version {
        if version != object.version() {
            return Err(Status::invalid_argument(format!(
                "object {id}: provided version {version} doesn't match, actual: {}",
                object.version()
            )));
        }
    }
    if let Some(digest) = input.digest.as_deref() {
        if digest != object.digest().to_string() {
            return Err(Status::invalid_argument(format!(
                "object {id}: provided digest {digest} doesn't match, actual: {}",
                object.digest()
            )));
        }
    }
    Ok(())
}

impl Rpc {
    /// Fills in what clients leave for the server to resolve: object versions, digests and
    /// kinds, gas owner and price. Returns the transaction and which shared inputs need their
    /// mutability inferred.
    fn resolve(&self, mut t: proto::Transaction) -> Result<(Transaction, bool), Status> {
        if t.bcs.is_some() {
            let tx = Transaction::try_from(&t)
                .map_err(|e| Status::invalid_argument(format!("invalid transaction: {e}")))?;
            return Ok((tx, false));
        }
        t.version.get_or_insert(1);
        let sender = t
            .sender
            .clone()
            .ok_or_else(|| Status::invalid_argument("missing transaction.sender"))?;
        let gas = t.gas_payment.get_or_insert_with(Default::default);
        gas.owner.get_or_insert(sender);
        gas.price.get_or_insert(self.node.reference_gas_price());
        let estimate_budget = gas.budget.is_none();
        gas.budget.get_or_insert(crate::node::MAX_GAS_BUDGET);
        if t.expiration.is_none() {
            let mut e = proto::TransactionExpiration::default();
            e.kind = Some(proto::transaction_expiration::TransactionExpirationKind::None as i32);
            t.expiration = Some(e);
        }
        // The TypeScript SDK sends the kind's `data` without the `kind` discriminant.
        if let Some(kind) = t.kind.as_mut() {
            if kind.kind.is_none()
                && matches!(
                    kind.data,
                    Some(proto::transaction_kind::Data::ProgrammableTransaction(_))
                )
            {
                kind.kind = Some(proto::transaction_kind::Kind::ProgrammableTransaction as i32);
            }
        }
        let mut infer = BTreeSet::new();
        let mut maybe_receiving = BTreeSet::new();
        if let Some(ptb) = t
            .kind
            .as_mut()
            .and_then(|k| k.data.as_mut())
            .and_then(|d| match d {
                proto::transaction_kind::Data::ProgrammableTransaction(p) => Some(p),
                _ => None,
            })
        {
            for (i, input) in ptb.inputs.iter_mut().enumerate() {
                let Some(id) = input.object_id.as_deref() else {
                    continue;
                };
                if input.kind() == proto::input::InputKind::Pure {
                    continue;
                }
                let id: Address = id.parse().map_err(|e| {
                    Status::invalid_argument(format!("invalid input object id {id:?}: {e}"))
                })?;
                let object = self
                    .node
                    .object(&id)
                    .ok_or_else(|| Status::not_found(format!("input object {id} not found")))?;
                let kind = input.kind();
                match (kind, object.owner()) {
                    (proto::input::InputKind::Receiving, owner) => {
                        // As Sui: the object's current reference, which must be address-owned
                        // (or immutable) and match any version or digest given.
                        if !matches!(owner, Owner::Address(_) | Owner::Immutable) {
                            return Err(Status::invalid_argument(format!(
                                "object {id} is not Immutable or AddressOwned"
                            )));
                        }
                        check_given_reference(input, &object)?;
                        input.version = Some(object.version());
                        input.digest = Some(object.digest().to_string());
                    }
                    (proto::input::InputKind::Unknown, Owner::Object(_)) => {
                        return Err(Status::invalid_argument(format!(
                            "object {id} is object owned and cannot be used as an input"
                        )));
                    }
                    (_, Owner::Shared(initial)) => {
                        input.kind = Some(proto::input::InputKind::Shared as i32);
                        input.version = Some(*initial);
                        if input.mutable.is_none()
                            && input.mutability() == proto::input::Mutability::Unknown
                        {
                            input.mutable = Some(true);
                            infer.insert(i);
                        }
                    }
                    (_, owner) => {
                        if kind == proto::input::InputKind::Unknown
                            && matches!(owner, Owner::Address(_))
                        {
                            // Receiving if a Move call takes it as a `Receiving<T>` (below).
                            maybe_receiving.insert(i);
                        }
                        input.kind = Some(proto::input::InputKind::ImmutableOrOwned as i32);
                        input.version = Some(object.version());
                        input.digest = Some(object.digest().to_string());
                    }
                }
            }
        }
        let mut tx = Transaction::try_from(&t)
            .map_err(|e| Status::invalid_argument(format!("invalid transaction: {e}")))?;
        if let TransactionKind::ProgrammableTransaction(ptb) = &mut tx.kind {
            for i in maybe_receiving {
                if self.input_used_as_receiving(ptb, i) {
                    if let Some(input) = ptb.inputs.get_mut(i) {
                        if let Input::ImmutableOrOwned(r) = input {
                            *input = Input::Receiving(r.clone());
                        }
                    }
                }
            }
            for i in infer {
                let mutable = self.shared_input_mutable(ptb, i);
                if let Some(Input::Shared(s)) = ptb.inputs.get_mut(i) {
                    *s = SharedInput::new(s.object_id(), s.version(), mutable);
                }
            }
        }
        Ok((tx, estimate_budget))
    }

    /// Whether a Move call takes the input by value as a `0x2::transfer::Receiving<T>` parameter
    /// (Sui's `is_input_argument_receiving`: the first use of the input in each call counts).
    fn input_used_as_receiving(
        &self,
        ptb: &sui_sdk_types::ProgrammableTransaction,
        index: usize,
    ) -> bool {
        let this = Argument::Input(u16::try_from(index).unwrap_or(u16::MAX));
        ptb.commands.iter().any(|command| {
            let Command::MoveCall(call) = command else {
                return false;
            };
            let Some(position) = call.arguments.iter().position(|a| *a == this) else {
                return false;
            };
            let Some(f) = self.node.registry().function(
                &call.package,
                call.module.as_str(),
                call.function.as_str(),
            ) else {
                return false;
            };
            let param = f
                .sig
                .params
                .iter()
                .filter(|p| !matches!(p, Param::TxContext { .. }))
                .nth(position);
            matches!(
                param,
                Some(Param::Val(SigType::Datatype { address, module, name, .. }))
                    if *address == Address::TWO && *module == "transfer" && *name == "Receiving"
            )
        })
    }

    /// A shared input is used immutably if the Clock, or if every use is an `&T` parameter.
    fn shared_input_mutable(
        &self,
        ptb: &sui_sdk_types::ProgrammableTransaction,
        index: usize,
    ) -> bool {
        if let Some(Input::Shared(s)) = ptb.inputs.get(index) {
            if s.object_id() == CLOCK_ID {
                return false;
            }
        }
        let this = Argument::Input(u16::try_from(index).unwrap_or(u16::MAX));
        for command in &ptb.commands {
            match command {
                Command::MoveCall(call) => {
                    let Some(f) = self.node.registry().function(
                        &call.package,
                        call.module.as_str(),
                        call.function.as_str(),
                    ) else {
                        return true;
                    };
                    let params: Vec<&Param> = f
                        .sig
                        .params
                        .iter()
                        .filter(|p| !matches!(p, Param::TxContext { .. }))
                        .collect();
                    for (arg, param) in call.arguments.iter().zip(params) {
                        if *arg == this && !matches!(param, Param::Ref(_)) {
                            return true;
                        }
                    }
                }
                Command::TransferObjects(t) if t.objects.contains(&this) => return true,
                Command::SplitCoins(s) if s.coin == this => return true,
                Command::MergeCoins(m) if m.coin == this || m.coins_to_merge.contains(&this) => {
                    return true;
                }
                Command::MakeMoveVector(m) if m.elements.contains(&this) => return true,
                _ => {}
            }
        }
        false
    }
}

#[tonic::async_trait]
impl TransactionExecutionService for Rpc {
    async fn execute_transaction(
        &self,
        request: Request<proto::ExecuteTransactionRequest>,
    ) -> Result<Response<proto::ExecuteTransactionResponse>, Status> {
        let request = request.into_inner();
        let mask = executed_mask::<proto::ExecuteTransactionResponse>(
            request.read_mask,
            EXECUTE_DEFAULT_MASK,
            false,
        )?;
        let transaction = request
            .transaction
            .as_ref()
            .ok_or_else(|| Status::invalid_argument("missing transaction"))?;
        let transaction = Transaction::try_from(transaction)
            .map_err(|e| Status::invalid_argument(format!("invalid transaction: {e}")))?;
        let signatures = request
            .signatures
            .iter()
            .enumerate()
            .map(|(i, s)| {
                sui_sdk_types::UserSignature::try_from(s)
                    .map_err(|e| Status::invalid_argument(format!("invalid signature {i}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let node = self.node.clone();
        let tx = tokio::task::spawn_blocking(move || node.execute(transaction, signatures))
            .await
            .map_err(|e| Status::internal(format!("execution task failed: {e}")))??;
        let mut message = proto::ExecuteTransactionResponse::default();
        message.transaction = Some(executed_message(&tx, &mask));
        Ok(Response::new(message))
    }

    async fn simulate_transaction(
        &self,
        request: Request<proto::SimulateTransactionRequest>,
    ) -> Result<Response<proto::SimulateTransactionResponse>, Status> {
        let request = request.into_inner();
        let mask = executed_mask::<proto::SimulateTransactionResponse>(
            request.read_mask,
            SIMULATE_DEFAULT_MASK,
            true,
        )?;
        let transaction = request
            .transaction
            .ok_or_else(|| Status::invalid_argument("missing transaction"))?;
        let (transaction, estimate_budget) = self.resolve(transaction)?;
        let select_gas = request.do_gas_selection.unwrap_or(false);
        let checks = request.checks
            != Some(proto::simulate_transaction_request::TransactionChecks::Disabled as i32);
        let node = self.node.clone();
        let (_, tx) = tokio::task::spawn_blocking(move || {
            node.simulate(transaction, select_gas, estimate_budget, checks)
        })
        .await
        .map_err(|e| Status::internal(format!("simulation task failed: {e}")))??;
        let mut message = proto::SimulateTransactionResponse::default();
        message.transaction = Some(executed_message(&tx, &mask));
        message.suggested_gas_price = Some(self.node.reference_gas_price());
        Ok(Response::new(message))
    }
}
