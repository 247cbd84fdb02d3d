/**
 * Drops a record whose key (a CEL expression over the record, such as `orderId`) was already
 * seen on its partition within `withinMs` of record time; the dropped ones count as filtered.
 */
export interface DedupeStep {
  kind: 'dedupe';
  key: string;
  withinMs: number;
}
