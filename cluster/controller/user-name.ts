/**
 * The rule a SCRAM user name follows (proto/raftlog/v1/security.proto, UpsertUserRequest.name). It
 * runs in apply, so every replica must decide alike whatever Node or ICU version it runs: the
 * refused code points are fixed ranges, not Unicode properties (\p{Cf} grows with Unicode versions).
 */
export const userNameBytesMax = 255;

/**
 * Controls (C0, DEL, C1: U+0085 ends a line in some log readers), and characters that are invisible
 * or reorder text, so a name could forge a log line or pass for another one on screen: soft hyphen,
 * Arabic letter mark, Mongolian vowel separator, zero-width and directional marks, line and paragraph
 * separators, bidi embeddings and isolates, invisible operators, the BOM, interlinear annotations.
 */
const refusedCodePoint =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/;
/** Half of a surrogate pair with no other half: not a character, and UTF-8 cannot carry it. */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const codePointName = (char: string): string =>
  `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `name` cannot be a user name, or undefined when it can. Never echoes the name itself. */
export function userNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'user name must be a non-empty string';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > userNameBytesMax)
    return `user name must be at most ${userNameBytesMax} UTF-8 bytes, got ${bytes}`;
  const surrogate = loneSurrogate.exec(name);
  if (surrogate !== null) return `user name holds an unpaired surrogate ${codePointName(surrogate[0])}`;
  const refused = refusedCodePoint.exec(name);
  if (refused !== null) {
    return `user name may not contain ${codePointName(refused[0])} (control, invisible, formatting, bidirectional and line or paragraph separator characters are refused)`;
  }
  // The principal User:* stands for every user in ACLs and quotas: a user of that name would be both.
  if (name === '*') return "user name may not be '*': User:* means every user in ACLs and quotas";
  return undefined;
}
