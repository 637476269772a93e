import type { AclRule, QuotaRecord } from '../../cluster/controller/index.js';
import {
  aclRuleFromProto,
  aclRuleToProto,
  deriveScramCredentials,
  quotaToProto,
  scramIterationsDefault,
} from '../security/index.js';
import type { RaftlogClient } from './raftlog-client.js';

/**
 * Users, ACLs and quotas through SecurityService on the first bootstrap node; the node forwards
 * changes to the controller. A password is turned into SCRAM credentials here and never sent.
 */
export class SecurityAdmin {
  constructor(
    private readonly client: RaftlogClient,
    private readonly address: string,
  ) {}

  private get service() {
    return this.client.pool.security(this.address);
  }

  async addUser(name: string, password: string, iterations = scramIterationsDefault): Promise<void> {
    const c = deriveScramCredentials(password, iterations);
    await this.service.upsertUser({ name, ...c });
  }

  async removeUser(name: string): Promise<void> {
    await this.service.deleteUser({ name });
  }

  async listUsers(): Promise<{ name: string; iterations: number }[]> {
    const { users } = await this.service.listUsers({});
    return users.map((u) => ({ name: u.name, iterations: u.iterations }));
  }

  async addAcls(rules: readonly AclRule[]): Promise<void> {
    await this.service.addAcls({ rules: rules.map(aclRuleToProto) });
  }

  async removeAcls(rules: readonly AclRule[]): Promise<number> {
    return (await this.service.removeAcls({ rules: rules.map(aclRuleToProto) })).removed;
  }

  async listAcls(principal = ''): Promise<AclRule[]> {
    return (await this.service.listAcls({ principal })).rules.map(aclRuleFromProto);
  }

  async setQuota(quota: QuotaRecord): Promise<void> {
    await this.service.setQuota({ quota: quotaToProto(quota) });
  }

  async listQuotas(): Promise<QuotaRecord[]> {
    const { quotas } = await this.service.listQuotas({});
    return quotas.map((q) => ({
      principal: q.principal,
      produceBytesPerSec: Number(q.produceBytesPerSec),
      fetchBytesPerSec: Number(q.fetchBytesPerSec),
    }));
  }

  async whoAmI(): Promise<{ principal: string; authRequired: boolean; superuser: boolean }> {
    const r = await this.service.whoAmI({});
    return { principal: r.principal, authRequired: r.authRequired, superuser: r.superuser };
  }
}
