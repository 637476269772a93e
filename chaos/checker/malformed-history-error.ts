/** The history breaks its own format (a completion without an invoke, a value sent twice…), so no verdict is possible. */
export class MalformedHistoryError extends Error {
  override readonly name = 'MalformedHistoryError';

  constructor(index: number, problem: string) {
    super(`history event ${index}: ${problem}`);
  }
}
