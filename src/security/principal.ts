/** Principals are "User:<name>", as in Kafka; "User:*" in an ACL stands for every authenticated one. */
export const userPrefix = 'User:';
export const anyPrincipal = 'User:*';
export const anonymousPrincipal = 'User:ANONYMOUS';

export const userPrincipal = (name: string): string => `${userPrefix}${name}`;

/** The user name of a principal, or undefined when it is not a User: principal. */
export const userNameOf = (principal: string): string | undefined =>
  principal.startsWith(userPrefix) ? principal.slice(userPrefix.length) : undefined;
