// Cases: the list (filters, paging) and one case (reports, orders with their deadlines counting
// down, evidence files with their slip checks and reuse, notes, timeline, linked cases, the workflow).
import { useState, type FormEvent } from "react";
import { get, post, postFile, put } from "../api";
import { bahtToSatang } from "../format";
import { Countdown, ErrorBox, Loading, More, Section, StatusBadge, useLoad, usePaged } from "../components/common";
import { deadlineLabel, eventLabel, useI18n, type MessageKey } from "../i18n";
import { Link } from "../router";
import { useSession } from "../session";

interface CaseSummary { id: string; status: string; assignee: string | null; opened_at: string; reports: number; scam_type: string; total_loss_satang: number }

const STATUSES = ["new", "triaged", "holds_requested", "held", "investigating", "referred_to_police", "closed"];

export function CaseListPage() {
  const { t, dateTime, baht } = useI18n();
  const [status, setStatus] = useState("");
  const [assignee, setAssignee] = useState("");
  const { items, cursor, more, error, loading } = usePaged<CaseSummary>("/api/v1/cases", { status, assignee, limit: 50 });
  return (
    <div className="stack">
      <h1>{t("nav_cases")}</h1>
      <div className="filters">
        <label>{t("status")}<select value={status} onChange={(e) => setStatus(e.target.value)} aria-label="status">
          <option value="">{t("all")}</option>
          {STATUSES.map((s) => <option key={s} value={s}>{t(("status_" + s) as MessageKey)}</option>)}</select></label>
        <label>{t("assignee")}<input value={assignee} onChange={(e) => setAssignee(e.target.value)} /></label>
      </div>
      <ErrorBox error={error} />
      {loading && items.length === 0 ? <Loading /> : (
        <table className="grid" data-testid="case-list">
          <thead><tr><th>{t("case")}</th><th>{t("status")}</th><th>{t("scam_type")}</th><th className="num">{t("reports")}</th><th className="num">{t("total_loss")}</th><th>{t("assignee")}</th><th>{t("opened_at")}</th></tr></thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id}>
                <td><Link href={`/cases/${c.id}`}>{c.id}</Link></td>
                <td><StatusBadge status={c.status} /></td>
                <td>{t(("scam_" + c.scam_type) as MessageKey)}</td>
                <td className="num">{c.reports}</td>
                <td className="num">{baht(c.total_loss_satang)}</td>
                <td>{c.assignee ?? "—"}</td>
                <td>{dateTime(c.opened_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <More cursor={cursor} onMore={more} />
    </div>
  );
}

interface CaseDetail {
  id: string; status: string; assignee: string | null; scam_type: string; opened_at: string;
  total_loss_satang: number; held_satang: number; report_ids: string[];
  notes: { at: string; by: string; text: string }[];
  timeline: { at: string; by: string; event: string; note: string }[];
  deadlines: { what: string; due_at: string; overdue: boolean }[];
  orders: { id: string; kind: string; status: string; addressee: string; target: string; amount_satang: number; held_satang: number; escalated: boolean; expires_at: string | null }[];
  linked_cases: { case_id: string; shared_identifiers: string[]; shared_trail_accounts: string[] }[];
}

interface Ident { kind: string; canonical: string; display: string }
interface ReportJson {
  id: string; saved_at: string; occurred_at: string; channel: string; scam_type: string; duplicate_of: string | null;
  has_narrative: boolean; total_loss_satang: number; victim: { province?: string; age_band?: string };
  loss_transfers: { to: Ident; amount_satang: number; at: string }[];
  scammer_identifiers: Ident[];
}
interface Victim { name?: string; national_id?: string; phone?: string; email?: string; narrative?: string }

const entityHref = (x: Ident) => `/entities/${x.kind}/${encodeURIComponent(x.canonical)}`;

// One report of the case: the money and the scammer's identifiers (each a link to the registry);
// officers may open the victim's sealed record (an audited read).
function ReportCard({ id, officer }: { id: string; officer: boolean }) {
  const { t, dateTime, baht } = useI18n();
  const { data: r, error } = useLoad(() => get<ReportJson>(`/api/v1/reports/${encodeURIComponent(id)}`), [id]);
  const [victim, setVictim] = useState<Victim | null>(null);
  const [victimError, setVictimError] = useState<unknown>(null);
  if (error) return <ErrorBox error={error} />;
  if (!r) return <Loading />;
  return (
    <div className="report" data-testid="report-card">
      <p><strong>{r.id}</strong> · {dateTime(r.saved_at)} · {t(("channel_" + r.channel) as MessageKey)} · {r.victim.province ?? "—"} · {r.victim.age_band ?? ""}
        {r.duplicate_of && <> · {t("duplicate_of", { id: r.duplicate_of })}</>}</p>
      <table className="grid">
        <thead><tr><th>{t("to_account")}</th><th className="num">{t("amount")}</th><th>{t("time")}</th></tr></thead>
        <tbody>{r.loss_transfers.map((x, i) => (
          <tr key={i}><td><Link href={entityHref(x.to)}>{x.to.display}</Link></td><td className="num">{baht(x.amount_satang)}</td><td>{dateTime(x.at)}</td></tr>
        ))}</tbody>
      </table>
      {r.scammer_identifiers.length > 0 && (
        <p>{t("scammer_identifiers")}: {r.scammer_identifiers.map((x) => <Link key={x.kind + x.canonical} href={entityHref(x)} className="chip">{x.display}</Link>)}</p>
      )}
      {officer && !victim && (
        <button className="link" onClick={() => get<Victim>(`/api/v1/reports/${encodeURIComponent(id)}/victim`).then(setVictim).catch(setVictimError)}>
          {t("show_victim")}</button>
      )}
      <ErrorBox error={victimError} />
      {victim && (
        <div className="sealed" data-testid="victim">
          <p className="muted">{t("victim_read_audited")}</p>
          <p>{victim.name} · {victim.national_id ?? ""} · {victim.phone ?? ""} · {victim.email ?? ""}</p>
          {victim.narrative && <p className="message">{victim.narrative}</p>}
        </div>
      )}
    </div>
  );
}

// Officers issue block orders (a phone number, to its telco) and takedowns (a link or account,
// to the platform that hosts it) — and holds by hand.
function IssueOrder({ caseId, onDone }: { caseId: string; onDone: () => void }) {
  const { t } = useI18n();
  const [kind, setKind] = useState("block");
  const [target, setTarget] = useState("");
  const [addressee, setAddressee] = useState("");
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [issued, setIssued] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const body: Record<string, unknown> = { kind, case_id: caseId, target: { value: target.trim() }, reason };
    if (addressee.trim()) body.addressee = addressee.trim().toUpperCase();
    if (kind === "hold") body.amount_satang = bahtToSatang(amount) ?? -1;
    try {
      const o = await post<{ id: string; addressee: string }>("/api/v1/orders", body);
      setIssued(`${o.id} → ${o.addressee}`);
      setTarget("");
      setReason("");
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Section title={t("issue_order")}>
      <form className="row" onSubmit={submit}>
        <label>{t("kind")}<select aria-label="order kind" value={kind} onChange={(e) => setKind(e.target.value)}>
          {["block", "takedown", "hold"].map((k) => <option key={k} value={k}>{t(("order_" + k) as MessageKey)}</option>)}</select></label>
        <label>{t("target")}<input value={target} onChange={(e) => setTarget(e.target.value)} placeholder={t("identifier_placeholder")} required /></label>
        <label>{t("addressee")}<input value={addressee} onChange={(e) => setAddressee(e.target.value)} placeholder={t("addressee_hint")} /></label>
        {kind === "hold" && <label>{t("amount_baht")}<input value={amount} onChange={(e) => setAmount(e.target.value)} inputMode="decimal" required /></label>}
        <label>{t("reason")}<input value={reason} onChange={(e) => setReason(e.target.value)} required /></label>
        <button type="submit">{t("issue")}</button>
      </form>
      {issued && <p className="muted">{t("order_issued", { id: issued })}</p>}
      <ErrorBox error={error} />
    </Section>
  );
}

interface Reuse { sha256: string; match: string; distance: number; report_ids?: string[]; case_ids?: string[] }
interface EvidenceFile {
  sha256: string; stored: boolean; media_type?: string; width?: number; height?: number; bytes?: number;
  exif?: { captured_at?: string; make?: string; model?: string };
  slip?: { status: string; differences: { field: string }[]; slip?: { sending_bank: string; trans_ref: string } };
  payment_qr?: { proxy: { display: string }; flagged: boolean }[];
  reuse?: Reuse[];
}

// The case's evidence files: each slip's check against the ledger, the PromptPay QRs it pays, and
// the other reports and cases where the same picture was used; officers upload more.
function EvidenceSection({ caseId, canUpload }: { caseId: string; canUpload: boolean }) {
  const { t } = useI18n();
  const { data, error, reload } = useLoad(
    () => get<{ items: EvidenceFile[] }>(`/api/v1/cases/${encodeURIComponent(caseId)}/evidence`), [caseId]);
  const [file, setFile] = useState<File | null>(null);
  const [uploadError, setUploadError] = useState<unknown>(null);
  const upload = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setUploadError(null);
    try {
      await postFile(`/api/v1/evidence?case_id=${encodeURIComponent(caseId)}`, file);
      setFile(null);
      reload();
    } catch (err) {
      setUploadError(err);
    }
  };
  return (
    <Section title={t("evidence_files")}>
      <ErrorBox error={error} />
      {data && data.items.length === 0 && <p className="muted">{t("none")}</p>}
      {data && data.items.length > 0 && (
        <table className="grid" data-testid="case-evidence">
          <thead><tr><th>{t("file")}</th><th>{t("slip_check")}</th><th>{t("reused_in")}</th></tr></thead>
          <tbody>{data.items.map((f) => (
            <tr key={f.sha256} className={f.slip && ["mismatch", "not_found", "invalid_qr"].includes(f.slip.status) || f.payment_qr?.some((q) => q.flagged) || (f.reuse?.length ?? 0) > 0 ? "overdue" : ""}>
              <td>
                {f.stored ? <a href={`/api/v1/evidence/${f.sha256}/file`} target="_blank" rel="noreferrer">{f.sha256.slice(0, 12)}</a> : f.sha256.slice(0, 12)}
                {f.stored ? <span className="muted"> · {f.media_type} · {f.width}×{f.height}</span> : <span className="muted"> · {t("not_uploaded")}</span>}
                {f.exif?.captured_at && <div className="muted">{t("captured", { t: f.exif.captured_at, device: [f.exif.make, f.exif.model].filter(Boolean).join(" ") || "?" })}</div>}
              </td>
              <td data-testid="slip-status">
                {f.slip && <>{t(("slip_" + f.slip.status) as MessageKey)}{f.slip.slip && <span className="muted"> · {f.slip.slip.sending_bank}/{f.slip.slip.trans_ref}</span>}</>}
                {f.slip && f.slip.differences.length > 0 && <div>{t("differs", { fields: f.slip.differences.map((d) => d.field).join(", ") })}</div>}
                {f.payment_qr?.map((q, i) => <div key={i}>{t(q.flagged ? "pays_listed_mule" : "pays", { id: q.proxy.display })}</div>)}
              </td>
              <td data-testid="reuse">{f.reuse?.map((r) => (
                <div key={r.sha256}>{t(r.match === "identical" ? "reuse_identical" : "reuse_visual")}:{" "}
                  {(r.case_ids ?? []).map((cid) => <Link key={cid} href={`/cases/${cid}`} className="chip">{cid}</Link>)}
                  {(r.report_ids ?? []).map((rid) => <span key={rid} className="chip">{rid}</span>)}
                </div>
              ))}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
      {canUpload && (
        <form className="row" onSubmit={(e) => void upload(e)}>
          <label>{t("upload_evidence")}<input type="file" accept="image/png,image/jpeg,image/webp,application/pdf"
            aria-label={t("upload_evidence")} onChange={(e) => setFile(e.target.files?.[0] ?? null)} required /></label>
          <button type="submit">{t("upload")}</button>
        </form>
      )}
      <ErrorBox error={uploadError} />
    </Section>
  );
}

export function CasePage({ id }: { id: string }) {
  const { t, dateTime, baht } = useI18n();
  const { me } = useSession();
  const { data: c, error, reload } = useLoad(() => get<CaseDetail>(`/api/v1/cases/${encodeURIComponent(id)}`), [id]);
  const [note, setNote] = useState("");
  const [to, setTo] = useState("");
  const [moveNote, setMoveNote] = useState("");
  const [assignee, setAssignee] = useState("");
  const [actionError, setActionError] = useState<unknown>(null);
  const act = async (f: () => Promise<unknown>) => {
    setActionError(null);
    try {
      await f();
      reload();
    } catch (e) {
      setActionError(e);
    }
  };
  if (error) return <ErrorBox error={error} />;
  if (!c) return <Loading />;
  const officer = me && ["operator", "police", "admin"].includes(me.role);
  return (
    <div className="stack" data-testid="case-detail">
      <h1>{t("case")} {c.id} <StatusBadge status={c.status} /></h1>
      <div className="facts">
        <div><span>{t("scam_type")}</span>{t(("scam_" + c.scam_type) as MessageKey)}</div>
        <div><span>{t("opened_at")}</span>{dateTime(c.opened_at)}</div>
        <div><span>{t("total_loss")}</span>{baht(c.total_loss_satang)}</div>
        <div><span>{t("held")}</span>{baht(c.held_satang)}</div>
        <div><span>{t("assignee")}</span>{c.assignee ?? "—"}</div>
      </div>
      <p>
        <Link href={`/trail?case=${c.id}`}>{t("open_trail")}</Link>
        {officer && <> · <a href={`/api/v1/cases/${encodeURIComponent(c.id)}/evidence-pack?format=html`} target="_blank" rel="noreferrer">{t("evidence_pack")}</a></>}
      </p>
      <ErrorBox error={actionError} />
      {officer && (
        <Section title={t("workflow")}>
          <form className="row" onSubmit={(e: FormEvent) => { e.preventDefault(); void act(() => post(`/api/v1/cases/${c.id}/status`, moveNote ? { to, note: moveNote } : { to })); }}>
            <label>{t("move_to")}<select value={to} onChange={(e) => setTo(e.target.value)} aria-label="move to" required>
              <option value="">—</option>{STATUSES.map((s) => <option key={s} value={s}>{t(("status_" + s) as MessageKey)}</option>)}</select></label>
            <label>{t("note")}<input value={moveNote} onChange={(e) => setMoveNote(e.target.value)} /></label>
            <button type="submit">{t("move")}</button>
          </form>
          <form className="row" onSubmit={(e: FormEvent) => { e.preventDefault(); void act(() => put(`/api/v1/cases/${c.id}/assignee`, { assignee })); }}>
            <label>{t("assign_to")}<input value={assignee} onChange={(e) => setAssignee(e.target.value)} placeholder={me?.user ?? ""} /></label>
            <button type="submit">{t("assign")}</button>
          </form>
        </Section>
      )}
      <Section title={t("deadlines")}>
        <table className="grid" data-testid="deadlines">
          <tbody>{c.deadlines.map((d, i) => (
            <tr key={i} className={d.overdue ? "overdue" : ""}><td>{deadlineLabel(t, d.what)}</td><td>{dateTime(d.due_at)}</td><td><Countdown due={d.due_at} /></td></tr>
          ))}</tbody>
        </table>
      </Section>
      <Section title={t("orders")}>
        <table className="grid" data-testid="case-orders">
          <thead><tr><th>{t("order")}</th><th>{t("kind")}</th><th>{t("status")}</th><th>{t("addressee")}</th><th>{t("target")}</th><th className="num">{t("amount")}</th><th className="num">{t("held")}</th><th>{t("expires")}</th></tr></thead>
          <tbody>{c.orders.map((o) => (
            <tr key={o.id} className={o.escalated ? "overdue" : ""}>
              <td><Link href={`/orders?id=${o.id}`}>{o.id}</Link></td><td>{t(("order_" + o.kind) as MessageKey)}</td><td><StatusBadge status={o.status} /></td>
              <td>{o.addressee}</td><td>{o.target}</td><td className="num">{baht(o.amount_satang)}</td><td className="num">{baht(o.held_satang)}</td>
              <td><Countdown due={o.expires_at} done={["released", "expired", "rejected"].includes(o.status)} /></td>
            </tr>
          ))}</tbody>
        </table>
      </Section>
      <Section title={t("reports")}>
        {c.report_ids.map((r) => <ReportCard key={r} id={r} officer={!!officer} />)}
      </Section>
      {me && ["operator", "police", "analyst", "admin"].includes(me.role) && <EvidenceSection caseId={c.id} canUpload={!!officer || me.role === "analyst"} />}
      {officer && <IssueOrder caseId={c.id} onDone={reload} />}
      <Section title={t("notes")}>
        <ul className="notes">{c.notes.map((n, i) => <li key={i}><span className="muted">{dateTime(n.at)} · {n.by}</span> {n.text}</li>)}</ul>
        <form className="row" onSubmit={(e: FormEvent) => { e.preventDefault(); void act(async () => { await post(`/api/v1/cases/${c.id}/notes`, { text: note }); setNote(""); }); }}>
          <input aria-label={t("add_note")} value={note} onChange={(e) => setNote(e.target.value)} placeholder={t("add_note")} required />
          <button type="submit">{t("add")}</button>
        </form>
      </Section>
      <Section title={t("timeline")}>
        <ol className="timeline">{c.timeline.map((e, i) => <li key={i}><span className="muted">{dateTime(e.at)} · {e.by}</span> <strong>{eventLabel(t, e.event)}</strong> {e.note}</li>)}</ol>
      </Section>
      <Section title={t("linked_cases")}>
        {c.linked_cases.length === 0 ? <p className="muted">{t("none")}</p> : (
          <table className="grid"><thead><tr><th>{t("case")}</th><th>{t("shared_identifiers")}</th><th>{t("shared_trail_accounts")}</th></tr></thead>
            <tbody>{c.linked_cases.map((l) => (
              <tr key={l.case_id}><td><Link href={`/cases/${l.case_id}`}>{l.case_id}</Link></td><td>{l.shared_identifiers.join(", ")}</td><td>{l.shared_trail_accounts.join(", ")}</td></tr>
            ))}</tbody></table>
        )}
      </Section>
    </div>
  );
}
