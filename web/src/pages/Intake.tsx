// Report intake for hotline operators: keyboard-friendly (a plain form, Enter never submits by
// accident, rows added with a button), every identifier checked live through the normalisation
// API, and on save the case number, the holds issued and the linked cases at once.
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { ApiError, get, post, withQuery } from "../api";
import { ErrorBox, Section } from "../components/common";
import { bahtToSatang, bangkokLocalToIso, nowBangkokLocal } from "../format";
import { useI18n, type MessageKey } from "../i18n";
import { Link } from "../router";

interface ScamType { code: string; name_en: string; name_th: string }
interface Bank { code: string; short_name: string; name_en: string; name_th: string }
interface Normalized { kind: string; canonical: string; display: string }

interface TransferRow { toBank: string; toAccount: string; promptpay: string; amount: string; at: string; fromBank: string; fromAccount: string }
interface IdentifierRow { value: string; kind: string }

const CHANNELS = ["hotline", "web", "bank", "police", "partner"];
const AGE_BANDS = ["<18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"];

const emptyTransfer = (): TransferRow => ({ toBank: "", toAccount: "", promptpay: "", amount: "", at: nowBangkokLocal(), fromBank: "", fromAccount: "" });

// Checks one identifier through the normalisation API as the operator types (after a pause).
function useNormalized(value: string, kind: string, bank: string): { result: Normalized | null; error: string | null } {
  const [state, setState] = useState<{ result: Normalized | null; error: string | null }>({ result: null, error: null });
  useEffect(() => {
    if (!value.trim()) {
      setState({ result: null, error: null });
      return;
    }
    const id = setTimeout(() => {
      get<Normalized>(withQuery("/api/v1/identifiers/normalize", { value: value.trim(), kind, bank }))
        .then((r) => setState({ result: r, error: null }))
        .catch((e) => setState({ result: null, error: e instanceof ApiError ? e.message : String(e) }));
    }, 250);
    return () => clearTimeout(id);
  }, [value, kind, bank]);
  return state;
}

function Checked({ value, kind, bank }: { value: string; kind: string; bank: string }) {
  const { result, error } = useNormalized(value, kind, bank);
  if (error) return <span className="check bad" role="alert">✗ {error}</span>;
  if (result) return <span className="check good">✓ {result.display} <small>({result.kind})</small></span>;
  return null;
}

function BankSelect({ banks, value, onChange, label }: { banks: Bank[]; value: string; onChange: (v: string) => void; label: string }) {
  const { lang } = useI18n();
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">—</option>
      {banks.map((b) => (
        <option key={b.code} value={b.short_name}>
          {b.short_name} · {lang === "th" ? b.name_th : b.name_en}
        </option>
      ))}
    </select>
  );
}

interface Saved {
  id: string;
  case_id: string;
  duplicate_of: string | null;
  total_loss_satang: number;
  urgent_actions: { action: string; target: Normalized; bank?: string; amount_satang: number; basis?: string; hops?: number }[];
  orders?: { id: string; kind: string; addressee: string; amount_satang: number; target?: Normalized | string }[];
}
interface LinkedCase { case_id: string; shared_identifiers: string[]; shared_trail_accounts: string[] }

