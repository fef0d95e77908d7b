import { readFileSync } from 'node:fs';

export interface WorkerCliArgs {
  documents: string[];
  documentsList?: string;
  creator?: string;
  /** `--search target_id=ITM*` → { target_id: 'ITM*' } (the filters of GET /DANE/search/document/). */
  search?: Record<string, string>;
  unprocessed?: boolean;
  limit?: number;
  force?: boolean;
  verbose?: boolean;
  apiUrl?: string;
  help: boolean;
}

/** The filters `--search` takes (those of GET /DANE/search/document/). */
const SEARCH_FILTERS = ['target_id', 'creator_id'];

/** Whether the arguments ask for a batch run (otherwise the worker consumes its queue). */
export function isBatchRun(args: WorkerCliArgs): boolean {
  return args.documents.length > 0 || args.documentsList !== undefined || args.creator !== undefined || args.search !== undefined;
}

export const WORKER_CLI_USAGE = `Usage: node main.js [selection] [--unprocessed] [--limit N] [--force] [--verbose] [--api-url URL]

Without a selection the worker consumes its queue until SIGTERM/SIGINT. With one it runs once over those
documents (a batch run), recording each in the store: the task of its key is assigned when missing and claimed
(another batch run or a queue worker never runs it at the same time), its state and results are stored as in
queue mode, and a task that is done (200) is skipped — so a run started again skips what is done.

Selection (they add up):
  --document ID ...          these documents
  --documents-list FILE      ids from a JSON list of ids or of {"id": ...}
  --creator ID               every document of this creator
  --search FILTER=PATTERN    documents matching target_id= / creator_id= (wildcards * and ?), e.g. target_id=ITM*;
                             repeat for both
Options:
  --unprocessed              only documents whose task of this key is not done (200)
  --limit N                  at most N documents
  --force                    also run tasks that are done (200) again
  --verbose                  print the stack trace of an error
  --api-url URL              DANE API base, e.g. http://localhost:5500/DANE/ (overrides DANE.API_URL)

Each document is logged "Processing <id> (i/N)"; unknown ids are reported by name; the run ends with
"Ran on N documents: X processed, Y skipped, Z failed". Exit code 0 all done or skipped, 1 any failure,
2 nothing valid to do (or bad arguments).
A batch run needs an API key with the operate role: env DANE_TOKEN (or DANE.API_TOKEN in the config).`;

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
      case '--creator':
        args.creator = value();
        break;
      case '--search': {
        const filter = value();
        const eq = filter.indexOf('=');
        const name = eq > 0 ? filter.slice(0, eq) : '';
        if (!SEARCH_FILTERS.includes(name) || eq === filter.length - 1) {
          throw new Error(`--search takes FILTER=PATTERN with FILTER one of ${SEARCH_FILTERS.join(', ')} (got ${JSON.stringify(filter)})`);
        }
        args.search = { ...args.search, [name]: filter.slice(eq + 1) };
        break;
      }
      case '--limit': {
        const raw = value();
        const n = Number(raw);
        if (!/^\d+$/.test(raw) || n < 1) throw new Error(`--limit takes a whole number ≥ 1 (got ${JSON.stringify(raw)})`);
        args.limit = n;
        break;
      }
      case '--unprocessed':
      case '--force':
      case '--verbose':
        if (inline !== undefined) throw new Error(`${flag} takes no value`);
        args[flag.slice(2) as 'unprocessed' | 'force' | 'verbose'] = true;
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
  if (!isBatchRun(args) && (args.unprocessed || args.limit !== undefined || args.force || args.verbose)) {
    throw new Error('--unprocessed, --limit, --force and --verbose need a selection (--document, --documents-list, --creator or --search)');
  }
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
