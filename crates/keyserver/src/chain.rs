//! Policy evaluation on the chain, only through the Sui gRPC API (spec seal.md §1.8 steps 2
//! and 4): the original ID of the called package (the key namespace), the reference gas price,
//! and the dry run of the `seal_approve*` calls with the user as sender.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use haulout_seal::api::ErrorKind;
use haulout_sui::proto;
use haulout_sui::sdk::{
    Address, Argument, Command, Identifier, Input, MoveCall, ObjectData, ProgrammableTransaction,
    SharedInput,
};
use haulout_sui::{CLOCK_ID, SuiClient};

use crate::error::ApiError;

/// Gas budget of a policy evaluation (Seal's).
pub const GAS_BUDGET: u64 = 500_000_000;
/// How long the reference gas price is reused.
const GAS_PRICE_TTL: Duration = Duration::from_secs(60);
/// Package IDs whose original ID is remembered (the map is cleared when full).
const PACKAGE_CACHE: usize = 10_000;
/// Seal's `time::check_staleness` abort code for a full node whose clock lags.
pub const ESTALE_FULLNODE: u64 = 93_492;

/// The chain a key server evaluates policies on.
#[derive(Debug)]
pub struct Chain {
    client: SuiClient,
    seal_package: Address,
    allowed_staleness_ms: u64,
    gas_price: Mutex<Option<(u64, Instant)>>,
    originals: Mutex<HashMap<Address, Address>>,
}

impl Chain {
    /// A chain reached through `client`, whose Seal package is `seal_package`.
    pub fn new(client: SuiClient, seal_package: Address, allowed_staleness_ms: u64) -> Self {
        Self {
            client,
            seal_package,
            allowed_staleness_ms,
            gas_price: Mutex::new(None),
            originals: Mutex::new(HashMap::new()),
        }
    }

    /// The client.
    pub fn client(&self) -> &SuiClient {
        &self.client
    }

    /// The original (first-version) ID of `package`: identities live in its namespace, so a
    /// policy upgrade keeps every key.
    ///
    /// # Errors
    /// `InvalidPackage` if there is no such package; `Failure` if the chain cannot be asked.
    pub async fn original_package_id(&self, package: Address) -> Result<Address, ApiError> {
        if let Some(original) = lock(&self.originals).get(&package) {
            return Ok(*original);
        }
        let mut request = proto::GetObjectRequest::default();
        request.object_id = Some(package.to_string());
        request.read_mask = Some(prost_types::FieldMask {
            paths: vec!["object_id".into(), "version".into(), "bcs".into()],
        });
        let response = self
            .client
            .rpc()
            .ledger_client()
            .get_object(request)
            .await
            .map_err(|s| match s.code() {
                tonic::Code::NotFound | tonic::Code::InvalidArgument => ApiError::new(
                    ErrorKind::InvalidPackage,
                    format!("package {package} does not exist on this chain"),
                ),
                _ => failure(format!("GetObject {package}: {}", s.message())),
            })?
            .into_inner();
        let object = response.object.unwrap_or_default();
        let invalid = || {
            ApiError::new(
                ErrorKind::InvalidPackage,
                format!("{package} is not a Move package"),
            )
        };
        let original = match object.version {
            Some(1) => package,
            _ => {
                let bytes = object.bcs.and_then(|b| b.value).ok_or_else(invalid)?;
                let decoded: haulout_sui::sdk::Object =
                    bcs::from_bytes(&bytes).map_err(|_| invalid())?;
                let ObjectData::Package(p) = decoded.data() else {
                    return Err(invalid());
                };
                // An upgraded package keeps its first version's types: their origin is the
                // original package.
                p.type_origin_table
                    .first()
                    .map_or(package, |origin| origin.package)
            }
        };
        let mut originals = lock(&self.originals);
        if originals.len() >= PACKAGE_CACHE {
            originals.clear();
        }
        originals.insert(package, original);
        Ok(original)
    }

    /// The reference gas price, asked at most once a minute.
    ///
    /// # Errors
    /// `Failure` if the chain cannot be asked.
    pub async fn reference_gas_price(&self) -> Result<u64, ApiError> {
        if let Some((price, at)) = *lock(&self.gas_price) {
            if at.elapsed() < GAS_PRICE_TTL {
                return Ok(price);
            }
        }
        let price = self
            .client
            .gas_price()
            .await
            .map_err(|e| failure(format!("reference gas price: {e}")))?;
        *lock(&self.gas_price) = Some((price, Instant::now()));
        Ok(price)
    }

