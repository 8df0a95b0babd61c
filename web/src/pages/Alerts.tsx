// The mule alerts queue: accounts nobody reported whose score crossed the threshold, with the
// reasons; acknowledge, or dismiss with a reason (the feedback for the next training).
import { useState } from "react";
import { post, type Page } from "../api";
import { ErrorBox, Loading, More, usePaged } from "../components/common";
import { useI18n } from "../i18n";
import { Link } from "../router";

interface Alert {
  account: string; bank: string; score: number; threshold: number; status: string; raised_at: string;
  reasons: { feature: string; value: number; contribution: number }[];
}

function AlertRow({ a, onDone }: { a: Alert; onDone: () => void }) {
  const { t, dateTime } = useI18n();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>(null);
  const decide = async (decision: string) => {
    setError(null);
    try {
      await post(`/api/v1/alerts/${encodeURIComponent(a.account)}/decision`, reason ? { decision, reason } : { decision });
      onDone();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <tr>
      <td><Link href={`/entities/bank_account/${encodeURIComponent(a.account)}`}>{a.account}</Link></td>
      <td>{a.bank}</td>
      <td className="num">{a.score.toFixed(3)}</td>
      <td>{a.reasons.slice(0, 3).map((r) => `${r.feature}=${Number(r.value.toFixed(2))}`).join(", ")}</td>
      <td>{dateTime(a.raised_at)}</td>
      <td>
        {a.status === "open" ? (
          <div className="row">
            <input aria-label={t("reason")} placeholder={t("reason")} value={reason} onChange={(e) => setReason(e.target.value)} />
            <button onClick={() => decide("acknowledge")}>{t("acknowledge")}</button>
            <button onClick={() => decide("dismiss")}>{t("dismiss")}</button>
          </div>
        ) : a.status}
        <ErrorBox error={error} />
      </td>
    </tr>
  );
}

export function AlertsPage() {
  const { t, num } = useI18n();
  const [status, setStatus] = useState("open");
  const { items, cursor, more, first, error, loading, reload } =
    usePaged<Alert, Page<Alert> & { total: number }>("/api/v1/alerts", { status, limit: 50 });
  const total = first?.total ?? 0;
  return (
    <div className="stack">
      <h1>{t("nav_alerts")} <small className="muted">({num(total)})</small></h1>
      <div className="filters"><label>{t("status")}<select aria-label="status" value={status} onChange={(e) => setStatus(e.target.value)}>
        <option value="open">{t("alert_open")}</option><option value="acknowledged">{t("alert_acknowledged")}</option><option value="dismissed">{t("alert_dismissed")}</option></select></label></div>
      <ErrorBox error={error} />
      {loading && items.length === 0 ? <Loading /> : (
        <table className="grid" data-testid="alert-list">
          <thead><tr><th>{t("account")}</th><th>{t("bank")}</th><th className="num">{t("score")}</th><th>{t("reasons")}</th><th>{t("raised_at")}</th><th /></tr></thead>
          <tbody>{items.map((a) => <AlertRow key={a.account} a={a} onDone={reload} />)}</tbody>
        </table>
      )}
      <More cursor={cursor} onMore={more} />
    </div>
  );
}
