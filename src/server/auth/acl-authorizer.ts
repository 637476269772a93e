import type {
  AclOperation,
  AclResourceType,
  AclRule,
  SecurityState,
} from '../../../cluster/controller/index.js';
import { anyPrincipal } from '../../security/index.js';

export interface Resource {
  readonly type: AclResourceType;
  readonly name: string;
}

/** produce, consume and alter let a principal see what it works on; admin allows everything. */
function grants(ruleOperation: AclOperation, wanted: AclOperation): boolean {
  if (ruleOperation === wanted || ruleOperation === 'admin') return true;
  return wanted === 'describe';
}

function matchesName(rule: AclRule, name: string): boolean {
  if (rule.patternType === 'prefix') return name.startsWith(rule.resourceName);
  return rule.resourceName === '*' || rule.resourceName === name;
}

export function ruleAllows(rule: AclRule, operation: AclOperation, resource: Resource): boolean {
  return (
    rule.resourceType === resource.type &&
    grants(rule.operation, operation) &&
    matchesName(rule, resource.name)
  );
}

/**
 * Allow-only ACLs: a principal may do what some rule of its own or of User:* allows, superusers
 * everything. The rules are indexed by principal once per controller change (the map is replaced on
 * every change), so a check scans only the caller's rules.
 */
export class AclAuthorizer {
  private indexedFrom: SecurityState['acls'] | undefined;
  private byPrincipal = new Map<string, AclRule[]>();

  constructor(
    private readonly state: () => SecurityState,
    private readonly superusers: ReadonlySet<string>,
  ) {}

  isSuperuser(principal: string): boolean {
    return this.superusers.has(principal) || principal.startsWith('Node:');
  }

  allows(principal: string, operation: AclOperation, resource: Resource): boolean {
    if (this.isSuperuser(principal)) return true;
    const index = this.index();
    const own = index.get(principal) ?? [];
    const everyone = index.get(anyPrincipal) ?? [];
    return [own, everyone].some((rules) => rules.some((r) => ruleAllows(r, operation, resource)));
  }

  private index(): Map<string, AclRule[]> {
    const acls = this.state().acls;
    if (acls !== this.indexedFrom) {
      const byPrincipal = new Map<string, AclRule[]>();
      for (const rule of acls.values()) {
        const list = byPrincipal.get(rule.principal) ?? [];
        list.push(rule);
        byPrincipal.set(rule.principal, list);
      }
      this.byPrincipal = byPrincipal;
      this.indexedFrom = acls;
    }
    return this.byPrincipal;
  }
}
