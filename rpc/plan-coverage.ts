import { ScalarType, type DescField } from '@bufbuild/protobuf';
import { FeatureSet_FieldPresence as Presence } from '@bufbuild/protobuf/wkt';

/** The scalar types binary-encoder.ts and binary-decoder.ts handle themselves. */
const coveredScalars = new Set<ScalarType>([
  ScalarType.STRING,
  ScalarType.BYTES,
  ScalarType.BOOL,
  ScalarType.INT32,
  ScalarType.UINT32,
  ScalarType.SINT32,
  ScalarType.INT64,
  ScalarType.UINT64,
  ScalarType.SINT64,
]);

/** The scalar type of a field's values (INT32 for enums), or undefined for messages and maps. */
export function scalarOf(field: DescField): ScalarType | undefined {
  switch (field.fieldKind) {
    case 'scalar':
      return field.scalar;
    case 'enum':
      return ScalarType.INT32;
    case 'list':
      if (field.listKind === 'scalar') return field.scalar;
      return field.listKind === 'enum' ? ScalarType.INT32 : undefined;
    default:
      return undefined;
  }
}

/**
 * Whether the plan-based codecs handle the field: not a map, a group, a required field, a 64-bit
 * number as a string, or a scalar type they leave to protobuf-es.
 */
export function planCovers(field: DescField): boolean {
  if (field.fieldKind === 'map') return false;
  if ('delimitedEncoding' in field && field.delimitedEncoding) return false;
  if (field.presence === Presence.LEGACY_REQUIRED) return false;
  if ('longAsString' in field && field.longAsString) return false;
  const scalar = scalarOf(field);
  return scalar === undefined || coveredScalars.has(scalar);
}
