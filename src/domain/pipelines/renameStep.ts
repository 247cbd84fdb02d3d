/** Gives fields new names, in place; fields not named pass through. `fields` maps old name → new name. */
export interface RenameStep {
  kind: 'rename';
  fields: Record<string, string>;
}
