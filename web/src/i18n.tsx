// Thai and English: every label of the console in both, the choice remembered in localStorage.
// Thai dates are shown in the Buddhist era (พ.ศ.), as Thai users read them; every time is shown in
// Bangkok time; money in baht with thousands separators (the API speaks satang).
import { createContext, useContext, useMemo, useState, type ReactNode } from "react";
import { en, th, type Messages } from "./messages";

export type Lang = "th" | "en";
export type MessageKey = keyof Messages;

const STORAGE_KEY = "cfr.lang";

function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === "th" || saved === "en") return saved;
  return navigator.language.toLowerCase().startsWith("th") ? "th" : "en";
}

export interface I18n {
  lang: Lang;
  setLang: (l: Lang) => void;
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
  dateTime: (iso: string | number | null | undefined) => string;
  date: (iso: string | number | null | undefined) => string;
  baht: (satang: number | null | undefined) => string;
  num: (n: number | null | undefined) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const value = useMemo<I18n>(() => makeI18n(lang, (l) => {
    localStorage.setItem(STORAGE_KEY, l);
    document.documentElement.lang = l;
    setLangState(l);
  }), [lang]);
  document.documentElement.lang = lang;
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function makeI18n(lang: Lang, setLang: (l: Lang) => void): I18n {
  const messages: Messages = lang === "th" ? th : en;
  const locale = lang === "th" ? "th-TH-u-ca-buddhist" : "en-GB";
  const dtf = new Intl.DateTimeFormat(locale, {
    timeZone: "Asia/Bangkok", year: "numeric", month: "short", day: "numeric",
    hour: "2-digit", minute: "2-digit",
  });
  const df = new Intl.DateTimeFormat(locale, { timeZone: "Asia/Bangkok", year: "numeric", month: "short", day: "numeric" });
  const money = new Intl.NumberFormat(lang === "th" ? "th-TH" : "en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const integer = new Intl.NumberFormat(lang === "th" ? "th-TH" : "en-GB");
  const toDate = (v: string | number) => (typeof v === "number" ? new Date(v) : new Date(v));
  return {
    lang,
    setLang,
    t: (key, vars) => {
      let s: string = messages[key] ?? en[key] ?? String(key);
      if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
      return s;
    },
    dateTime: (v) => (v === null || v === undefined || v === "" ? "—" : dtf.format(toDate(v))),
    date: (v) => (v === null || v === undefined || v === "" ? "—" : df.format(toDate(v))),
    baht: (s) => (s === null || s === undefined ? "—" : `฿${money.format(s / 100)}`),
    num: (n) => (n === null || n === undefined ? "—" : integer.format(n)),
  };
}

// The server's event codes (order history, case timeline) and deadline descriptions, in the
// console's language; anything unknown is shown as the server wrote it.
export function eventLabel(t: I18n["t"], event: string): string {
  for (const key of ["event_" + event, "status_" + event]) {
    const s = t(key as MessageKey);
    if (s !== key) return s;
  }
  return event;
}

export function deadlineLabel(t: I18n["t"], what: string): string {
  if (what === "triage") return t("deadline_triage");
  if (what.startsWith("acknowledge ")) return t("deadline_ack", { id: what.slice(12) });
  if (what.startsWith("expiry of ")) return t("deadline_expiry", { id: what.slice(10) });
  return what;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error("useI18n outside I18nProvider");
  return ctx;
}
