export { Connection, type ConnectionEnv } from './connection.js';
export {
  attribute,
  isToxicType,
  streams,
  toxicAttributeNames,
  type Stream,
  type Toxic,
  type ToxicType,
} from './toxic.js';
