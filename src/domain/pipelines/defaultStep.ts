/** Sets each named field to its value when the record lacks it or holds null. Values are JSON. */
export interface DefaultStep {
  kind: 'default';
  values: Record<string, unknown>;
}
