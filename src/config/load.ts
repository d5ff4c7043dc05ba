/**
 * Loading, validating and overriding the sensor configuration. The YAML file and every `--set
 * PATH=VALUE` override go through the same validator, so an error always names the offending key
 * (and the file), unknown keys are rejected with the known ones listed, and the result is a complete
 * SensorConfig (defaults filled in).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { FlowsentryError } from '../errors.js';
import { DEFAULT_CONFIG, SPEC, type LeafSpec, type SensorConfig } from './schema.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(where: string, path: string, msg: string): never {
  throw new FlowsentryError('FS_ERR_CONFIG', `${where}: '${path}' ${msg}`);
}

/** Keys directly under a section path ('' = top level). */
function childKeys(prefix: string): string[] {
  const out = new Set<string>();
  const p = prefix === '' ? '' : prefix + '.';
  for (const k of Object.keys(SPEC)) if (k.startsWith(p)) out.add(k.slice(p.length).split('.')[0]!);
  return [...out];
}

function describe(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v);
}

/** Checks one leaf value; returns it in its canonical type. */
export function checkLeaf(where: string, path: string, spec: LeafSpec, v: unknown): unknown {
  switch (spec.kind) {
    case 'number': {
      if (typeof v !== 'number' || Number.isNaN(v)) fail(where, path, `must be a number, got ${describe(v)}`);
      const lo = spec.min ?? -Infinity;
      const hi = spec.max ?? Infinity;
      if (spec.integer && !Number.isInteger(v)) fail(where, path, `must be an integer, got ${v}`);
      if (spec.exclusiveMin ? !(v > lo) : v < lo) fail(where, path, `must be ${spec.exclusiveMin ? '>' : '≥'} ${lo}, got ${v}`);
      if (v > hi) fail(where, path, `must be ≤ ${hi}, got ${v}`);
      return v;
    }
    case 'boolean':
      if (typeof v !== 'boolean') fail(where, path, `must be true or false, got ${describe(v)}`);
      return v;
    case 'string':
      if (v === null && spec.nullable) return null;
      if (typeof v !== 'string' || v === '') fail(where, path, `must be a non-empty string${spec.nullable ? ' or null' : ''}, got ${describe(v)}`);
      if (spec.oneOf && !spec.oneOf.includes(v)) fail(where, path, `must be one of ${spec.oneOf.join(', ')}, got '${v}'`);
      return v;
    case 'strings': {
      const list = typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s !== '') : v;
      if (!Array.isArray(list) || list.some((s) => typeof s !== 'string')) fail(where, path, `must be a list of strings, got ${describe(v)}`);
      for (const s of list as string[]) if (spec.oneOf && !spec.oneOf.includes(s)) fail(where, path, `entries must be among ${spec.oneOf.join(', ')}, got '${s}'`);
      return [...(list as string[])];
    }
  }
}

function setPath(root: Obj, path: string, value: unknown): void {
  const parts = path.split('.');
  let o = root;
  for (let i = 0; i < parts.length - 1; i++) o = o[parts[i]!] as Obj;
  o[parts[parts.length - 1]!] = value;
}

function getPath(root: Obj, path: string): unknown {
  let o: unknown = root;
  for (const p of path.split('.')) o = (o as Obj)[p];
  return o;
}

/** Validates a parsed document (any shape) and merges it over `base`. */
export function applyDocument(base: SensorConfig, doc: unknown, where: string): SensorConfig {
  const out = structuredClone(base) as unknown as Obj;
  if (doc === null || doc === undefined) return out as unknown as SensorConfig;
  if (!isObj(doc)) throw new FlowsentryError('FS_ERR_CONFIG', `${where}: the top level must be a mapping of keys, got ${describe(doc)}`);
  const walk = (o: Obj, prefix: string): void => {
    const known = childKeys(prefix);
    for (const [k, v] of Object.entries(o)) {
      const path = prefix === '' ? k : `${prefix}.${k}`;
      const spec = SPEC[path];
      if (spec) {
        setPath(out, path, checkLeaf(where, path, spec, v));
      } else if (known.includes(k)) {
        if (v === null) continue; // an empty section ("outputs:" with nothing under it)
        if (!isObj(v)) fail(where, path, `is a section (keys: ${childKeys(path).join(', ')}), got ${describe(v)}`);
        walk(v, path);
      } else {
        fail(where, path, `is not a known key${prefix ? ` of '${prefix}'` : ''} (known: ${known.join(', ')})`);
      }
    }
  };
  walk(doc, '');
  return out as unknown as SensorConfig;
}

/** Parses a YAML config file. */
export function readConfigFile(file: string, base: SensorConfig = DEFAULT_CONFIG): SensorConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FlowsentryError('FS_ERR_FILE_OPEN', `${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseConfigText(text, file, base);
}

export function parseConfigText(text: string, where: string, base: SensorConfig = DEFAULT_CONFIG): SensorConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text, { uniqueKeys: true });
  } catch (err) {
    throw new FlowsentryError('FS_ERR_CONFIG', `${where}: YAML syntax: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  return applyDocument(base, doc, where);
}

/**
 * Applies one `PATH=VALUE` override (the value is a YAML scalar: 500, true, null, "a b", [flow, alert]).
 * Also used by the dedicated CLI flags, so they get the same validation.
 */
export function applyOverride(cfg: SensorConfig, path: string, value: unknown, where = 'command line'): SensorConfig {
  const spec = SPEC[path];
  if (!spec) {
    const parent = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
    const known = childKeys(parent);
    const hint = known.length > 0 ? ` (known${parent ? ` under '${parent}'` : ''}: ${known.join(', ')})` : '';
    throw new FlowsentryError('FS_ERR_CONFIG', `${where}: '${path}' is not a known key${hint}`);
  }
  const out = structuredClone(cfg) as unknown as Obj;
  setPath(out, path, checkLeaf(where, path, spec, value));
  return out as unknown as SensorConfig;
}

/** `--set a.b=c`: splits and parses the value as YAML. */
export function applySetArg(cfg: SensorConfig, arg: string): SensorConfig {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new FlowsentryError('FS_ERR_USAGE', `--set expects PATH=VALUE, got '${arg}'`);
  const path = arg.slice(0, eq).trim();
  const raw = arg.slice(eq + 1);
  let value: unknown;
  try {
    value = raw === '' ? '' : parseYaml(raw);
  } catch {
    value = raw;
  }
  return applyOverride(cfg, path, value, `--set ${path}`);
}

/** The effective configuration as YAML (what `flowsentry config --print` shows). */
export function configToYaml(cfg: SensorConfig): string {
  return stringifyYaml(cfg, { nullStr: 'null' });
}

/** All leaf paths with their current values (for docs and `config --print --flat`). */
export function flatConfig(cfg: SensorConfig): [string, unknown][] {
  return Object.keys(SPEC).map((p) => [p, getPath(cfg as unknown as Obj, p)]);
}
