//! `StateService`: owned objects, balances, coin info and dynamic fields.

use sui_rpc::field::FieldMaskTree;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_rpc::proto::sui::rpc::v2::state_service_server::StateService;
use sui_sdk_types::Address;
use sui_sdk_types::StructTag;
use sui_sdk_types::TypeTag;
use tonic::Request;
use tonic::Response;
use tonic::Status;

use super::Rpc;
use super::page_size;
use super::parse_address;
use super::read_mask;
use crate::executor::contents_of;
use crate::node::TypeFilter;
use crate::value::bcs_prefix_len;

const LIST_OWNED_OBJECTS_DEFAULT_MASK: &str = "object_id,version,object_type";
const LIST_DYNAMIC_FIELDS_DEFAULT_MASK: &str = "parent,field_id";

fn token_address(token: Option<&[u8]>) -> Result<Option<Address>, Status> {
    token
        .map(|t| Address::from_bytes(t).map_err(|_| Status::invalid_argument("invalid page_token")))
        .transpose()
}

fn parse_coin_type(s: Option<&str>) -> Result<TypeTag, Status> {
    let s = s.ok_or_else(|| Status::invalid_argument("missing coin_type"))?;
    s.parse()
        .map_err(|e| Status::invalid_argument(format!("invalid coin_type {s:?}: {e}")))
}

fn balance_message(coin_type: &TypeTag, balance: u64) -> proto::Balance {
    let mut b = proto::Balance::default();
    b.coin_type = Some(coin_type.to_string());
    b.balance = Some(balance);
    b.address_balance = Some(0);
    b.coin_balance = Some(balance);
    b
}

/// The fields of `0x2::coin::CoinMetadata<T>` in BCS order (`Url` is a struct of one string).
#[derive(serde::Deserialize)]
struct CoinMetadataFields {
    _id: Address,
    decimals: u8,
    name: String,
    symbol: String,
    description: String,
    icon_url: Option<String>,
}

/// The fields of `0x2::coin::TreasuryCap<T>` in BCS order (`Supply<T>` is one `u64`).
#[derive(serde::Deserialize)]
struct TreasuryCapFields {
    _id: Address,
    total_supply: u64,
}

impl Rpc {
    /// Reads object `id` of the coin index as `T`; a missing or malformed object is an internal
    /// error, as on Sui.
    fn read_contents<T: serde::de::DeserializeOwned>(
        &self,
        id: Address,
        coin_type: &TypeTag,
        what: &str,
    ) -> Result<T, Status> {
        self.node
            .object(&id)
            .and_then(|o| contents_of(&o).and_then(|(_, c, _)| bcs::from_bytes(c).ok()))
            .ok_or_else(|| {
                Status::internal(format!(
                    "Unable to read object {id} for coin type {coin_type} as {what}"
                ))
            })
    }
}

#[tonic::async_trait]
impl StateService for Rpc {
    async fn list_owned_objects(
        &self,
        request: Request<proto::ListOwnedObjectsRequest>,
    ) -> Result<Response<proto::ListOwnedObjectsResponse>, Status> {
        let request = request.into_inner();
        let owner = parse_address("owner", request.owner.as_deref())?;
        let mask = read_mask::<proto::Object>(request.read_mask, LIST_OWNED_OBJECTS_DEFAULT_MASK)?;
        let filter = request
            .object_type
            .as_deref()
            .map(TypeFilter::parse)
            .transpose()
            .map_err(Status::invalid_argument)?;
        let after = token_address(request.page_token.as_deref())?;
        let (objects, more) =
            self.node
                .owned_objects(owner, filter.as_ref(), after, page_size(request.page_size));
        let mut message = proto::ListOwnedObjectsResponse::default();
        // Unset on the last page: clients treat any token, even empty, as "more".
        message.next_page_token = more
            .then(|| {
                objects
                    .last()
                    .map(|o| prost::bytes::Bytes::copy_from_slice(o.object_id().as_bytes()))
            })
            .flatten();
        message.objects = objects
            .iter()
            .map(|o| crate::proto::masked_object(&crate::proto::object(o), &mask))
            .collect();
        Ok(Response::new(message))
    }

