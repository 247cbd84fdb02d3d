/** Leaves the named top-level fields out of each record. */
export interface DropStep {
  kind: 'drop';
  fields: string[];
}
