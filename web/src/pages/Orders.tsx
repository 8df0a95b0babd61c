// Orders to act on. A bank, telco or platform sees the orders addressed to it (the server filters
// by the caller's agency) and acknowledges, executes with the amount held, or rejects; the centre
// sees them all, records the police complaint, extends and releases.
import { useState } from "react";
import { get, post } from "../api";
import { Countdown, ErrorBox, Loading, More, Section, StatusBadge, useLoad, usePaged } from "../components/common";
import { bahtToSatang, bangkokLocalToIso, nowBangkokLocal } from "../format";
import { eventLabel, useI18n, type MessageKey } from "../i18n";
import { Link, navigate, useLocation } from "../router";
import { useSession } from "../session";

interface Order {
  id: string; kind: string; status: string; case_id: string; report_id: string | null; addressee: string;
  target: { kind: string; canonical: string; display: string };
  basis: string; hops: number; amount_satang: number; held_satang: number; returned_satang: number; reason: string;
  issued_at: string; ack_due_at: string | null; acknowledged_at: string | null; executed_at: string | null;
  expires_at: string | null; escalated: boolean; complaint_filed_at: string | null;
  history: { at: string; event: string; by: string; note: string }[];
}

const ORDER_STATUSES = ["issued", "acknowledged", "executed", "extended", "released", "expired", "rejected"];

function OrderActions({ order, onDone }: { order: Order; onDone: () => void }) {
  const { t } = useI18n();
  const { me } = useSession();
  const [held, setHeld] = useState("");
  const [note, setNote] = useState("");
  const [filedAt, setFiledAt] = useState(nowBangkokLocal());
  const [reference, setReference] = useState("");
  const [returned, setReturned] = useState("");
  const [until, setUntil] = useState(nowBangkokLocal());
  const [error, setError] = useState<unknown>(null);
  const addressee = me?.agency === order.addressee;
  const officer = me && ["operator", "police", "admin"].includes(me.role);
  const run = async (path: string, body: unknown = {}) => {
    setError(null);
    try {
      await post(`/api/v1/orders/${order.id}/${path}`, body);
      setHeld("");
      setNote("");
      onDone();
    } catch (e) {
      setError(e);
    }
  };
  const open = ["issued", "acknowledged"].includes(order.status);
  return (
    <div className="order-actions">
      {addressee && order.status === "issued" && (
        <button className="primary" onClick={() => run("acknowledge")} data-testid="acknowledge">{t("acknowledge")}</button>
      )}
      {addressee && open && (
        <div className="row">
          {order.kind === "hold" && (
            <label>{t("held_baht")}<input name="held" inputMode="decimal" value={held} onChange={(e) => setHeld(e.target.value)} /></label>
          )}
          <label>{t("note")}<input name="note" value={note} onChange={(e) => setNote(e.target.value)} /></label>
          <button data-testid="execute" onClick={() => {
            const body: Record<string, unknown> = note ? { note } : {};
            if (order.kind === "hold") body.held_satang = bahtToSatang(held) ?? -1;
            void run("execute", body);
          }}>{t("execute")}</button>
          <button className="danger" onClick={() => run("reject", { reason: note })}>{t("reject")}</button>
        </div>
      )}
      {addressee && order.kind === "hold" && order.executed_at && (
        <div className="row">
          <label>{t("returned_baht")}<input name="returned" inputMode="decimal" value={returned} onChange={(e) => setReturned(e.target.value)} /></label>
          <button data-testid="record-return" onClick={() => run("return", { returned_satang: bahtToSatang(returned) ?? -1 })}>{t("record_return")}</button>
        </div>
      )}
      {me && ["operator", "police", "admin"].includes(me.role) && order.kind === "hold" && ["issued", "acknowledged", "executed", "extended"].includes(order.status) && (
        <div className="row">
          <label>{t("complaint_filed_at")}<input type="datetime-local" value={filedAt} onChange={(e) => setFiledAt(e.target.value)} /></label>
          <label>{t("complaint_reference")}<input value={reference} onChange={(e) => setReference(e.target.value)} /></label>
          <button onClick={() => run("complaint", { filed_at: bangkokLocalToIso(filedAt), reference })}>{t("record_complaint")}</button>
        </div>
      )}
      {me && ["police", "admin"].includes(me.role) && order.kind === "hold" && ["issued", "acknowledged", "executed", "extended"].includes(order.status) && (
        <div className="row">
          <label>{t("extend_until")}<input type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} /></label>
          <label>{t("reason")}<input value={note} onChange={(e) => setNote(e.target.value)} /></label>
          <button onClick={() => run("extend", { until: bangkokLocalToIso(until), reason: note })}>{t("extend")}</button>
        </div>
      )}
      {officer && !["released", "expired", "rejected"].includes(order.status) && (
        <div className="row">
          <label>{t("reason")}<input value={note} onChange={(e) => setNote(e.target.value)} /></label>
          <button onClick={() => run("release", { reason: note })}>{t("release")}</button>
        </div>
      )}
      <ErrorBox error={error} />
    </div>
  );
}

