// The official TypeScript SDK (@mysten/sui SuiGrpcClient, gRPC-web) against haulout localnet.
// Run by scripts/test.d/40-localnet-ts.sh, which starts the chain and sets LOCALNET_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SuiGrpcClient } from '@mysten/sui/grpc';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Secp256k1Keypair } from '@mysten/sui/keypairs/secp256k1';
import { MultiSigPublicKey } from '@mysten/sui/multisig';
import { SerialTransactionExecutor, Transaction } from '@mysten/sui/transactions';
import { fromBase64, normalizeStructTag, toBase64 } from '@mysten/sui/utils';

const dir = process.env.LOCALNET_DIR;
assert.ok(dir, 'LOCALNET_DIR must point at the chain data directory');
const info = JSON.parse(readFileSync(join(dir, 'localnet.json'), 'utf8'));
const keys = JSON.parse(readFileSync(info.keystore, 'utf8'));
// Keystore entries are base64(flag || 32-byte secret), flag 0 = Ed25519.
const keypair = (i) => {
	const bytes = fromBase64(keys[i]);
	assert.equal(bytes[0], 0, 'Ed25519 flag');
	return Ed25519Keypair.fromSecretKey(bytes.slice(1));
};
const alice = keypair(0);
const bob = keypair(1);
const client = new SuiGrpcClient({ network: 'localnet', baseUrl: info.rpcUrl });
const SUI = '0x2::sui::SUI';

test('chain identifier and reference gas price', async () => {
	const { chainIdentifier } = await client.getChainIdentifier();
	assert.equal(chainIdentifier, info.chainId);
	const { referenceGasPrice } = await client.getReferenceGasPrice();
	assert.equal(referenceGasPrice, '1000');
});

test('keystore matches localnet.json accounts', () => {
	assert.equal(alice.toSuiAddress(), info.accounts[0].address);
	assert.equal(bob.toSuiAddress(), info.accounts[1].address);
});

test('balances, coins and owned objects', async () => {
	const owner = alice.toSuiAddress();
	const { balance } = await client.getBalance({ owner, coinType: SUI });
	assert.ok(BigInt(balance.balance) > 0n);
	const coins = await client.listCoins({ owner, coinType: SUI });
	assert.ok(coins.objects.length > 0);
	assert.equal(coins.hasNextPage, false);
	const total = coins.objects.reduce((sum, c) => sum + BigInt(c.balance), 0n);
	assert.equal(total, BigInt(balance.balance));
	const owned = await client.listOwnedObjects({ owner });
	assert.equal(owned.objects.length, coins.objects.length);
	const { objects } = await client.getObjects({ objectIds: [coins.objects[0].objectId, '0x6'] });
	assert.equal(objects[0].objectId, coins.objects[0].objectId);
	assert.equal(normalizeStructTag(objects[1].type), normalizeStructTag('0x2::clock::Clock'));
});

test('getObject include json: Sui\'s JSON rendering of a coin and the Clock', async () => {
	const owner = alice.toSuiAddress();
	const coins = await client.listCoins({ owner, coinType: SUI });
	const coin = coins.objects[0];
	const { object } = await client.getObject({ objectId: coin.objectId, include: { json: true } });
	// u64 as a decimal string, UID as its 0x-hex ID.
	assert.deepEqual(object.json, { id: coin.objectId, balance: coin.balance });
	const plain = await client.getObject({ objectId: coin.objectId });
	assert.equal(plain.object.json, undefined, 'json only when asked for');
	const { object: clock } = await client.getObject({ objectId: '0x6', include: { json: true } });
	assert.equal(clock.json.id, '0x' + '6'.padStart(64, '0'));
	assert.match(clock.json.timestamp_ms, /^[0-9]+$/);
	const { objects } = await client.getObjects({ objectIds: [coin.objectId], include: { json: true } });
	assert.deepEqual(objects[0].json, object.json);
});

test('splitCoins + transferObjects: built, signed, executed and waited for', async () => {
	const recipient = bob.toSuiAddress();
	const before = BigInt((await client.getBalance({ owner: recipient, coinType: SUI })).balance.balance);
	const tx = new Transaction();
	const [coin] = tx.splitCoins(tx.gas, [tx.pure.u64(1_000_000)]);
	tx.transferObjects([coin], tx.pure.address(recipient));
	const result = await client.signAndExecuteTransaction({
		signer: alice,
		transaction: tx,
		include: { effects: true, balanceChanges: true },
	});
	assert.equal(result.$kind, 'Transaction', JSON.stringify(result.FailedTransaction?.effects?.status));
	assert.equal(result.Transaction.effects.status.success, true);
	const waited = await client.waitForTransaction({ digest: result.Transaction.digest });
	assert.equal(waited.Transaction.digest, result.Transaction.digest);
	const after = BigInt((await client.getBalance({ owner: recipient, coinType: SUI })).balance.balance);
	assert.equal(after, before + 1_000_000n);
});

