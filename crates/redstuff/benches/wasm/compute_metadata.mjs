// Baseline (c) of the redstuff benchmarks: Walrus's official WASM encoder (@mysten/walrus-wasm,
// what users of the TypeScript SDK run) computing a blob's metadata under Node.js.
//
// usage: node compute_metadata.mjs <n_shards> <bytes> [iterations]
// prints one JSON line: {"nShards","bytes","iterations","secondsMedian","secondsMin","blobIdHex"}
// The input is the "mul7" pattern of the reference vectors, so the blob ID can be cross-checked.
import { BlobEncoder } from '@mysten/walrus-wasm';

const [nShards, bytes, iterations = '3'] = process.argv.slice(2).map(Number);
if (!Number.isInteger(nShards) || !Number.isInteger(bytes) || nShards < 4 || bytes < 0) {
	console.error('usage: node compute_metadata.mjs <n_shards> <bytes> [iterations]');
	process.exit(2);
}
const data = new Uint8Array(bytes);
for (let i = 0; i < bytes; i++) data[i] = (i * 7 + 13) % 256;

const encoder = new BlobEncoder(nShards);
const times = [];
let blobId;
for (let i = 0; i < iterations; i++) {
	const start = process.hrtime.bigint();
	[blobId] = encoder.compute_metadata(data);
	times.push(Number(process.hrtime.bigint() - start) / 1e9);
}
times.sort((a, b) => a - b);
console.log(
	JSON.stringify({
		nShards,
		bytes,
		iterations,
		secondsMedian: times[Math.floor(times.length / 2)],
		secondsMin: times[0],
		blobIdHex: Buffer.from(blobId).toString('hex'),
	}),
);
