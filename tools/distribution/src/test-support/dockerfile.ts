/** The instructions of a Dockerfile, continuation lines joined and comments dropped, grouped by build stage. */
export interface Instruction {
  keyword: string;
  argument: string;
}

export function parseDockerfile(text: string): Instruction[][] {
  const logicalLines: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line) && current === '') continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim() !== '') logicalLines.push(current.trim());
    current = '';
  }
  const stages: Instruction[][] = [];
  for (const line of logicalLines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), argument: rest.join(' ') };
    if (instruction.keyword === 'FROM') stages.push([]);
    // ARGs before the first FROM belong to no stage; keep them in a leading group.
    if (stages.length === 0) stages.push([]);
    stages[stages.length - 1]!.push(instruction);
  }
  return stages;
}

/** `ENV A=1 B=2` (the key=value form) as an object. */
export function environmentOf(instructions: Instruction[]): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const { keyword, argument } of instructions) {
    if (keyword !== 'ENV') continue;
    for (const pair of argument.split(/\s+/)) {
      const separator = pair.indexOf('=');
      if (separator > 0) environment[pair.slice(0, separator)] = pair.slice(separator + 1);
    }
  }
  return environment;
}

/** The exec-form (JSON array) command of `CMD [...]` or `HEALTHCHECK … CMD [...]`. */
export function execForm(argument: string): string[] {
  const start = argument.indexOf('[');
  return JSON.parse(argument.slice(start)) as string[];
}
