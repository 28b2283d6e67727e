/** Where the CLI writes: stdout for results (a summary, or JSON), stderr for progress, notices and errors. */
export interface Io {
  stdout(s: string): void;
  stderr(s: string): void;
  /** True when stderr is a terminal: progress is then a live bar instead of periodic lines. */
  stderrIsTTY: boolean;
}

/** The process's own streams. */
export function processIo(): Io {
  return {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    stderrIsTTY: process.stderr.isTTY === true,
  };
}

/** An Io that keeps what is written, for tests. */
export function bufferIo(): Io & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    stderrIsTTY: false,
    stdout: (s: string) => void (io.out += s),
    stderr: (s: string) => void (io.err += s),
  };
  return io;
}
