import { buildSchema, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { authorizeRootFields } from '../../src/api/authorizeRootFields.js';
import { FIELD_ACTIONS } from '../../src/api/fieldActions.js';
import { loadSchema } from '../../src/api/loadSchema.js';
import { resolvers } from '../../src/api/resolvers/resolvers.js';
import { ACTIONS, isAction } from '../../src/domain/permissions/permissionMatrix.js';

const schema = buildSchema(loadSchema());
const ROOT_TYPES = ['Query', 'Mutation', 'Subscription'] as const;
const fieldsOf = (type: string) =>
  Object.keys((schema.getType(type) as GraphQLObjectType).getFields()).sort();

describe('field actions: every root field of the schema is guarded by an action of the matrix', () => {
  it.each(ROOT_TYPES.map((type) => [type]))(
    'gives every %s field of the schema an action, and no other',
    (type) => {
      expect(Object.keys(FIELD_ACTIONS[type]).sort()).toEqual(fieldsOf(type));
    },
  );

  it('names only actions the permission matrix decides', () => {
    const unknown = ROOT_TYPES.flatMap((type) =>
      Object.entries(FIELD_ACTIONS[type])
        .filter(([, field]) => !isAction(field.action))
        .map(([name, field]) => `${type}.${name}: ${field.action}`),
    );
    expect(unknown).toEqual([]);
  });

  it('uses every action of the matrix, except those asked elsewhere than at a root field', () => {
    const used = new Set(
      ROOT_TYPES.flatMap((type) => Object.values(FIELD_ACTIONS[type]).map((f) => f.action)),
    );
    const notAtRoot = ['connector.readSecrets', 'auth.requestPasswordReset', 'auth.resetPassword'];
    expect(ACTIONS.filter((action) => !used.has(action) && !notAtRoot.includes(action))).toEqual([]);
  });

  it('guards every root resolver the API registers (a resolver without an action fails at start)', () => {
    expect(() => authorizeRootFields(resolvers)).not.toThrow();
    expect(() => authorizeRootFields({ Query: { secretThing: () => 1 } })).toThrow(
      'Query.secretThing has no action in fieldActions.ts',
    );
  });
});
