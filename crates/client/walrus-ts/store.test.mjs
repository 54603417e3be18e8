// The official Walrus TypeScript SDK (@mysten/walrus with @mysten/sui's SuiGrpcClient over
// gRPC-web, storage nodes over plain HTTP) against a haulout network: the chain and haulout
// storage nodes. It stores a blob and reads it back, and reads a blob that `haulout store`
// wrote. Run by scripts/test.d/50-walrus-sdk-store.sh, which starts the network and sets
// LOCALNET_DIR and HAULOUT_BLOB_ID / HAULOUT_BLOB_FILE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SuiGrpcClient } from '@mysten/sui/grpc';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { fromBase64 } from '@mysten/sui/utils';
import { WalrusClient } from '@mysten/walrus';

const dir = process.env.LOCALNET_DIR;
assert.ok(dir, 'LOCALNET_DIR must point at the chain data directory');
const info = JSON.parse(readFileSync(join(dir, 'localnet.json'), 'utf8'));
const keys = JSON.parse(readFileSync(info.keystore, 'utf8'));
// The second funded account, so that haulout (first account) and the SDK never race for gas.
const signer = Ed25519Keypair.fromSecretKey(fromBase64(keys[1]).slice(1));

const suiClient = new SuiGrpcClient({ network: 'localnet', baseUrl: info.rpcUrl });
const walrus = new WalrusClient({
	suiClient,
	packageConfig: { systemObjectId: info.systemObjectId, stakingPoolId: info.stakingObjectId },
	storageNodeUrlScheme: 'http',
	storageNodeClientOptions: { timeout: 30_000 },
});

function pattern(len, seed) {
	const out = new Uint8Array(len);
	let x = seed;
	for (let i = 0; i < len; i++) {
		x = (x * 1103515245 + 12345) >>> 0;
		out[i] = x >>> 24;
	}
	return out;
}

for (const [label, size, deletable] of [
	['1 KiB, permanent', 1024, false],
	['300 KiB, deletable', 300 * 1024, true],
]) {
	test(`writeBlob then readBlob (${label}) through haulout nodes`, async () => {
		const blob = pattern(size, size + 7);
		const { blobId, blobObject } = await walrus.writeBlob({ blob, deletable, epochs: 2, signer });
		assert.match(blobId, /^[A-Za-z0-9_-]{43}$/);
		assert.ok(blobObject.certified_epoch !== null, 'the blob is certified on chain');
		assert.equal(blobObject.deletable, deletable);
		const back = await walrus.readBlob({ blobId });
		assert.deepEqual(Buffer.from(back), Buffer.from(blob));
	});
}

test('readBlob of a blob stored by `haulout store`', async () => {
	const blobId = process.env.HAULOUT_BLOB_ID;
	const file = process.env.HAULOUT_BLOB_FILE;
	assert.ok(blobId && file, 'HAULOUT_BLOB_ID and HAULOUT_BLOB_FILE must be set');
	const back = await walrus.readBlob({ blobId });
	assert.deepEqual(Buffer.from(back), readFileSync(file));
});