    /// Dry-runs `ptb` (already checked by [`crate::ptb::ValidPtb`]) with `user` as sender, after
    /// Seal's staleness check at `now_ms`, on the latest versions of its objects; allows when
    /// nothing aborts.
    ///
    /// # Errors
    /// `NoAccess` with the chain's reason when a call aborts; `InvalidPTB` when a function does
    /// not exist; `InvalidParameter` when an input object is unknown or unusable; `Failure`
    /// when the full node is stale or cannot be asked.
    pub async fn evaluate(
        &self,
        user: Address,
        ptb: &ProgrammableTransaction,
        now_ms: u64,
    ) -> Result<(), ApiError> {
        let gas_price = self.reference_gas_price().await?;
        let ptb = with_staleness_check(ptb, self.seal_package, now_ms, self.allowed_staleness_ms)?;
        let transaction = haulout_sui::sdk::Transaction {
            kind: haulout_sui::sdk::TransactionKind::ProgrammableTransaction(ptb),
            sender: user,
            gas_payment: haulout_sui::sdk::GasPayment {
                objects: vec![],
                owner: user,
                price: gas_price,
                budget: GAS_BUDGET,
            },
            expiration: haulout_sui::sdk::TransactionExpiration::None,
        };
        let mut message = proto::Transaction::from(transaction);
        // The full node resolves each object to its latest version.
        for input in message
            .kind
            .as_mut()
            .and_then(|k| k.data.as_mut())
            .and_then(|d| match d {
                proto::transaction_kind::Data::ProgrammableTransaction(p) => Some(p),
                _ => None,
            })
            .map(|p| p.inputs.iter_mut())
            .into_iter()
            .flatten()
        {
            if input.kind() == proto::input::InputKind::ImmutableOrOwned {
                input.version = None;
                input.digest = None;
            }
        }
        message.bcs = None;
        message.digest = None;
        let mut request = proto::SimulateTransactionRequest::default();
        request.transaction = Some(message);
        request.read_mask = Some(prost_types::FieldMask {
            paths: vec![
                "transaction.effects.status".into(),
                "transaction.effects.gas_used".into(),
            ],
        });
        let response = self
            .client
            .rpc()
            .execution_client()
            .simulate_transaction(request)
            .await
            .map_err(|s| match s.code() {
                // An input the full node cannot use: unknown, not yet seen, or an owned object
                // that is not the sender's (Sui's JSON-RPC dry run answers all with invalid
                // params, which Seal reports as InvalidParameter).
                tonic::Code::InvalidArgument
                | tonic::Code::NotFound
                | tonic::Code::FailedPrecondition => ApiError::new(
                    ErrorKind::InvalidParameter,
                    format!(
                        "the chain refused the PTB's inputs: {} (an object created moments ago \
                         may not be visible yet; retry in a few seconds)",
                        s.message()
                    ),
                ),
                _ => failure(format!("SimulateTransaction: {}", s.message())),
            })?
            .into_inner();
        let status = response
            .transaction
            .and_then(|t| t.effects)
            .and_then(|e| e.status)
            .ok_or_else(|| failure("SimulateTransaction answered no effects status".into()))?;
        if status.success() {
            return Ok(());
        }
        Err(refusal(status.error.unwrap_or_default(), self.seal_package))
    }
}

