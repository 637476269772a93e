export {
  deriveScramCredentials,
  hmacSha256,
  scramIterationsDefault,
  scramIterationsMax,
  scramIterationsMin,
  scramKeyBytes,
  scramSaltBytes,
  sha256,
  xorBytes,
  type ScramCredentials,
} from './scram-keys.js';
export {
  authMessage,
  formatServerFirst,
  parseClientFinal,
  parseClientFirst,
  type ClientFinal,
  type ClientFirst,
} from './scram-messages.js';
export { ScramClient } from './scram-client.js';
export { anonymousPrincipal, anyPrincipal, userNameOf, userPrefix, userPrincipal } from './principal.js';
export { aclRuleFromProto, aclRuleToProto, quotaFromProto, quotaToProto } from './acl-proto.js';