test('a move call through the native table', async () => {
	const tx = new Transaction();
	const [coin] = tx.splitCoins(tx.gas, [tx.pure.u64(5)]);
	tx.moveCall({
		target: '0x2::transfer::public_transfer',
		typeArguments: ['0x2::coin::Coin<0x2::sui::SUI>'],
		arguments: [coin, tx.pure.address(bob.toSuiAddress())],
	});
	const result = await client.signAndExecuteTransaction({ signer: alice, transaction: tx, include: { effects: true } });
	assert.equal(result.$kind, 'Transaction', JSON.stringify(result.FailedTransaction?.effects?.status));
	await client.waitForTransaction({ digest: result.Transaction.digest });
});

test('a receiving input: an object sent to an object, named but not received', async () => {
	// Send a coin to an object's address (any object ID: here one of alice's coins).
	const owner = alice.toSuiAddress();
	const { objects } = await client.listCoins({ owner, coinType: SUI });
	const parent = objects[objects.length - 1].objectId;
	const send = new Transaction();
	const [coin] = send.splitCoins(send.gas, [send.pure.u64(7)]);
	send.transferObjects([coin], send.pure.address(parent));
	const sent = await client.signAndExecuteTransaction({ signer: alice, transaction: send, include: { effects: true } });
	assert.equal(sent.$kind, 'Transaction', JSON.stringify(sent.FailedTransaction?.effects?.status));
	await client.waitForTransaction({ digest: sent.Transaction.digest });
	const created = sent.Transaction.effects.changedObjects.find((c) => c.idOperation === 'Created');
	assert.ok(created, 'the coin sent to the object');

	// `receiving_object_id(&Receiving<T>)` with an explicit receiving reference: the chain
	// checks it (address-owned at this version and digest) and executes the call without
	// moving the coin. (As on Sui, the server infers a receiving input from an object given by
	// ID alone only for a by-value `Receiving<T>` parameter, not for `&Receiving<T>`.)
	const { objects: [before] } = await client.getObjects({ objectIds: [created.objectId] });
	const tx = new Transaction();
	tx.moveCall({
		target: '0x2::transfer::receiving_object_id',
		typeArguments: ['0x2::coin::Coin<0x2::sui::SUI>'],
		arguments: [tx.receivingRef({ objectId: before.objectId, version: before.version, digest: before.digest })],
	});
	const result = await client.signAndExecuteTransaction({ signer: alice, transaction: tx, include: { effects: true } });
	assert.equal(result.$kind, 'Transaction', JSON.stringify(result.FailedTransaction?.effects?.status));
	assert.equal(tx.getData().inputs[0].Object?.$kind, 'Receiving');
	await client.waitForTransaction({ digest: result.Transaction.digest });
	const changed = result.Transaction.effects.changedObjects.map((c) => c.objectId);
	assert.ok(!changed.includes(created.objectId), 'an unreceived receiving input changes nothing');
	const { objects: [after] } = await client.getObjects({ objectIds: [created.objectId] });
	assert.equal(after.owner.$kind, 'AddressOwner');
	assert.equal(after.owner.AddressOwner, parent);
});

test('getCurrentSystemState: the epoch, gas price and duration of the local chain', async () => {
	const { systemState } = await client.getCurrentSystemState();
	// The same epoch read by number (no race with an epoch change in between).
	const { epoch } = await client.ledgerService.getEpoch({
		epoch: BigInt(systemState.epoch),
		readMask: { paths: ['epoch', 'start'] },
	}).response;
	assert.equal(epoch.epoch.toString(), systemState.epoch);
	const startMs = Number(epoch.start.seconds) * 1000 + Math.floor((epoch.start.nanos ?? 0) / 1e6);
	assert.equal(systemState.epochStartTimestampMs, String(startMs));
	assert.equal(systemState.referenceGasPrice, '1000');
	assert.equal(systemState.parameters.epochDurationMs, '60000');
	assert.equal(systemState.safeMode, false);
	assert.ok(Number(systemState.epochStartTimestampMs) > 0);
});

