export { AuthGuard, authorizationHeader, type AuthMode, type AuthSettings } from './auth-guard.js';
export { startAuthBootstrap, type BootstrapAdmin } from './auth-bootstrap.js';
export { AclAuthorizer, ruleAllows, type Resource } from './acl-authorizer.js';
export { TokenBucket } from './token-bucket.js';
export { tlsPrincipal } from './tls-identity.js';
export { signToken, verifyToken, type TokenClaims } from './session-token.js';
export { callPrincipal, forwardedAuthHeaders } from './call-principal.js';
