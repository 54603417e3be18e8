//! Programmable privacy with Seal (spec seal.md): files encrypted before they are stored, so
//! storage nodes and aggregators hold only ciphertext, and keys released by independent key
//! servers only to readers a Move policy of the `policies` package approves.
//!
//! - [`Policy`]: who may read — the owner only, an allowlist, a subscription's holders, or
//!   anyone after a time — and the identity (`package ‖ inner id`) it encrypts to.
//! - [`Client::seal_encrypt`]: Seal's `EncryptedObject` (AES-256-GCM, Shamir t-of-n over the
//!   key servers).
//! - [`Client::seal_decrypt`]: finds the policy from the identity, builds the `seal_approve`
//!   PTB, makes a session key signed by the wallet, fetches keys from the key servers (each
//!   verified), and decrypts.
//! - Allowlists and subscription services: create, add/remove members, buy.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use futures::StreamExt as _;
use haulout_seal::api::{Certificate, ErrorBody, FetchKeyRequest, FetchKeyResponse};
use haulout_seal::ibe::{PublicKey, UserSecretKey};
use haulout_seal::{EncryptedObject, EncryptionInput, ObjectId};
use haulout_sui::crypto::{Signer as _, SuiSigner as _};
use haulout_sui::sdk::{
    Address, Argument, Command, Ed25519Signature, Input, PersonalMessage, ProgrammableTransaction,
    TypeTag,
};
use haulout_sui::{CLOCK_ID, Ed25519PrivateKey, Executed, SealNetwork};
use haulout_types::{
    AllowlistCap, Field, KEY_TYPE_BONEH_FRANKLIN_BLS12381, KeyServer, KeyServerV1, KeyServerV2,
    ServerType, Service, Subscription, derive_dynamic_field_id,
};
use serde::{Deserialize, Serialize};

use crate::client::{Client, call, pure};
use crate::error::{ClientError, Result};

/// Bytes of random nonce after an object or address prefix, as Seal's examples use.
const NONCE_LEN: usize = 5;
/// Minutes a read's session key lives.
const SESSION_TTL_MIN: u16 = 10;
/// How long a key server may take to answer.
const KEY_SERVER_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest key-server answer read.
const MAX_ANSWER: usize = 1 << 20;

/// Who may read an encrypted file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "id")]
pub enum Policy {
    /// Only the address that encrypted it (`private::seal_approve`).
    Private,
    /// The members of an allowlist (`allowlist::seal_approve`).
    Allowlist(Address),
    /// The holders of an unexpired subscription to a service (`subscription::seal_approve`).
    Subscription(Address),
    /// Anyone, from a time on (Unix ms; `tle::seal_approve`).
    Tle(u64),
}

impl Policy {
    /// The module of the `policies` package whose `seal_approve` decides.
    pub fn module(&self) -> &'static str {
        match self {
            Policy::Private => "private",
            Policy::Allowlist(_) => "allowlist",
            Policy::Subscription(_) => "subscription",
            Policy::Tle(_) => "tle",
        }
    }

    /// A fresh inner id under this policy for a file encrypted by `owner`.
    pub fn inner_id<R: rand::Rng + ?Sized>(&self, owner: Address, rng: &mut R) -> Vec<u8> {
        let prefix = match self {
            Policy::Tle(time) => return time.to_le_bytes().to_vec(),
            Policy::Private => owner,
            Policy::Allowlist(id) | Policy::Subscription(id) => *id,
        };
        let mut id = prefix.into_inner().to_vec();
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        id.extend_from_slice(&nonce);
        id
    }
}

impl FromStr for Policy {
    type Err = String;

