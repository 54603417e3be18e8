//! The `haulout` command-line tool.
fn main() {}
