// Content check: paste a message, see the verdict with its evidence highlighted in the text (the
// words that weighed most, the links and numbers found with the registry's answer, the brand the
// message pretends to be) and the checked claims it repeats.
import { useState, type FormEvent, type ReactNode } from "react";
import { post } from "../api";
import { ErrorBox, Section, Tier } from "../components/common";
import { useI18n, type MessageKey } from "../i18n";
import { Link } from "../router";
import { useSession } from "../session";
import { FactChecksSection } from "./FactChecks";

interface Analysis {
  label: string; probability: number; label_source?: string; language: string; normalized: string;
  evidence: {
    tokens: { token: string; weight: number }[];
    identifiers: { kind: string; canonical: string; as_written: string; listed: boolean; registry?: { verdict: string; tier: string; reports: number } }[];
    registry_hits: number;
    impersonated: { id: string; category: string; name_en: string; name_th: string; matched: string; by_link: boolean }[];
  };
  fact_checks: { id: string; claim: string; verdict: string; similarity: number; source: string; demo?: boolean }[];
}

// The text with every mark highlighted (longest marks first where they overlap).
function Highlighted({ text, marks }: { text: string; marks: { s: string; cls: string; title: string }[] }) {
  const spans: { start: number; end: number; cls: string; title: string }[] = [];
  for (const m of [...marks].sort((a, b) => b.s.length - a.s.length)) {
    if (!m.s) continue;
    for (let i = text.indexOf(m.s); i >= 0; i = text.indexOf(m.s, i + m.s.length)) {
      const end = i + m.s.length;
      if (!spans.some((x) => i < x.end && end > x.start)) spans.push({ start: i, end, cls: m.cls, title: m.title });
    }
  }
  spans.sort((a, b) => a.start - b.start);
  const out: ReactNode[] = [];
  let at = 0;
  spans.forEach((x, k) => {
    if (x.start > at) out.push(text.slice(at, x.start));
    out.push(<mark key={k} className={x.cls} title={x.title}>{text.slice(x.start, x.end)}</mark>);
    at = x.end;
  });
  out.push(text.slice(at));
  return <p className="message" data-testid="highlighted">{out}</p>;
}

export function ContentPage() {
  const { t, lang } = useI18n();
  const { me } = useSession();
  const [text, setText] = useState("");
  const [result, setResult] = useState<Analysis | null>(null);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      setResult(await post<Analysis>("/api/v1/content/analyze", { text }));
    } catch (err) {
      setError(err);
      setResult(null);
    }
  };
  const marks = result ? [
    ...result.evidence.tokens.map((x) => ({ s: x.token, cls: "m-token", title: `${t("weight")} ${x.weight.toFixed(1)}` })),
    ...result.evidence.identifiers.map((x) => ({ s: x.as_written, cls: x.listed ? "m-listed" : "m-id", title: `${x.kind}: ${x.registry?.verdict ?? ""}` })),
    ...result.evidence.impersonated.map((x) => ({ s: x.matched, cls: "m-brand", title: lang === "th" ? x.name_th : x.name_en })),
  ] : [];
  return (
    <div className="stack">
      <h1>{t("nav_content")}</h1>
      <form className="card" onSubmit={submit}>
        <textarea aria-label={t("message")} rows={5} value={text} onChange={(e) => setText(e.target.value)} placeholder={t("paste_message")} required />
        <button type="submit" className="primary">{t("analyze")}</button>
      </form>
      <ErrorBox error={error} />
      {result && (
        <>
          <div className={`verdict verdict-label-${result.label}`} data-testid="content-verdict">
            <strong>{t(("label_" + result.label) as MessageKey)}</strong> · {(result.probability * 100).toFixed(0)}%
            {result.label_source === "registry" && <span> · {t("by_registry")}</span>}
          </div>
          <Section title={t("evidence")}>
            <Highlighted text={result.normalized} marks={marks} />
            <p className="legend"><mark className="m-token">{t("weighty_words")}</mark> <mark className="m-id">{t("identifiers_found")}</mark> <mark className="m-listed">{t("listed_identifiers")}</mark> <mark className="m-brand">{t("impersonated")}</mark></p>
            {result.evidence.identifiers.length > 0 && (
              <table className="grid"><thead><tr><th>{t("kind")}</th><th>{t("identifier")}</th><th>{t("tier")}</th><th className="num">{t("reports")}</th></tr></thead>
                <tbody>{result.evidence.identifiers.map((x) => (
                  <tr key={x.kind + x.canonical}><td>{t(("kind_" + x.kind) as MessageKey)}</td>
                    <td><Link href={`/entities/${x.kind}/${encodeURIComponent(x.canonical)}`}>{x.canonical}</Link></td>
                    <td><Tier tier={x.registry?.tier ?? "none"} /></td><td className="num">{x.registry?.reports ?? 0}</td></tr>
                ))}</tbody></table>
            )}
            {result.evidence.impersonated.length > 0 && (
              <p>{t("impersonated")}: {result.evidence.impersonated.map((x) => `${lang === "th" ? x.name_th : x.name_en}${x.by_link ? " (" + t("lookalike_link") + ")" : ""}`).join(", ")}</p>
            )}
          </Section>
          {result.fact_checks.length > 0 && (
            <Section title={t("fact_checks")}>
              <ul>{result.fact_checks.map((f) => (
                <li key={f.id}><strong>{t(("fc_" + f.verdict) as MessageKey)}</strong> · {f.claim} <span className="muted">({Math.round(f.similarity * 100)}% · {f.source}{f.demo ? " · demo" : ""})</span></li>
              ))}</ul>
            </Section>
          )}
        </>
      )}
      {me && me.role !== "public" && <FactChecksSection />}
    </div>
  );
}
