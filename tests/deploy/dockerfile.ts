// A small Dockerfile reader (the subset deploy/Dockerfile uses) and a .dockerignore matcher.

export interface Instruction {
  /** Upper-case keyword: FROM, COPY, RUN, … */
  cmd: string;
  /** Leading --flag=value options (COPY --from, RUN --mount, …). */
  flags: Record<string, string>;
  /** The rest of the line, flags removed, continuations joined. */
  rest: string;
  line: number;
}

export interface Stage {
  name: string;
  /** Image reference with ARG defaults substituted. */
  from: string;
  instructions: Instruction[];
}

/** Logical lines (comments dropped, `\` continuations joined), with their first line number. */
function logicalLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let buf = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (!buf && (/^\s*#/.test(line) || !line.trim())) return;
    if (buf && /^\s*#/.test(line)) return; // comment lines inside a continuation are skipped by Docker too
    if (!buf) start = i + 1;
    if (line.endsWith('\\')) {
      buf += `${line.slice(0, -1)} `;
      return;
    }
    buf += line;
    out.push({ text: buf.trim(), line: start });
    buf = '';
  });
  if (buf) out.push({ text: buf.trim(), line: start });
  return out;
}

export function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const { text: l, line } of logicalLines(text)) {
    const m = /^(\w+)\s+([\s\S]*)$/.exec(l);
    if (!m) throw new Error(`Dockerfile line ${line}: cannot read "${l}"`);
    const cmd = m[1]!.toUpperCase();
    let rest = m[2]!;
    const flags: Record<string, string> = {};
    for (let f = /^--([\w-]+)(?:=(\S*))?\s+/.exec(rest); f; f = /^--([\w-]+)(?:=(\S*))?\s+/.exec(rest)) {
      flags[f[1]!] = f[2] ?? 'true';
      rest = rest.slice(f[0].length);
    }
    if (cmd === 'ARG' && stages.length === 0) {
      const [k, v = ''] = rest.split('=');
      args[k!.trim()] = v.trim();
      continue;
    }
    if (cmd === 'FROM') {
      const fm = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest.trim());
      if (!fm) throw new Error(`Dockerfile line ${line}: cannot read FROM "${rest}"`);
      const from = fm[1]!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => args[(a ?? b)!] ?? '');
      stages.push({ name: fm[2] ?? String(stages.length), from, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile line ${line}: ${cmd} before FROM`);
    stage.instructions.push({ cmd, flags, rest: rest.trim(), line });
  }
  return { args, stages };
}

/** Shell words, honouring single and double quotes (enough for ENV and COPY). */
export function words(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let cur = '';
  let last = -1;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const piece = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2] ?? m[3]!;
    if (last === m.index) cur += piece;
    else {
      if (last !== -1) out.push(cur);
      cur = piece;
    }
    last = re.lastIndex;
  }
  if (last !== -1) out.push(cur);
  return out;
}

/** ENV A=1 B="two words" → { A: '1', B: 'two words' } (the key=value form only). */
export function envOf(instr: Instruction): Record<string, string> {
  const out: Record<string, string> = {};
  for (const w of words(instr.rest)) {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new Error(`line ${instr.line}: ENV must use KEY=value, got "${w}"`);
    out[w.slice(0, eq)] = w.slice(eq + 1);
  }
  return out;
}

/** The exec form (JSON array) of CMD / ENTRYPOINT / HEALTHCHECK CMD; throws on the shell form. */
export function execForm(s: string, line: number): string[] {
  const arr: unknown = JSON.parse(s);
  if (!Array.isArray(arr) || !arr.every((a) => typeof a === 'string')) throw new Error(`line ${line}: not an exec-form array: ${s}`);
  return arr as string[];
}

/** COPY's sources and destination. */
export function copyArgs(instr: Instruction): { sources: string[]; dest: string } {
  const parts = instr.rest.startsWith('[') ? execForm(instr.rest, instr.line) : words(instr.rest);
  if (parts.length < 2) throw new Error(`line ${instr.line}: COPY needs a source and a destination`);
  return { sources: parts.slice(0, -1), dest: parts.at(-1)! };
}

/** .dockerignore patterns (Go filepath.Match plus `**`, `!` exceptions; a matched folder excludes its contents). */
export function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pat = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
      const src = pat
        .split('/')
        .map((seg) => (seg === '**' ? '(?:.*)' : seg.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
        .join('/')
        .replace(/\(\?:\.\*\)\//g, '(?:.*/)?');
      return { negate, re: new RegExp(`^${src}$`) };
    });
  return (path: string) => {
    const segs = path.replace(/^\.?\/+/, '').split('/');
    let ignored = false;
    for (const { negate, re } of rules) {
      // A pattern matches the path itself or any folder above it.
      for (let i = 1; i <= segs.length; i++) {
        if (re.test(segs.slice(0, i).join('/'))) {
          ignored = !negate;
          break;
        }
      }
    }
    return ignored;
  };
}