    /// `private`, `allowlist:<ID>`, `subscription:<ID>`, `tle:<TIME>` where TIME is Unix ms,
    /// `+<duration>` from now (`+30s`, `+10m`, `+2h`, `+1d`) or `YYYY-MM-DDTHH:MM:SSZ`.
    fn from_str(s: &str) -> Result<Self, String> {
        let (kind, arg) = s.split_once(':').unwrap_or((s, ""));
        let id = |arg: &str| {
            arg.parse::<Address>()
                .map_err(|e| format!("{kind}:<ID> needs an object ID, got {arg:?}: {e}"))
        };
        match kind {
            "private" if arg.is_empty() => Ok(Policy::Private),
            "allowlist" => Ok(Policy::Allowlist(id(arg)?)),
            "subscription" => Ok(Policy::Subscription(id(arg)?)),
            "tle" => parse_time(arg, crate::privacy::now_ms()).map(Policy::Tle),
            _ => Err(format!(
                "unknown policy {s:?}: use private, allowlist:<ID>, subscription:<ID> or tle:<TIME>"
            )),
        }
    }
}

pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A time-lock time: Unix ms, `+<duration>` after `now_ms`, or `YYYY-MM-DDTHH:MM:SSZ` (UTC).
fn parse_time(text: &str, now_ms: u64) -> Result<u64, String> {
    if let Some(relative) = text.strip_prefix('+') {
        let d = haulout_localnet::walrus::parse_duration(relative)?;
        return Ok(now_ms.saturating_add(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)));
    }
    if let Ok(ms) = text.parse::<u64>() {
        return Ok(ms);
    }
    let bad = || format!("invalid time {text:?}: use Unix ms, +10m or 2027-01-31T12:00:00Z");
    let b = text.as_bytes();
    // ASCII only, so the byte ranges below are character boundaries.
    if !text.is_ascii()
        || b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| text[r].parse::<i64>().map_err(|_| bad());
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 59 {
        return Err(bad());
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hh * 3_600 + mm * 60 + ss;
    u64::try_from(secs).map(|s| s * 1_000).map_err(|_| bad())
}

/// A key server as its `KeyServer` object on chain describes it.
#[derive(Debug, Clone)]
pub struct KeyServerInfo {
    /// Its object ID (its identity).
    pub object_id: Address,
    /// Its name.
    pub name: String,
    /// Its URL.
    pub url: String,
    /// Its IBE public key.
    pub public_key: PublicKey,
}

/// What [`Client::seal_encrypt`] made.
#[derive(Debug, Clone)]
pub struct Sealed {
    /// The BCS `EncryptedObject`.
    pub ciphertext: Vec<u8>,
    /// The identity's inner id.
    pub inner_id: Vec<u8>,
    /// How many key servers must release a key.
    pub threshold: u8,
}

/// What an encrypted read found.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decrypted {
    /// The plaintext.
    #[serde(skip)]
    pub plaintext: Vec<u8>,
    /// The policy that approved.
    pub policy: Policy,
    /// The key servers that answered.
    pub key_servers: Vec<String>,
}

impl Client {
    fn seal_network(&self) -> Result<&SealNetwork> {
        self.network().seal.as_ref().ok_or_else(|| {
            ClientError::Invalid(
                "this network has no Seal deployment (no `seal` section in the network file)"
                    .into(),
            )
        })
    }

    /// The key server `id`, read from its object on chain.
    ///
    /// # Errors
    /// If the object is not a key server or holds an unusable key.
    pub async fn key_server(&self, id: Address) -> Result<KeyServerInfo> {
        let invalid = |why: String| ClientError::Invalid(format!("key server {id}: {why}"));
        let object = self.sui().object(id).await?;
        let ks: KeyServer = bcs::from_bytes(&object.contents)
            .map_err(|e| invalid(format!("not a seal::key_server::KeyServer ({e})")))?;
        let version = [2u64, 1]
            .into_iter()
            .find(|v| (ks.first_version..=ks.last_version).contains(v))
            .ok_or_else(|| {
                invalid(format!(
                    "supports versions {}..={} only",
                    ks.first_version, ks.last_version
                ))
            })?;
        let key = bcs::to_bytes(&version).map_err(|e| invalid(e.to_string()))?;
        let field_id = derive_dynamic_field_id(id.into(), &TypeTag::U64, &key);
        let field = self.sui().object(field_id.into()).await?;
        let (name, url, key_type, pk) = if version == 2 {
            let f: Field<u64, KeyServerV2> = bcs::from_bytes(&field.contents)
                .map_err(|e| invalid(format!("malformed KeyServerV2 ({e})")))?;
            match f.value.server_type {
                ServerType::Independent { url } => {
                    (f.value.name, url, f.value.key_type, f.value.pk)
                }
                ServerType::Committee { .. } => {
                    return Err(invalid("committee key servers are not supported".into()));
                }
            }
        } else {
            let f: Field<u64, KeyServerV1> = bcs::from_bytes(&field.contents)
                .map_err(|e| invalid(format!("malformed KeyServerV1 ({e})")))?;
            (f.value.name, f.value.url, f.value.key_type, f.value.pk)
        };
        if key_type != KEY_TYPE_BONEH_FRANKLIN_BLS12381 {
            return Err(invalid(format!(
                "key type {key_type} is not BonehFranklinBLS12381"
            )));
        }
        let pk: [u8; 96] = pk
            .try_into()
            .map_err(|_| invalid("the public key is not 96 bytes".into()))?;
        let public_key =
            PublicKey::from_bytes(&pk).map_err(|e| invalid(format!("bad public key: {e}")))?;
        Ok(KeyServerInfo {
            object_id: id,
            name,
            url,
            public_key,
        })
    }

