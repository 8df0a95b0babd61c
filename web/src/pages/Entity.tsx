// An identifier: its tier, history, screening verdict, counts, its network, listing and appeals.
import { useState, type FormEvent } from "react";
import { ApiError, entityPath, get, post, withQuery, type Page } from "../api";
import { ErrorBox, Loading, Section, Tier, useLoad } from "../components/common";
import { Graph, type GraphEdge, type GraphNode } from "../components/Graph";
import { useI18n, type MessageKey } from "../i18n";
import { Link, navigate } from "../router";
import { useSession } from "../session";

interface Entity {
  kind: string; canonical: string; display: string; tier: string; verdict: string; reports: number; victims: number;
  loss_satang: number; first_seen: string | null; last_seen: string | null; sources: string[]; report_ids: string[];
  case_ids: string[]; risk_score: number; risk_reasons: string[]; appeal_id: string | null; appeal_status: string | null;
  person_tier?: string; effective_tier?: string;
}
interface HistoryEntry { version: number; at: string; actor: { user: string; agency: string; role: string }; action: string; from_tier: string; to_tier: string; reason: string }
interface NetworkJson {
  id: string; size: number; victims: number; loss_satang: number; truncated: boolean;
  nodes: { type: string; id?: string; kind?: string; canonical?: string; tier?: string; reports?: number; mule_alert?: boolean }[];
  edges: { from: number; to: number; reason: string }[];
}

export function networkElements(n: NetworkJson): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes = n.nodes.map((x, i) => ({
    id: String(i),
    kind: x.type === "report" ? "report" : (x.kind ?? "entity"),
    tier: x.tier,
    label: x.type === "report" ? (x.id ?? "") : `${x.canonical}${x.mule_alert ? " ⚠" : ""}`,
  }));
  const edges = n.edges.map((e, i) => ({ id: "e" + i, source: String(e.from), target: String(e.to), label: e.reason }));
  return { nodes, edges };
}

export function EntitySearchPage() {
  const { t } = useI18n();
  const [value, setValue] = useState("");
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await get<{ kind: string; canonical: string }>(withQuery("/api/v1/identifiers/normalize", { value: value.trim() }));
      navigate(`/entities/${r.kind}/${encodeURIComponent(r.canonical)}`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="card narrow" onSubmit={submit}>
      <h1>{t("nav_entity")}</h1>
      <input aria-label={t("identifier")} value={value} onChange={(e) => setValue(e.target.value)} placeholder={t("identifier_placeholder")} autoFocus />
      <button className="primary" type="submit">{t("open")}</button>
      <ErrorBox error={error} />
    </form>
  );
}

