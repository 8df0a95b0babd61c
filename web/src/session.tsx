// Who is logged in: /api/v1/me on load, log in and out through /api/v1/session.
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { api, get, type Me } from "./api";

interface SessionState {
  me: Me | null; // null while loading
  login: (name: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const refresh = () =>
    get<Me>("/api/v1/me")
      .then(setMe)
      .catch(() => setMe({ user: null, agency: "", role: "public", credential: null, centre_agency: "" }));
  useEffect(() => {
    void refresh();
  }, []);
  const value: SessionState = {
    me,
    login: async (name, password) => {
      await api("POST", "/api/v1/session", { name, password });
      await refresh();
    },
    logout: async () => {
      try {
        await api("DELETE", "/api/v1/session");
      } finally {
        await refresh();
      }
    },
  };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside SessionProvider");
  return s;
}

// The screens each role works in, in the order the menu shows them.
export type Screen =
  | "intake" | "cases" | "orders" | "entity" | "trail" | "networks" | "alerts" | "exchange" | "content"
  | "dashboard" | "transfers" | "admin";

const CENTRE: Screen[] = ["dashboard", "cases", "orders", "entity", "trail", "networks", "alerts", "content"];

export function screensFor(role: string): Screen[] {
  switch (role) {
    case "operator":
      return ["intake", ...CENTRE];
    case "police":
      return CENTRE;
    case "analyst":
      return [...CENTRE, "exchange"];
    case "admin":
      return ["intake", ...CENTRE, "exchange", "transfers", "admin"];
    case "bank":
      return ["orders", "alerts", "entity", "trail", "transfers", "dashboard", "content"];
    case "telco":
    case "platform":
      return ["orders", "entity", "content"];
    case "partner":
      return ["entity", "content"];
    default:
      return [];
  }
}
