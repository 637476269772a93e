/**
 * A value named in a rejection. Commands reach apply from the log and may hold anything JSON can
 * carry: `String(value)` throws on `{"toString": false}` (and on arrays holding one), which would
 * turn a rejection into a crash of apply, so only primitives are printed and the rest is summarised.
 */
export function shownValue(value: unknown): string {
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    if (items.length > shownItemsMax || !items.every(isPrimitive)) return `an array of ${items.length}`;
    return items.map(shownPrimitive).join(',');
  }
  return isPrimitive(value) ? shownPrimitive(value) : typeof value === 'object' ? 'an object' : typeof value;
}

type Primitive = string | number | boolean | bigint | null | undefined;

function isPrimitive(value: unknown): value is Primitive {
  return value === null || !['object', 'function', 'symbol'].includes(typeof value);
}

function shownPrimitive(value: Primitive): string {
  if (typeof value === 'string' && value.length > shownCharsMax) return `${value.slice(0, shownCharsMax)}…`;
  return String(value);
}

const shownItemsMax = 16;
const shownCharsMax = 64;
