import avro from 'avsc';

/**
 * The logical type `json` over an Avro string: the string holds the JSON text of any JSON value,
 * which Avro has no type for (its unions cannot nest themselves). The codec's callers see the
 * value itself, as the domain has it (a default step's defaults); readers that do not know the
 * logical type see the text, as the Avro spec says they must.
 */
export class JsonTextType extends avro.types.LogicalType {
  /** From the text read to the value. */
  protected override _fromValue(text: string): unknown {
    return JSON.parse(text);
  }

  /** From a value to the text written; undefined (so invalid) for what JSON cannot hold. */
  protected override _toValue(value: unknown): string | undefined {
    if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
    return JSON.stringify(value);
  }

  /** Reads text written as a plain string or as this logical type (whose reader already parsed it). */
  protected override _resolve(type: avro.Type) {
    if (type instanceof JsonTextType) return (value: unknown) => value;
    if (type.typeName === 'string') return (text: string) => this._fromValue(text);
    return undefined;
  }

  /** A random JSON value, not a random string: random strings are rarely JSON text. */
  // avsc's typings say random() returns the type itself; it returns a value of it.
  override random(): avro.types.LogicalType {
    const value = { text: this.underlyingType.random(), count: Math.floor(Math.random() * 100), flag: true };
    return value as unknown as avro.types.LogicalType;
  }
}

/** The logical types the codec knows, by the name a schema gives as `logicalType`. */
export const avroLogicalTypes = { json: JsonTextType };
