#[test_only]
module wal::wal_tests;

use sui::coin::{Coin, CoinMetadata};
use sui::test_scenario as ts;
use wal::wal::{WAL, ProtectedTreasury};

const PUBLISHER: address = @0xa11ce;
const FROST_PER_WAL: u64 = 1_000_000_000;

#[test]
fun init_mints_supply_and_freezes_metadata() {
    let mut scenario = ts::begin(PUBLISHER);
    wal::wal::init_for_testing(scenario.ctx());
    scenario.next_tx(PUBLISHER);

    let treasury = scenario.take_shared<ProtectedTreasury>();
    assert!(treasury.total_supply() == 5_000_000_000 * FROST_PER_WAL);
    ts::return_shared(treasury);

    let coin = scenario.take_from_sender<Coin<WAL>>();
    assert!(coin.value() == 5_000_000_000 * FROST_PER_WAL);
    scenario.return_to_sender(coin);

    let metadata = scenario.take_immutable<CoinMetadata<WAL>>();
    assert!(metadata.get_decimals() == 9);
    assert!(metadata.get_symbol() == b"WAL".to_ascii_string());
    assert!(metadata.get_name() == b"WAL Token".to_string());
    ts::return_immutable(metadata);
    scenario.end();
}

#[test]
fun burn_reduces_total_supply() {
    let mut scenario = ts::begin(PUBLISHER);
    wal::wal::init_for_testing(scenario.ctx());
    scenario.next_tx(PUBLISHER);

    let mut treasury = scenario.take_shared<ProtectedTreasury>();
    let mut coin = scenario.take_from_sender<Coin<WAL>>();
    let to_burn = coin.split(1_000 * FROST_PER_WAL, scenario.ctx());
    treasury.burn(to_burn);
    assert!(treasury.total_supply() == (5_000_000_000 - 1_000) * FROST_PER_WAL);

    scenario.return_to_sender(coin);
    ts::return_shared(treasury);
    scenario.end();
}
