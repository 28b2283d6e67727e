/** What a restore restores: which schemas and tables (empty lists: everything). */
export interface RestoreSelection {
  schemas: readonly string[];
  tables: readonly string[];
}

/** A restore of the whole archive (a drill restores everything). */
export const WHOLE_ARCHIVE: RestoreSelection = { schemas: [], tables: [] };