test('SerialTransactionExecutor: back-to-back transfers on the gas coin its effects return', async () => {
	const recipient = bob.toSuiAddress();
	const before = BigInt((await client.getBalance({ owner: recipient, coinType: SUI })).balance.balance);
	const executor = new SerialTransactionExecutor({ client, signer: alice });
	const digests = [];
	for (let i = 1n; i <= 5n; i++) {
		const tx = new Transaction();
		const [coin] = tx.splitCoins(tx.gas, [tx.pure.u64(i * 1_000n)]);
		tx.transferObjects([coin], tx.pure.address(recipient));
		const result = await executor.executeTransaction(tx);
		assert.equal(result.$kind, 'Transaction', JSON.stringify(result.FailedTransaction?.status));
		digests.push(result.Transaction.digest);
	}
	assert.equal(new Set(digests).size, 5);
	await client.waitForTransaction({ digest: digests[4] });
	const after = BigInt((await client.getBalance({ owner: recipient, coinType: SUI })).balance.balance);
	assert.equal(after - before, 15_000n);
});

// listTransactions returns `{ $kind, Transaction | FailedTransaction }` entries.
const digestOf = (t) => (t.Transaction ?? t.FailedTransaction).digest;

// `filter.sender` as the gRPC TransactionFilter/EventFilter the SDK sends (one term, one literal).
const senderFilter = (address) => ({
	terms: [{ literals: [{ negated: false, predicate: { oneofKind: 'sender', sender: { address } } }] }],
});

test('listTransactions and listEvents: filters, pages, cursors; SubscribeTransactions', async () => {
	const owner = bob.toSuiAddress();
	// Bob's transactions, as SubscribeTransactions delivers them once in a checkpoint (so they
	// are listed), started before they are sent: its first frame only marks the start.
	const abort = new AbortController();
	const call = client.subscriptionService.subscribeTransactions(
		{ readMask: { paths: ['digest', 'checkpoint', 'transaction_index'] }, filter: senderFilter(owner) },
		{ abort: abort.signal },
	);
	for (const p of [call.headers, call.status, call.trailers]) p.catch(() => {});
	const frames = call.responses[Symbol.asyncIterator]();
	const start = await frames.next();
	assert.equal(start.value.transaction, undefined);
	assert.ok(start.value.watermark.cursor.length > 0);

	const digests = [];
	for (const kind of ['transfer', 'transfer', 'moveCall']) {
		const tx = new Transaction();
		const [coin] = tx.splitCoins(tx.gas, [tx.pure.u64(1_000)]);
		if (kind === 'transfer') {
			tx.transferObjects([coin], tx.pure.address(alice.toSuiAddress()));
		} else {
			tx.moveCall({
				target: '0x2::transfer::public_transfer',
				typeArguments: ['0x2::coin::Coin<0x2::sui::SUI>'],
				arguments: [coin, tx.pure.address(alice.toSuiAddress())],
			});
		}
		const result = await client.signAndExecuteTransaction({ signer: bob, transaction: tx });
		assert.equal(result.$kind, 'Transaction', JSON.stringify(result.FailedTransaction?.status));
		digests.push(result.Transaction.digest);
	}
	const delivered = [];
	while (delivered.length < digests.length) {
		const { value } = await frames.next();
		if (value.transaction) {
			assert.ok(value.transaction.checkpoint > 0n);
			delivered.push(value.transaction.digest);
		}
	}
	abort.abort();
	assert.deepEqual(delivered, digests);

	// By sender, two per page, following the cursors: ascending from the subscription's start
	// (its cursors are list cursors), then descending from the tip.
	const since = toBase64(start.value.watermark.cursor);
	const first = await client.listTransactions({ filter: { sender: owner }, limit: 2, after: since });
	assert.deepEqual(first.transactions.map(digestOf), digests.slice(0, 2));
	assert.equal(first.hasNextPage, true);
	const second = await client.listTransactions({ filter: { sender: owner }, limit: 2, after: first.endCursor });
	assert.deepEqual(second.transactions.map(digestOf), digests.slice(2));
	assert.equal(second.hasNextPage, false);
	const down = await client.listTransactions({ filter: { sender: owner }, limit: 2, order: 'descending' });
	assert.deepEqual(down.transactions.map(digestOf), [digests[2], digests[1]]);
	assert.equal(down.hasNextPage, true);
	const rest = await client.listTransactions({ filter: { sender: owner }, limit: 1, before: down.endCursor });
	assert.deepEqual(rest.transactions.map(digestOf), [digests[0]]);

	// By Move function, module or package: only the move call, not the plain transfers.
	for (const fn of ['0x2::transfer::public_transfer', '0x2::transfer', '0x2']) {
		const { transactions } = await client.listTransactions({ filter: { function: fn }, limit: 1000 });
		const listed = transactions.map(digestOf);
		assert.ok(listed.includes(digests[2]), fn);
		assert.ok(!listed.includes(digests[0]) && !listed.includes(digests[1]), fn);
	}
	const none = await client.listTransactions({ filter: { function: '0x2::no_such_module' } });
	assert.deepEqual(none.transactions, []);
	assert.equal(none.hasNextPage, false);

	// Unfiltered, from genesis: pages follow each other without overlap.
	const p1 = await client.listTransactions({ limit: 3 });
	const p2 = await client.listTransactions({ limit: 3, after: p1.endCursor });
	assert.equal(p1.transactions.length, 3);
	assert.equal(p1.hasNextPage, true);
	const all = [...p1.transactions, ...p2.transactions].map(digestOf);
	assert.equal(new Set(all).size, all.length);
	assert.ok(p2.transactions.length > 0);

	// Events: this chain's framework natives emit none, so every listing is a complete empty page.
	for (const filter of [{ sender: owner }, { eventType: '0x2::coin::CoinEvent' }, { emitModule: '0x2::transfer' }]) {
		const page = await client.listEvents({ filter });
		assert.deepEqual(page.events, []);
		assert.equal(page.hasNextPage, false);
	}

	// A cursor the server never issued is refused.
	await assert.rejects(client.listTransactions({ after: 'bm9uc2Vuc2U=' }), /cursor/);
});

