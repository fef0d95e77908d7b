import type { DaneClient } from '../dane-client';
import { requireClient, requireId } from './require-client';
import type { GeneratorInput, ResultView } from './views';

/** Python `Result.to_json()` (docs/protocol.md, Result). */
export interface ResultJson {
  result: { generator: GeneratorInput; payload: Record<string, unknown>; _id?: string };
}

/** A result (seed doc `DANE.Result`): what a generator produced for a task. */
export class Result {
  /** As given (GeneratorDto); once saved or read, as the server answers it (id a string, name upper-cased). */
  generator: GeneratorInput;
  payload: Record<string, unknown>;
  _id?: string;
  task_id?: string;
  document_id?: string;
  task_key?: string;
  created_at: string | null = null;
  updated_at: string | null = null;
  private client?: DaneClient;

  constructor(generator: GeneratorInput, payload: Record<string, unknown> = {}, _id?: string, client?: DaneClient) {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new TypeError('A result payload is an object');
    this.generator = { ...generator };
    this.payload = payload;
    this._id = _id;
    this.client = client;
  }

  static fromView(view: ResultView, client?: DaneClient): Result {
    return new Result(view.generator, view.payload, view._id, client).update(view);
  }

  /** Python `Result.from_json`: `{"result": {...}}` or the flat REST view, as a string or object. */
  static fromJSON(json: string | Record<string, unknown>, client?: DaneClient): Result {
    const data = (typeof json === 'string' ? JSON.parse(json) : json) as Record<string, unknown>;
    const inner = (data && typeof data.result === 'object' && data.result !== null ? data.result : data) as Partial<ResultView>;
    if (!inner.generator) throw new TypeError('A serialised result has a generator');
    return Result.fromView({ created_at: null, updated_at: null, payload: {}, ...inner } as ResultView, client);
  }

  setClient(client: DaneClient): this {
    this.client = client;
    return this;
  }

  toJSON(): ResultJson {
    return { result: { generator: this.generator, payload: this.payload, ...(this._id ? { _id: this._id } : {}) } };
  }

  /** Stores it under the task: sets `_id`. Every save adds a result; there is no de-duplication (docs/protocol.md, Ids). */
  async save(taskId: string): Promise<this> {
    return this.update(await requireClient(this.client, 'Result').results.save(taskId, this));
  }

  async delete(): Promise<void> {
    await requireClient(this.client, 'Result').results.delete(requireId(this._id, 'Result'));
  }

  private update(view: ResultView): this {
    this._id = view._id;
    this.generator = view.generator;
    this.payload = view.payload ?? {};
    this.task_id = view.task_id;
    this.document_id = view.document_id;
    this.task_key = view.task_key;
    this.created_at = view.created_at ?? null;
    this.updated_at = view.updated_at ?? null;
    return this;
  }
}
