// The money trail: where a case's money went. The path graph with amounts and times, a time
// slider that replays the transfers, the accounts holding the money now (the holds to request),
// the exits, and totals that reconcile to the satang.
import { useMemo, useState, type FormEvent } from "react";
import { post } from "../api";
import { ErrorBox, Section } from "../components/common";
import { Graph, type GraphEdge, type GraphNode } from "../components/Graph";
import { useI18n } from "../i18n";
import { Link, useLocation } from "../router";

interface TrailEdge { transfer: string; from: string | null; to: string; amount_satang: number; at: string; beyond_limit: boolean }
interface Trail {
  case_id?: string; rule: string;
  holdings: { account: string; bank: string; amount_satang: number; hops: number }[];
  exits: { exit: string; amount_satang: number }[];
  graph: { nodes: { id: string; kind: string }[]; edges: TrailEdge[] };
  totals: { seeded_satang: number; held_satang: number; exited_satang: number; below_threshold_satang: number; untraced_satang: number };
  accounts_examined: number; computed_ms: number;
}

export function TrailPage() {
  const { t, baht, dateTime } = useI18n();
  const { query } = useLocation();
  const [caseId, setCaseId] = useState(query.get("case") ?? "");
  const [rule, setRule] = useState("fifo");
  const [trail, setTrail] = useState<Trail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [until, setUntil] = useState(100);
  const run = async (e?: FormEvent) => {
    e?.preventDefault();
    setError(null);
    try {
      setTrail(await post<Trail>("/api/v1/trails", { case_id: caseId.trim(), rule }));
      setUntil(100);
    } catch (err) {
      setError(err);
      setTrail(null);
    }
  };
  const times = useMemo(() => (trail ? trail.graph.edges.map((e) => new Date(e.at).getTime()).sort((a, b) => a - b) : []), [trail]);
  const cutoff = times.length ? times[0] + ((times[times.length - 1] - times[0]) * until) / 100 : 0;
  const elements = useMemo(() => {
    if (!trail) return null;
    const holding = new Set(trail.holdings.map((h) => h.account));
    const nodes: GraphNode[] = [{ id: "victim", label: t("victim"), kind: "seed" }];
    for (const n of trail.graph.nodes) {
      nodes.push({ id: n.id, label: n.id.replace(/^exit:/, "⇥ "), kind: n.kind === "exit" ? "exit" : holding.has(n.id) ? "holding" : "account" });
    }
    const edges: GraphEdge[] = trail.graph.edges.map((e, i) => ({
      id: "t" + i, source: e.from ?? "victim", target: e.to,
      label: `${baht(e.amount_satang)} · ${dateTime(e.at).split(" ").slice(-1)[0]}`,
      hidden: new Date(e.at).getTime() > cutoff,
    }));
    return { nodes, edges };
  }, [trail, cutoff, t, baht, dateTime]);
  const totals = trail?.totals;
  const reconciled = totals && totals.seeded_satang === totals.held_satang + totals.exited_satang + totals.below_threshold_satang + totals.untraced_satang;
  return (
    <div className="stack">
      <h1>{t("nav_trail")}</h1>
      <form className="filters" onSubmit={run}>
        <label>{t("case")}<input name="case" value={caseId} onChange={(e) => setCaseId(e.target.value)} placeholder="CFR-2026-000001" required /></label>
        <label>{t("rule")}<select value={rule} onChange={(e) => setRule(e.target.value)} aria-label="rule">
          <option value="fifo">{t("rule_fifo")}</option><option value="proportional">{t("rule_proportional")}</option></select></label>
        <button type="submit" className="primary">{t("follow_money")}</button>
      </form>
      <ErrorBox error={error} />
      {trail && totals && elements && (
        <>
          <Section title={t("totals")}>
            <div className="facts" data-testid="trail-totals">
              <div><span>{t("seeded")}</span>{baht(totals.seeded_satang)}</div>
              <div><span>{t("held_now")}</span>{baht(totals.held_satang)}</div>
              <div><span>{t("exited")}</span>{baht(totals.exited_satang)}</div>
              <div><span>{t("below_threshold")}</span>{baht(totals.below_threshold_satang)}</div>
              <div><span>{t("untraced")}</span>{baht(totals.untraced_satang)}</div>
              <div><span>{t("reconciled")}</span>{reconciled ? "✓" : "✗"}</div>
            </div>
            <p className="muted">{t("trail_stats", { n: trail.accounts_examined, ms: trail.computed_ms.toFixed(1) })}</p>
          </Section>
          <Section title={t("path_graph")}>
            <label className="slider">{t("time")}: {times.length ? dateTime(cutoff) : "—"}
              <input type="range" min={0} max={100} value={until} onChange={(e) => setUntil(Number(e.target.value))} aria-label="time slider" data-testid="time-slider" /></label>
            <Graph nodes={elements.nodes} edges={elements.edges} root="victim" />
          </Section>
          <div className="two">
            <Section title={t("holdings")}>
              <table className="grid" data-testid="holdings">
                <thead><tr><th>{t("account")}</th><th>{t("bank")}</th><th className="num">{t("hops")}</th><th className="num">{t("amount")}</th></tr></thead>
                <tbody>{trail.holdings.map((h) => (
                  <tr key={h.account}><td><Link href={`/entities/bank_account/${encodeURIComponent(h.account)}`}>{h.account}</Link></td><td>{h.bank}</td><td className="num">{h.hops}</td><td className="num">{baht(h.amount_satang)}</td></tr>
                ))}</tbody>
              </table>
            </Section>
            <Section title={t("exits")}>
              <table className="grid" data-testid="exits">
                <thead><tr><th>{t("exit")}</th><th className="num">{t("amount")}</th></tr></thead>
                <tbody>{trail.exits.map((x) => <tr key={x.exit}><td>{x.exit}</td><td className="num">{baht(x.amount_satang)}</td></tr>)}</tbody>
              </table>
            </Section>
          </div>
        </>
      )}
    </div>
  );
}
