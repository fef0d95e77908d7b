// A function-form worker as a team writes it in its own repository, with nothing but @dane/worker.
import { readFile } from 'node:fs/promises';
import { createWorker, NeedsPerson, runWorkerCli, type Outcome } from '@dane/worker';

const worker = createWorker({
  key: process.env.WORDS_KEY ?? 'WORDS',
  concurrency: 2,
  async handle(_task, document, ctx) {
    const text = await readFile(document.target.url, 'utf8').catch(() => {
      throw new NeedsPerson(`cannot read ${document.target.url}`, { state: 404 });
    });
    const words = text.trim().split(/\s+/).length;
    await ctx.saveResult({ words, target: document.target.id.toUpperCase() });
    return { state: 200, message: `${words} words` };
  },
});

// The outcome's state is a union of DANE's codes: a typo does not compile.
// @ts-expect-error 299 is not a DANE state
const typo: Outcome = { state: 299, message: 'no such state' };
void typo;

void runWorkerCli(worker);
