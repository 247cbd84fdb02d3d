/** A mistake in how the CLI was called; printed with the usage text. */
export class UsageError extends Error {
  override name = 'UsageError';
}