test('a 2-of-3 multisig address sends a transaction signed by two members', async () => {
	const members = [new Ed25519Keypair(), new Secp256k1Keypair(), new Ed25519Keypair()];
	const multisig = MultiSigPublicKey.fromPublicKeys({
		threshold: 2,
		publicKeys: members.map((m) => ({ publicKey: m.getPublicKey(), weight: 1 })),
	});
	const address = multisig.toSuiAddress();
	// Fund the multisig address from Alice.
	const fund = new Transaction();
	const [coin] = fund.splitCoins(fund.gas, [fund.pure.u64(1_000_000_000)]);
	fund.transferObjects([coin], fund.pure.address(address));
	const funded = await client.signAndExecuteTransaction({ signer: alice, transaction: fund });
	assert.equal(funded.$kind, 'Transaction');
	await client.waitForTransaction({ digest: funded.Transaction.digest });

	const recipient = bob.toSuiAddress();
	const before = BigInt((await client.getBalance({ owner: recipient, coinType: SUI })).balance.balance);
	const tx = new Transaction();
	tx.setSender(address);
	const [part] = tx.splitCoins(tx.gas, [tx.pure.u64(7)]);
	tx.transferObjects([part], tx.pure.address(recipient));
	const bytes = await tx.build({ client });
	const partial = await Promise.all([members[0], members[1]].map((m) => m.signTransaction(bytes)));
	// One member alone is below the threshold: refused before execution.
	const alone = multisig.combinePartialSignatures([partial[0].signature]);
	await assert.rejects(client.executeTransaction({ transaction: bytes, signatures: [alone] }));
	const signature = multisig.combinePartialSignatures(partial.map((p) => p.signature));
	const result = await client.executeTransaction({ transaction: bytes, signatures: [signature] });
	assert.equal(result.$kind, 'Transaction', JSON.stringify(result.FailedTransaction?.status));
	await client.waitForTransaction({ digest: result.Transaction.digest });
	const after = BigInt((await client.getBalance({ owner: recipient, coinType: SUI })).balance.balance);
	assert.equal(after - before, 7n);
});

test('package objects: the Seal packages as @mysten/seal reads them (version 1, immutable)', async () => {
	const ids = [info.seal.sealPackageId, info.seal.policiesPackageId];
	for (const objectId of ids) {
		// What SealClient.encrypt and SessionKey.create ask for: `String(version) === "1"`.
		const { object } = await client.core.getObject({ objectId });
		assert.equal(String(object.version), '1');
		assert.equal(object.objectId, objectId);
		assert.equal(object.type, 'package');
		assert.equal(object.owner.$kind, 'Immutable');
		const { object: full } = await client.getObject({ objectId, include: { objectBcs: true, json: true, content: true } });
		assert.ok(full.objectBcs.length > 0);
		assert.equal(full.content, undefined, 'a package has no Move contents');
		assert.equal(full.json, null, 'a package has no json');
	}
	const { objects } = await client.getObjects({ objectIds: ids });
	assert.deepEqual(objects.map((o) => o.version), ['1', '1']);
	// A package is no object input: refused before execution.
	const tx = new Transaction();
	tx.setSender(alice.toSuiAddress());
	tx.moveCall({ target: '0x2::transfer::public_freeze_object', typeArguments: [`0x2::coin::Coin<${SUI}>`], arguments: [tx.object(ids[1])] });
	await assert.rejects(tx.build({ client }), /move package is passed/);
});