function OrderDetail({ id, onChange }: { id: string; onChange: () => void }) {
  const { t, dateTime, baht } = useI18n();
  const { data: o, error, reload } = useLoad(() => get<Order>(`/api/v1/orders/${encodeURIComponent(id)}`), [id]);
  if (error) return <ErrorBox error={error} />;
  if (!o) return <Loading />;
  return (
    <Section title={`${t("order")} ${o.id}`} actions={<button className="link" onClick={() => navigate("/orders")}>×</button>}>
      <div className="facts" data-testid="order-detail">
        <div><span>{t("status")}</span><StatusBadge status={o.status} />{o.escalated && <span className="badge status-escalated">{t("escalated")}</span>}</div>
        <div><span>{t("kind")}</span>{t(("order_" + o.kind) as MessageKey)}</div>
        <div><span>{t("target")}</span><Link href={`/entities/${o.target.kind}/${encodeURIComponent(o.target.canonical)}`}>{o.target.display}</Link></div>
        <div><span>{t("amount")}</span>{baht(o.amount_satang)}</div>
        <div><span>{t("held")}</span>{baht(o.held_satang)}</div>
        <div><span>{t("returned")}</span>{baht(o.returned_satang ?? 0)}</div>
        <div><span>{t("case")}</span>{o.case_id}</div>
        <div><span>{t("issued_at")}</span>{dateTime(o.issued_at)}</div>
        <div><span>{t("ack_due")}</span>{o.acknowledged_at ? dateTime(o.acknowledged_at) : <Countdown due={o.ack_due_at} />}</div>
        <div><span>{t("expires")}</span><Countdown due={o.expires_at} done={["released", "expired", "rejected"].includes(o.status)} /></div>
      </div>
      <p>{o.reason}</p>
      <OrderActions order={o} onDone={() => { reload(); onChange(); }} />
      <ol className="timeline">{o.history.map((h, i) => <li key={i}><span className="muted">{dateTime(h.at)} · {h.by}</span> <strong>{eventLabel(t, h.event)}</strong> {h.note}</li>)}</ol>
    </Section>
  );
}

export function OrdersPage() {
  const { t, baht } = useI18n();
  const { query } = useLocation();
  const selected = query.get("id");
  const [status, setStatus] = useState("issued");
  const [kind, setKind] = useState("");
  const { items, cursor, more, error, loading, reload } = usePaged<Order>("/api/v1/orders", { status, kind, limit: 100 });
  return (
    <div className="stack">
      <h1>{t("nav_orders")}</h1>
      {selected && <OrderDetail id={selected} onChange={reload} />}
      <div className="filters">
        <label>{t("status")}<select aria-label="status" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">{t("all")}</option>{ORDER_STATUSES.map((s) => <option key={s} value={s}>{t(("status_" + s) as MessageKey)}</option>)}</select></label>
        <label>{t("kind")}<select aria-label="kind" value={kind} onChange={(e) => setKind(e.target.value)}>
          <option value="">{t("all")}</option>{["hold", "block", "takedown"].map((k) => <option key={k} value={k}>{t(("order_" + k) as MessageKey)}</option>)}</select></label>
      </div>
      <ErrorBox error={error} />
      {loading && items.length === 0 ? <Loading /> : (
        <table className="grid" data-testid="order-list">
          <thead><tr><th>{t("order")}</th><th>{t("kind")}</th><th>{t("status")}</th><th>{t("target")}</th><th className="num">{t("amount")}</th><th>{t("ack_due")}</th><th>{t("expires")}</th><th>{t("case")}</th></tr></thead>
          <tbody>{items.map((o) => (
            <tr key={o.id} className={o.escalated ? "overdue" : ""}>
              <td><Link href={`/orders?id=${o.id}`}>{o.id}</Link></td>
              <td>{t(("order_" + o.kind) as MessageKey)}</td>
              <td><StatusBadge status={o.status} /></td>
              <td>{o.target.display}</td>
              <td className="num">{baht(o.amount_satang)}</td>
              <td>{o.status === "issued" ? <Countdown due={o.ack_due_at} /> : "—"}</td>
              <td><Countdown due={o.expires_at} done={["released", "expired", "rejected"].includes(o.status)} /></td>
              <td>{o.case_id}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
      {!loading && items.length === 0 && <p className="muted">{t("nothing_to_do")}</p>}
      <More cursor={cursor} onMore={more} />
    </div>
  );
}
