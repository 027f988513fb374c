// Checked reading of JSON a person wrote or an API returned: every error names the file and the field,
// `pods.json: [2].memoryRequestBytes: expected a number`.
import { UsageError } from '../model/errors.js';
import { type ExactQuantity, parseExactQuantity } from './quantity.js';

/** JSON.parse, with a usage error naming the source. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source}: not valid JSON: ${(error as Error).message}`);
  }
}

export type JsonObject = Readonly<Record<string, unknown>>;

export class JsonInput {
  /** `source` names the input in messages (a file path). */
  constructor(readonly source: string) {}

  fail(path: string, why: string): UsageError {
    return new UsageError(`${this.source}: ${path === '' ? '(top level)' : path}: ${why}`);
  }

  object(value: unknown, path: string): JsonObject {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw this.fail(path, `expected an object, got ${describe(value)}`);
    }
    return value as JsonObject;
  }

  array(value: unknown, path: string): readonly unknown[] {
    if (!Array.isArray(value)) throw this.fail(path, `expected a list, got ${describe(value)}`);
    return value;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string') throw this.fail(path, `expected a string, got ${describe(value)}`);
    return value;
  }

  /** A whole number, possibly negative (priorities are int32). */
  integer(value: unknown, path: string): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw this.fail(path, `expected a number (a whole number), got ${describe(value)}`);
    }
    return value;
  }

  /** Bytes: a non-negative whole number, or a quantity string such as "1Gi". */
  bytes(value: unknown, path: string): number {
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw this.fail(path, `expected a number of bytes (a whole number ≥ 0), got ${describe(value)}`);
      }
      return value;
    }
    if (typeof value === 'string') {
      const bytes = this.quantity(value, path);
      const whole = (bytes.num + bytes.den - 1n) / bytes.den;
      if (whole > BigInt(Number.MAX_SAFE_INTEGER))
        throw this.fail(path, `${JSON.stringify(value)} is too large`);
      return Number(whole);
    }
    throw this.fail(path, `expected a number, got ${describe(value)}`);
  }

  /** A Kubernetes quantity: the API writes strings ("512Mi", "500m"); plain JSON numbers are accepted too. */
  quantity(value: unknown, path: string): ExactQuantity {
    if (typeof value === 'number' && Number.isFinite(value)) return this.quantity(String(value), path);
    if (typeof value !== 'string') throw this.fail(path, `expected a quantity, got ${describe(value)}`);
    return parseExactQuantity(value, `${this.source}: ${path}`);
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value !== 'boolean') throw this.fail(path, `expected true or false, got ${describe(value)}`);
    return value;
  }
}

/** `a` + `b` → `a.b`; `a` + `[2]` → `a[2]`. */
export function field(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value);
}
