import type { ApiContext } from './apiServices.js';

/**
 * The one authorization point: every resolver asks it before it reads or changes anything,
 * naming the action as `<area>.<verb>` (`pipeline.create`, `run.read`). Until accounts and
 * roles land every action is allowed for the development actor; the permission matrix will be
 * enforced here, and only here.
 */
export const authorize = (_context: ApiContext, _action: string): void => {};
