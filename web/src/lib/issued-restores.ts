// The one-time restore token and command live only in memory, handed from the screen that issued the
// restore to the restore's screen, which takes them once: a reload or a second visit does not show them.

const issued = new Map<string, string>();

/** Remembers the command of a restore just issued, for its screen to show once. */
export function rememberIssuedCommand(restoreId: string, command: string): void {
  issued.set(restoreId, command);
}

/** The command of a restore just issued, once; undefined afterwards. */
export function takeIssuedCommand(restoreId: string): string | undefined {
  const command = issued.get(restoreId);
  issued.delete(restoreId);
  return command;
}
