// Small pieces every screen uses: loading and error states, tier and status badges, a countdown
// to a deadline, and a hook that loads data and reloads on demand.
import { Component, useCallback, useEffect, useState, type ReactNode } from "react";
import { ApiError, get, withQuery, type Page } from "../api";
import { useI18n, type MessageKey } from "../i18n";

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
} {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    load()
      .then((d) => {
        if (live) {
          setData(d);
          setError(null);
        }
      })
      .catch((e) => live && setError(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}

export function ErrorBox({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  const e = error as ApiError;
  const message = e instanceof ApiError ? e.message : String((error as Error).message ?? error);
  // The kind of error in the console's language; the server's own words after it.
  const kind = e instanceof ApiError ? t(("err_" + e.code) as MessageKey) : "";
  return (
    <div className="error" role="alert">
      <strong>{t("error")}</strong> {kind && !kind.startsWith("err_") ? <strong>{kind}: </strong> : null}{message}
      {e instanceof ApiError && e.field ? <span className="field"> ({t("field")}: {e.field})</span> : null}
    </div>
  );
}

export function Loading() {
  const { t } = useI18n();
  return <div className="loading">{t("loading")}</div>;
}

export function Tier({ tier }: { tier: string | null | undefined }) {
  const { t } = useI18n();
  const key = ("tier_" + (tier ?? "unknown")) as MessageKey;
  return <span className={`badge tier-${tier ?? "unknown"}`}>{t(key)}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  const key = ("status_" + status) as MessageKey;
  return <span className={`badge status-${status}`}>{t(key)}</span>;
}

// Time left until `due` (or how long overdue), updated every second.
export function Countdown({ due, done }: { due: string | null | undefined; done?: boolean }) {
  const { t } = useI18n();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  if (!due) return <span>—</span>;
  if (done) return <span className="muted">{t("done")}</span>;
  const ms = new Date(due).getTime() - now;
  const abs = Math.abs(ms);
  const h = Math.floor(abs / 3600000);
  const m = Math.floor((abs % 3600000) / 60000);
  const s = Math.floor((abs % 60000) / 1000);
  const text = h > 0 ? `${h}h ${String(m).padStart(2, "0")}m` : `${m}m ${String(s).padStart(2, "0")}s`;
  return ms >= 0 ? (
    <span className={ms < 5 * 60000 ? "countdown soon" : "countdown"}>{t("time_left", { t: text })}</span>
  ) : (
    <span className="countdown overdue">{t("overdue_by", { t: text })}</span>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="card">
      <header className="card-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

// "Show more" paging over a cursor listing.
export function More({ cursor, onMore }: { cursor: string | null | undefined; onMore: () => void }) {
  const { t } = useI18n();
  if (!cursor) return null;
  return (
    <button className="more" onClick={onMore}>
      {t("more")}
    </button>
  );
}

// A screen that fails to render shows what failed instead of a blank page.
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey: string }, { error: Error | null }> {
  state: { error: Error | null } = { error: null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  componentDidUpdate(prev: { resetKey: string }) {
    if (prev.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }
  render() {
    if (this.state.error) return <div className="error" role="alert">{this.state.error.message}</div>;
    return this.props.children;
  }
}

// A cursor listing ({"items","next_cursor"}): the first page for `query`, reloaded when it
// changes, and more pages appended on demand. `first` is the first page's whole answer (some
// listings say more, e.g. a total).
export function usePaged<T, P extends Page<T> = Page<T>>(path: string, query: Record<string, string | number | undefined>) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const key = withQuery(path, query);
  const { data: first, error, loading, reload } = useLoad(async () => {
    const page = await get<P>(key);
    setItems(page.items);
    setCursor(page.next_cursor);
    return page;
  }, [key]);
  const more = async () => {
    const page = await get<P>(withQuery(path, { ...query, cursor: cursor ?? undefined }));
    setItems((xs) => [...xs, ...page.items]);
    setCursor(page.next_cursor);
  };
  return { items, cursor, more, first, error, loading, reload };
}
