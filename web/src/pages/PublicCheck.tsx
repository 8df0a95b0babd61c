// The public check: one box, a verdict, nothing more (no login; rate-limited by the server).
import { useState, type FormEvent } from "react";
import { get, withQuery } from "../api";
import { ErrorBox } from "../components/common";
import { useI18n, type MessageKey } from "../i18n";

export function PublicCheckPage() {
  const { t } = useI18n();
  const [value, setValue] = useState("");
  const [verdict, setVerdict] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setVerdict(null);
    try {
      const r = await get<{ verdict: string }>(withQuery("/api/v1/public/check", { value: value.trim() }));
      setVerdict(r.verdict);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div className="narrow">
      <form className="card check" onSubmit={submit}>
        <h1>{t("check_title")}</h1>
        <p className="muted">{t("check_hint")}</p>
        <input name="value" aria-label={t("check_title")} placeholder={t("check_placeholder")} value={value}
          onChange={(e) => setValue(e.target.value)} autoFocus required />
        <button type="submit" className="primary">{t("check_button")}</button>
        <ErrorBox error={error} />
        {verdict && (
          <div className={`verdict verdict-${verdict}`} data-testid="verdict" role="status">
            <strong>{t(("verdict_" + verdict) as MessageKey)}</strong>
            <p>{t(("verdict_" + verdict + "_advice") as MessageKey)}</p>
          </div>
        )}
      </form>
    </div>
  );
}
