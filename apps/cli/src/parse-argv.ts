import { parseArgs } from 'node:util';
import type { OptionSpec, OptionValues } from './command';
import { UsageError } from './errors/usage-error';

/** Options every command takes. */
const GLOBAL_OPTIONS: OptionSpec = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export interface SplitArgv {
  command?: string;
  /** argv without the command name. */
  rest: string[];
}

/** The command is the first bare word that is not the value of a global option (`--url X tasks`). */
export function splitCommand(argv: readonly string[]): SplitArgv {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') break;
    if (token.startsWith('-')) {
      const name = token.replace(/^--?/, '');
      if (GLOBAL_OPTIONS[name]?.type === 'string' && !token.includes('=')) i++;
      continue;
    }
    return { command: token, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { rest: [...argv] };
}

export interface ParsedArgs {
  options: OptionValues;
  positionals: string[];
  passThrough: string[];
}

/**
 * node:util parseArgs with the command's options and the global ones; its errors become usage
 * errors. With `passThrough`, everything after the first positional is left for the command.
 */
export function parseCommandArgs(command: string, args: readonly string[], options: OptionSpec, passThrough = false): ParsedArgs {
  let own = [...args];
  let rest: string[] = [];
  if (passThrough) {
    const at = firstPositional(args, { ...GLOBAL_OPTIONS, ...options });
    if (at !== -1) {
      own = args.slice(0, at + 1);
      rest = args.slice(at + 1);
      // `dane worker mod.js --url U` reads naturally; dane's --url/--token/--json never mean anything to the worker.
      const global = takeGlobalOptions(rest);
      own.push(...global.taken);
      rest = global.left;
    }
  }
  try {
    const { values, positionals } = parseArgs({ args: own, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
    return { options: values as OptionValues, positionals, passThrough: rest };
  } catch (err) {
    throw new UsageError(usageText((err as Error).message), command);
  }
}

const PASSED_ON_GLOBALS = ['url', 'token', 'json'];

function takeGlobalOptions(args: readonly string[]): { taken: string[]; left: string[] } {
  const taken: string[] = [];
  const left: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith('--') ? args[i].slice(2).split('=')[0] : '';
    if (!PASSED_ON_GLOBALS.includes(name)) {
      left.push(args[i]);
      continue;
    }
    taken.push(args[i]);
    if (GLOBAL_OPTIONS[name].type === 'string' && !args[i].includes('=') && i + 1 < args.length) taken.push(args[++i]);
  }
  return { taken, left };
}

function firstPositional(args: readonly string[], options: OptionSpec): number {
  for (let i = 0; i < args.length; i++) {
    const token = args[i];
    if (token === '--') return i + 1 < args.length ? i + 1 : -1;
    if (!token.startsWith('-')) return i;
    const name = token.startsWith('--') ? token.slice(2).split('=')[0] : Object.keys(options).find((k) => options[k].short === token.slice(1));
    if (name && options[name]?.type === 'string' && !token.includes('=')) i++;
  }
  return -1;
}

/** parseArgs says "Unknown option '--x'. To specify a positional argument starting with a '-', …"; keep the first sentence. */
function usageText(message: string): string {
  return message.split('. To specify')[0].replace(/\.$/, '');
}

/** A repeated string option as a list (parseArgs gives a string or a list). */
export function stringList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** A whole number option within bounds, or a usage error naming the option. */
export function intOption(value: unknown, name: string, bounds: { min: number; max?: number }, command: string): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < bounds.min || (bounds.max !== undefined && n > bounds.max)) {
    const range = bounds.max === undefined ? `at least ${bounds.min}` : `${bounds.min}..${bounds.max}`;
    throw new UsageError(`--${name} must be a whole number ${range} (got ${JSON.stringify(text)})`, command);
  }
  return n;
}
