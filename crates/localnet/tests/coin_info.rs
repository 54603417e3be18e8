//! `StateService.GetCoinInfo` over gRPC: SUI's well-known values, WAL's metadata and treasury as
//! created at genesis (with the supply following a burn), and the errors for unknown or
//! malformed coin types.

mod support;

use std::str::FromStr as _;

use haulout_localnet::walrus::WalrusArgs;
use sui_rpc::field::FieldMaskUtil as _;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_sdk_types::Address;
use sui_sdk_types::Argument;
use sui_sdk_types::Command;
use sui_sdk_types::Identifier;
use sui_sdk_types::Input;
use sui_sdk_types::MoveCall;
use sui_sdk_types::ProgrammableTransaction;
use sui_sdk_types::SharedInput;
use support::Chain;

async fn coin_info(
    chain: &mut Chain,
    coin_type: &str,
) -> Result<proto::GetCoinInfoResponse, tonic::Status> {
    let mut request = proto::GetCoinInfoRequest::default();
    request.coin_type = Some(coin_type.into());
    chain
        .client
        .state_client()
        .get_coin_info(request)
        .await
        .map(tonic::Response::into_inner)
}

#[tokio::test]
async fn coin_info_for_sui_wal_and_unknown_types() {
    let dir = tempfile::tempdir().expect("tempdir");
    let walrus = WalrusArgs {
        nodes: 4,
        n_shards: 8,
        ..Default::default()
    };
    let mut chain = Chain::start_with(dir.path(), true, walrus).await;
    let genesis = chain.localnet.info.walrus.clone().expect("walrus genesis");
    let wal_type = format!("{}::wal::WAL", genesis.wal_package_id);

    let sui = coin_info(&mut chain, "0x2::sui::SUI").await.expect("SUI");
    let metadata = sui.metadata.expect("SUI metadata");
    assert_eq!((metadata.decimals(), metadata.symbol()), (9, "SUI"));
    assert!(sui.treasury.expect("SUI treasury").total_supply() > 0);

    let wal = coin_info(&mut chain, &wal_type).await.expect("WAL");
    assert_eq!(
        wal.coin_type(),
        Address::from_str(&genesis.wal_package_id)
            .map(|a| format!("{a}::wal::WAL"))
            .expect("id")
    );
    let metadata = wal.metadata.clone().expect("WAL metadata");
    assert_eq!(metadata.decimals(), 9);
    assert_eq!(metadata.symbol(), "WAL");
    assert!(!metadata.name().is_empty());
    let metadata_id: Address = metadata.id().parse().expect("metadata id");
    let treasury = wal.treasury.clone().expect("WAL treasury");
    let supply = treasury.total_supply();
    assert_eq!(
        supply,
        5_000_000_000 * 1_000_000_000,
        "5·10⁹ WAL were minted"
    );
    let cap_id: Address = treasury.id().parse().expect("treasury cap id");
    // The IDs are the genesis objects: the frozen metadata and the cap under the treasury.
    let mut request = proto::BatchGetObjectsRequest::default();
    request.requests = [metadata_id, cap_id]
        .iter()
        .map(|id| {
            let mut r = proto::GetObjectRequest::default();
            r.object_id = Some(id.to_string());
            r
        })
        .collect();
    request.read_mask = Some(prost_types::FieldMask::from_str("object_type,owner"));
    let objects = chain
        .client
        .ledger_client()
        .batch_get_objects(request)
        .await
        .expect("batch get")
        .into_inner()
        .objects;
    let types: Vec<String> = objects
        .iter()
        .map(|o| o.object().object_type().to_owned())
        .collect();
    assert_eq!(
        types,
        [
            format!("0x2::coin::CoinMetadata<{}>", wal.coin_type()),
            format!("0x2::coin::TreasuryCap<{}>", wal.coin_type()),
        ]
        .map(|t| t
            .parse::<sui_sdk_types::StructTag>()
            .expect("tag")
            .to_string())
    );

    // Burning WAL through the treasury lowers the supply GetCoinInfo reports.
    let me = chain.address(0);
    let (coin_ref, burned) = chain
        .coins_of(me, &wal_type)
        .await
        .first()
        .cloned()
        .expect("account 0 holds WAL");
    let treasury_id: Address = genesis.treasury_id.parse().expect("treasury id");
    let owner = chain
        .get_object(treasury_id, Some("owner"))
        .await
        .owner
        .expect("owner");
    let ptb = ProgrammableTransaction {
        inputs: vec![
            Input::Shared(SharedInput::new(treasury_id, owner.version(), true)),
            Input::ImmutableOrOwned(coin_ref),
        ],
        commands: vec![Command::MoveCall(MoveCall {
            package: genesis.wal_package_id.parse().expect("package"),
            module: Identifier::from_static("wal"),
            function: Identifier::from_static("burn"),
            type_arguments: vec![],
            arguments: vec![Argument::Input(0), Argument::Input(1)],
        })],
    };
    let executed = chain.execute_ptb(0, ptb).await.expect("burn");
    assert!(support::status_success(&executed), "{executed:?}");
    let after = coin_info(&mut chain, &wal_type)
        .await
        .expect("WAL after burn");
    assert_eq!(
        after.treasury.expect("treasury").total_supply(),
        supply - burned
    );

    let unknown = coin_info(&mut chain, "0x2::coin::NOPE")
        .await
        .expect_err("unknown type");
    assert_eq!(unknown.code(), tonic::Code::NotFound, "{unknown}");
    let malformed = coin_info(&mut chain, "not a type")
        .await
        .expect_err("malformed type");
    assert_eq!(
        malformed.code(),
        tonic::Code::InvalidArgument,
        "{malformed}"
    );

    chain.stop().await;
}
