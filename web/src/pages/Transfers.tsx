// A bank submits its transfers for tracing: a CSV or NDJSON file (docs/api.md, "POST
// /api/v1/transfers"), saved durably; rejected rows are listed with their line and reason while
// the good rows land (or, all or nothing, none).
import { useState, type FormEvent } from "react";
import { postText } from "../api";
import { ErrorBox, Section } from "../components/common";
import { useI18n } from "../i18n";

interface Result { saved: number; replayed: number; rejected: number; rejects: { line: number; error: { message: string; field?: string } }[] }

export function TransfersPage() {
  const { t, num } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [atomic, setAtomic] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setResult(null);
    setBusy(true);
    try {
      const text = await file.text();
      const type = /\.csv$/i.test(file.name) || text.trimStart().startsWith("txn_id") ? "text/csv" : "application/x-ndjson";
      setResult(await postText<Result>(atomic ? "/api/v1/transfers?atomic=true" : "/api/v1/transfers", text, type));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="stack">
      <h1>{t("nav_transfers")}</h1>
      <form className="card" onSubmit={submit}>
        <p className="muted">{t("transfers_hint")}</p>
        <div className="row">
          <label>{t("file")}<input type="file" accept=".csv,.ndjson,.jsonl,text/csv,application/x-ndjson" aria-label={t("file")}
            onChange={(e) => setFile(e.target.files?.[0] ?? null)} required /></label>
          <label className="inline"><input type="checkbox" checked={atomic} onChange={(e) => setAtomic(e.target.checked)} /> {t("all_or_nothing")}</label>
          <button className="primary" type="submit" disabled={busy}>{busy ? t("saving") : t("submit_transfers")}</button>
        </div>
      </form>
      <ErrorBox error={error} />
      {result && (
        <Section title={t("result")}>
          <div className="facts" data-testid="transfer-result">
            <div><span>{t("saved")}</span>{num(result.saved)}</div>
            <div><span>{t("replayed")}</span>{num(result.replayed)}</div>
            <div><span>{t("rejected_rows")}</span>{num(result.rejected)}</div>
          </div>
          {result.rejects.length > 0 && (
            <table className="grid"><thead><tr><th>{t("line")}</th><th>{t("field")}</th><th>{t("reason")}</th></tr></thead>
              <tbody>{result.rejects.map((r) => <tr key={r.line}><td>{r.line}</td><td>{r.error.field ?? ""}</td><td>{r.error.message}</td></tr>)}</tbody></table>
          )}
        </Section>
      )}
    </div>
  );
}
