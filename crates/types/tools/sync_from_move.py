#!/usr/bin/env python3
"""Regenerates src/abort.rs, src/constants.rs and src/functions.rs of haulout-types from Move.

Usage: python3 crates/types/tools/sync_from_move.py [MOVE_DIR]   (default: <repo>/move)

Review the diff: these files are the Rust side of the conformance test
(tests/conformance.rs), which fails when Move and Rust disagree.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CRATE = os.path.dirname(HERE)
MOVE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(CRATE, "..", "..", "move")

# Functions a transaction calls (contracts.md §3-§4): the local chain dispatches these.
FUNCTIONS = {
    ("walrus", "system"): """reserve_space reserve_space_for_epochs register_blob certify_blob
        delete_blob extend_blob extend_blob_with_resource invalidate_blob_id epoch n_shards
        total_capacity_size used_capacity_size storage_price_per_unit_size
        write_price_per_unit_size""",
    ("walrus", "storage_resource"): """split_by_epoch split_by_size fuse_periods fuse_amount fuse
        destroy start_epoch end_epoch storage_size""",
    ("walrus", "blob"): """add_metadata add_or_replace_metadata insert_or_update_metadata_pair
        remove_metadata_pair remove_metadata_pair_if_exists take_metadata burn blob_id object_id
        size registered_epoch certified_epoch end_epoch is_deletable storage encoding_type
        encoded_size derive_blob_id""",
    ("walrus", "metadata"): "new insert_or_update remove remove_if_exists",
    ("walrus", "shared_blob"): "new new_funded fund extend blob funds",
    ("walrus", "staking"): """register_candidate stake_with_pool request_withdraw_stake
        withdraw_stake set_storage_price_vote set_write_price_vote set_node_capacity_vote
        update_prices set_next_commission collect_commission set_commission_receiver
        set_governance_authorized set_next_public_key set_network_address set_name
        set_network_public_key set_node_metadata voting_end initiate_epoch_change
        initiate_epoch_change_v2 epoch_sync_done try_join_active_set epoch n_shards
        total_active_stake calculate_rewards can_withdraw_staked_wal_early""",
    ("walrus", "staked_wal"): """split join destroy_zero value node_id activation_epoch is_staked
        is_withdrawing withdraw_epoch has_voted vote_locked_until""",
    ("walrus", "auth"): """authenticate_sender authenticate_with_object authorized_address
        authorized_object""",
    ("walrus", "node_metadata"): "new",
    ("walrus", "governance"): """signal_action set_parameter_action create_proposal vote finalize
        execute is_passing number tally status voting_end_epoch created_epoch
        min_stake_to_propose voting_period_epochs quorum_bps pass_threshold_bps""",
    ("wal", "wal"): "burn total_supply",
    ("seal", "key_server"): """create_and_transfer_v2_independent_server update name url
        key_type id""",
    ("seal", "time"): "check_staleness",
    ("policies", "private"): "seal_approve",
    ("policies", "allowlist"): """create_allowlist create_allowlist_entry add remove namespace
        publish seal_approve""",
    ("policies", "subscription"): """create_service create_service_entry subscribe transfer
        publish seal_approve""",
    ("policies", "tle"): "seal_approve",
}


def strip_comments(src):
    src = re.sub(r"/\*.*?\*/", " ", src, flags=re.S)
    return re.sub(r"//[^\n]*", "", src)


def split_top(s):
    out, depth, cur = [], 0, ""
    for c in s:
        if c in "<({[":
            depth += 1
        elif c in ">)}]":
            depth -= 1
        elif c == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        cur += c
    out.append(cur.strip())
    return [p for p in out if p]


def norm(t):
    t = " ".join(t.split())
    t = re.sub(r"\b(?:[A-Za-z_][A-Za-z0-9_]*::)+", "", t)
    t = re.sub(r"\s*<\s*", "<", t)
    t = re.sub(r"\s*>", ">", t)
    t = re.sub(r"\s*,\s*", ", ", t)
    return t


def modules():
    for root, dirs, files in os.walk(MOVE):
        dirs[:] = sorted(d for d in dirs if d not in ("build", "node_modules", "tests"))
        for f in sorted(files):
            if f.endswith(".move"):
                src = strip_comments(open(os.path.join(root, f)).read())
                m = re.search(r"\bmodule\s+(\w+)::(\w+)", src)
                if m:
                    yield m.group(1), m.group(2), src


def int_lit(s):
    """An integer literal, or a product of literals (`1_024 * 1_024`)."""
    value = 1
    for part in s.split("*"):
        part = re.sub(r"u(8|16|32|64|128|256)$", "", part.replace("_", "").strip())
        value *= int(part, 16) if part.startswith("0x") else int(part)
    return value


def main():
    aborts, funs, consts = [], [], []
    for pkg, mod, src in modules():
        other = [(n, t, int_lit(v)) for n, t, v in
                 re.findall(r"\bconst\s+([A-Z][A-Z0-9_]*)\s*:\s*(u8|u16|u32|u64|u128)\s*=\s*([0-9a-fA-Fx_* ]+(?:u\d+)?)\s*;", src)
                 if not re.match(r"E[A-Z]", n)]
        if other:
            consts.append((pkg, mod, other))
        codes = [(n, int_lit(v)) for n, v in
                 re.findall(r"\bconst\s+(E[A-Z]\w*)\s*:\s*u64\s*=\s*([0-9a-fA-Fx_]+(?:u64)?)\s*;", src)]
        if codes:
            aborts.append((pkg, mod, codes))
        wanted = FUNCTIONS.get((pkg, mod), "").split()
        for m in re.finditer(r"\b(public|entry)\s+(?:entry\s+)?fun\s+(\w+)\s*(<[^(]*>)?\s*\(", src):
            name = m.group(2)
            if name not in wanted:
                continue
            i, depth = m.end() - 1, 0
            for j in range(i, len(src)):
                depth += {"(": 1, ")": -1}.get(src[j], 0)
                if depth == 0:
                    break
            params = [norm(p.split(":", 1)[1]) for p in split_top(src[i + 1:j]) if ":" in p]
            funs.append((pkg, mod, name, params))

    out = ['//! Abort codes of the Move modules, with the same names and numbers as the `const E…: u64`',
           '//! declarations in `move/` (checked by `tests/conformance.rs`; regenerate with',
           '//! `tools/sync_from_move.py`).', '',
           'macro_rules! abort_codes {',
           '    ($($package:ident :: $module:ident { $($name:ident = $value:literal),* $(,)? })*) => {',
           '        $(',
           '            #[doc = concat!("Abort codes of `", stringify!($package), "::", stringify!($module), "`.")]',
           '            #[allow(non_upper_case_globals)]',
           '            pub mod $module {',
           '                $(',
           '                    #[doc = concat!("`", stringify!($name), "` in `", stringify!($package), "::", stringify!($module), "`.")]',
           '                    pub const $name: u64 = $value;',
           '                )*',
           '            }',
           '        )*',
           '',
           '        /// Every abort code: (package, module, [(name, value)]).',
           '        pub const ALL: &[(&str, &str, &[(&str, u64)])] = &[',
           '            $((stringify!($package), stringify!($module), &[$((stringify!($name), $value)),*]),)*',
           '        ];',
           '    };',
           '}', '',
           'abort_codes! {']
    seen = set()
    for pkg, mod, codes in aborts:
        # Module names are unique across the two packages (`wal` vs walrus modules).
        assert mod not in seen, mod
        seen.add(mod)
        out.append(f"    {pkg}::{mod} {{")
        for n, v in codes:
            out.append(f"        {n} = {v},")
        out.append("    }")
    out.append("}")
    open(os.path.join(CRATE, "src", "abort.rs"), "w").write("\n".join(out) + "\n")

    out = ['//! The other integer constants of the Move modules (limits, defaults, message types), with',
           '//! the same names, types and values (checked by `tests/conformance.rs`; regenerate with',
           '//! `tools/sync_from_move.py`).', '',
           'macro_rules! constants {',
           '    ($($package:ident :: $module:ident { $($name:ident : $ty:ty = $value:literal),* $(,)? })*) => {',
           '        $(',
           '            #[doc = concat!("Constants of `", stringify!($package), "::", stringify!($module), "`.")]',
           '            pub mod $module {',
           '                $(',
           '                    #[doc = concat!("`", stringify!($name), "` in `", stringify!($package), "::", stringify!($module), "`.")]',
           '                    pub const $name: $ty = $value;',
           '                )*',
           '            }',
           '        )*',
           '',
           '        /// Every constant: (package, module, name, value).',
           '        pub const ALL: &[(&str, &str, &str, u128)] = &[',
           '            $($((stringify!($package), stringify!($module), stringify!($name), $value as u128),)*)*',
           '        ];',
           '    };',
           '}', '',
           'constants! {']
    for pkg, mod, cs in consts:
        out.append(f"    {pkg}::{mod} {{")
        for n, t, v in cs:
            out.append(f"        {n}: {t} = {v:_},")
        out.append("    }")
    out.append("}")
    open(os.path.join(CRATE, "src", "constants.rs"), "w").write("\n".join(out) + "\n")

    out = ['//! The Move functions a transaction calls, with their parameter types as declared in Move',
           '//! (checked by `tests/conformance.rs`; regenerate with `tools/sync_from_move.py`). The local',
           '//! chain dispatches exactly these.', '',
           '/// A public or entry Move function.',
           '#[derive(Debug, Clone, Copy, PartialEq, Eq)]',
           'pub struct MoveFunction {',
           '    /// `walrus`, `wal`, `seal` or `policies`.', '    pub package: &\'static str,',
           '    /// The module.', '    pub module: &\'static str,',
           '    /// The function.', '    pub name: &\'static str,',
           '    /// Parameter types as Move spells them, without module paths.',
           '    pub params: &\'static [&\'static str],', '}', '',
           '/// Every dispatched function.',
           'pub const ALL: &[MoveFunction] = &[']
    for pkg, mod, name, params in funs:
        ps = ", ".join(f'"{p}"' for p in params)
        out.append(f'    MoveFunction {{ package: "{pkg}", module: "{mod}", name: "{name}", params: &[{ps}] }},')
    out.append("];")
    out.append("")
    out.append("/// The function `module::name`, if dispatched.")
    out.append("pub fn find(module: &str, name: &str) -> Option<&'static MoveFunction> {")
    out.append("    ALL.iter().find(|f| f.module == module && f.name == name)")
    out.append("}")
    open(os.path.join(CRATE, "src", "functions.rs"), "w").write("\n".join(out) + "\n")
    found = {(p, m, n) for p, m, n, _ in funs}
    for (p, m), names in FUNCTIONS.items():
        for n in names.split():
            if (p, m, n) not in found:
                print(f"warning: {p}::{m}::{n} not found in Move")
    print(f"{sum(len(c) for _, _, c in aborts)} abort codes in {len(aborts)} modules, "
          f"{sum(len(c) for _, _, c in consts)} constants, {len(funs)} functions")


main()
