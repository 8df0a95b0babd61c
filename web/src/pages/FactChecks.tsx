// The fact-check desk: checked claims (verdict, source, date) that messages are matched against.
import { useState, type FormEvent } from "react";
import { api, post } from "../api";
import { ErrorBox, Loading, More, Section, usePaged } from "../components/common";
import { useI18n, type MessageKey } from "../i18n";
import { useSession } from "../session";

interface FactCheck { id: string; claim: string; verdict: string; explanation?: string; source: string; source_url?: string; checked_on: string; language?: string; demo?: boolean }

const VERDICTS = ["false", "misleading", "true", "insufficient"];

export function FactChecksSection() {
  const { t } = useI18n();
  const { me } = useSession();
  const writer = me && ["operator", "analyst", "admin"].includes(me.role);
  const { items, cursor, more, error, loading, reload } = usePaged<FactCheck>("/api/v1/factchecks", { limit: 50 });
  const [form, setForm] = useState({ claim: "", verdict: "false", explanation: "", source: "", checked_on: new Date().toISOString().slice(0, 10) });
  const [actionError, setActionError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setActionError(null);
    try {
      await post("/api/v1/factchecks", form);
      setForm({ ...form, claim: "", explanation: "" });
      reload();
    } catch (err) {
      setActionError(err);
    }
  };
  return (
    <Section title={t("fact_checks")}>
      {writer && (
        <form className="stack" onSubmit={submit}>
          <label>{t("claim")}<textarea rows={2} value={form.claim} onChange={(e) => setForm({ ...form, claim: e.target.value })} required /></label>
          <div className="row">
            <label>{t("verdict")}<select value={form.verdict} onChange={(e) => setForm({ ...form, verdict: e.target.value })}>
              {VERDICTS.map((v) => <option key={v} value={v}>{t(("fc_" + v) as MessageKey)}</option>)}</select></label>
            <label>{t("source")}<input value={form.source} onChange={(e) => setForm({ ...form, source: e.target.value })} required /></label>
            <label>{t("checked_on")}<input type="date" value={form.checked_on} onChange={(e) => setForm({ ...form, checked_on: e.target.value })} required /></label>
            <label>{t("explanation")}<input value={form.explanation} onChange={(e) => setForm({ ...form, explanation: e.target.value })} /></label>
            <button type="submit">{t("add")}</button>
          </div>
          <ErrorBox error={actionError} />
        </form>
      )}
      <ErrorBox error={error} />
      {loading && items.length === 0 ? <Loading /> : (
        <table className="grid" data-testid="factchecks">
          <thead><tr><th>{t("claim")}</th><th>{t("verdict")}</th><th>{t("source")}</th><th>{t("checked_on")}</th><th /></tr></thead>
          <tbody>{items.map((f) => (
            <tr key={f.id}><td>{f.claim}{f.demo ? <span className="badge">demo</span> : null}</td><td>{t(("fc_" + f.verdict) as MessageKey)}</td>
              <td>{f.source_url ? <a href={f.source_url} rel="noreferrer" target="_blank">{f.source}</a> : f.source}</td><td>{f.checked_on}</td>
              <td>{writer && <button className="link" onClick={() => api("DELETE", `/api/v1/factchecks/${encodeURIComponent(f.id)}`).then(reload).catch(setActionError)}>{t("remove")}</button>}</td></tr>
          ))}</tbody>
        </table>
      )}
      <More cursor={cursor} onMore={more} />
    </Section>
  );
}