    async fn get_balance(
        &self,
        request: Request<proto::GetBalanceRequest>,
    ) -> Result<Response<proto::GetBalanceResponse>, Status> {
        let request = request.into_inner();
        let owner = parse_address("owner", request.owner.as_deref())?;
        let coin_type = parse_coin_type(request.coin_type.as_deref())?;
        let balances = self.node.balances(owner);
        let balance = balances.get(&coin_type.to_string()).map_or(0, |b| b.1);
        let mut message = proto::GetBalanceResponse::default();
        message.balance = Some(balance_message(&coin_type, balance));
        Ok(Response::new(message))
    }

    async fn list_balances(
        &self,
        request: Request<proto::ListBalancesRequest>,
    ) -> Result<Response<proto::ListBalancesResponse>, Status> {
        let request = request.into_inner();
        let owner = parse_address("owner", request.owner.as_deref())?;
        let after = request
            .page_token
            .as_deref()
            .map(|t| {
                String::from_utf8(t.to_vec())
                    .map_err(|_| Status::invalid_argument("invalid page_token"))
            })
            .transpose()?;
        let limit = page_size(request.page_size);
        let balances = self.node.balances(owner);
        let mut page: Vec<(String, TypeTag, u64)> = balances
            .into_iter()
            .filter(|(k, _)| after.as_ref().is_none_or(|a| k > a))
            .map(|(k, (t, b, _))| (k, t, b))
            .take(limit + 1)
            .collect();
        let more = page.len() > limit;
        page.truncate(limit);
        let mut message = proto::ListBalancesResponse::default();
        message.next_page_token = more
            .then(|| {
                page.last()
                    .map(|(k, _, _)| prost::bytes::Bytes::from(k.clone().into_bytes()))
            })
            .flatten();
        message.balances = page
            .iter()
            .map(|(_, t, b)| balance_message(t, *b))
            .collect();
        Ok(Response::new(message))
    }

    async fn get_coin_info(
        &self,
        request: Request<proto::GetCoinInfoRequest>,
    ) -> Result<Response<proto::GetCoinInfoResponse>, Status> {
        let request = request.into_inner();
        let coin_type = parse_coin_type(request.coin_type.as_deref())?;
        let mut message = proto::GetCoinInfoResponse::default();
        message.coin_type = Some(coin_type.to_string());
        if coin_type == TypeTag::Struct(Box::new(StructTag::sui())) {
            // SUI has no metadata object on the local chain: its well-known values.
            let mut metadata = proto::CoinMetadata::default();
            metadata.decimals = Some(9);
            metadata.name = Some("Sui".into());
            metadata.symbol = Some("SUI".into());
            metadata.description = Some(String::new());
            metadata.icon_url = Some(String::new());
            let mut treasury = proto::CoinTreasury::default();
            treasury.total_supply = u64::try_from(self.node.total_sui()).ok();
            message.metadata = Some(metadata);
            message.treasury = Some(treasury);
            return Ok(Response::new(message));
        }
        let ids = self
            .node
            .coin_info(&coin_type)
            .ok_or_else(|| Status::not_found(format!("Coin type {coin_type} not found")))?;
        if let Some(id) = ids.metadata {
            let metadata: CoinMetadataFields =
                self.read_contents(id, &coin_type, "CoinMetadata")?;
            let mut m = proto::CoinMetadata::default();
            m.id = Some(id.to_string());
            m.decimals = Some(metadata.decimals.into());
            m.name = Some(metadata.name);
            m.symbol = Some(metadata.symbol);
            m.description = Some(metadata.description);
            m.icon_url = metadata.icon_url;
            message.metadata = Some(m);
        }
        if let Some(id) = ids.treasury {
            let cap: TreasuryCapFields = self.read_contents(id, &coin_type, "TreasuryCap")?;
            let mut t = proto::CoinTreasury::default();
            t.id = Some(id.to_string());
            t.total_supply = Some(cap.total_supply);
            message.treasury = Some(t);
        }
        Ok(Response::new(message))
    }

