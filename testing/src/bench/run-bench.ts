// A bench's main function, run so that whatever it started is cleaned up however it ends.
import { cleanup } from "../local-worker/index.js";

/** Runs `main`, always cleaning up (also on Ctrl-C or SIGTERM); exits non-zero on failure. */
export async function runBench(main: () => Promise<void>): Promise<void> {
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${sig}: stopping the local Worker and removing temporary files…`);
    cleanup().finally(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await main();
  } catch (e) {
    if (!interrupted) {
      console.error(`\nbench failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    }
  } finally {
    if (!interrupted) await cleanup();
  }
}
