//! Staking and governance transactions: withdrawing stake, proposals, votes, finalization and
//! execution (`walrus::staking` and `walrus::governance`).

use haulout_sui::Executed;
use haulout_sui::sdk::{Address, Argument, Command, Input, ProgrammableTransaction};

use crate::client::{Client, call, pure};
use crate::error::{ClientError, Result};

/// A vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// For.
    Yes,
    /// Against.
    No,
    /// Counts for the quorum only.
    Abstain,
}

impl Choice {
    fn code(self) -> u8 {
        match self {
            Self::Yes => 0,
            Self::No => 1,
            Self::Abstain => 2,
        }
    }
}

impl std::str::FromStr for Choice {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "yes" => Ok(Self::Yes),
            "no" => Ok(Self::No),
            "abstain" => Ok(Self::Abstain),
            other => Err(format!("{other:?}: vote yes, no or abstain")),
        }
    }
}

impl Client {
    fn governance_config(&self) -> Result<Address> {
        self.network.governance_config_id.ok_or_else(|| {
            ClientError::Invalid("this network file names no governanceConfigId".into())
        })
    }

    async fn owned(&self, id: Address) -> Result<Input> {
        Ok(Input::ImmutableOrOwned(self.sui().owned_ref(id).await?))
    }

    /// `staking::request_withdraw_stake` on the wallet's `StakedWal`.
    ///
    /// # Errors
    /// If the call aborts (e.g. vote-locked, already withdrawing).
    pub async fn request_withdraw(&self, staked: Address) -> Result<Executed> {
        let package = self.walrus.call_package().await?;
        let ptb = ProgrammableTransaction {
            inputs: vec![
                self.sui()
                    .shared_input(self.walrus.staking_id(), true)
                    .await?,
                self.owned(staked).await?,
            ],
            commands: vec![call(
                package,
                "staking",
                "request_withdraw_stake",
                vec![Argument::Input(0), Argument::Input(1)],
            )],
        };
        self.execute(ptb).await
    }

    /// `staking::withdraw_stake`: the WAL (principal and rewards) goes to the wallet.
    ///
    /// # Errors
    /// If the call aborts (e.g. the withdrawal epoch is not reached).
    pub async fn withdraw(&self, staked: Address) -> Result<Executed> {
        let sender = self.sender()?;
        let package = self.walrus.call_package().await?;
        let ptb = ProgrammableTransaction {
            inputs: vec![
                self.sui()
                    .shared_input(self.walrus.staking_id(), true)
                    .await?,
                self.owned(staked).await?,
                pure(&sender)?,
            ],
            commands: vec![
                call(
                    package,
                    "staking",
                    "withdraw_stake",
                    vec![Argument::Input(0), Argument::Input(1)],
                ),
                Command::TransferObjects(haulout_sui::sdk::TransferObjects {
                    objects: vec![Argument::Result(0)],
                    address: Argument::Input(2),
                }),
            ],
        };
        self.execute(ptb).await
    }

    /// `governance::create_proposal` with the wallet's `StakedWal` `staked`: a signal, or
    /// `set_parameter` (name, value). Returns the transaction and the new `Proposal`.
    ///
    /// # Errors
    /// If the call aborts (stake too small or not active, unknown parameter, …).
    pub async fn propose(
        &self,
        staked: Address,
        title: &str,
        description: &str,
        parameter: Option<(String, u64)>,
    ) -> Result<(Executed, Address)> {
        let package = self.walrus.call_package().await?;
        let sui = self.sui();
        let mut inputs = vec![
            sui.shared_input(self.governance_config()?, true).await?,
            sui.shared_input(self.walrus.staking_id(), false).await?,
            self.owned(staked).await?,
            pure(&title.to_owned())?,
            pure(&description.to_owned())?,
        ];
        let action = match parameter {
            None => call(package, "governance", "signal_action", vec![]),
            Some((name, value)) => {
                inputs.push(pure(&name)?);
                inputs.push(pure(&value)?);
                call(
                    package,
                    "governance",
                    "set_parameter_action",
                    vec![Argument::Input(5), Argument::Input(6)],
                )
            }
        };
        let ptb = ProgrammableTransaction {
            inputs,
            commands: vec![
                action,
                call(
                    package,
                    "governance",
                    "create_proposal",
                    vec![
                        Argument::Input(0),
                        Argument::Input(1),
                        Argument::Input(2),
                        Argument::Input(3),
                        Argument::Input(4),
                        Argument::Result(0),
                    ],
                ),
            ],
        };
        let executed = self.execute(ptb).await?;
        let kind = format!("{}::governance::Proposal", self.network.walrus_package_id);
        let proposal = executed
            .created_of_type(&kind)
            .ok_or_else(|| ClientError::Invalid("create_proposal created no Proposal".into()))?;
        Ok((executed, proposal))
    }

    /// `governance::vote` on `proposal` with the wallet's `StakedWal` `staked`.
    ///
    /// # Errors
    /// If the call aborts (voting closed, already voted, stake too new, …).
    pub async fn vote(
        &self,
        proposal: Address,
        staked: Address,
        choice: Choice,
    ) -> Result<Executed> {
        let package = self.walrus.call_package().await?;
        let sui = self.sui();
        let ptb = ProgrammableTransaction {
            inputs: vec![
                sui.shared_input(proposal, true).await?,
                sui.shared_input(self.walrus.staking_id(), false).await?,
                self.owned(staked).await?,
                pure(&choice.code())?,
            ],
            commands: vec![call(
                package,
                "governance",
                "vote",
                (0..4).map(Argument::Input).collect(),
            )],
        };
        self.execute(ptb).await
    }

    /// `governance::finalize`: passed or rejected, once voting has ended.
    ///
    /// # Errors
    /// If voting has not ended or the proposal is not active.
    pub async fn finalize(&self, proposal: Address) -> Result<Executed> {
        self.proposal_call("finalize", proposal, false).await
    }

    /// `governance::execute` of a passed proposal.
    ///
    /// # Errors
    /// If it has not passed or was executed already.
    pub async fn execute_proposal(&self, proposal: Address) -> Result<Executed> {
        self.proposal_call("execute", proposal, true).await
    }

    /// `governance::<function>(proposal, config, staking)`, config and staking mutable when
    /// `mutates` (execution changes parameters).
    async fn proposal_call(
        &self,
        function: &'static str,
        proposal: Address,
        mutates: bool,
    ) -> Result<Executed> {
        let package = self.walrus.call_package().await?;
        let sui = self.sui();
        let ptb = ProgrammableTransaction {
            inputs: vec![
                sui.shared_input(proposal, true).await?,
                sui.shared_input(self.governance_config()?, mutates).await?,
                sui.shared_input(self.walrus.staking_id(), mutates).await?,
            ],
            commands: vec![call(
                package,
                "governance",
                function,
                (0..3).map(Argument::Input).collect(),
            )],
        };
        self.execute(ptb).await
    }
}
