//! Native implementation of the `walrus` Move package.

pub mod governance_math;
pub mod staking_math;
