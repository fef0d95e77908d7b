import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mediaTypeOf } from './media-types';
import { DocumentDefaults, ReadOutcome } from './submit-item';

function filesUnder(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      // Hidden files (.DS_Store, .git) are never media.
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(path);
    }
  };
  walk(root);
  return files;
}

/**
 * Every media file under a folder: target.id = the path relative to the folder (with `/`), url =
 * its absolute file:// URL, type from the extension (or --type for all). Files of an unknown
 * type are skipped and reported.
 */
export function folderDocuments(root: string, defaults: DocumentDefaults): ReadOutcome {
  const outcome: ReadOutcome = { items: [], skipped: [] };
  for (const path of filesUnder(root)) {
    const id = relative(root, path).split(sep).join('/');
    const type = defaults.type ?? mediaTypeOf(path);
    if (!type) {
      outcome.skipped.push(`${id} (unknown type; give --type)`);
      continue;
    }
    outcome.items.push({
      input: { target: { id, url: pathToFileURL(path).href, type }, creator: { ...defaults.creator } },
      source: id,
    });
  }
  return outcome;
}