    async fn list_dynamic_fields(
        &self,
        request: Request<proto::ListDynamicFieldsRequest>,
    ) -> Result<Response<proto::ListDynamicFieldsResponse>, Status> {
        let request = request.into_inner();
        let parent = parse_address("parent", request.parent.as_deref())?;
        let mask =
            read_mask::<proto::DynamicField>(request.read_mask, LIST_DYNAMIC_FIELDS_DEFAULT_MASK)?;
        let after = token_address(request.page_token.as_deref())?;
        let filter = TypeFilter::Generic(Address::TWO, "dynamic_field".into(), "Field".into());
        let (objects, more) =
            self.node
                .owned_objects(parent, Some(&filter), after, page_size(request.page_size));
        let mut message = proto::ListDynamicFieldsResponse::default();
        message.next_page_token = more
            .then(|| {
                objects
                    .last()
                    .map(|o| prost::bytes::Bytes::copy_from_slice(o.object_id().as_bytes()))
            })
            .flatten();
        message.dynamic_fields = objects
            .iter()
            .map(|o| mask_dynamic_field(dynamic_field(parent, o), &mask))
            .collect();
        Ok(Response::new(message))
    }
}

/// Keeps the fields of `field` that `mask` selects (sui-rpc has no `Merge` for it).
fn mask_dynamic_field(field: proto::DynamicField, mask: &FieldMaskTree) -> proto::DynamicField {
    type F = proto::DynamicField;
    let mut out = F::default();
    if mask.contains(F::KIND_FIELD.name) {
        out.kind = field.kind;
    }
    if mask.contains(F::PARENT_FIELD.name) {
        out.parent = field.parent;
    }
    if mask.contains(F::FIELD_ID_FIELD.name) {
        out.field_id = field.field_id;
    }
    if let Some(sub) = mask.subtree(F::FIELD_OBJECT_FIELD.name) {
        out.field_object = field
            .field_object
            .map(|o| crate::proto::masked_object(&o, &sub));
    }
    if mask.contains(F::NAME_FIELD.name) {
        out.name = field.name;
    }
    if mask.contains(F::VALUE_FIELD.name) {
        out.value = field.value;
    }
    if mask.contains(F::VALUE_TYPE_FIELD.name) {
        out.value_type = field.value_type;
    }
    if mask.contains(F::CHILD_ID_FIELD.name) {
        out.child_id = field.child_id;
    }
    if let Some(sub) = mask.subtree(F::CHILD_OBJECT_FIELD.name) {
        out.child_object = field
            .child_object
            .map(|o| crate::proto::masked_object(&o, &sub));
    }
    out
}

/// Describes a `0x2::dynamic_field::Field<K, V>` object.
fn dynamic_field(parent: Address, o: &sui_sdk_types::Object) -> proto::DynamicField {
    let mut field = proto::DynamicField::default();
    field.parent = Some(parent.to_string());
    field.field_id = Some(o.object_id().to_string());
    field.field_object = Some(crate::proto::object(o));
    let Some((ty, contents, _)) = contents_of(o) else {
        return field;
    };
    let (Some(key_type), Some(value_type)) = (ty.type_params().first(), ty.type_params().get(1))
    else {
        return field;
    };
    // A dynamic object field's key is `0x2::dynamic_object_field::Wrapper<K>`, holding a K.
    let wrapped = match key_type {
        TypeTag::Struct(s)
            if *s.address() == Address::TWO
                && s.module().as_str() == "dynamic_object_field"
                && s.name().as_str() == "Wrapper" =>
        {
            s.type_params().first()
        }
        _ => None,
    };
    field.kind = Some(if wrapped.is_some() {
        proto::dynamic_field::DynamicFieldKind::Object as i32
    } else {
        proto::dynamic_field::DynamicFieldKind::Field as i32
    });
    let rest = contents.get(32..).unwrap_or_default();
    let name_type = wrapped.unwrap_or(key_type);
    field.value_type = Some(value_type.to_string());
    if let Some(len) = bcs_prefix_len(name_type, rest) {
        let mut name = proto::Bcs::default();
        name.name = Some(name_type.to_string());
        name.value = Some(prost::bytes::Bytes::copy_from_slice(&rest[..len]));
        field.name = Some(name);
        let value_bytes = &rest[len..];
        let mut value = proto::Bcs::default();
        value.name = Some(value_type.to_string());
        value.value = Some(prost::bytes::Bytes::copy_from_slice(value_bytes));
        field.value = Some(value);
        if wrapped.is_some() {
            field.child_id = Address::from_bytes(value_bytes).ok().map(|a| a.to_string());
        }
    }
    field
}
