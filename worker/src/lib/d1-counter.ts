/** A D1 binding with a count of the statements sent through it (each statement of a batch counts). */
export class CountingD1 {
  private count = 0;

  constructor(readonly db: D1Database) {}

  /** Statements sent so far. */
  get statements(): number {
    return this.count;
  }

  /** Prepares a statement with its parameters. */
  prepare(query: string, ...params: unknown[]): D1PreparedStatement {
    return this.db.prepare(query).bind(...params);
  }

  /** Runs one statement and returns its rows. */
  async all<T>(statement: D1PreparedStatement): Promise<T[]> {
    this.count++;
    return (await statement.all<T>()).results;
  }

  /** Runs statements as one atomic batch (D1 runs a batch in a transaction). */
  async batch(statements: D1PreparedStatement[]): Promise<D1Result[]> {
    if (statements.length === 0) return [];
    this.count += statements.length;
    return this.db.batch(statements);
  }
}
