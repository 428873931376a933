// Builds update and condition expressions with a placeholder for every attribute name and
// value, so names that are DynamoDB reserved words (owner, status, name, ...) are always safe.

export interface ExpressionParams {
  UpdateExpression?: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

export class ExpressionBuilder {
  private readonly names = new Map<string, string>();
  private readonly values: Record<string, unknown> = {};
  private readonly sets: string[] = [];
  private readonly adds: string[] = [];
  private readonly removes: string[] = [];

  /** `['times', 'end']` -> `#n0.#n1`. */
  path(...segments: string[]): string {
    return segments
      .map((segment) => {
        let placeholder = this.names.get(segment);
        if (placeholder === undefined) {
          placeholder = `#n${this.names.size}`;
          this.names.set(segment, placeholder);
        }
        return placeholder;
      })
      .join('.');
  }

  value(value: unknown): string {
    const placeholder = `:v${Object.keys(this.values).length}`;
    this.values[placeholder] = plain(value);
    return placeholder;
  }

  set(path: string[], value: unknown): this {
    this.sets.push(`${this.path(...path)} = ${this.value(value)}`);
    return this;
  }

  /** SET with a right-hand side written by the caller (e.g. `list_append(...)`). */
  setTo(path: string[], expression: string): this {
    this.sets.push(`${this.path(...path)} = ${expression}`);
    return this;
  }

  add(path: string[], amount: number): this {
    this.adds.push(`${this.path(...path)} ${this.value(amount)}`);
    return this;
  }

  remove(path: string[]): this {
    this.removes.push(this.path(...path));
    return this;
  }

  /** For an Update (item or transaction item): the SET/ADD/REMOVE clauses and an optional condition. */
  updateParams(condition?: string): ExpressionParams & { UpdateExpression: string } {
    const clauses = [
      this.sets.length > 0 ? `SET ${this.sets.join(', ')}` : '',
      this.adds.length > 0 ? `ADD ${this.adds.join(', ')}` : '',
      this.removes.length > 0 ? `REMOVE ${this.removes.join(', ')}` : '',
    ].filter((clause) => clause !== '');
    return {
      UpdateExpression: clauses.join(' '),
      ...(condition !== undefined && { ConditionExpression: condition }),
      ...this.namesAndValues(),
    };
  }

  /** For a Put, Delete or ConditionCheck: the condition alone. */
  conditionParams(condition: string): ExpressionParams & { ConditionExpression: string } {
    return { ConditionExpression: condition, ...this.namesAndValues() };
  }

  /** For a Query: the key condition. */
  keyParams(keyCondition: string): ExpressionParams & { KeyConditionExpression: string } {
    return { KeyConditionExpression: keyCondition, ...this.namesAndValues() };
  }

  private namesAndValues(): ExpressionParams {
    return {
      ...(this.names.size > 0 && {
        ExpressionAttributeNames: Object.fromEntries(
          [...this.names].map(([name, placeholder]) => [placeholder, name]),
        ),
      }),
      ...(Object.keys(this.values).length > 0 && { ExpressionAttributeValues: { ...this.values } }),
    };
  }
}

/**
 * Records are plain JSON data; this drops `undefined` members (which the marshaller rejects
 * unless the caller's client was configured to remove them) at any depth.
 */
export function plain<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