    /// Encrypts `data` under `policy` for the key servers `servers` (the network's when empty),
    /// `threshold` of which (the network's default when `None`) must release keys to read it.
    ///
    /// # Errors
    /// If there is no wallet, no Seal deployment, a key server cannot be read, or the
    /// threshold is out of range.
    pub async fn seal_encrypt(
        &self,
        data: &[u8],
        policy: Policy,
        servers: &[Address],
        threshold: Option<u8>,
    ) -> Result<Sealed> {
        let seal = self.seal_network()?;
        let owner = self.sender()?;
        let ids: Vec<Address> = if servers.is_empty() {
            seal.key_servers.iter().map(|k| k.object_id).collect()
        } else {
            servers.to_vec()
        };
        let threshold = threshold.unwrap_or(seal.threshold);
        if threshold == 0 || usize::from(threshold) > ids.len() {
            return Err(ClientError::Invalid(format!(
                "threshold {threshold} with {} key servers: it must be 1..={}",
                ids.len(),
                ids.len()
            )));
        }
        // Every key server's object and key field, read concurrently.
        let keys = futures::future::try_join_all(ids.into_iter().map(|id| async move {
            let server = self.key_server(id).await?;
            Ok::<_, ClientError>((ObjectId(id.into_inner()), server.public_key))
        }))
        .await?;
        let mut rng = rand::rng();
        let inner_id = policy.inner_id(owner, &mut rng);
        // The ciphertext is written once, into its place in the serialized object.
        let (ciphertext, _backup) = haulout_seal::encrypt_to_bytes(
            ObjectId(seal.policies_package_id.into_inner()),
            &inner_id,
            &keys,
            threshold,
            EncryptionInput::Aes256Gcm {
                data,
                aad: Some(&[]),
            },
            &mut rng,
        )
        .map_err(|e| ClientError::Invalid(format!("encryption failed: {e}")))?;
        Ok(Sealed {
            ciphertext,
            inner_id,
            threshold,
        })
    }

