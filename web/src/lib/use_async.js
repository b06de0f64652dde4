// use_async.js: a hook for "load this when these inputs change": loading, data and error, the
// previous request aborted when the inputs move on, and reload() for a Retry button. `loading`
// is true from the very render in which the inputs change (not one effect later), so nothing
// ever presents old data as the answer to new inputs; `data` keeps the last answer meanwhile.
import { useEffect, useState, useCallback } from 'preact/hooks';

/** fn(signal) -> Promise. deps: JSON-serialisable inputs. Returns {loading, data, error, reload}. */
export function useAsync(fn, deps) {
  const [tick, setTick] = useState(0);
  const key = JSON.stringify([deps, tick]);
  const [state, setState] = useState({ key: null, data: undefined, error: null });
  useEffect(() => {
    const ctl = new AbortController();
    fn(ctl.signal).then(
      (data) => {
        if (!ctl.signal.aborted) setState({ key, data, error: null });
      },
      (error) => {
        if (!ctl.signal.aborted && error?.name !== 'AbortError') setState({ key, data: undefined, error });
      },
    );
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const current = state.key === key;
  return { loading: !current, data: state.data, error: current ? state.error : null, reload };
}
