// Loading state for one API read, with reload and optional polling.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../api/client.js";

/** What a screen renders from: the data once loaded, the error if the last load failed, and reload(). */
export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

/** Runs `load` now, when `key` changes, on reload(), and every `pollMs` if given; keeps the last good data. */
export function useApi<T>(key: string | null, load: () => Promise<T>, pollMs?: number): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(key !== null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);

  const reload = useCallback(async () => {
    if (key === null) return;
    const mine = ++generation.current;
    setLoading(true);
    try {
      const value = await loadRef.current();
      if (mine !== generation.current) return;
      setData(value);
      setError(undefined);
    } catch (e) {
      if (mine !== generation.current) return;
      setError(e instanceof ApiError ? e : new ApiError(0, "client", e instanceof Error ? e.message : String(e)));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [key]);

  useEffect(() => {
    setData(undefined);
    void reload();
    if (!pollMs) return;
    const t = setInterval(() => void reload(), pollMs);
    return () => clearInterval(t);
  }, [reload, pollMs]);

  return { data, error, loading, reload };
}
