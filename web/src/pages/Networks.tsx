// Mule networks: the most damaging first, and one network drawn with the reason for every link.
import { useState } from "react";
import { get } from "../api";
import { ErrorBox, Loading, More, Section, useLoad, usePaged } from "../components/common";
import { Graph } from "../components/Graph";
import { useI18n } from "../i18n";
import { Link, navigate } from "../router";
import { networkElements } from "./Entity";

interface NetworkSummary { id: string; size: number; victims: number; loss_satang: number; banks: { code: string; name: string }[] }

export function NetworksPage() {
  const { t, baht, num } = useI18n();
  const [sort, setSort] = useState("loss");
  const { items, cursor, more, error, loading } = usePaged<NetworkSummary>("/api/v1/networks", { sort, limit: 50 });
  return (
    <div className="stack">
      <h1>{t("nav_networks")}</h1>
      <div className="filters"><label>{t("sort_by")}<select aria-label="sort" value={sort} onChange={(e) => setSort(e.target.value)}>
        <option value="loss">{t("total_loss")}</option><option value="victims">{t("victims")}</option><option value="size">{t("size")}</option></select></label></div>
      <ErrorBox error={error} />
      {loading && items.length === 0 ? <Loading /> : (
        <table className="grid" data-testid="network-list">
          <thead><tr><th>{t("network")}</th><th className="num">{t("size")}</th><th className="num">{t("victims")}</th><th className="num">{t("total_loss")}</th><th>{t("banks")}</th></tr></thead>
          <tbody>{items.map((n) => (
            <tr key={n.id}><td><Link href={`/networks/${n.id}`}>{n.id}</Link></td><td className="num">{num(n.size)}</td><td className="num">{num(n.victims)}</td>
              <td className="num">{baht(n.loss_satang)}</td><td>{n.banks.map((b) => b.name).join(", ")}</td></tr>
          ))}</tbody>
        </table>
      )}
      <More cursor={cursor} onMore={more} />
    </div>
  );
}

export function NetworkPage({ id }: { id: string }) {
  const { t, baht, num } = useI18n();
  const { data, error } = useLoad(() => get<Parameters<typeof networkElements>[0]>(`/api/v1/networks/${encodeURIComponent(id)}?max_nodes=300`), [id]);
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading />;
  const g = networkElements(data);
  return (
    <div className="stack">
      <h1>{t("network")} {data.id}</h1>
      <div className="facts">
        <div><span>{t("size")}</span>{num(data.size)}</div>
        <div><span>{t("victims")}</span>{num(data.victims)}</div>
        <div><span>{t("total_loss")}</span>{baht(data.loss_satang)}</div>
        {data.truncated && <div><span>{t("shown")}</span>{num(data.nodes.length)}</div>}
      </div>
      <Section title={t("network")}>
        <Graph nodes={g.nodes} edges={g.edges} height={560} onSelect={(i) => {
          const n = data.nodes[Number(i)];
          if (n?.type === "entity" && n.kind && n.canonical) navigate(`/entities/${n.kind}/${encodeURIComponent(n.canonical)}`);
        }} />
      </Section>
    </div>
  );
}
