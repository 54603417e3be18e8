//! The programmable transaction of a `fetch_key` request, checked as Seal's key server checks it
//! before anything else (spec seal.md §1.8 step 1): only `seal_approve*` Move calls of one
//! package, every argument an input, the first a pure `vector<u8>` (the key's inner ID).

use haulout_sui::sdk::{Address, Argument, Command, Input, MoveCall, ProgrammableTransaction};

use crate::error::ApiError;

/// A PTB that may be evaluated as a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPtb {
    ptb: ProgrammableTransaction,
    package: Address,
    inner_ids: Vec<Vec<u8>>,
}

impl ValidPtb {
    /// Decodes and checks the request's `ptb` field (already base64-decoded): the BCS
    /// `ProgrammableTransaction` that `Transaction.build({ onlyTransactionKind: true })` gives,
    /// minus its kind tag.
    ///
    /// # Errors
    /// `InvalidPTB` naming the rule that is broken.
    pub fn from_bcs(bytes: &[u8], max_commands: usize) -> Result<Self, ApiError> {
        let ptb: ProgrammableTransaction = bcs::from_bytes(bytes).map_err(|e| {
            ApiError::ptb(format!("the ptb is not a BCS ProgrammableTransaction: {e}"))
        })?;
        Self::new(ptb, max_commands)
    }

    /// Checks a decoded PTB.
    ///
    /// # Errors
    /// `InvalidPTB` naming the rule that is broken.
    pub fn new(ptb: ProgrammableTransaction, max_commands: usize) -> Result<Self, ApiError> {
        if ptb.inputs.is_empty() || ptb.commands.is_empty() {
            return Err(ApiError::ptb("Empty PTB input or command"));
        }
        if ptb.commands.len() > max_commands {
            return Err(ApiError::ptb(format!(
                "the PTB has {} commands; at most {max_commands} keys can be asked for at once",
                ptb.commands.len()
            )));
        }
        let Some(Command::MoveCall(first)) = ptb.commands.first() else {
            return Err(ApiError::ptb("Invalid PTB first command"));
        };
        let package = first.package;
        let mut inner_ids = Vec::with_capacity(ptb.commands.len());
        for command in &ptb.commands {
            let Command::MoveCall(call) = command else {
                return Err(ApiError::ptb("Invalid PTB non move call command"));
            };
            inner_ids.push(inner_id(&ptb, call)?);
            if !call.function.as_str().starts_with("seal_approve") || call.package != package {
                return Err(ApiError::ptb("Invalid function or package id"));
            }
            for argument in &call.arguments {
                match argument {
                    Argument::Input(i) if usize::from(*i) < ptb.inputs.len() => {}
                    Argument::Input(i) => {
                        return Err(ApiError::ptb(format!("argument Input({i}) has no input")));
                    }
                    _ => {
                        return Err(ApiError::ptb(
                            "every argument of a seal_approve call must be an input",
                        ));
                    }
                }
            }
        }
        Ok(Self {
            ptb,
            package,
            inner_ids,
        })
    }

    /// The package every call is to (maybe an upgraded version; the key namespace is its
    /// original ID).
    pub fn package(&self) -> Address {
        self.package
    }

    /// The inner IDs (without the package prefix), one per call, in order.
    pub fn inner_ids(&self) -> &[Vec<u8>] {
        &self.inner_ids
    }

    /// The transaction.
    pub fn ptb(&self) -> &ProgrammableTransaction {
        &self.ptb
    }
}

/// The first argument of `call`: a pure input holding a BCS `vector<u8>`.
fn inner_id(ptb: &ProgrammableTransaction, call: &MoveCall) -> Result<Vec<u8>, ApiError> {
    let Some(first) = call.arguments.first() else {
        return Err(ApiError::ptb("Empty args"));
    };
    let Argument::Input(index) = first else {
        return Err(ApiError::ptb("Invalid index for first argument"));
    };
    let Some(Input::Pure(value)) = ptb.inputs.get(usize::from(*index)) else {
        return Err(ApiError::ptb("Invalid first parameter for seal_approve"));
    };
    bcs::from_bytes::<Vec<u8>>(value)
        .map_err(|_| ApiError::ptb("Invalid BCS for first parameter for seal_approve"))
}

#[cfg(test)]
mod tests {
    use haulout_sui::sdk::{Digest, Identifier, ObjectReference};

    use super::*;

    fn call(package: Address, module: &str, function: &str, arguments: Vec<Argument>) -> Command {
        Command::MoveCall(MoveCall {
            package,
            module: Identifier::new(module).unwrap(),
            function: Identifier::new(function).unwrap(),
            type_arguments: vec![],
            arguments,
        })
    }

