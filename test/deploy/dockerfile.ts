/** One build stage of a Dockerfile: its base, name and instructions (continuation lines joined). */
export interface Stage {
  readonly base: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

export interface Instruction {
  readonly keyword: string;
  readonly rest: string;
}

export interface ParsedDockerfile {
  /** ARG lines before the first FROM, with their defaults. */
  readonly globalArgs: ReadonlyMap<string, string>;
  readonly stages: readonly Stage[];
}

/** Enough of the Dockerfile grammar for property checks: comments, continuations, ARG and FROM. */
export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const globalArgs = new Map<string, string>();
  const stages: { base: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const line of lines) {
    const [keyword = '', ...words] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), rest: words.join(' ') };
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.rest);
      if (match === null) throw new Error(`cannot read FROM ${instruction.rest}`);
      stages.push({ base: match[1]!, name: match[2], instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name = '', value = ''] = instruction.rest.split('=');
      globalArgs.set(name, value);
    } else stages.at(-1)?.instructions.push(instruction);
  }
  return { globalArgs, stages };
}

/** `${NODE_IMAGE}` → its ARG default. */
export function resolveBase(file: ParsedDockerfile, base: string): string {
  return base.replace(
    /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g,
    (_, name: string) => file.globalArgs.get(name) ?? '',
  );
}
