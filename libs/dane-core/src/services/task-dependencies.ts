import { DaneTask, MAX_PAGE_SIZE, isDone } from '@dane/protocol';
import { DaneStore } from '../storage/store.port';

/** Every task of a document, page by page: a dependency check must see all of them (docs/architecture.md, Weaknesses of the original, item 6). */
export async function tasksOfDocument(store: DaneStore, documentId: string): Promise<DaneTask[]> {
  const all: DaneTask[] = [];
  for (let page = 1; ; page++) {
    const { items, total } = await store.tasks.list({ documentId }, { page, size: MAX_PAGE_SIZE });
    all.push(...items);
    if (items.length < MAX_PAGE_SIZE || all.length >= total) return all;
  }
}

/**
 * The keys of `dependsOn` without a successful task on the document, in the order given. Keys in
 * `unfinished` count as not done whatever their stored state (they are being reset right now).
 */
export function unmetDependencies(siblings: readonly DaneTask[], dependsOn: readonly string[], unfinished: ReadonlySet<string> = new Set()): string[] {
  const done = new Set(siblings.filter((t) => isDone(t.state)).map((t) => t.key));
  return dependsOn.filter((key) => unfinished.has(key) || !done.has(key));
}

export function waitingMessage(keys: readonly string[]): string {
  return `Waiting for dependencies: ${keys.join(', ')}`;
}

/**
 * The tasks of a document that depend on one of `keys`, directly or through each other (breadth first), each with
 * the key it waits for. A dependant `follow` refuses is left out and not walked through: what waits for it does not
 * wait for `keys`.
 */
export function dependantsOf(siblings: readonly DaneTask[], keys: Iterable<string>, follow: (task: DaneTask) => boolean = () => true): Array<{ task: DaneTask; via: string }> {
  const seen = new Set(keys);
  const out: Array<{ task: DaneTask; via: string }> = [];
  for (let i = 0, frontier = [...seen]; i < frontier.length; i++) {
    for (const t of siblings) {
      if (seen.has(t.key) || !(t.depends_on ?? []).includes(frontier[i])) continue;
      seen.add(t.key);
      if (!follow(t)) continue;
      frontier.push(t.key);
      out.push({ task: t, via: frontier[i] });
    }
  }
  return out;
}
