//! `MovePackageService`: descriptors of the native Move functions.

use std::collections::BTreeMap;

use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_rpc::proto::sui::rpc::v2::move_package_service_server::MovePackageService;
use sui_sdk_types::Address;
use tonic::Request;
use tonic::Response;
use tonic::Status;

use super::Rpc;
use super::parse_address;
use crate::natives::Abilities;
use crate::natives::NativeFunction;
use crate::natives::Param;
use crate::natives::SigType;

fn body(ty: &SigType) -> proto::OpenSignatureBody {
    use proto::open_signature_body::Type;
    let mut b = proto::OpenSignatureBody::default();
    let kind = match ty {
        SigType::Bool => Type::Bool,
        SigType::U8 => Type::U8,
        SigType::U16 => Type::U16,
        SigType::U32 => Type::U32,
        SigType::U64 => Type::U64,
        SigType::U128 => Type::U128,
        SigType::U256 => Type::U256,
        SigType::Address => Type::Address,
        SigType::Vector(inner) => {
            b.type_parameter_instantiation = vec![body(inner)];
            Type::Vector
        }
        SigType::Datatype {
            address,
            module,
            name,
            params,
        } => {
            b.type_name = Some(format!("{address}::{module}::{name}"));
            b.type_parameter_instantiation = params.iter().map(body).collect();
            Type::Datatype
        }
        SigType::TypeParam(i) => {
            b.type_parameter = Some(u32::from(*i));
            Type::Parameter
        }
    };
    b.r#type = Some(kind as i32);
    b
}

fn signature(
    reference: Option<proto::open_signature::Reference>,
    ty: &SigType,
) -> proto::OpenSignature {
    let mut s = proto::OpenSignature::default();
    s.reference = reference.map(|r| r as i32);
    s.body = Some(body(ty));
    s
}

fn constraints(a: &Abilities) -> Vec<i32> {
    let mut out = Vec::new();
    if a.copy {
        out.push(proto::Ability::Copy as i32);
    }
    if a.drop {
        out.push(proto::Ability::Drop as i32);
    }
    if a.store {
        out.push(proto::Ability::Store as i32);
    }
    if a.key {
        out.push(proto::Ability::Key as i32);
    }
    out
}

/// The descriptor of a native function, in Sui's signature encoding.
fn descriptor(name: &str, f: &NativeFunction) -> proto::FunctionDescriptor {
    use proto::open_signature::Reference;
    let mut d = proto::FunctionDescriptor::default();
    d.name = Some(name.to_owned());
    d.visibility = Some(proto::function_descriptor::Visibility::Public as i32);
    d.is_entry = Some(f.sig.is_entry);
    d.type_parameters = f
        .sig
        .type_params
        .iter()
        .map(|a| {
            let mut p = proto::TypeParameter::default();
            p.constraints = constraints(a);
            p.is_phantom = Some(false);
            p
        })
        .collect();
    let tx_context = SigType::datatype(Address::TWO, "tx_context", "TxContext", vec![]);
    d.parameters = f
        .sig
        .params
        .iter()
        .map(|p| match p {
            Param::Val(t) => signature(None, t),
            Param::Ref(t) => signature(Some(Reference::Immutable), t),
            Param::MutRef(t) => signature(Some(Reference::Mutable), t),
            Param::TxContext { mutable: true } => signature(Some(Reference::Mutable), &tx_context),
            Param::TxContext { mutable: false } => {
                signature(Some(Reference::Immutable), &tx_context)
            }
        })
        .collect();
    d.returns = f.sig.returns.iter().map(|t| signature(None, t)).collect();
    d
}

#[tonic::async_trait]
impl MovePackageService for Rpc {
    async fn get_function(
        &self,
        request: Request<proto::GetFunctionRequest>,
    ) -> Result<Response<proto::GetFunctionResponse>, Status> {
        let request = request.into_inner();
        let package = parse_address("package_id", request.package_id.as_deref())?;
        let module = request
            .module_name
            .as_deref()
            .ok_or_else(|| Status::invalid_argument("missing module_name"))?;
        let name = request
            .name
            .as_deref()
            .ok_or_else(|| Status::invalid_argument("missing name"))?;
        let f = self
            .node
            .registry()
            .function(&package, module, name)
            .ok_or_else(|| {
                Status::not_found(format!("function {package}::{module}::{name} not found"))
            })?;
        let mut message = proto::GetFunctionResponse::default();
        message.function = Some(descriptor(name, f));
        Ok(Response::new(message))
    }

    async fn get_package(
        &self,
        request: Request<proto::GetPackageRequest>,
    ) -> Result<Response<proto::GetPackageResponse>, Status> {
        let request = request.into_inner();
        let package = parse_address("package_id", request.package_id.as_deref())?;
        let mut modules: BTreeMap<&str, Vec<proto::FunctionDescriptor>> = BTreeMap::new();
        for (p, module, name, f) in self.node.registry().functions() {
            if *p == package {
                modules.entry(module).or_default().push(descriptor(name, f));
            }
        }
        if modules.is_empty() {
            return Err(Status::not_found(format!("package {package} not found")));
        }
        let mut message = proto::Package::default();
        message.storage_id = Some(package.to_string());
        message.original_id = Some(package.to_string());
        message.version = Some(1);
        message.modules = modules
            .into_iter()
            .map(|(name, functions)| {
                let mut m = proto::Module::default();
                m.name = Some(name.to_owned());
                m.functions = functions;
                m
            })
            .collect();
        let mut response = proto::GetPackageResponse::default();
        response.package = Some(message);
        Ok(Response::new(response))
    }
}
