import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One schema and where it came from, so errors can name the file. */
export interface AvroSchemaSource {
  origin: string;
  schema: unknown;
}

/**
 * `current`: the schemas writers use now; they may refer to each other's named types.
 * `history`: earlier versions that old records may still be written with. Each history file stands
 * alone (named types inlined), because its names clash with the current ones.
 */
export interface AvroSchemaSet {
  current: readonly AvroSchemaSource[];
  history: readonly AvroSchemaSource[];
}

// Resolved from this module, not the working directory, so any entry point finds the schemas.
const SCHEMA_DIR = fileURLToPath(new URL('../../../schemas/avro/', import.meta.url));

let packaged: AvroSchemaSet | undefined;

/** The `.avsc` files of `schemas/avro/` and `schemas/avro/history/`, read once per process. */
export const readAvroSchemaFiles = (): AvroSchemaSet => {
  packaged ??= {
    current: readFolder(SCHEMA_DIR),
    history: readFolder(path.join(SCHEMA_DIR, 'history')),
  };
  return packaged;
};

const readFolder = (folder: string): AvroSchemaSource[] => {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((file) => file.endsWith('.avsc'))
    .sort()
    .map((file) => {
      const origin = path.join(folder, file);
      try {
        return { origin, schema: JSON.parse(readFileSync(origin, 'utf8')) as unknown };
      } catch (error) {
        throw new Error(`${origin} is not valid JSON: ${(error as Error).message}`, { cause: error });
      }
    });
};
