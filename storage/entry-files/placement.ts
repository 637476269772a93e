/** Where one entry's data lives in the entry files, and its CRC32C (checked on every read). */
export interface Placement {
  readonly segment: number;
  readonly offset: number;
  readonly length: number;
  readonly crc: number;
}
