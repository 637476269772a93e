type Fields = Record<string, unknown>;

/** What is wrong with a decoded queue operation (enqueue, lease, ack, nack), or undefined. */
export function queueOpProblem(e: Fields): string | undefined {
  if (typeof e['key'] !== 'string') return `${String(e['f'])} needs a key`;
  switch (e['f']) {
    case 'enqueue':
      return enqueueProblem(e);
    case 'lease':
      return leaseProblem(e);
    default:
      return settleProblem(e);
  }
}

function enqueueProblem(e: Fields): string | undefined {
  if (typeof e['value'] !== 'string') return 'enqueue needs a string value';
  if (e['offset'] !== undefined && !isCount(e['offset']))
    return 'enqueue offset must be a non-negative integer';
  return undefined;
}

function leaseProblem(e: Fields): string | undefined {
  if (!isCount(e['visibilityMs'])) return 'lease needs visibilityMs';
  const leases = e['leases'];
  if (leases === undefined) return undefined;
  if (!Array.isArray(leases)) return 'lease leases must be an array';
  const bad = leases.findIndex(
    (l: unknown) =>
      !isHeld(l) || !isCount((l as Fields)['deliveryCount']) || !isCount((l as Fields)['expiresAtMs']),
  );
  return bad < 0 ? undefined : `lease ${bad} must be {offset, value, leaseId, deliveryCount, expiresAtMs}`;
}

/** Ack and nack: the leases they settle, and once answered one outcome per lease. */
function settleProblem(e: Fields): string | undefined {
  const f = String(e['f']);
  const leases = e['leases'];
  if (!Array.isArray(leases) || !leases.every(isHeld)) return `${f} leases must be {offset, value, leaseId}`;
  if (f === 'nack' && !isCount(e['delayMs'])) return 'nack needs delayMs';
  const outcomes = e['outcomes'];
  if (outcomes === undefined) return undefined;
  const valid =
    Array.isArray(outcomes) &&
    outcomes.length === leases.length &&
    outcomes.every((o) => typeof o === 'string');
  return valid ? undefined : `${f} outcomes must be one string per lease`;
}

function isHeld(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const l = v as Fields;
  return isCount(l['offset']) && typeof l['value'] === 'string' && typeof l['leaseId'] === 'string';
}

function isCount(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}
