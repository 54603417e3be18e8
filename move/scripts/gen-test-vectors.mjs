// Computes the BLS test vectors in walrus/tests/test_utils.move: public keys, aggregate
// certificates and proofs of possession for the insecure test secret keys 1..4, and the blob IDs
// of two (root hash, size) pairs. BLS12-381 min_pk with Sui's DST
// BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_ (noble-curves' default for G2 signatures).
// Run: npm ci --prefix move && node move/scripts/gen-test-vectors.mjs
import { bls12_381 as bls } from '@noble/curves/bls12-381.js';
import { blake2b } from '@noble/hashes/blake2.js';
const hex = (u8) => Buffer.from(u8).toString('hex');
const u32le = (n) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
const u64le = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };
const u256le = (n) => { const b = Buffer.alloc(32); let x = BigInt(n); for (let i = 0; i < 32; i++) { b[i] = Number(x & 0xffn); x >>= 8n; } return b; };
const leToBig = (b) => { let x = 0n; for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]); return x; };
const sks = [1n, 2n, 3n, 4n].map((k) => u256le(k).reverse()); // 32-byte big-endian secret keys
const pks = sks.map((sk) => bls.getPublicKey(sk));
const out = {};
pks.forEach((pk, i) => out[`pk${i + 1}`] = hex(pk));
const blobId = (root, size) => leToBig(blake2b(Buffer.concat([Buffer.from([1]), u64le(size), u256le(root)]), { dkLen: 32 }));
const ROOT1 = 0x1234n, SIZE1 = 1000n;
const ROOT2 = 0x5678n, SIZE2 = 5000n;
out.blob1 = '0x' + blobId(ROOT1, SIZE1).toString(16);
out.blob2 = '0x' + blobId(ROOT2, SIZE2).toString(16);
const certMsg = (epoch, id) => Buffer.concat([Buffer.from([1, 0, 3]), u32le(epoch), u256le(id), Buffer.from([0])]);
const invMsg = (epoch, id) => Buffer.concat([Buffer.from([2, 0, 3]), u32le(epoch), u256le(id)]);
const agg = (msg, idx) => hex(bls.aggregateSignatures(idx.map((i) => bls.sign(msg, sks[i]))));
const m1 = certMsg(0, blobId(ROOT1, SIZE1));
out.m1 = hex(m1);
out.sig_m1_all = agg(m1, [0, 1, 2, 3]);
out.sig_m1_23 = agg(m1, [2, 3]);
const m2 = invMsg(0, blobId(ROOT2, SIZE2));
out.m2 = hex(m2);
out.sig_m2_3 = agg(m2, [3]);
const m3 = certMsg(1, blobId(ROOT1, SIZE1));
out.m3 = hex(m3);
out.sig_m3_all = agg(m3, [0, 1, 2, 3]);
// Proofs of possession for senders 0xa1..0xa4 in epoch 0.
[0, 1, 2, 3].forEach((i) => {
  const addr = Buffer.alloc(32); addr[31] = 0xa1 + i;
  const msg = Buffer.concat([Buffer.from([0, 0, 3]), u32le(0), addr, Buffer.from(pks[i])]);
  out[`pop${i + 1}`] = hex(bls.sign(msg, sks[i]));
});
// Self-check
const vk = bls.verify(Buffer.from(out.sig_m1_23, 'hex'), m1, bls.aggregatePublicKeys([pks[2], pks[3]]));
console.error('selfcheck', vk);
console.log(JSON.stringify(out, null, 1));
