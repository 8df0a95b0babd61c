import { useState, type FormEvent } from "react";
import { ErrorBox } from "../components/common";
import { useI18n } from "../i18n";
import { Link } from "../router";
import { useSession } from "../session";

export function LoginPage() {
  const { t } = useI18n();
  const { login } = useSession();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(name.trim(), password);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="narrow">
      <form className="card" onSubmit={submit} aria-label={t("login")}>
        <h1>{t("login_title")}</h1>
        <label>
          {t("user_name")}
          <input name="name" autoComplete="username" value={name} onChange={(e) => setName(e.target.value)} autoFocus required />
        </label>
        <label>
          {t("password")}
          <input name="password" type="password" autoComplete="current-password" value={password}
            onChange={(e) => setPassword(e.target.value)} required />
        </label>
        <ErrorBox error={error} />
        <button type="submit" className="primary" disabled={busy}>{t("login")}</button>
        <p className="muted">{t("login_public_hint")} <Link href="/check">{t("nav_check")}</Link></p>
      </form>
    </div>
  );
}
