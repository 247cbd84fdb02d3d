import type { ConnectorKind } from '../../domain/connectors/connectorConfig.js';
import { secretPathsOf } from '../../domain/connectors/connectorSecrets.js';
import { isEncryptedSecret } from '../../domain/encryptedSecret.js';

/** What a read model shows in place of a secret: that one is set, and which key encrypted it. */
export interface MaskedSecret {
  masked: true;
  keyId?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const maskEncrypted = (value: unknown): unknown => {
  if (isEncryptedSecret(value)) return { masked: true, keyId: value.keyId } satisfies MaskedSecret;
  if (Array.isArray(value)) return value.map(maskEncrypted);
  if (isRecord(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskEncrypted(v)]));
  return value;
};

const maskAt = (node: unknown, [key, ...rest]: readonly string[]): unknown => {
  if (key === undefined) return isRecord(node) && node.masked === true ? node : { masked: true };
  if (!isRecord(node) || !Object.hasOwn(node, key)) return node;
  return { ...node, [key]: maskAt(node[key], rest) };
};

/**
 * `config` with every secret replaced by a `MaskedSecret`: each EncryptedSecret wherever it
 * sits (a plain header may hold one too), then whatever is left at the kind's secret paths.
 * The decider never lets a plain secret into an event, so the second pass should find none;
 * it is there so that a read model, which many readers can see, is never where such a slip
 * shows. Ciphertext is masked as well: it is useless without the key, and still nobody's to read.
 */
export const maskSecrets = (kind: ConnectorKind, config: unknown): unknown =>
  secretPathsOf(kind, config).reduce<unknown>(
    (masked, path) => maskAt(masked, path.split('.')),
    maskEncrypted(config),
  );