    /// Decrypts a Seal `EncryptedObject` made for this network's policies: asks its key
    /// servers for the identity's key (approved by the policy's `seal_approve` for this
    /// wallet), verifies each key, and decrypts once `threshold` servers answered. The object
    /// is consumed: its payload is decrypted in place and becomes the plaintext.
    ///
    /// # Errors
    /// If the object is malformed, the policy cannot be found, or too few key servers release
    /// a valid key (the error says why each refused).
    pub async fn seal_decrypt(&self, object: EncryptedObject) -> Result<Decrypted> {
        let reader = self.sender()?;
        let package = Address::new(object.package_id.0);
        let policy = self.policy_of(&object, reader).await?;
        let ptb = self
            .approve_ptb(package, policy, &object.id, reader)
            .await?;
        let ptb_bytes = bcs::to_bytes(&ptb).map_err(|e| ClientError::Invalid(e.to_string()))?;

        // A session for this read: a fresh Ed25519 key, certified by the wallet.
        let mut rng = rand::rng();
        let mut seed = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rng, &mut seed);
        let session = Ed25519PrivateKey::new(seed);
        let mut certificate = Certificate {
            user: ObjectId(reader.into_inner()),
            session_vk: session.public_key().into_inner(),
            creation_time: now_ms(),
            ttl_min: SESSION_TTL_MIN,
            signature: vec![],
            mvr_name: None,
        };
        let message = certificate.message(&object.package_id);
        certificate.signature = self
            .signer()?
            .sign_personal_message(&PersonalMessage(message.as_bytes().into()))
            .map_err(|e| ClientError::Invalid(format!("signing the session: {e}")))?
            .to_bytes();
        let (secret, enc_key, enc_verification_key) = haulout_seal::elgamal::generate(&mut rng);
        let signed =
            haulout_seal::session::signed_request(&ptb_bytes, &enc_key, &enc_verification_key);
        let request_signature: Ed25519Signature = session
            .try_sign(&signed)
            .map_err(|e| ClientError::Invalid(format!("signing the request: {e}")))?;
        let request = FetchKeyRequest {
            ptb: ptb_bytes,
            enc_key,
            enc_verification_key,
            request_signature: request_signature.into_inner(),
            certificate,
        };

