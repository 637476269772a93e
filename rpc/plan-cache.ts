import type { DescMessage } from '@bufbuild/protobuf';

/**
 * Codec plans per message type, made once. A recursive type meets its own plan while that is still
 * being made (`begin` registers it before its fields are planned). When a type cannot be planned, every
 * type begun in the same attempt is remembered as unplannable: any of them may nest the failed one.
 */
export class PlanCache<P> {
  private readonly plans = new WeakMap<DescMessage, P | null>();
  private begun: DescMessage[] = [];

  constructor(private readonly make: (schema: DescMessage) => P | undefined) {}

  /** The plan of a type, or undefined when it cannot be planned. */
  get(schema: DescMessage): P | undefined {
    const known = this.plans.get(schema);
    if (known !== undefined) return known ?? undefined;
    this.begun = [];
    const plan = this.make(schema);
    if (plan === undefined) for (const m of this.begun) this.plans.set(m, null);
    this.begun = [];
    return plan;
  }

  /** For `make`: the plan of a nested type, made now if it is new. */
  nested(schema: DescMessage): P | undefined {
    const known = this.plans.get(schema);
    if (known !== undefined) return known ?? undefined;
    return this.make(schema);
  }

  /** For `make`: registers the plan of `schema` before its fields are planned. */
  begin(schema: DescMessage, plan: P): void {
    this.plans.set(schema, plan);
    this.begun.push(schema);
  }
}