export function EntityPage({ kind, canonical }: { kind: string; canonical: string }) {
  const { t, dateTime, baht } = useI18n();
  const { me } = useSession();
  const path = entityPath(kind, canonical);
  const { data: e, error, reload } = useLoad(() => get<Entity>(path), [path]);
  const history = useLoad(() => get<Page<HistoryEntry>>(path + "/history?limit=100"), [path, e?.tier]);
  const centre = me && ["operator", "police", "analyst", "admin"].includes(me.role);
  const network = useLoad(
    () => (centre ? get<NetworkJson>(path + "/network?depth=2&max_nodes=200") : Promise.resolve(null)),
    [path, centre],
  );
  const [tier, setTier] = useState("dark_grey");
  const [reason, setReason] = useState("");
  const [decision, setDecision] = useState("reject");
  const [actionError, setActionError] = useState<unknown>(null);
  if (error) return <ErrorBox error={error} />;
  if (!e) return <Loading />;
  const act = async (f: () => Promise<unknown>) => {
    setActionError(null);
    try {
      await f();
      setReason("");
      reload();
    } catch (err) {
      setActionError(err);
    }
  };
  const graph = network.data ? networkElements(network.data) : null;
  return (
    <div className="stack" data-testid="entity">
      <h1>{e.display} <Tier tier={e.effective_tier ?? e.tier} /></h1>
      <div className="facts">
        <div><span>{t("kind")}</span>{t(("kind_" + e.kind) as MessageKey)}</div>
        <div><span>{t("canonical")}</span><code>{e.canonical}</code></div>
        <div><span>{t("verdict")}</span><span className={`verdict-inline verdict-${e.verdict}`}>{t(("verdict_" + e.verdict) as MessageKey)}</span></div>
        <div><span>{t("risk_score")}</span>{e.risk_score}</div>
        <div><span>{t("reports")}</span>{e.reports}</div>
        <div><span>{t("victims")}</span>{e.victims}</div>
        <div><span>{t("total_loss")}</span>{baht(e.loss_satang)}</div>
        <div><span>{t("first_seen")}</span>{dateTime(e.first_seen)}</div>
        <div><span>{t("last_seen")}</span>{dateTime(e.last_seen)}</div>
        <div><span>{t("sources")}</span>{e.sources.join(", ") || "—"}</div>
      </div>
      {e.risk_reasons.length > 0 && <ul className="reasons">{e.risk_reasons.map((r) => <li key={r}>{r}</li>)}</ul>}
      {e.case_ids.length > 0 && centre && (
        <p>{t("cases")}: {e.case_ids.map((c) => <Link key={c} href={`/cases/${c}`}>{c} </Link>)}</p>
      )}
      <ErrorBox error={actionError} />
      {me && ["operator", "bank", "police", "analyst", "admin"].includes(me.role) && (
        <Section title={t("listing")}>
          <form className="row" onSubmit={(ev) => { ev.preventDefault(); void act(() => post(path + "/listing", { tier, reason })); }}>
            <label>{t("tier")}<select aria-label="tier" value={tier} onChange={(ev) => setTier(ev.target.value)}>
              {["black", "dark_grey", "light_grey", "none"].map((x) => <option key={x} value={x}>{t(("tier_" + x) as MessageKey)}</option>)}</select></label>
            <label>{t("reason")}<input value={reason} onChange={(ev) => setReason(ev.target.value)} required /></label>
            <button type="submit">{t("set_tier")}</button>
          </form>
        </Section>
      )}
      {e.appeal_id && (
        <Section title={t("appeal")}>
          <p>{e.appeal_id} · {e.appeal_status}</p>
          {e.appeal_status === "pending" && me && ["operator", "police", "admin"].includes(me.role) && (
            <form className="row" onSubmit={(ev) => { ev.preventDefault(); void act(() => post(`/api/v1/appeals/${e.appeal_id}/decision`, { decision, reason })); }}>
              <label>{t("decision")}<select value={decision} onChange={(ev) => setDecision(ev.target.value)}>
                <option value="accept">{t("appeal_accept")}</option><option value="reject">{t("appeal_reject")}</option></select></label>
              <label>{t("reason")}<input value={reason} onChange={(ev) => setReason(ev.target.value)} required /></label>
              <button type="submit">{t("decide")}</button>
            </form>
          )}
        </Section>
      )}
      {centre && (
        <Section title={t("network")}>
          {network.error instanceof ApiError && network.error.status === 404 ? <p className="muted">{t("no_network")}</p> :
            network.error ? <ErrorBox error={network.error} /> :
            graph ? <>
              <p className="muted">{network.data?.id} · {t("size")} {network.data?.size} · {t("victims")} {network.data?.victims} · {baht(network.data?.loss_satang)}
                {" "}<Link href={`/networks/${network.data?.id}`}>{t("open")}</Link></p>
              <Graph nodes={graph.nodes} edges={graph.edges} height={380} onSelect={(id) => {
                const n = network.data?.nodes[Number(id)];
                if (n?.type === "entity" && n.kind && n.canonical) navigate(`/entities/${n.kind}/${encodeURIComponent(n.canonical)}`);
              }} />
            </> : <Loading />}
        </Section>
      )}
      <Section title={t("history")}>
        <table className="grid" data-testid="entity-history">
          <thead><tr><th>{t("when")}</th><th>{t("who")}</th><th>{t("action")}</th><th>{t("tier")}</th><th>{t("reason")}</th></tr></thead>
          <tbody>{(history.data?.items ?? []).map((h) => (
            <tr key={h.version}><td>{dateTime(h.at)}</td><td>{h.actor.user} ({h.actor.agency})</td><td>{h.action}</td>
              <td>{h.from_tier} → {h.to_tier}</td><td>{h.reason}</td></tr>
          ))}</tbody>
        </table>
      </Section>
    </div>
  );
}
