import { readFileSync } from 'node:fs';

export interface WorkerCliArgs {
  documents: string[];
  documentsList?: string;
  apiUrl?: string;
  help: boolean;
}

export const WORKER_CLI_USAGE = `Usage: node main.js [--document ID ...] [--documents-list FILE.json] [--api-url URL]

Without --document / --documents-list the worker consumes its queue until SIGTERM/SIGINT.
  --document ID ...          run once on these documents (fetched from the API), then exit
  --documents-list FILE      same, ids from a JSON list of ids or of {"id": ...}
  --api-url URL              DANE API base, e.g. http://localhost:5500/DANE/ (overrides DANE.API_URL)

An API with keys needs one with the read role: env DANE_TOKEN (or DANE.API_TOKEN in the config).`;

/** `--document a b c` (and repeated), `--documents-list f`, `--api-url u`; `--x=y` forms too. */
export function parseWorkerArgs(argv: string[]): WorkerCliArgs {
  const args: WorkerCliArgs = { documents: [], help: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] =
      argv[i].startsWith('--') && argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new Error(`${flag} needs a value`);
      i++;
      return next;
    };
    switch (flag) {
      case '--document':
        args.documents.push(value());
        while (inline === undefined && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) args.documents.push(argv[++i]);
        break;
      case '--documents-list':
        args.documentsList = value();
        break;
      case '--api-url':
        args.apiUrl = value();
        break;
      case '-h':
      case '--help':
        args.help = true;
        break;
      default:
        throw new Error(`Unknown argument ${JSON.stringify(argv[i])}`);
    }
  }
  if (args.documents.length > 0 && args.documentsList) throw new Error("--document and --documents-list can't be combined");
  return args;
}

/** A documents-list file: a non-empty JSON list of ids or of objects with an `id`. */
export function readDocumentsList(file: string): string[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`Cannot read documents list ${file}: ${e.message}`);
  }
  if (!Array.isArray(data)) throw new Error(`Documents list ${file} must be a JSON list`);
  const ids = data.map((entry) => (typeof entry === 'string' ? entry : typeof entry?.id === 'string' ? entry.id : null));
  if (ids.some((id) => !id)) throw new Error(`Documents list ${file}: every entry must be an id or an object with an "id"`);
  if (ids.length === 0) throw new Error(`Documents list ${file} is empty`);
  return ids as string[];
}
