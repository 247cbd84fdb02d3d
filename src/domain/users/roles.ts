/**
 * The six roles of the product. What each may do is decided at the API's edge; the domain only
 * knows the names and the one rule that ties API keys to their owner's role.
 */
export const ROLES = ['admin', 'developer', 'designer', 'executor', 'viewer', 'executive'] as const;

export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => (ROLES as readonly unknown[]).includes(value);

/**
 * A key never carries more than its owner: it holds the owner's own role or `viewer`, except
 * that an admin's key may hold any role (an admin could grant that role to a user anyway).
 * The roles are not a ladder (a designer is not "more" than an executor), hence this rule
 * rather than a comparison.
 */
export const isKeyRoleAllowed = (ownerRole: Role, keyRole: Role): boolean =>
  ownerRole === 'admin' || keyRole === ownerRole || keyRole === 'viewer';
