import { RaftlogError } from '../../../lib/index.js';
import type { SecurityApi } from '../../../cluster/node/index.js';
import type { ServiceImpl } from '../../../rpc/index.js';
import type { SecurityService } from '../../../proto/gen/raftlog/v1/security_pb.js';
import { type UpsertUserRequest } from '../../../proto/gen/raftlog/v1/security_pb.js';
import {
  aclRuleFromProto,
  aclRuleToProto,
  anonymousPrincipal,
  quotaFromProto,
  quotaToProto,
  userPrincipal,
} from '../../security/index.js';
import { AuthGuard } from '../auth/auth-guard.js';
import { callPrincipal } from '../auth/call-principal.js';

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const messageCharsMax = 1024;

function checkMessage(value: string, what: string): string {
  if (value.length === 0 || value.length > messageCharsMax) {
    throw new RaftlogError('AUTHENTICATION_FAILED', `${what} must be 1-${messageCharsMax} characters`);
  }
  return value;
}

/** The credentials as the client derived them; the controller checks sizes and iterations in apply. */
const upsertCommand = (r: UpsertUserRequest) =>
  ({
    type: 'upsert-user',
    name: r.name,
    salt: b64(r.salt),
    iterations: r.iterations,
    storedKey: b64(r.storedKey),
    serverKey: b64(r.serverKey),
    tokenKey: AuthGuard.newTokenKey(),
    ifAbsent: false,
  }) as const;

/** SecurityService: SCRAM login, and users, ACLs and quotas kept by the controller. */
export function securityService(
  security: SecurityApi,
  guard: AuthGuard,
): ServiceImpl<typeof SecurityService> {
  const sorted = <T>(items: Iterable<T>) => [...items];
  return {
    scramStart: (r) =>
      Promise.resolve().then(() =>
        guard.exchanges.start(checkMessage(r.clientFirstMessage, 'client_first_message')),
      ),
    scramFinish: async (r) => {
      const done = guard.exchanges.finish(
        r.exchangeId,
        checkMessage(r.clientFinalMessage, 'client_final_message'),
      );
      const principal = userPrincipal(done.user.name);
      const token = guard.issueToken(principal, done.user.updatedIndex);
      return Promise.resolve({
        serverFinalMessage: done.serverFinalMessage,
        token: token.token,
        expiresAtMs: BigInt(token.expiresAtMs),
        principal,
      });
    },
    whoAmI: (_r, context) => {
      const principal = callPrincipal(context) ?? anonymousPrincipal;
      return Promise.resolve({
        principal,
        authRequired: guard.required,
        superuser: guard.authorizer.isSuperuser(principal),
      });
    },
    upsertUser: async (r) => {
      await security.propose(upsertCommand(r));
      return {};
    },
    deleteUser: async (r) => {
      await security.propose({ type: 'delete-user', name: r.name });
      return {};
    },
    listUsers: () =>
      Promise.resolve({
        users: sorted(security.state().users.values()).map((u) => ({
          name: u.name,
          iterations: u.iterations,
          updatedIndex: BigInt(u.updatedIndex),
        })),
      }),
    addAcls: async (r) => {
      await security.propose({ type: 'add-acls', rules: r.rules.map(aclRuleFromProto) });
      return {};
    },
    removeAcls: async (r) => {
      const output = await security.propose({ type: 'remove-acls', rules: r.rules.map(aclRuleFromProto) });
      return { removed: output.type === 'removed' ? output.count : 0 };
    },
    listAcls: (r) =>
      Promise.resolve({
        rules: sorted(security.state().acls.values())
          .filter((rule) => r.principal === '' || rule.principal === r.principal)
          .map(aclRuleToProto),
      }),
    setQuota: async (r) => {
      await security.propose({ type: 'set-quota', ...quotaFromProto(r.quota) });
      return {};
    },
    listQuotas: () => Promise.resolve({ quotas: sorted(security.state().quotas.values()).map(quotaToProto) }),
  };
}
