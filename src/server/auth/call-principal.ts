import type { CallContext } from '../../../rpc/index.js';

/** The principal each call was authenticated as, for handlers that call other nodes on its behalf. */
const principals = new WeakMap<CallContext, { principal: string; forward: () => Record<string, string> }>();

export function setCallPrincipal(
  context: CallContext,
  principal: string,
  forward: () => Record<string, string>,
): void {
  principals.set(context, { principal, forward });
}

export const callPrincipal = (context: CallContext): string | undefined => principals.get(context)?.principal;

/** Headers that carry the caller's identity to another node; none when auth is off. */
export const forwardedAuthHeaders = (context: CallContext): Record<string, string> =>
  principals.get(context)?.forward() ?? {};
