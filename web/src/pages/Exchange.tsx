// Cross-border exchange: partners with the state of the last pull from each, agreements, and
// (for the centre's administrators) a pull on demand.
import { useState } from "react";
import { get, post } from "../api";
import { ErrorBox, Loading, Section, useLoad } from "../components/common";
import { useI18n } from "../i18n";
import { useSession } from "../session";

interface Partner {
  id: string; name: string; country: string; contact: string; taxii_url: string; taxii_api_key_set: boolean;
  pull?: { last_pull_at?: string; last_success_at?: string; last_error?: string; last_result?: Record<string, number>; next_added_after?: string };
}
interface Agreement { id: string; partner: string; kinds: string[]; tiers: string[]; tlp: string; pseudonymise: boolean; partner_may_push: boolean; active: boolean; collection_id: string }

export function ExchangePage() {
  const { t, dateTime } = useI18n();
  const { me } = useSession();
  const [pullError, setPullError] = useState<unknown>(null);
  const partners = useLoad(async () => {
    const list = await get<{ items: Partner[] }>("/api/v1/exchange/partners");
    return Promise.all(list.items.map((p) => get<Partner>(`/api/v1/exchange/partners/${encodeURIComponent(p.id)}`)));
  }, []);
  const agreements = useLoad(() => get<{ items: Agreement[] }>("/api/v1/exchange/agreements"), []);
  const pull = async (id: string) => {
    setPullError(null);
    try {
      await post(`/api/v1/exchange/partners/${encodeURIComponent(id)}/pull`, {});
    } catch (e) {
      setPullError(e);
    }
    partners.reload();
  };
  return (
    <div className="stack">
      <h1>{t("nav_exchange")}</h1>
      <Section title={t("partners")}>
        <ErrorBox error={partners.error ?? pullError} />
        {!partners.data ? <Loading /> : (
          <table className="grid" data-testid="partners">
            <thead><tr><th>{t("partner")}</th><th>{t("country")}</th><th>TAXII</th><th>{t("last_sync")}</th><th>{t("last_result")}</th><th /></tr></thead>
            <tbody>{partners.data.map((p) => (
              <tr key={p.id}>
                <td><strong>{p.id}</strong> {p.name}</td><td>{p.country}</td>
                <td>{p.taxii_url || "—"}{p.taxii_api_key_set ? " 🔑" : ""}</td>
                <td>{dateTime(p.pull?.last_success_at ?? null)}</td>
                <td>{p.pull?.last_error ? <span className="bad">{p.pull.last_error}</span> : p.pull?.last_result ? JSON.stringify(p.pull.last_result) : "—"}</td>
                <td>{me?.role === "admin" && p.taxii_url && <button onClick={() => pull(p.id)}>{t("pull_now")}</button>}</td>
              </tr>
            ))}</tbody>
          </table>
        )}
      </Section>
      <Section title={t("agreements")}>
        <ErrorBox error={agreements.error} />
        {!agreements.data ? <Loading /> : (
          <table className="grid" data-testid="agreements">
            <thead><tr><th>{t("agreement")}</th><th>{t("partner")}</th><th>{t("kinds")}</th><th>{t("tiers")}</th><th>TLP</th><th>{t("pseudonymise")}</th><th>{t("collection")}</th></tr></thead>
            <tbody>{agreements.data.items.map((a) => (
              <tr key={a.id} className={a.active ? "" : "muted"}>
                <td>{a.id}</td><td>{a.partner}</td><td>{a.kinds.join(", ")}</td><td>{a.tiers.join(", ")}</td><td>{a.tlp}</td>
                <td>{a.pseudonymise ? "✓" : "—"}</td><td><code>{a.collection_id}</code></td>
              </tr>
            ))}</tbody>
          </table>
        )}
      </Section>
    </div>
  );
}
