/** Which way a toxic acts: `upstream` is client→server bytes, `downstream` server→client. */
export type Stream = 'upstream' | 'downstream';

export const streams: readonly Stream[] = ['upstream', 'downstream'];

/**
 * The toxic types served and their attributes, all integers (units in the README). `noop` is
 * registered by Toxiproxy too, so it is accepted.
 */
export const toxicAttributeNames = {
  noop: [],
  latency: ['latency', 'jitter'],
  bandwidth: ['rate'],
  slow_close: ['delay'],
  timeout: ['timeout'],
  reset_peer: ['timeout'],
  slicer: ['average_size', 'size_variation', 'delay'],
  limit_data: ['bytes'],
} as const satisfies Record<string, readonly string[]>;

export type ToxicType = keyof typeof toxicAttributeNames;

export function isToxicType(value: string): value is ToxicType {
  return Object.hasOwn(toxicAttributeNames, value);
}

/** A toxic as configured through the API; replaced, never mutated, when updated. */
export interface Toxic {
  readonly name: string;
  readonly type: ToxicType;
  readonly stream: Stream;
  /** Probability, drawn once per connection, that the toxic acts on it. */
  readonly toxicity: number;
  readonly attributes: Readonly<Record<string, number>>;
}

export function attribute(toxic: Toxic, name: string): number {
  return toxic.attributes[name] ?? 0;
}
