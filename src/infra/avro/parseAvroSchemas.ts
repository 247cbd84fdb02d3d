import avro from 'avsc';
import { avroLogicalTypes } from './avroJsonText.js';
import type { AvroSchemaSource } from './avroSchemaFiles.js';

/**
 * Parses schemas into one registry, so named types may refer to each other across files, whatever the
 * file order: a schema naming a type not defined yet is retried once the others are in. Returns every
 * named type, nested ones included, by full name.
 */
export const parseAvroSchemas = (sources: readonly AvroSchemaSource[]): Map<string, avro.Type> => {
  const registry: Record<string, avro.Type> = {};
  let pending = [...sources];
  while (pending.length > 0) {
    const waiting: { source: AvroSchemaSource; error: Error }[] = [];
    for (const source of pending) {
      // A failed parse may have registered some of its nested types already: parse into a copy.
      const attempt = { ...registry };
      try {
        avro.Type.forSchema(source.schema as avro.Schema, {
          registry: attempt,
          logicalTypes: avroLogicalTypes,
        });
        Object.assign(registry, attempt);
      } catch (error) {
        const failure = { source, error: error as Error };
        if (!/undefined type name/.test(failure.error.message)) throw schemaError(failure);
        waiting.push(failure);
      }
    }
    if (waiting.length === pending.length) throw schemaError(waiting[0]!);
    pending = waiting.map(({ source }) => source);
  }
  return new Map(Object.entries(registry));
};

const schemaError = ({ source, error }: { source: AvroSchemaSource; error: Error }) =>
  new Error(`invalid Avro schema ${source.origin}: ${error.message}`, { cause: error });
