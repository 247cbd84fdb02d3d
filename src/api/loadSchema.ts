import { readdirSync, readFileSync } from 'node:fs';
import { Kind, parse, print, visit } from 'graphql';

const CONSISTENT_WITH = parse(
  'type T { f("Wait, bounded, until the read models have passed this position (read your writes)." consistentWith: Position): Int }',
).definitions[0];

/**
 * The SDL of every area (./schema/*.graphql, base.graphql first), with one argument added to
 * every Query field: `consistentWith: Position`. Each area writes its queries without it; the
 * resolver wrapper in resolvers/consistentWith.ts consumes it, so "any query can wait for a
 * position" holds for queries added later too.
 */
export const loadSchema = (): string => {
  const dir = new URL('./schema/', import.meta.url);
  const sdl = readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort((a, b) => (a === 'base.graphql' ? -1 : b === 'base.graphql' ? 1 : a.localeCompare(b)))
    .map((file) => readFileSync(new URL(file, dir), 'utf8'))
    .join('\n');
  const argument =
    CONSISTENT_WITH?.kind === Kind.OBJECT_TYPE_DEFINITION
      ? CONSISTENT_WITH.fields?.[0]?.arguments?.[0]
      : undefined;
  if (!argument) throw new Error('consistentWith argument definition did not parse');
  const withArgument = visit(parse(sdl), {
    enter(node) {
      if (
        (node.kind === Kind.OBJECT_TYPE_DEFINITION || node.kind === Kind.OBJECT_TYPE_EXTENSION) &&
        node.name.value === 'Query'
      ) {
        return {
          ...node,
          fields: node.fields?.map((field) =>
            field.arguments?.some((arg) => arg.name.value === 'consistentWith')
              ? field
              : { ...field, arguments: [...(field.arguments ?? []), argument] },
          ),
        };
      }
      return undefined;
    },
  });
  return print(withArgument);
};
