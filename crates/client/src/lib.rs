//! haulout's client: the library behind the `haulout` command-line tool.
//!
//! For now it holds the command-line front end ([`cli`]); the network client (store, read,
//! staking, governance) joins it as the local network comes up.

pub mod cli;