        // Each distinct server once, weighted by the shares it holds.
        let mut weights: Vec<(ObjectId, usize)> = Vec::new();
        for (id, _) in &object.services {
            match weights.iter_mut().find(|(w, _)| w == id) {
                Some((_, n)) => *n += 1,
                None => weights.push((*id, 1)),
            }
        }
        let full_id = object.full_id();
        let http = reqwest::Client::builder()
            .timeout(KEY_SERVER_TIMEOUT)
            .build()
            .map_err(|e| ClientError::Invalid(e.to_string()))?;
        let mut answers = futures::stream::iter(weights.iter().map(|(id, weight)| {
            let (request, http, full_id, secret) = (&request, &http, &full_id, &secret);
            async move {
                let got = self
                    .fetch_key(http, Address::new(id.0), request, full_id, secret)
                    .await;
                (*id, *weight, got)
            }
        }))
        .buffer_unordered(weights.len().max(1));
        let mut keys: HashMap<ObjectId, UserSecretKey> = HashMap::new();
        let mut names = Vec::new();
        let mut errors = Vec::new();
        let mut weight = 0usize;
        while let Some((id, w, got)) = answers.next().await {
            match got {
                Ok((name, key)) => {
                    keys.insert(id, key);
                    names.push(name);
                    weight += w;
                    if weight >= usize::from(object.threshold) {
                        break;
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        drop(answers);
        if weight < usize::from(object.threshold) {
            return Err(ClientError::Invalid(format!(
                "only {weight} of the {} key shares needed were released under the {} policy: {}",
                object.threshold,
                policy.module(),
                crate::error::summarize(&errors, 5)
            )));
        }
        // In place: the ciphertext's buffer becomes the plaintext.
        let plaintext = haulout_seal::decrypt_in_place(object, &keys, None)
            .map_err(|e| ClientError::Invalid(format!("decryption failed: {e}")))?;
        Ok(Decrypted {
            plaintext,
            policy,
            key_servers: names,
        })
    }

    /// Asks key server `id` for the key of `full_id`; verifies it against the server's key.
    async fn fetch_key(
        &self,
        http: &reqwest::Client,
        id: Address,
        request: &FetchKeyRequest,
        full_id: &[u8],
        secret: &haulout_seal::elgamal::SecretKey,
    ) -> std::result::Result<(String, UserSecretKey), String> {
        let server = self.key_server(id).await.map_err(|e| e.to_string())?;
        let label = format!("{} ({})", server.name, server.url);
        let response = http
            .post(format!("{}/v1/fetch_key", server.url.trim_end_matches('/')))
            .header(haulout_seal::api::HEADER_SDK_TYPE, "rust")
            .header(
                haulout_seal::api::HEADER_SDK_VERSION,
                env!("CARGO_PKG_VERSION"),
            )
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(serde_json::to_vec(request).map_err(|e| e.to_string())?)
            .send()
            .await
            .map_err(|e| format!("{label}: {e}"))?;
        let status = response.status();
        let body = read_limited(response, MAX_ANSWER)
            .await
            .map_err(|e| format!("{label}: {e}"))?;
        if !status.is_success() {
            return Err(match serde_json::from_slice::<ErrorBody>(&body) {
                Ok(e) => format!("{label} refused: {}: {}", e.error, e.message),
                Err(_) => format!("{label} answered {status}"),
            });
        }
        let answer: FetchKeyResponse =
            serde_json::from_slice(&body).map_err(|e| format!("{label}: malformed answer: {e}"))?;
        let key = answer
            .decryption_keys
            .iter()
            .find(|k| k.id == full_id)
            .ok_or_else(|| format!("{label}: no key for the identity in its answer"))?;
        let key = haulout_seal::elgamal::decrypt(secret, &key.encrypted_key);
        key.verify(full_id, &server.public_key)
            .map_err(|_| format!("{label}: sent a key that does not verify; ignored"))?;
        Ok((label, key))
    }

    /// The policy an identity was encrypted under, from its shape.
    async fn policy_of(&self, object: &EncryptedObject, reader: Address) -> Result<Policy> {
        let id = &object.id;
        if id.len() == 8 {
            let mut t = [0u8; 8];
            t.copy_from_slice(id);
            return Ok(Policy::Tle(u64::from_le_bytes(t)));
        }
        let unknown = || {
            ClientError::Invalid(format!(
                "the blob is Seal-encrypted under identity 0x{}, which no policy of this network \
                 names",
                hex::encode(id)
            ))
        };
        let prefix: [u8; 32] = id
            .get(..32)
            .and_then(|p| p.try_into().ok())
            .ok_or_else(unknown)?;
        let prefix = Address::new(prefix);
        let policies = self.seal_network()?.policies_package_id;
        match self.sui().object(prefix).await {
            Ok(o) if o.object_type == format!("{policies}::allowlist::Allowlist") => {
                Ok(Policy::Allowlist(prefix))
            }
            Ok(o) if o.object_type == format!("{policies}::subscription::Service") => {
                Ok(Policy::Subscription(prefix))
            }
            _ if prefix == reader => Ok(Policy::Private),
            _ => Err(ClientError::Invalid(format!(
                "the blob is private to {prefix}; only that address can read it"
            ))),
        }
    }

    /// The `seal_approve` PTB of `policy` for `inner_id`.
    async fn approve_ptb(
        &self,
        package: Address,
        policy: Policy,
        inner_id: &[u8],
        reader: Address,
    ) -> Result<ProgrammableTransaction> {
        let sui = self.sui();
        let mut inputs = vec![pure(&inner_id.to_vec())?];
        match policy {
            Policy::Private => {}
            Policy::Tle(_) => inputs.push(sui.shared_input(CLOCK_ID, false).await?),
            Policy::Allowlist(list) => inputs.push(sui.shared_input(list, false).await?),
            Policy::Subscription(service) => {
                let sub = self.subscription_for(reader, service).await?;
                inputs.push(Input::ImmutableOrOwned(sui.owned_ref(sub).await?));
                inputs.push(sui.shared_input(service, false).await?);
                inputs.push(sui.shared_input(CLOCK_ID, false).await?);
            }
        }
        let arguments = (0..inputs.len() as u16).map(Argument::Input).collect();
        Ok(ProgrammableTransaction {
            inputs,
            commands: vec![call(package, policy.module(), "seal_approve", arguments)],
        })
    }

    /// The newest `Subscription` to `service` that `owner` holds.
    async fn subscription_for(&self, owner: Address, service: Address) -> Result<Address> {
        let policies = self.seal_network()?.policies_package_id;
        let ty = format!("{policies}::subscription::Subscription");
        let owned = self.sui().owned_objects(owner, &ty).await?;
        owned
            .iter()
            .filter_map(|o| {
                let s: Subscription = bcs::from_bytes(&o.contents).ok()?;
                (Address::from(s.service_id) == service).then_some((s.created_at, o.id))
            })
            .max()
            .map(|(_, id)| id)
            .ok_or_else(|| {
                ClientError::Invalid(format!(
                    "{owner} holds no subscription to service {service}; buy one with \
                     `haulout subscription buy {service}`"
                ))
            })
    }

    /// Creates an allowlist (shared) administered by the wallet; returns (allowlist, cap).
    ///
    /// # Errors
    /// If the transaction fails.
    pub async fn allowlist_create(&self, name: &str) -> Result<(Executed, Address, Address)> {
        let policies = self.seal_network()?.policies_package_id;
        let ptb = ProgrammableTransaction {
            inputs: vec![pure(&name.to_owned())?],
            commands: vec![call(
                policies,
                "allowlist",
                "create_allowlist_entry",
                vec![Argument::Input(0)],
            )],
        };
        let executed = self.execute(ptb).await?;
        let list = created(&executed, &format!("{policies}::allowlist::Allowlist"))?;
        let cap = created(&executed, &format!("{policies}::allowlist::Cap"))?;
        Ok((executed, list, cap))
    }

    /// Adds (`add == true`) or removes `member` on `allowlist`, with the wallet's cap.
    ///
    /// # Errors
    /// If the wallet holds no cap of that allowlist, or the transaction fails.
    pub async fn allowlist_change(
        &self,
        allowlist: Address,
        member: Address,
        add: bool,
    ) -> Result<Executed> {
        let policies = self.seal_network()?.policies_package_id;
        let cap = self
            .cap_for(&format!("{policies}::allowlist::Cap"), allowlist)
            .await?;
        let sui = self.sui();
        let ptb = ProgrammableTransaction {
            inputs: vec![
                sui.shared_input(allowlist, true).await?,
                Input::ImmutableOrOwned(sui.owned_ref(cap).await?),
                pure(&member)?,
            ],
            commands: vec![call(
                policies,
                "allowlist",
                if add { "add" } else { "remove" },
                (0..3).map(Argument::Input).collect(),
            )],
        };
        self.execute(ptb).await
    }

    /// Creates a subscription service (shared) owned by the wallet: `fee` FROST for `ttl_ms`
    /// of access. Returns (service, cap).
    ///
    /// # Errors
    /// If the transaction fails.
    pub async fn subscription_create(
        &self,
        name: &str,
        fee: u64,
        ttl_ms: u64,
    ) -> Result<(Executed, Address, Address)> {
        let policies = self.seal_network()?.policies_package_id;
        let ptb = ProgrammableTransaction {
            inputs: vec![pure(&fee)?, pure(&ttl_ms)?, pure(&name.to_owned())?],
            commands: vec![call(
                policies,
                "subscription",
                "create_service_entry",
                (0..3).map(Argument::Input).collect(),
            )],
        };
        let executed = self.execute(ptb).await?;
        let service = created(&executed, &format!("{policies}::subscription::Service"))?;
        let cap = created(&executed, &format!("{policies}::subscription::Cap"))?;
        Ok((executed, service, cap))
    }

    /// Buys a subscription to `service` (paying its fee in WAL); returns the `Subscription`.
    ///
    /// # Errors
    /// If the wallet holds too little WAL, or the transaction fails.
    pub async fn subscription_buy(&self, service: Address) -> Result<(Executed, Address, u64)> {
        let policies = self.seal_network()?.policies_package_id;
        let sender = self.sender()?;
        let sui = self.sui();
        let object = sui.object(service).await?;
        let fee = bcs::from_bytes::<Service>(&object.contents)
            .map_err(|e| {
                ClientError::Invalid(format!("{service} is not a subscription service: {e}"))
            })?
            .fee;
        let mut inputs = vec![
            sui.shared_input(service, false).await?,
            sui.shared_input(CLOCK_ID, false).await?,
            pure(&fee)?,
            pure(&sender)?,
        ];
        let mut commands = Vec::new();
        let coin = self.wal_payment(&mut inputs, &mut commands, fee).await?;
        let split = Argument::Result(commands.len() as u16);
        commands.push(Command::SplitCoins(haulout_sui::sdk::SplitCoins {
            coin,
            amounts: vec![Argument::Input(2)],
        }));
        let paid = match split {
            Argument::Result(i) => Argument::NestedResult(i, 0),
            other => other,
        };
        let sub = Argument::Result(commands.len() as u16);
        commands.push(call(
            policies,
            "subscription",
            "subscribe",
            vec![paid, Argument::Input(0), Argument::Input(1)],
        ));
        commands.push(call(
            policies,
            "subscription",
            "transfer",
            vec![sub, Argument::Input(3)],
        ));
        let executed = self
            .execute(ProgrammableTransaction { inputs, commands })
            .await?;
        let id = created(
            &executed,
            &format!("{policies}::subscription::Subscription"),
        )?;
        Ok((executed, id, fee))
    }

    /// The wallet's `allowlist::Cap` of `allowlist`.
    async fn cap_for(&self, ty: &str, allowlist: Address) -> Result<Address> {
        let owner = self.sender()?;
        self.sui()
            .owned_objects(owner, ty)
            .await?
            .iter()
            .find(|o| {
                bcs::from_bytes::<AllowlistCap>(&o.contents)
                    .is_ok_and(|c| Address::from(c.allowlist_id) == allowlist)
            })
            .map(|o| o.id)
            .ok_or_else(|| ClientError::Invalid(format!("{owner} holds no {ty} for {allowlist}")))
    }
}

fn created(executed: &Executed, ty: &str) -> Result<Address> {
    executed.created_of_type(ty).ok_or_else(|| {
        ClientError::Invalid(format!("transaction {} created no {ty}", executed.digest))
    })
}

/// Reads at most `max` bytes of a response body.
async fn read_limited(
    mut response: reqwest::Response,
    max: usize,
) -> std::result::Result<Vec<u8>, String> {
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(format!("answer larger than {max} bytes"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        if body.len() + chunk.len() > max {
            return Err(format!("answer larger than {max} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_parse() {
        let id = "0x00000000000000000000000000000000000000000000000000000000000000ab";
        assert_eq!("private".parse(), Ok(Policy::Private));
        assert_eq!(
            format!("allowlist:{id}").parse::<Policy>().unwrap(),
            Policy::Allowlist(id.parse().unwrap())
        );
        assert_eq!(
            format!("subscription:{id}").parse::<Policy>().unwrap(),
            Policy::Subscription(id.parse().unwrap())
        );
        assert_eq!(
            "tle:1700000000000".parse(),
            Ok(Policy::Tle(1_700_000_000_000))
        );
        for bad in [
            "",
            "public",
            "allowlist:",
            "allowlist:xyz",
            "tle:tomorrow",
            "private:1",
        ] {
            assert!(bad.parse::<Policy>().is_err(), "{bad}");
        }
    }

    #[test]
    fn times_parse() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z", 0), Ok(0));
        assert_eq!(parse_time("2021-06-01T12:00:00Z", 0), Ok(1_622_548_800_000));
        assert_eq!(parse_time("2000-02-29T23:59:59Z", 0), Ok(951_868_799_000));
        assert_eq!(parse_time("+10m", 5), Ok(600_005));
        assert_eq!(parse_time("42", 0), Ok(42));
        for bad in [
            "2021-13-01T00:00:00Z",
            "2021-06-01 12:00:00",
            "+0s",
            "+10y",
            "soon",
        ] {
            assert!(parse_time(bad, 0).is_err(), "{bad}");
        }
    }

    #[test]
    fn inner_ids_have_the_policy_prefix() {
        let owner = Address::new([3; 32]);
        let list = Address::new([4; 32]);
        let mut rng = rand::rng();
        let id = Policy::Private.inner_id(owner, &mut rng);
        assert_eq!(
            (&id[..32], id.len()),
            (&owner.into_inner()[..], 32 + NONCE_LEN)
        );
        let id = Policy::Allowlist(list).inner_id(owner, &mut rng);
        assert_eq!(&id[..32], &list.into_inner()[..]);
        assert_eq!(
            Policy::Tle(7).inner_id(owner, &mut rng),
            bcs::to_bytes(&7u64).unwrap()
        );
    }
}
