import { createHash } from 'node:crypto';
import type { DocumentInput } from '@dane/client';

/** Document and result fixtures of the API, client, CLI and worker tests. */

export const sha1 = (text: string): string => createHash('sha1').update(text, 'utf8').digest('hex');

/** A valid document body; ids unique per call site through `tid`. */
export function documentBody(tid: string | number, cid: string | number = 'NISV', url = `http://example.com/${tid}.mp4`) {
  return { target: { id: tid, url, type: 'Video' }, creator: { id: cid, type: 'Organization' } };
}

/** The same document as the client SDK's input type. */
export function documentInput(tid: string, cid = 'NISV'): DocumentInput {
  return { target: { id: tid, url: `http://example.com/${tid}.mp4`, type: 'Video' }, creator: { id: cid, type: 'Organization' } };
}

export const generator = { id: 'a1b2c3d', name: 'asr', type: 'Software', homepage: 'https://example.com/asr' };
