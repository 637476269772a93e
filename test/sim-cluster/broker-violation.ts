/** A check found a history the broker must never produce. */
export class BrokerViolation extends Error {
  override readonly name = 'BrokerViolation';
  constructor(
    readonly check: string,
    readonly detail: string,
  ) {
    super(`${check}: ${detail}`);
  }
}