export function IntakePage() {
  const { t, lang, baht } = useI18n();
  const [types, setTypes] = useState<ScamType[]>([]);
  const [banks, setBanks] = useState<Bank[]>([]);
  const [kinds, setKinds] = useState<string[]>([]);
  const [victim, setVictim] = useState({ name: "", national_id: "", phone: "", email: "", province: "", age_band: "" });
  const [channel, setChannel] = useState("hotline");
  const [scamType, setScamType] = useState("");
  const [occurred, setOccurred] = useState(nowBangkokLocal());
  const [narrative, setNarrative] = useState("");
  const [transfers, setTransfers] = useState<TransferRow[]>([emptyTransfer()]);
  const [identifiers, setIdentifiers] = useState<IdentifierRow[]>([{ value: "", kind: "" }]);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<Saved | null>(null);
  const [linked, setLinked] = useState<LinkedCase[]>([]);
  // One key per filled-in form: a retried save (a lost answer, a double click) never files twice.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());

  useEffect(() => {
    get<{ items: ScamType[] }>("/api/v1/scam-types").then((r) => setTypes(r.items)).catch(setError);
    get<{ items: Bank[] }>("/api/v1/banks").then((r) => setBanks(r.items)).catch(setError);
    get<{ kinds: string[] }>("/api/v1/identifiers/kinds").then((r) => setKinds(r.kinds)).catch(setError);
  }, []);

  const total = useMemo(() => transfers.reduce((s, r) => s + (bahtToSatang(r.amount) ?? 0), 0), [transfers]);
  const setTransfer = (i: number, patch: Partial<TransferRow>) =>
    setTransfers((rows) => rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const setIdentifier = (i: number, patch: Partial<IdentifierRow>) =>
    setIdentifiers((rows) => rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const loss = [];
    for (const [i, r] of transfers.entries()) {
      if (!r.toAccount && !r.promptpay && !r.amount) continue;
      const amount = bahtToSatang(r.amount);
      if (amount === null || amount <= 0) {
        setError(new ApiError(400, { code: "invalid_argument", message: t("bad_amount"), field: `loss_transfers[${i}].amount_satang` }));
        return;
      }
      const row: Record<string, unknown> = {
        to: r.promptpay ? { promptpay: r.promptpay } : { bank: r.toBank, account: r.toAccount },
        amount_satang: amount,
        at: bangkokLocalToIso(r.at),
      };
      if (r.fromAccount) row.from = { bank: r.fromBank, account: r.fromAccount };
      loss.push(row);
    }
    const body: Record<string, unknown> = {
      victim: Object.fromEntries(Object.entries(victim).filter(([, v]) => v !== "")),
      channel,
      scam_type: scamType,
      occurred_at: bangkokLocalToIso(occurred),
      loss_transfers: loss,
      scammer_identifiers: identifiers.filter((r) => r.value.trim()).map((r) => (r.kind ? { value: r.value.trim(), kind: r.kind } : { value: r.value.trim() })),
    };
    if (narrative.trim()) body.narrative = narrative;
    setSaving(true);
    try {
      const r = await post<Saved>("/api/v1/reports", body, { "Idempotency-Key": idempotencyKey });
      setSaved(r);
      get<{ linked_cases: LinkedCase[] }>(`/api/v1/cases/${encodeURIComponent(r.case_id)}`)
        .then((c) => setLinked(c.linked_cases ?? []))
        .catch(() => setLinked([]));
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };

  const reset = () => {
    setSaved(null);
    setLinked([]);
    setVictim({ name: "", national_id: "", phone: "", email: "", province: "", age_band: "" });
    setNarrative("");
    setTransfers([emptyTransfer()]);
    setIdentifiers([{ value: "", kind: "" }]);
    setIdempotencyKey(crypto.randomUUID());
  };

  if (saved) {
    return (
      <div className="stack" data-testid="intake-saved">
        <Section title={t("report_saved")}>
          <p className="big">
            {t("case")}: <Link href={`/cases/${saved.case_id}`} data-testid="saved-case">{saved.case_id}</Link> · {t("report")}: {saved.id}
          </p>
          {saved.duplicate_of && <p className="warn">{t("duplicate_of", { id: saved.duplicate_of })}</p>}
          <p>{t("total_loss")}: {baht(saved.total_loss_satang)}</p>
        </Section>
        <Section title={t("urgent_holds")}>
          <table className="grid" data-testid="urgent-holds">
            <thead><tr><th>{t("action")}</th><th>{t("target")}</th><th>{t("bank")}</th><th className="num">{t("amount")}</th><th>{t("basis")}</th></tr></thead>
            <tbody>
              {saved.urgent_actions.map((a, i) => (
                <tr key={i}>
                  <td>{t(("action_" + a.action) as MessageKey)}</td>
                  <td><Link href={`/entities/${a.target.kind}/${encodeURIComponent(a.target.canonical)}`}>{a.target.display}</Link></td>
                  <td>{a.bank ?? "—"}</td>
                  <td className="num">{baht(a.amount_satang)}</td>
                  <td>{a.basis === "trail" ? t("basis_trail", { hops: a.hops ?? 0 }) : t("basis_direct")}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {saved.orders && saved.orders.length > 0 && <p className="muted">{t("orders_issued", { n: saved.orders.length })}</p>}
          <p><Link href={`/trail?case=${saved.case_id}`}>{t("open_trail")}</Link></p>
        </Section>
        <Section title={t("linked_cases")}>
          {linked.length === 0 ? <p className="muted">{t("none")}</p> : (
            <ul>{linked.slice(0, 20).map((l) => (
              <li key={l.case_id}><Link href={`/cases/${l.case_id}`}>{l.case_id}</Link>{" "}
                <span className="muted">{[...l.shared_identifiers, ...l.shared_trail_accounts].join(", ")}</span></li>
            ))}</ul>
          )}
        </Section>
        <button className="primary" onClick={reset}>{t("new_report")}</button>
      </div>
    );
  }

  return (
    <form className="stack intake" onSubmit={submit} onKeyDown={(e) => {
      // Enter moves to the next field instead of saving half a report; Ctrl+Enter saves.
      const el = e.target as HTMLElement;
      if (e.key === "Enter" && el.tagName === "INPUT" && !e.ctrlKey) e.preventDefault();
      if (e.key === "Enter" && e.ctrlKey) (e.currentTarget as HTMLFormElement).requestSubmit();
    }}>
      <h1>{t("nav_intake")}</h1>
      <Section title={t("victim")}>
        <div className="row">
          <label>{t("victim_name")}<input name="victim.name" value={victim.name} onChange={(e) => setVictim({ ...victim, name: e.target.value })} autoFocus /></label>
          <label>{t("national_id")}<input name="victim.national_id" value={victim.national_id} onChange={(e) => setVictim({ ...victim, national_id: e.target.value })} />
            <Checked value={victim.national_id} kind="national_id" bank="" /></label>
          <label>{t("phone")}<input name="victim.phone" value={victim.phone} onChange={(e) => setVictim({ ...victim, phone: e.target.value })} />
            <Checked value={victim.phone} kind="phone" bank="" /></label>
        </div>
        <div className="row">
          <label>{t("email")}<input name="victim.email" value={victim.email} onChange={(e) => setVictim({ ...victim, email: e.target.value })} /></label>
          <label>{t("province")}<input name="victim.province" value={victim.province} onChange={(e) => setVictim({ ...victim, province: e.target.value })} /></label>
          <label>{t("age_band")}<select name="victim.age_band" value={victim.age_band} onChange={(e) => setVictim({ ...victim, age_band: e.target.value })}>
            <option value="">—</option>{AGE_BANDS.map((a) => <option key={a}>{a}</option>)}</select></label>
        </div>
      </Section>
      <Section title={t("the_scam")}>
        <div className="row">
          <label>{t("scam_type")}<select name="scam_type" value={scamType} onChange={(e) => setScamType(e.target.value)} required>
            <option value="">—</option>
            {types.map((s) => <option key={s.code} value={s.code}>{lang === "th" ? s.name_th : s.name_en}</option>)}</select></label>
          <label>{t("channel")}<select name="channel" value={channel} onChange={(e) => setChannel(e.target.value)}>
            {CHANNELS.map((c) => <option key={c} value={c}>{t(("channel_" + c) as MessageKey)}</option>)}</select></label>
          <label>{t("occurred_at")}<input name="occurred_at" type="datetime-local" value={occurred} onChange={(e) => setOccurred(e.target.value)} /></label>
        </div>
        <label>{t("narrative")}<textarea name="narrative" rows={4} value={narrative} onChange={(e) => setNarrative(e.target.value)} /></label>
      </Section>
      <Section title={t("loss_transfers")} actions={<button type="button" onClick={() => setTransfers([...transfers, emptyTransfer()])}>+ {t("add_transfer")}</button>}>
        {transfers.map((r, i) => (
          <div className="row transfer" key={i} data-testid={`transfer-${i}`}>
            <label>{t("to_bank")}<BankSelect banks={banks} value={r.toBank} onChange={(v) => setTransfer(i, { toBank: v })} label={`loss_transfers[${i}].to.bank`} /></label>
            <label>{t("to_account")}<input name={`loss_transfers[${i}].to.account`} value={r.toAccount} onChange={(e) => setTransfer(i, { toAccount: e.target.value })} />
              {r.toAccount && <Checked value={r.toAccount} kind="bank_account" bank={r.toBank} />}</label>
            <label>{t("or_promptpay")}<input name={`loss_transfers[${i}].to.promptpay`} value={r.promptpay} onChange={(e) => setTransfer(i, { promptpay: e.target.value })} />
              {r.promptpay && <Checked value={r.promptpay} kind="promptpay" bank="" />}</label>
            <label>{t("amount_baht")}<input name={`loss_transfers[${i}].amount`} inputMode="decimal" value={r.amount} onChange={(e) => setTransfer(i, { amount: e.target.value })} /></label>
            <label>{t("transfer_at")}<input name={`loss_transfers[${i}].at`} type="datetime-local" value={r.at} onChange={(e) => setTransfer(i, { at: e.target.value })} /></label>
            <label>{t("from_bank")}<BankSelect banks={banks} value={r.fromBank} onChange={(v) => setTransfer(i, { fromBank: v })} label={`loss_transfers[${i}].from.bank`} /></label>
            <label>{t("from_account")}<input name={`loss_transfers[${i}].from.account`} value={r.fromAccount} onChange={(e) => setTransfer(i, { fromAccount: e.target.value })} /></label>
            {transfers.length > 1 && <button type="button" className="link" onClick={() => setTransfers(transfers.filter((_, j) => j !== i))}>{t("remove")}</button>}
          </div>
        ))}
        <p>{t("total_loss")}: <strong>{baht(total)}</strong></p>
      </Section>
      <Section title={t("scammer_identifiers")} actions={<button type="button" onClick={() => setIdentifiers([...identifiers, { value: "", kind: "" }])}>+ {t("add_identifier")}</button>}>
        {identifiers.map((r, i) => (
          <div className="row" key={i}>
            <label>{t("identifier")}<input name={`scammer_identifiers[${i}].value`} value={r.value} placeholder={t("identifier_placeholder")} onChange={(e) => setIdentifier(i, { value: e.target.value })} />
              <Checked value={r.value} kind={r.kind} bank="" /></label>
            <label>{t("kind")}<select aria-label={`scammer_identifiers[${i}].kind`} value={r.kind} onChange={(e) => setIdentifier(i, { kind: e.target.value })}>
              <option value="">{t("kind_auto")}</option>{kinds.map((k) => <option key={k} value={k}>{t(("kind_" + k) as MessageKey)}</option>)}</select></label>
            {identifiers.length > 1 && <button type="button" className="link" onClick={() => setIdentifiers(identifiers.filter((_, j) => j !== i))}>{t("remove")}</button>}
          </div>
        ))}
      </Section>
      <ErrorBox error={error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={saving} data-testid="save-report">{saving ? t("saving") : t("save_report")}</button>
        <span className="muted">{t("ctrl_enter_saves")}</span>
      </div>
    </form>
  );
}
