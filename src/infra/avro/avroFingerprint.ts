import type { Type } from 'avsc';

// CRC-64-AVRO, as the Avro specification defines schema fingerprints: a reflected CRC whose
// polynomial is also the starting value, so the fingerprint of no bytes at all is EMPTY.
const EMPTY = 0xc15d213aa4d7a795n;

// One entry per byte value: the effect of shifting that byte's 8 bits out of the register.
const TABLE: readonly bigint[] = Array.from({ length: 256 }, (_, byte) => {
  let register = BigInt(byte);
  for (let bit = 0; bit < 8; bit += 1) {
    register = (register >> 1n) ^ ((register & 1n) === 1n ? EMPTY : 0n);
  }
  return register;
});

/** The 64-bit Rabin fingerprint (CRC-64-AVRO) of `bytes`, unsigned. */
export const rabinFingerprint64 = (bytes: Uint8Array): bigint => {
  let register = EMPTY;
  for (const byte of bytes) {
    register = (register >> 8n) ^ TABLE[Number((register ^ BigInt(byte)) & 0xffn)]!;
  }
  return register;
};

/**
 * The Parsing Canonical Form of `type`. avsc's `schema()` without attributes already is one: full
 * names, only name/type/fields/symbols/items/values/size, in that order, no whitespace, and no
 * logicalType: avsc leaves it out, of the logical types we register (json) too, as the spec
 * says (the spec vectors in the tests pin this).
 */
export const parsingCanonicalForm = (type: Type): string => JSON.stringify(type.schema());

/** The schema's fingerprint as single-object encoding writes it: 8 bytes, little-endian. */
export const avroFingerprint = (type: Type): Buffer => {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(rabinFingerprint64(Buffer.from(parsingCanonicalForm(type), 'utf8')));
  return bytes;
};
