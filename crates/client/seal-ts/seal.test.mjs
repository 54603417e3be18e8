// The official Seal SDK (@mysten/seal's SealClient and SessionKey, with @mysten/sui's
// SuiGrpcClient over gRPC-web) against a haulout local network: its three key servers (2-of-3)
// and the `policies` package. For every policy it encrypts, fetches keys and decrypts; it checks
// that denials reach the SDK as its typed errors; and it decrypts a file `haulout store
// --encrypt` wrote and encrypts one for `haulout read` to decrypt. Run by
// scripts/test.d/70-seal-ts.sh, which starts the network, prepares an allowlist and a
// subscription with the haulout CLI and sets the variables below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SealClient, SessionKey, EncryptedObject, NoAccessError } from '@mysten/seal';
import { SuiGrpcClient } from '@mysten/sui/grpc';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { fromBase64, fromHex, toHex } from '@mysten/sui/utils';

const env = (name) => {
	const value = process.env[name];
	assert.ok(value, `${name} must be set`);
	return value;
};
const dir = env('LOCALNET_DIR');
const info = JSON.parse(readFileSync(join(dir, 'localnet.json'), 'utf8'));
const keys = JSON.parse(readFileSync(info.keystore, 'utf8'));
const owner = Ed25519Keypair.fromSecretKey(fromBase64(keys[0]).slice(1));
const reader = Ed25519Keypair.fromSecretKey(fromBase64(keys[1]).slice(1));
const pkg = info.seal.policiesPackageId;

const suiClient = new SuiGrpcClient({ network: 'localnet', baseUrl: info.rpcUrl });
// A fresh client for every decryption: a SealClient caches the keys it fetched, and a denial
// must come from the key servers, not from a cache filled by another user's success.
const sealClient = () =>
	new SealClient({
		suiClient,
		serverConfigs: info.seal.keyServers.map((k) => ({ objectId: k.objectId, weight: 1 })),
		// Checks each server's proof of possession through GET /v1/service.
		verifyKeyServers: true,
	});
const seal = sealClient();

function pattern(len, seed) {
	const out = new Uint8Array(len);
	let x = seed;
	for (let i = 0; i < len; i++) {
		x = (x * 1103515245 + 12345) >>> 0;
		out[i] = x >>> 24;
	}
	return out;
}

const nonce = () => crypto.getRandomValues(new Uint8Array(5));
const addressBytes = (kp) => fromHex(kp.toSuiAddress());

async function session(kp) {
	return SessionKey.create({ address: kp.toSuiAddress(), packageId: pkg, ttlMin: 10, signer: kp, suiClient });
}

/** The seal_approve PTB of `module` for `id`, with the policy's object arguments. */
async function approve(module, id, objects = []) {
	const tx = new Transaction();
	tx.moveCall({
		target: `${pkg}::${module}::seal_approve`,
		arguments: [tx.pure.vector('u8', id), ...objects.map((o) => tx.object(o))],
	});
	return tx.build({ client: suiClient, onlyTransactionKind: true });
}

async function roundTrip(module, id, objects, kp) {
	const data = pattern(10_000, id.length + module.length);
	const { encryptedObject } = await seal.encrypt({ threshold: 2, packageId: pkg, id: toHex(id), data });
	const parsed = EncryptedObject.parse(encryptedObject);
	assert.equal(parsed.threshold, 2);
	assert.equal(parsed.services.length, 3);
	const plain = await sealClient().decrypt({
		data: encryptedObject,
		sessionKey: await session(kp),
		txBytes: await approve(module, id, objects),
		checkShareConsistency: true,
	});
	assert.deepEqual(Buffer.from(plain), Buffer.from(data));
	return encryptedObject;
}

test('private: the owner decrypts, another user gets NoAccessError', async () => {
	const id = new Uint8Array([...addressBytes(owner), ...nonce()]);
	const encrypted = await roundTrip('private', id, [], owner);
	await assert.rejects(
		sealClient().decrypt({ data: encrypted, sessionKey: await session(reader), txBytes: await approve('private', id) }),
		NoAccessError,
	);
});

test('allowlist: a member decrypts', async () => {
	const list = env('HAULOUT_ALLOWLIST');
	const id = new Uint8Array([...fromHex(list), ...nonce()]);
	await roundTrip('allowlist', id, [list], reader);
});

test('allowlist: a non-member gets NoAccessError', async () => {
	const list = env('HAULOUT_ALLOWLIST');
	const id = new Uint8Array([...fromHex(list), ...nonce()]);
	const data = pattern(100, 1);
	const { encryptedObject } = await seal.encrypt({ threshold: 2, packageId: pkg, id: toHex(id), data });
	await assert.rejects(
		sealClient().decrypt({ data: encryptedObject, sessionKey: await session(owner), txBytes: await approve('allowlist', id, [list]) }),
		NoAccessError,
	);
});

test('subscription: a subscriber decrypts', async () => {
	const service = env('HAULOUT_SERVICE');
	const sub = env('HAULOUT_SUBSCRIPTION');
	const id = new Uint8Array([...fromHex(service), ...nonce()]);
	await roundTrip('subscription', id, [sub, service, '0x6'], reader);
});

test('tle: readable once the time has passed, refused before', async () => {
	const past = new Uint8Array(8);
	new DataView(past.buffer).setBigUint64(0, BigInt(Date.now() - 60_000), true);
	await roundTrip('tle', past, ['0x6'], reader);
	const future = new Uint8Array(8);
	new DataView(future.buffer).setBigUint64(0, BigInt(Date.now() + 3_600_000), true);
	const { encryptedObject } = await seal.encrypt({ threshold: 2, packageId: pkg, id: toHex(future), data: pattern(10, 2) });
	await assert.rejects(
		sealClient().decrypt({ data: encryptedObject, sessionKey: await session(reader), txBytes: await approve('tle', future, ['0x6']) }),
		NoAccessError,
	);
});

test('a ciphertext haulout made decrypts with the SDK', async () => {
	const encrypted = readFileSync(env('HAULOUT_CIPHERTEXT'));
	const parsed = EncryptedObject.parse(new Uint8Array(encrypted));
	assert.equal(parsed.packageId, pkg);
	const plain = await sealClient().decrypt({
		data: new Uint8Array(encrypted),
		sessionKey: await session(owner),
		txBytes: await approve('private', fromHex(parsed.id)),
		checkShareConsistency: true,
	});
	assert.deepEqual(Buffer.from(plain), readFileSync(env('HAULOUT_PLAINTEXT')));
});

test('the SDK encrypts a file for haulout to decrypt', async () => {
	const id = new Uint8Array([...addressBytes(owner), ...nonce()]);
	const data = pattern(50_000, 77);
	const { encryptedObject } = await seal.encrypt({ threshold: 2, packageId: pkg, id: toHex(id), data });
	writeFileSync(env('SDK_CIPHERTEXT'), encryptedObject);
	writeFileSync(env('SDK_PLAINTEXT'), data);
});
