// The official Walrus TypeScript SDK (@mysten/walrus with @mysten/sui's SuiGrpcClient, gRPC-web)
// against a haulout local chain with the wal and walrus packages at genesis.
// Run by scripts/test.d/45-localnet-walrus-ts.sh, which starts the chain and sets LOCALNET_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SuiGrpcClient } from '@mysten/sui/grpc';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { normalizeStructTag, fromBase64 } from '@mysten/sui/utils';
import { WalrusClient } from '@mysten/walrus';

const dir = process.env.LOCALNET_DIR;
assert.ok(dir, 'LOCALNET_DIR must point at the chain data directory');
const info = JSON.parse(readFileSync(join(dir, 'localnet.json'), 'utf8'));
const keys = JSON.parse(readFileSync(info.keystore, 'utf8'));
const signer = Ed25519Keypair.fromSecretKey(fromBase64(keys[0]).slice(1));
const owner = signer.toSuiAddress();

// The walrus() extension refuses networks other than mainnet/testnet; constructing the client
// directly with an explicit package configuration is the documented way around it.
const suiClient = new SuiGrpcClient({ network: 'localnet', baseUrl: info.rpcUrl });
const walrus = new WalrusClient({
	suiClient,
	packageConfig: { systemObjectId: info.systemObjectId, stakingPoolId: info.stakingObjectId },
	storageNodeClientOptions: { timeout: 5_000 },
});
const WAL = normalizeStructTag(`${info.walPackageId}::wal::WAL`);

const walBalance = async () =>
	BigInt((await suiClient.getBalance({ owner, coinType: WAL })).balance.balance);

async function execute(transaction) {
	const result = await suiClient.signAndExecuteTransaction({
		transaction,
		signer,
		include: { effects: true },
	});
	const tx = result.Transaction ?? result.FailedTransaction;
	assert.ok(result.Transaction, `transaction failed: ${JSON.stringify(tx?.effects?.status)}`);
	await suiClient.waitForTransaction({ digest: tx.digest });
	return tx;
}

test('systemState and stakingState match localnet.json', async () => {
	const system = await walrus.systemState();
	assert.equal(system.committee.epoch, 1);
	assert.equal(system.committee.n_shards, info.nShards);
	assert.equal(system.committee.members.length, info.nodes.length);
	assert.deepEqual(
		system.committee.members.map((m) => m.node_id),
		info.nodes.map((n) => n.nodeId),
	);
	assert.ok(BigInt(system.storage_price_per_unit_size) > 0n);
	assert.ok(BigInt(system.write_price_per_unit_size) > 0n);

	const staking = await walrus.stakingState();
	assert.equal(staking.n_shards, info.nShards);
	assert.equal(staking.epoch, 1);
	assert.equal(BigInt(staking.epoch_duration), BigInt(info.epochDurationMs));
	assert.equal(staking.epoch_state.$kind, 'EpochChangeDone');
	const shards = staking.committee[0].contents.flatMap((e) => e.value).sort((a, b) => a - b);
	assert.deepEqual(shards, [...Array(info.nShards).keys()]);

	// The committee the SDK builds from the pools (networkUrl, shard map).
	const blobType = await walrus.getBlobType();
	assert.equal(normalizeStructTag(blobType), normalizeStructTag(`${info.walrusPackageId}::blob::Blob`));
});

test('storage cost, then buying storage with WAL', async () => {
	const system = await walrus.systemState();
	const cost = await walrus.storageCost(1_000, 3);
	assert.ok(cost.storageCost > 0n && cost.writeCost > 0n);
	assert.equal(cost.totalCost, cost.storageCost + cost.writeCost);
	// Unit pricing: ceil(encoded / 1 MiB) × price (× epochs for storage).
	assert.equal(cost.storageCost, BigInt(system.storage_price_per_unit_size) * 3n);
	assert.equal(cost.writeCost, BigInt(system.write_price_per_unit_size));

	const before = await walBalance();
	const tx = await execute(walrus.createStorageTransaction({ size: 1_000, epochs: 3, owner }));
	const created = tx.effects.changedObjects
		.filter((o) => o.idOperation === 'Created')
		.map((o) => o.objectId);
	const { objects } = await suiClient.getObjects({ objectIds: created });
	const storage = objects.find(
		(o) =>
			normalizeStructTag(o.type) ===
			normalizeStructTag(`${info.walrusPackageId}::storage_resource::Storage`),
	);
	assert.ok(storage, 'a Storage object was created');
	assert.equal(before - (await walBalance()), cost.storageCost);
});

test('register a blob with attributes, read them back, delete the blob', async () => {
	const bytes = new TextEncoder().encode('hello from the official Walrus SDK on haulout');
	const { blobId, rootHash } = await walrus.computeBlobMetadata({
		bytes,
		numShards: info.nShards,
	});
	const cost = await walrus.storageCost(bytes.length, 2);
	const before = await walBalance();
	const { blob } = await walrus.executeRegisterBlobTransaction({
		signer,
		size: bytes.length,
		epochs: 2,
		blobId,
		rootHash,
		deletable: true,
		attributes: { contentType: 'text/plain', origin: 'haulout' },
	});
	assert.equal(before - (await walBalance()), cost.totalCost);
	assert.equal(blob.registered_epoch, 1);
	assert.equal(blob.storage.end_epoch, 3);
	assert.equal(blob.deletable, true);
	assert.equal(blob.certified_epoch, null);
	assert.equal(BigInt(blob.size), BigInt(bytes.length));

	const attributes = await walrus.readBlobAttributes({ blobObjectId: blob.id });
	assert.deepEqual(attributes, { contentType: 'text/plain', origin: 'haulout' });

	const { digest } = await walrus.executeDeleteBlobTransaction({ signer, blobObjectId: blob.id });
	const deleted = await suiClient.getTransaction({ digest, include: { effects: true } });
	const changed = (deleted.Transaction ?? deleted.FailedTransaction).effects.changedObjects;
	assert.ok(changed.some((o) => o.objectId === blob.id && o.idOperation === 'Deleted'));
	const { objects } = await suiClient.getObjects({ objectIds: [blob.id] });
	assert.ok(objects[0] instanceof Error, 'the blob object is gone');
});
