/** A coordinate with one decimal: finer adds bytes and nothing visible. */
export function px(n: number): string {
  return String(Math.round(n * 10) / 10);
}
