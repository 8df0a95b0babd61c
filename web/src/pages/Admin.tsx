// Administration: agencies, console users and API keys (a key's token is shown once).
import { useState, type FormEvent } from "react";
import { api, get, post, put } from "../api";
import { ErrorBox, Loading, Section, useLoad } from "../components/common";
import { useI18n, type MessageKey } from "../i18n";

const ROLES = ["operator", "bank", "telco", "platform", "police", "analyst", "partner", "admin"];

interface Agency { code: string; name: string; kind: string; created_at: string }
interface User { name: string; role: string; agency: string; created_at: string; disabled_at: string | null }
interface Key { id: string; name: string; role: string; agency: string; created_at: string; revoked_at: string | null }

export function AdminPage() {
  const { t, dateTime } = useI18n();
  const agencies = useLoad(() => get<{ items: Agency[] }>("/api/v1/admin/agencies"), []);
  const users = useLoad(() => get<{ items: User[] }>("/api/v1/admin/users"), []);
  const keys = useLoad(() => get<{ items: Key[] }>("/api/v1/admin/keys"), []);
  const [error, setError] = useState<unknown>(null);
  const [user, setUser] = useState({ name: "", role: "operator", agency: "", password: "" });
  const [key, setKey] = useState({ name: "", role: "bank", agency: "" });
  const [token, setToken] = useState<string | null>(null);
  const [agency, setAgency] = useState({ code: "", name: "", kind: "bank" });
  const run = async (f: () => Promise<unknown>, reload: () => void) => {
    setError(null);
    try {
      await f();
      reload();
    } catch (e) {
      setError(e);
    }
  };
  const agencyOptions = (agencies.data?.items ?? []).map((a) => <option key={a.code} value={a.code}>{a.code} · {a.name}</option>);
  return (
    <div className="stack">
      <h1>{t("nav_admin")}</h1>
      <ErrorBox error={error} />
      <Section title={t("agencies")}>
        <form className="row" onSubmit={(e: FormEvent) => { e.preventDefault(); void run(() => put(`/api/v1/admin/agencies/${encodeURIComponent(agency.code.trim())}`, { name: agency.name, kind: agency.kind }), agencies.reload); }}>
          <label>{t("code")}<input value={agency.code} onChange={(e) => setAgency({ ...agency, code: e.target.value.toUpperCase() })} required /></label>
          <label>{t("name")}<input value={agency.name} onChange={(e) => setAgency({ ...agency, name: e.target.value })} required /></label>
          <label>{t("kind")}<select value={agency.kind} onChange={(e) => setAgency({ ...agency, kind: e.target.value })}>
            {["centre", "bank", "telco", "platform", "police", "partner"].map((k) => <option key={k} value={k}>{k}</option>)}</select></label>
          <button type="submit">{t("save_agency")}</button>
        </form>
        {!agencies.data ? <Loading /> : (
          <table className="grid"><thead><tr><th>{t("code")}</th><th>{t("name")}</th><th>{t("kind")}</th><th>{t("created_at")}</th></tr></thead>
            <tbody>{agencies.data.items.map((a) => <tr key={a.code}><td>{a.code}</td><td>{a.name}</td><td>{a.kind}</td><td>{dateTime(a.created_at)}</td></tr>)}</tbody></table>
        )}
      </Section>
      <Section title={t("users")}>
        <form className="row" onSubmit={(e: FormEvent) => { e.preventDefault(); void run(async () => { await post("/api/v1/admin/users", user); setUser({ ...user, name: "", password: "" }); }, users.reload); }}>
          <label>{t("user_name")}<input value={user.name} onChange={(e) => setUser({ ...user, name: e.target.value })} required /></label>
          <label>{t("role")}<select value={user.role} onChange={(e) => setUser({ ...user, role: e.target.value })}>{ROLES.map((r) => <option key={r} value={r}>{t(("role_" + r) as MessageKey)}</option>)}</select></label>
          <label>{t("agency")}<select value={user.agency} onChange={(e) => setUser({ ...user, agency: e.target.value })}><option value="">—</option>{agencyOptions}</select></label>
          <label>{t("password")}<input type="password" autoComplete="new-password" value={user.password} onChange={(e) => setUser({ ...user, password: e.target.value })} required minLength={12} /></label>
          <button type="submit">{t("create_user")}</button>
        </form>
        {!users.data ? <Loading /> : (
          <table className="grid" data-testid="users"><thead><tr><th>{t("user_name")}</th><th>{t("role")}</th><th>{t("agency")}</th><th>{t("created_at")}</th><th /></tr></thead>
            <tbody>{users.data.items.map((u) => (
              <tr key={u.name} className={u.disabled_at ? "muted" : ""}><td>{u.name}</td><td>{t(("role_" + u.role) as MessageKey)}</td><td>{u.agency}</td><td>{dateTime(u.created_at)}</td>
                <td>{u.disabled_at ? t("disabled") : <button onClick={() => run(() => api("DELETE", `/api/v1/admin/users/${encodeURIComponent(u.name)}`), users.reload)}>{t("disable")}</button>}</td></tr>
            ))}</tbody></table>
        )}
      </Section>
      <Section title={t("api_keys")}>
        <form className="row" onSubmit={(e: FormEvent) => { e.preventDefault(); void run(async () => { const r = await post<{ token: string }>("/api/v1/admin/keys", key); setToken(r.token); }, keys.reload); }}>
          <label>{t("name")}<input value={key.name} onChange={(e) => setKey({ ...key, name: e.target.value })} required /></label>
          <label>{t("role")}<select value={key.role} onChange={(e) => setKey({ ...key, role: e.target.value })}>{ROLES.map((r) => <option key={r} value={r}>{t(("role_" + r) as MessageKey)}</option>)}</select></label>
          <label>{t("agency")}<select value={key.agency} onChange={(e) => setKey({ ...key, agency: e.target.value })}><option value="">—</option>{agencyOptions}</select></label>
          <button type="submit">{t("create_key")}</button>
        </form>
        {token && <p className="warn">{t("key_shown_once")} <code data-testid="new-token">{token}</code></p>}
        {!keys.data ? <Loading /> : (
          <table className="grid"><thead><tr><th>{t("id")}</th><th>{t("name")}</th><th>{t("role")}</th><th>{t("agency")}</th><th>{t("created_at")}</th><th /></tr></thead>
            <tbody>{keys.data.items.map((k) => (
              <tr key={k.id} className={k.revoked_at ? "muted" : ""}><td><code>{k.id}</code></td><td>{k.name}</td><td>{t(("role_" + k.role) as MessageKey)}</td><td>{k.agency}</td><td>{dateTime(k.created_at)}</td>
                <td>{k.revoked_at ? t("revoked") : <button onClick={() => run(() => api("DELETE", `/api/v1/admin/keys/${k.id}`), keys.reload)}>{t("revoke")}</button>}</td></tr>
            ))}</tbody></table>
        )}
      </Section>
    </div>
  );
}
