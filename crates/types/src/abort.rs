//! Abort codes of the Move modules, with the same names and numbers as the `const E…: u64`
//! declarations in `move/` (checked by `tests/conformance.rs`).
#![allow(non_upper_case_globals)]
