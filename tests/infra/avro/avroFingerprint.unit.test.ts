import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import {
  avroFingerprint,
  parsingCanonicalForm,
  rabinFingerprint64,
} from '../../../src/infra/avro/avroFingerprint.js';

// From the Avro project's share/test/data/schema-tests.txt, the cross-language vectors for
// Parsing Canonical Form and the 64-bit Rabin fingerprint (written there as a signed long).
const specVectors: { input: string; canonical: string; fingerprint: bigint }[] = [
  { input: '"null"', canonical: '"null"', fingerprint: 7195948357588979594n },
  { input: '"boolean"', canonical: '"boolean"', fingerprint: -6970731678124411036n },
  { input: '{"type":"int"}', canonical: '"int"', fingerprint: 8247732601305521295n },
  { input: '"long"', canonical: '"long"', fingerprint: -3434872931120570953n },
  { input: '"string"', canonical: '"string"', fingerprint: -8142146995180207161n },
  {
    input: '[ "int" , {"type":"boolean"} ]',
    canonical: '["int","boolean"]',
    fingerprint: 5392556393470105090n,
  },
  {
    input: '{"fields":[], "type":"record", "name":"foo", "namespace":"x.y"}',
    canonical: '{"name":"x.y.foo","type":"record","fields":[]}',
    fingerprint: 5916914534497305771n,
  },
  {
    input: '{"fields":[], "type":"record", "name":"a.b.foo", "namespace":"x.y"}',
    canonical: '{"name":"a.b.foo","type":"record","fields":[]}',
    fingerprint: -4616218487480524110n,
  },
  {
    input: '{"fields":[], "type":"record", "name":"foo", "doc":"foo", "aliases":["foo","bar"]}',
    canonical: '{"name":"foo","type":"record","fields":[]}',
    fingerprint: -4824392279771201922n,
  },
  {
    input: `{"fields":[{"type":"boolean", "aliases":[], "name":"f1", "default":true},
      {"order":"descending","name":"f2","doc":"Hello","type":"int"}], "type":"record", "name":"foo"}`,
    canonical:
      '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}',
    fingerprint: -4860222112080293046n,
  },
  {
    input: '{"namespace":"x.y.z", "type":"enum", "name":"foo", "doc":"foo bar", "symbols":["A1", "A2"]}',
    canonical: '{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}',
    fingerprint: -4448647247586288245n,
  },
  {
    input: '{"namespace":"x.y.z", "type":"fixed", "name":"foo", "doc":"foo bar", "size":32}',
    canonical: '{"name":"x.y.z.foo","type":"fixed","size":32}',
    fingerprint: -3064184465700546786n,
  },
  {
    input: '{ "items":{"type":"null"}, "type":"array"}',
    canonical: '{"type":"array","items":"null"}',
    fingerprint: -589620603366471059n,
  },
  {
    input: '{ "values":"string", "type":"map"}',
    canonical: '{"type":"map","values":"string"}',
    fingerprint: -8732877298790414990n,
  },
  {
    input: `{"name":"PigValue","type":"record",
      "fields":[{"name":"value", "type":["null", "int", "long", "PigValue"]}]}`,
    canonical:
      '{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}',
    fingerprint: -1759257747318642341n,
  },
];

const utf8 = (text: string) => Buffer.from(text, 'utf8');

describe('rabinFingerprint64', () => {
  it('given no bytes, when fingerprinted, then the result is the seed the spec calls EMPTY', () => {
    expect(rabinFingerprint64(new Uint8Array())).toBe(0xc15d213aa4d7a795n);
  });

  it.each(specVectors)('given the spec schema $canonical, then its fingerprint is $fingerprint', (vector) => {
    expect(BigInt.asIntN(64, rabinFingerprint64(utf8(vector.canonical)))).toBe(vector.fingerprint);
  });

  it('given schemas differing by one character, then their fingerprints differ', () => {
    expect(rabinFingerprint64(utf8('"int"'))).not.toBe(rabinFingerprint64(utf8('"inT"')));
  });
});

describe('parsingCanonicalForm', () => {
  it.each(specVectors)(
    'given the spec input for $canonical, then avsc yields that canonical form',
    (vector) => {
      expect(parsingCanonicalForm(avro.Type.forSchema(JSON.parse(vector.input)))).toBe(vector.canonical);
    },
  );

  it('given a logical type, when made canonical, then the annotation is stripped as the spec requires', () => {
    const type = avro.Type.forSchema({ type: 'long', logicalType: 'timestamp-millis' } as avro.Schema);

    expect(parsingCanonicalForm(type)).toBe('"long"');
  });
});

describe('avroFingerprint', () => {
  it('given the schema "int", then it yields the spec fingerprint as 8 little-endian bytes', () => {
    const expected = Buffer.alloc(8);
    expected.writeBigInt64LE(8247732601305521295n);

    expect(avroFingerprint(avro.Type.forSchema('int'))).toEqual(expected);
  });
});
