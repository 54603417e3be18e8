// Sui epochs as the official TypeScript SDK (@mysten/sui, gRPC-web) reads them: the epoch's last
// checkpoint with its end-of-epoch data and ChangeEpoch transaction (structured and BCS), and
// GetEpoch for the ended and the current epoch.
// Run by scripts/test.d/40-localnet-ts.sh against a chain started with a short
// --sui-epoch-duration; LOCALNET_DIR points at its data directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bcs } from '@mysten/sui/bcs';
import { SuiGrpcClient } from '@mysten/sui/grpc';

const dir = process.env.LOCALNET_DIR;
assert.ok(dir, 'LOCALNET_DIR must point at the chain data directory');
const info = JSON.parse(readFileSync(join(dir, 'localnet.json'), 'utf8'));
const client = new SuiGrpcClient({ network: 'localnet', baseUrl: info.rpcUrl });

/// The first checkpoint with end-of-epoch data on the live stream (bounded: 60 s).
async function endOfEpochCheckpoint() {
	const controller = new AbortController();
	const timer = setTimeout(() => controller.abort(), 60_000);
	const call = client.subscriptionService.subscribeCheckpoints(
		{
			readMask: {
				paths: [
					'sequence_number',
					'digest',
					'summary',
					'transactions.digest',
					'transactions.transaction',
					'transactions.effects',
				],
			},
		},
		{ abort: controller.signal },
	);
	// The stream ends by our abort: its status is not an error of the test.
	for (const p of [call.headers, call.status, call.trailers]) p.catch(() => {});
	try {
		for await (const frame of call.responses) {
			if (frame.checkpoint?.summary?.endOfEpochData) return frame.checkpoint;
		}
	} finally {
		clearTimeout(timer);
		controller.abort();
	}
	throw new Error('the checkpoint stream ended without an epoch change');
}

const checkpoint = await endOfEpochCheckpoint();
const summary = checkpoint.summary;

test('the last checkpoint of an epoch carries end-of-epoch data', () => {
	const end = summary.endOfEpochData;
	assert.equal(end.nextEpochProtocolVersion, 100n);
	assert.equal(end.epochCommitments.length, 0);
	assert.equal(end.nextEpochCommittee.length, 1);
	assert.equal(end.nextEpochCommittee[0].weight, 10000n);
	assert.equal(end.nextEpochCommittee[0].publicKey.length, 96, 'a BLS12-381 min_pk public key');
});

test('its last transaction is ChangeEpoch, structured and in BCS', () => {
	const last = checkpoint.transactions.at(-1);
	const kind = last.transaction.kind.data;
	assert.equal(kind.oneofKind, 'endOfEpoch');
	const change = kind.endOfEpoch.transactions[0].data;
	assert.equal(change.oneofKind, 'changeEpoch');
	assert.equal(change.changeEpoch.epoch, summary.epoch + 1n);
	assert.equal(change.changeEpoch.protocolVersion, 100n);
	const data = bcs.TransactionData.parse(last.transaction.bcs.value);
	assert.equal(data.V1.sender, '0x' + '0'.repeat(64));
	const [first] = data.V1.kind.EndOfEpochTransaction;
	assert.equal(BigInt(first.ChangeEpoch.epoch), summary.epoch + 1n);
	assert.equal(
		BigInt(first.ChangeEpoch.computationCharge),
		summary.epochRollingGasCostSummary.computationCost,
	);
	const effects = bcs.TransactionEffects.parse(last.effects.bcs.value);
	assert.equal(BigInt(effects.V2.executedEpoch), summary.epoch);
	assert.equal(effects.V2.gasObjectIndex, null);
	assert.equal(effects.V2.status.$kind, 'Success');
});

test('the SDK reads the ChangeEpoch transaction', async () => {
	const last = checkpoint.transactions.at(-1);
	const result = await client.getTransaction({
		digest: last.digest,
		// Not `transaction: true`: the SDK's parser accepts only programmable transactions
		// ("Only programmable transactions are supported"), against Sui as here.
		include: { effects: true },
	});
	assert.equal(result.Transaction.digest, last.digest);
	assert.equal(result.Transaction.effects.status.success, true);
});

test('GetEpoch answers for the ended epoch and the current one', async () => {
	const { response: ended } = await client.ledgerService.getEpoch({
		epoch: summary.epoch,
		readMask: { paths: ['epoch', 'committee', 'first_checkpoint', 'last_checkpoint', 'start', 'end'] },
	});
	assert.equal(ended.epoch.epoch, summary.epoch);
	assert.equal(ended.epoch.lastCheckpoint, checkpoint.sequenceNumber);
	assert.ok(ended.epoch.firstCheckpoint <= checkpoint.sequenceNumber);
	assert.equal(ended.epoch.end.seconds, summary.timestamp.seconds);
	assert.equal(ended.epoch.committee.epoch, summary.epoch);
	const { response: current } = await client.ledgerService.getEpoch({});
	assert.ok(current.epoch.epoch > summary.epoch);
	assert.equal(current.epoch.lastCheckpoint, undefined);
	const { referenceGasPrice } = await client.getReferenceGasPrice();
	assert.equal(referenceGasPrice, '1000');
});
