import { ConfigService } from '@nestjs/config';
import { ValidationError } from '@dane/core';
import { jsonBytes, jsonDepth } from './json-depth';

/** The LIMITS config section. */
export interface InputLimits {
  MAX_ID_LENGTH: number;
  MAX_URL_LENGTH: number;
  MAX_KEY_LENGTH: number;
  MAX_MSG_LENGTH: number;
  MAX_JSON_DEPTH: number;
  MAX_ARGS_BYTES: number;
  MAX_PAYLOAD_BYTES: number;
  MAX_BULK_ITEMS: number;
}

export function inputLimits(config: ConfigService): InputLimits {
  return config.get<InputLimits>('LIMITS')!;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fields of a task body that are not args (every other key becomes an arg: docs/protocol.md, Task). */
const TASK_FIELDS = new Set(['document_id', 'key', 'priority', 'args', 'depends_on', 'task', '_id', 'msg', 'state']);

/** Checks of the bodies of the routes that store what they are sent; each failure is a 400 naming the field. */
export class InputChecker {
  constructor(private readonly limits: InputLimits) {}

  /** Any body: bounded nesting, so no later step recurses without end. */
  body(body: unknown): void {
    const max = this.limits.MAX_JSON_DEPTH + 2;
    const depth = jsonDepth(body, max);
    if (depth > max) throw new ValidationError(`The request body is nested more than ${max} levels deep (LIMITS.MAX_JSON_DEPTH)`);
  }

  document(doc: unknown, at = ''): void {
    if (!isObj(doc)) return;
    const { target, creator } = doc;
    if (isObj(target)) {
      this.text(target.id, `${at}target.id`, this.limits.MAX_ID_LENGTH, 'MAX_ID_LENGTH');
      this.text(target.url, `${at}target.url`, this.limits.MAX_URL_LENGTH, 'MAX_URL_LENGTH');
      this.text(target.type, `${at}target.type`, this.limits.MAX_KEY_LENGTH, 'MAX_KEY_LENGTH');
    }
    if (isObj(creator)) {
      this.text(creator.id, `${at}creator.id`, this.limits.MAX_ID_LENGTH, 'MAX_ID_LENGTH');
      this.text(creator.type, `${at}creator.type`, this.limits.MAX_KEY_LENGTH, 'MAX_KEY_LENGTH');
    }
    this.depth(doc, at ? at.slice(0, -1) : 'the document', this.limits.MAX_JSON_DEPTH);
  }

  /** POST /DANE/documents/: a list of documents or JSON strings encoding one. */
  documents(body: unknown): void {
    if (!Array.isArray(body)) return;
    this.count(body, 'the document list');
    body.forEach((el, i) => {
      if (typeof el === 'string') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(el);
        } catch {
          return; // reported per element by the service
        }
        this.body(parsed);
        this.document(parsed, `[${i}].`);
      } else this.document(el, `[${i}].`);
    });
  }

  task(body: unknown): void {
    if (!isObj(body)) return;
    const ids = body.document_id;
    if (Array.isArray(ids)) {
      this.count(ids, 'document_id');
      ids.forEach((id, i) => this.text(id, `document_id[${i}]`, this.limits.MAX_ID_LENGTH, 'MAX_ID_LENGTH'));
    } else this.text(ids, 'document_id', this.limits.MAX_ID_LENGTH, 'MAX_ID_LENGTH');
    this.text(body.key, 'key', this.limits.MAX_KEY_LENGTH, 'MAX_KEY_LENGTH');
    if (isObj(body.task)) this.text(body.task.key, 'task.key', this.limits.MAX_KEY_LENGTH, 'MAX_KEY_LENGTH');
    this.text(body.msg, 'msg', this.limits.MAX_MSG_LENGTH, 'MAX_MSG_LENGTH');
    if (Array.isArray(body.depends_on)) {
      this.count(body.depends_on, 'depends_on');
      body.depends_on.forEach((k, i) => this.text(k, `depends_on[${i}]`, this.limits.MAX_KEY_LENGTH, 'MAX_KEY_LENGTH'));
    }
    const args: Obj = {};
    if (body.args !== undefined) {
      this.depth(body.args, 'args', this.limits.MAX_JSON_DEPTH);
      args.args = body.args;
    }
    for (const [name, value] of Object.entries(body)) {
      if (TASK_FIELDS.has(name)) continue;
      this.text(name, `the argument name ${JSON.stringify(name.slice(0, 40))}`, this.limits.MAX_KEY_LENGTH, 'MAX_KEY_LENGTH');
      this.depth(value, `args.${name}`, this.limits.MAX_JSON_DEPTH - 1);
      args[name] = value;
    }
    const bytes = jsonBytes(args);
    if (bytes > this.limits.MAX_ARGS_BYTES)
      throw new ValidationError(`args take ${bytes} bytes of JSON; at most ${this.limits.MAX_ARGS_BYTES} are accepted (LIMITS.MAX_ARGS_BYTES)`);
  }

  result(body: unknown): void {
    if (!isObj(body)) return;
    this.text(body.task_id, 'task_id', this.limits.MAX_ID_LENGTH, 'MAX_ID_LENGTH');
    const g = body.generator;
    if (isObj(g)) {
      this.text(g.id, 'generator.id', this.limits.MAX_ID_LENGTH, 'MAX_ID_LENGTH');
      this.text(g.name, 'generator.name', this.limits.MAX_KEY_LENGTH, 'MAX_KEY_LENGTH');
      this.text(g.type, 'generator.type', this.limits.MAX_KEY_LENGTH, 'MAX_KEY_LENGTH');
      this.text(g.homepage, 'generator.homepage', this.limits.MAX_URL_LENGTH, 'MAX_URL_LENGTH');
      this.depth(g, 'generator', 2);
    }
    if (body.payload !== undefined) {
      this.depth(body.payload, 'payload', this.limits.MAX_JSON_DEPTH);
      const bytes = jsonBytes(body.payload);
      if (bytes > this.limits.MAX_PAYLOAD_BYTES) {
        throw new ValidationError(`payload takes ${bytes} bytes of JSON; at most ${this.limits.MAX_PAYLOAD_BYTES} are accepted (LIMITS.MAX_PAYLOAD_BYTES)`);
      }
    }
  }

  private text(value: unknown, field: string, max: number, key: string): void {
    const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
    if (text !== undefined && text.length > max) {
      throw new ValidationError(`${field} is ${text.length} characters long; at most ${max} are accepted (LIMITS.${key})`);
    }
  }

  private depth(value: unknown, field: string, max: number): void {
    const depth = jsonDepth(value, max);
    if (depth > max) throw new ValidationError(`${field} is nested more than ${max} levels deep (LIMITS.MAX_JSON_DEPTH is ${this.limits.MAX_JSON_DEPTH})`);
  }

  private count(list: unknown[], field: string): void {
    if (list.length > this.limits.MAX_BULK_ITEMS) {
      throw new ValidationError(`${field} has ${list.length} elements; at most ${this.limits.MAX_BULK_ITEMS} are accepted (LIMITS.MAX_BULK_ITEMS)`);
    }
  }
}