/// `ptb` with `seal::time::check_staleness(now_ms, allowed, &Clock)` in front (the Clock added
/// as an input if it is not one), the user's calls' input indices unchanged.
fn with_staleness_check(
    ptb: &ProgrammableTransaction,
    seal_package: Address,
    now_ms: u64,
    allowed_staleness_ms: u64,
) -> Result<ProgrammableTransaction, ApiError> {
    let mut ptb = ptb.clone();
    let clock = match ptb
        .inputs
        .iter()
        .position(|i| matches!(i, Input::Shared(s) if s.object_id() == CLOCK_ID))
    {
        Some(i) => i,
        None => {
            ptb.inputs
                .push(Input::Shared(SharedInput::new(CLOCK_ID, 1, false)));
            ptb.inputs.len() - 1
        }
    };
    let index =
        |i: usize| u16::try_from(i).map_err(|_| ApiError::ptb("the PTB has too many inputs"));
    ptb.inputs
        .push(Input::Pure(bcs::to_bytes(&now_ms).unwrap_or_default()));
    let now = index(ptb.inputs.len() - 1)?;
    ptb.inputs.push(Input::Pure(
        bcs::to_bytes(&allowed_staleness_ms).unwrap_or_default(),
    ));
    let allowed = index(ptb.inputs.len() - 1)?;
    let check = Command::MoveCall(MoveCall {
        package: seal_package,
        module: Identifier::from_static("time"),
        function: Identifier::from_static("check_staleness"),
        type_arguments: vec![],
        arguments: vec![
            Argument::Input(now),
            Argument::Input(allowed),
            Argument::Input(index(clock)?),
        ],
    });
    ptb.commands.insert(0, check);
    Ok(ptb)
}

/// What a failed dry run means for the user.
fn refusal(error: proto::ExecutionError, seal_package: Address) -> ApiError {
    use proto::execution_error::ExecutionErrorKind;
    let description = error.description.clone().unwrap_or_default();
    if let Some(proto::execution_error::ErrorDetails::Abort(abort)) = &error.error_details {
        let location = abort.location.clone().unwrap_or_default();
        let in_seal_time = location
            .package
            .as_deref()
            .and_then(|p| p.parse::<Address>().ok())
            == Some(seal_package)
            && location.module.as_deref() == Some("time");
        if in_seal_time && abort.abort_code == Some(ESTALE_FULLNODE) {
            return failure("Fullnode is stale".into());
        }
        let mut message = format!(
            "the policy denied access: {}::{} aborted with code {}",
            location.module.as_deref().unwrap_or("?"),
            location.function_name.as_deref().unwrap_or("?"),
            abort.abort_code.unwrap_or_default()
        );
        if let Some(clever) = abort
            .clever_error
            .as_ref()
            .and_then(|c| c.constant_name.as_deref())
        {
            message.push_str(&format!(" ({clever})"));
        }
        return ApiError::new(ErrorKind::NoAccess, message);
    }
    if error.kind() == ExecutionErrorKind::FunctionNotFound {
        return ApiError::ptb("The seal_approve function was not found on the module");
    }
    ApiError::new(
        ErrorKind::NoAccess,
        format!("the policy denied access: {description}"),
    )
}

fn failure(message: String) -> ApiError {
    ApiError::new(ErrorKind::Failure, message)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_staleness_check_comes_first_and_keeps_input_indices() {
        let pkg = Address::new([7; 32]);
        let seal = Address::new([8; 32]);
        let ptb = ProgrammableTransaction {
            inputs: vec![Input::Pure(bcs::to_bytes(&vec![1u8]).unwrap())],
            commands: vec![Command::MoveCall(MoveCall {
                package: pkg,
                module: Identifier::from_static("tle"),
                function: Identifier::from_static("seal_approve"),
                type_arguments: vec![],
                arguments: vec![Argument::Input(0)],
            })],
        };
        let checked = with_staleness_check(&ptb, seal, 5, 120_000).unwrap();
        assert_eq!(checked.inputs[0], ptb.inputs[0]);
        assert_eq!(
            checked.inputs[1],
            Input::Shared(SharedInput::new(CLOCK_ID, 1, false))
        );
        assert_eq!(
            checked.inputs[2],
            Input::Pure(bcs::to_bytes(&5u64).unwrap())
        );
        assert_eq!(
            checked.inputs[3],
            Input::Pure(bcs::to_bytes(&120_000u64).unwrap())
        );
        let Command::MoveCall(first) = &checked.commands[0] else {
            panic!("not a call");
        };
        assert_eq!(
            (first.package, first.function.as_str()),
            (seal, "check_staleness")
        );
        assert_eq!(
            first.arguments,
            vec![Argument::Input(2), Argument::Input(3), Argument::Input(1)]
        );
        assert_eq!(checked.commands[1], ptb.commands[0]);

        // A Clock the user passed is reused.
        let mut with_clock = ptb.clone();
        with_clock
            .inputs
            .push(Input::Shared(SharedInput::new(CLOCK_ID, 1, false)));
        let checked = with_staleness_check(&with_clock, seal, 5, 1).unwrap();
        assert_eq!(checked.inputs.len(), 4);
    }
}
