/** The least multiple of `align` at or above `offset`. */
export function alignUp(offset: number, align: number): number {
  return Math.ceil(offset / align) * align;
}