    fn pure_id(id: &[u8]) -> Input {
        Input::Pure(bcs::to_bytes(&id.to_vec()).unwrap())
    }

    const PKG: Address = Address::new([7; 32]);

    #[test]
    fn a_batch_of_calls_of_one_package_is_valid() {
        let ptb = ProgrammableTransaction {
            inputs: vec![
                pure_id(&[1, 2, 3, 4]),
                Input::ImmutableOrOwned(ObjectReference::new(Address::TWO, 3, Digest::ZERO)),
                pure_id(&[9]),
            ],
            commands: vec![
                call(
                    PKG,
                    "bla",
                    "seal_approve_x",
                    vec![Argument::Input(0), Argument::Input(1)],
                ),
                call(PKG, "bla2", "seal_approve", vec![Argument::Input(2)]),
            ],
        };
        let valid = ValidPtb::new(ptb.clone(), 100).unwrap();
        assert_eq!(valid.package(), PKG);
        assert_eq!(valid.inner_ids(), &[vec![1, 2, 3, 4], vec![9]]);
        // And through the wire form.
        assert_eq!(
            ValidPtb::from_bcs(&bcs::to_bytes(&ptb).unwrap(), 100).unwrap(),
            valid
        );
    }

    #[test]
    fn every_rule_is_enforced() {
        let id = pure_id(&[1]);
        let ok = call(PKG, "m", "seal_approve", vec![Argument::Input(0)]);
        let cases: Vec<(Vec<Input>, Vec<Command>, &str)> = vec![
            (vec![], vec![ok.clone()], "Empty PTB input or command"),
            (vec![id.clone()], vec![], "Empty PTB input or command"),
            (
                vec![id.clone()],
                vec![Command::MakeMoveVector(haulout_sui::sdk::MakeMoveVector {
                    type_: None,
                    elements: vec![],
                })],
                "Invalid PTB first command",
            ),
            (
                vec![id.clone()],
                vec![
                    ok.clone(),
                    Command::MergeCoins(haulout_sui::sdk::MergeCoins {
                        coin: Argument::Gas,
                        coins_to_merge: vec![],
                    }),
                ],
                "Invalid PTB non move call command",
            ),
            (
                vec![id.clone()],
                vec![call(PKG, "m", "approve", vec![Argument::Input(0)])],
                "Invalid function or package id",
            ),
            (
                vec![id.clone()],
                vec![
                    ok.clone(),
                    call(Address::TWO, "m", "seal_approve", vec![Argument::Input(0)]),
                ],
                "Invalid function or package id",
            ),
            (
                vec![id.clone()],
                vec![call(PKG, "m", "seal_approve", vec![])],
                "Empty args",
            ),
            (
                vec![id.clone()],
                vec![call(PKG, "m", "seal_approve", vec![Argument::Gas])],
                "Invalid index for first argument",
            ),
            (
                vec![Input::ImmutableOrOwned(ObjectReference::new(
                    Address::TWO,
                    1,
                    Digest::ZERO,
                ))],
                vec![call(PKG, "m", "seal_approve", vec![Argument::Input(0)])],
                "Invalid first parameter for seal_approve",
            ),
            (
                vec![Input::Pure(vec![5, 1])],
                vec![call(PKG, "m", "seal_approve", vec![Argument::Input(0)])],
                "Invalid BCS for first parameter for seal_approve",
            ),
            (
                vec![id.clone()],
                vec![call(PKG, "m", "seal_approve", vec![Argument::Input(3)])],
                "Invalid first parameter for seal_approve",
            ),
            (
                vec![id.clone()],
                vec![call(
                    PKG,
                    "m",
                    "seal_approve",
                    vec![Argument::Input(0), Argument::Result(0)],
                )],
                "every argument of a seal_approve call must be an input",
            ),
        ];
        for (inputs, commands, message) in cases {
            let err = ValidPtb::new(ProgrammableTransaction { inputs, commands }, 100).unwrap_err();
            assert_eq!(err, ApiError::ptb(message));
        }
        let many = ProgrammableTransaction {
            inputs: vec![id],
            commands: vec![ok; 101],
        };
        assert!(
            ValidPtb::new(many, 100)
                .unwrap_err()
                .message
                .contains("at most 100")
        );
    }

    #[test]
    fn garbage_is_an_invalid_ptb_not_a_panic() {
        for bytes in [&[][..], &[0], &[1, 2, 3], &[0xff; 4000]] {
            let err = ValidPtb::from_bcs(bytes, 100).unwrap_err();
            assert!(err.is(haulout_seal::api::ErrorKind::InvalidPTB));
        }
    }
}
