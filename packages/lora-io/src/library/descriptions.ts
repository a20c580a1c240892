// The `descriptions` list of a task's metadata.yaml. A deliberately small YAML subset: a top-level
// `descriptions:` key holding a block list (`- text`, plain or quoted) or a flow list (`[a, "b"]`).
import { AdapterFormatError } from '../errors';

const HINT = 'write the descriptions as a YAML list under a top-level key: descriptions: ["first", "second"] or \'- text\' lines';
const bad = (message: string) => new AdapterFormatError(message, HINT);

function unquote(raw: string, where: string): string {
  const s = raw.trim();
  if (s.startsWith('"')) {
    if (!s.endsWith('"') || s.length < 2) throw bad(`${where}: unterminated string ${s}`);
    try {
      return JSON.parse(s) as string;
    } catch {
      throw bad(`${where}: cannot read the double-quoted string ${s}`);
    }
  }
  if (s.startsWith("'")) {
    if (!s.endsWith("'") || s.length < 2) throw bad(`${where}: unterminated string ${s}`);
    return s.slice(1, -1).replace(/''/g, "'");
  }
  if (/^[|>]/.test(s)) throw bad(`${where}: block scalars (| or >) are not supported in descriptions`);
  // A plain scalar ends at a comment.
  const hash = s.search(/\s#/);
  return (hash >= 0 ? s.slice(0, hash) : s).trim();
}

function splitFlow(body: string, where: string): string[] {
  const items: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quote) {
      cur += c;
      if (c === '\\' && quote === '"') {
        cur += body[++i] ?? '';
        continue;
      }
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
      cur += c;
    } else if (c === ',') {
      items.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  if (quote) throw bad(`${where}: unterminated string in the descriptions list`);
  if (cur.trim() !== '') items.push(cur);
  return items.map((x) => unquote(x, where));
}

/** Reads the `descriptions` list from metadata.yaml text. */
export function parseDescriptionsYaml(text: string, where = 'metadata.yaml'): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const at = lines.findIndex((l) => /^descriptions\s*:/.test(l));
  if (at < 0) throw bad(`${where} has no top-level 'descriptions' key`);
  const rest = lines[at].replace(/^descriptions\s*:/, '').trim();
  if (rest.startsWith('[')) {
    let body = rest;
    let i = at;
    while (!body.trimEnd().endsWith(']')) {
      if (++i >= lines.length) throw bad(`${where}: the descriptions list is not closed with ]`);
      body += ` ${lines[i].trim()}`;
    }
    return splitFlow(body.trim().slice(1, -1), where);
  }
  if (rest !== '' && !rest.startsWith('#')) throw bad(`${where}: 'descriptions' is not a list`);
  const out: string[] = [];
  for (let i = at + 1; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*(#.*)?$/.test(line)) continue;
    const m = /^(\s*)-\s+(.*)$/.exec(line) ?? /^(\s*)-$/.exec(line);
    if (!m) {
      if (/^\S/.test(line)) break; // the next top-level key
      throw bad(`${where}: line ${i + 1} of the descriptions list is not a '- item'`);
    }
    out.push(unquote(m[2] ?? '', where));
  }
  return out;
}
