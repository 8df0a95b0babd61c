// Cross-border exchange: partners with the state of the last pull from each, agreements, and
// (for the centre's administrators) a pull on demand.
import { useState, type FormEvent } from "react";
import { get, post, put } from "../api";
import { ErrorBox, Loading, Section, useLoad } from "../components/common";
import { useI18n, type MessageKey } from "../i18n";
import { useSession } from "../session";

interface Partner {
  id: string; name: string; country: string; contact: string; taxii_url: string; taxii_api_key_set: boolean;
  pull?: { last_pull_at?: string; last_success_at?: string; last_error?: string; last_result?: Record<string, number>; next_added_after?: string };
}
interface Agreement { id: string; partner: string; kinds: string[]; tiers: string[]; tlp: string; pseudonymise: boolean; partner_may_push: boolean; active: boolean; collection_id: string }

const KINDS = ["bank_account", "phone", "promptpay", "url", "domain", "email", "line_id", "social", "crypto_wallet"];
const TIERS = ["black", "dark_grey", "light_grey"];
const TLPS = ["clear", "green", "amber", "amber+strict", "red"];

// The centre's administrators add a partner (and its TAXII settings, the credential write-only)
// and make sharing agreements; an agreement's key is shown once.
function PartnerForm({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const [f, setF] = useState({ id: "", name: "", country: "", contact: "", taxii_url: "", taxii_collection: "", taxii_agreement: "", taxii_api_key: "" });
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const body: Record<string, string> = {};
    for (const [k, v] of Object.entries(f)) if (k !== "id" && (v !== "" || k === "name")) body[k] = v;
    try {
      await put(`/api/v1/exchange/partners/${encodeURIComponent(f.id.trim().toUpperCase())}`, body);
      setF({ ...f, taxii_api_key: "" });
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  const field = (k: keyof typeof f, label: string, type = "text") => (
    <label>{label}<input type={type} value={f[k]} onChange={(e) => setF({ ...f, [k]: e.target.value })} required={k === "id" || k === "name"} /></label>
  );
  return (
    <form className="stack" onSubmit={submit} data-testid="partner-form">
      <div className="row">{field("id", t("code"))}{field("name", t("name"))}{field("country", t("country"))}{field("contact", t("contact"))}</div>
      <div className="row">{field("taxii_url", "TAXII URL")}{field("taxii_collection", t("collection"))}{field("taxii_agreement", t("agreement"))}{field("taxii_api_key", t("their_key"), "password")}
        <button type="submit">{t("save_partner")}</button></div>
      <ErrorBox error={error} />
    </form>
  );
}

function AgreementForm({ partners, onDone }: { partners: string[]; onDone: () => void }) {
  const { t } = useI18n();
  const [id, setId] = useState("");
  const [partner, setPartner] = useState("");
  const [kinds, setKinds] = useState<string[]>(["bank_account", "phone", "url"]);
  const [tiers, setTiers] = useState<string[]>(["black", "dark_grey"]);
  const [tlp, setTlp] = useState("amber");
  const [pseudonymise, setPseudonymise] = useState(true);
  const [push, setPush] = useState(false);
  const [key, setKey] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const toggle = (list: string[], set: (v: string[]) => void, x: string) => set(list.includes(x) ? list.filter((y) => y !== x) : [...list, x]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await post<{ key: string }>("/api/v1/exchange/agreements", { id, partner, kinds, tiers, tlp, pseudonymise, partner_may_push: push });
      setKey(r.key);
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="stack" onSubmit={submit} data-testid="agreement-form">
      <div className="row">
        <label>{t("agreement")}<input value={id} onChange={(e) => setId(e.target.value)} required /></label>
        <label>{t("partner")}<select value={partner} onChange={(e) => setPartner(e.target.value)} required>
          <option value="">—</option>{partners.map((p) => <option key={p} value={p}>{p}</option>)}</select></label>
        <label>TLP<select value={tlp} onChange={(e) => setTlp(e.target.value)}>{TLPS.map((x) => <option key={x}>{x}</option>)}</select></label>
        <label className="inline"><input type="checkbox" checked={pseudonymise} onChange={(e) => setPseudonymise(e.target.checked)} /> {t("pseudonymise")}</label>
        <label className="inline"><input type="checkbox" checked={push} onChange={(e) => setPush(e.target.checked)} /> {t("partner_may_push")}</label>
      </div>
      <div className="row">{t("kinds")}: {KINDS.map((k) => (
        <label className="inline" key={k}><input type="checkbox" checked={kinds.includes(k)} onChange={() => toggle(kinds, setKinds, k)} /> {t(("kind_" + k) as MessageKey)}</label>))}</div>
      <div className="row">{t("tiers")}: {TIERS.map((x) => (
        <label className="inline" key={x}><input type="checkbox" checked={tiers.includes(x)} onChange={() => toggle(tiers, setTiers, x)} /> {t(("tier_" + x) as MessageKey)}</label>))}
        <button type="submit">{t("make_agreement")}</button></div>
      {key && <p className="warn">{t("agreement_key_once")} <code data-testid="agreement-key">{key}</code></p>}
      <ErrorBox error={error} />
    </form>
  );
}

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
        {me?.role === "admin" && <PartnerForm onDone={partners.reload} />}
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
        {me?.role === "admin" && <AgreementForm partners={(partners.data ?? []).map((p) => p.id)} onDone={agreements.reload} />}
        <ErrorBox error={agreements.error} />
        {!agreements.data ? <Loading /> : (
          <table className="grid" data-testid="agreements">
            <thead><tr><th>{t("agreement")}</th><th>{t("partner")}</th><th>{t("kinds")}</th><th>{t("tiers")}</th><th>TLP</th><th>{t("pseudonymise")}</th><th>{t("collection")}</th><th /></tr></thead>
            <tbody>{agreements.data.items.map((a) => (
              <tr key={a.id} className={a.active ? "" : "muted"}>
                <td>{a.id}</td><td>{a.partner}</td><td>{a.kinds.join(", ")}</td><td>{a.tiers.join(", ")}</td><td>{a.tlp}</td>
                <td>{a.pseudonymise ? "✓" : "—"}</td><td><code>{a.collection_id}</code></td>
                <td><a href={`/api/v1/exchange/agreements/${encodeURIComponent(a.id)}/bundle`} download={`${a.id}.stix.json`}>{t("bundle")}</a></td>
              </tr>
            ))}</tbody>
          </table>
        )}
      </Section>
    </div>
  );
}
