// The console's frame: the menu for the caller's role, the language switch, and the screen the
// address names. The public check and the log-in page need no session.
import { useEffect, type ReactNode } from "react";
import { useI18n, type MessageKey } from "./i18n";
import { Link, match, navigate, useLocation } from "./router";
import { screensFor, useSession, type Screen } from "./session";
import { ErrorBoundary, Loading } from "./components/common";
import { LoginPage } from "./pages/Login";
import { PublicCheckPage } from "./pages/PublicCheck";
import { IntakePage } from "./pages/Intake";
import { CaseListPage, CasePage } from "./pages/Cases";
import { OrdersPage } from "./pages/Orders";
import { EntityPage, EntitySearchPage } from "./pages/Entity";
import { TrailPage } from "./pages/Trail";
import { NetworkPage, NetworksPage } from "./pages/Networks";
import { AlertsPage } from "./pages/Alerts";
import { ContentPage } from "./pages/Content";
import { ExchangePage } from "./pages/Exchange";
import { DashboardPage } from "./pages/Dashboard";
import { AdminPage } from "./pages/Admin";
import { TransfersPage } from "./pages/Transfers";

const SCREEN_PATH: Record<Screen, string> = {
  intake: "/intake", cases: "/cases", orders: "/orders", entity: "/entities", trail: "/trail",
  networks: "/networks", alerts: "/alerts", exchange: "/exchange", content: "/content",
  dashboard: "/dashboard", transfers: "/transfers", admin: "/admin",
};

function LangSwitch() {
  const { lang, setLang } = useI18n();
  return (
    <div className="lang" role="group" aria-label="language">
      <button className={lang === "th" ? "on" : ""} onClick={() => setLang("th")} data-testid="lang-th">ไทย</button>
      <button className={lang === "en" ? "on" : ""} onClick={() => setLang("en")} data-testid="lang-en">EN</button>
    </div>
  );
}

function Frame({ children, screens }: { children: ReactNode; screens: Screen[] }) {
  const { t } = useI18n();
  const { me, logout } = useSession();
  const { path } = useLocation();
  return (
    <div className="app">
      <header className="top">
        <Link href="/" className="brand">OpenCFR</Link>
        <nav>
          {screens.map((s) => (
            <Link key={s} href={SCREEN_PATH[s]} className={path.startsWith(SCREEN_PATH[s]) ? "on" : ""}>
              {t(("nav_" + s) as MessageKey)}
            </Link>
          ))}
          <Link href="/check" className={path === "/check" ? "on" : ""}>{t("nav_check")}</Link>
        </nav>
        <div className="who">
          <LangSwitch />
          {me && me.role !== "public" ? (
            <>
              <span className="user" data-testid="user">
                {me.user} · {t(("role_" + me.role) as MessageKey)} · {me.agency}
              </span>
              <button onClick={() => logout().then(() => navigate("/login"))}>{t("logout")}</button>
            </>
          ) : (
            <Link href="/login">{t("login")}</Link>
          )}
        </div>
      </header>
      <main><ErrorBoundary resetKey={path}>{children}</ErrorBoundary></main>
    </div>
  );
}

function Forbidden() {
  const { t } = useI18n();
  return <div className="card">{t("not_allowed")}</div>;
}

export function App() {
  const { me } = useSession();
  const { path } = useLocation();
  const screens = me ? screensFor(me.role) : [];
  const loggedIn = me !== null && me.role !== "public";
  const open = path === "/check" || path === "/login";

  useEffect(() => {
    if (me === null) return;
    if (!loggedIn && !open) navigate("/login", true);
    else if (loggedIn && (path === "/" || path === "/login")) {
      navigate(screens.length ? SCREEN_PATH[screens[0]] : "/check", true);
    }
  }, [me, path]); // eslint-disable-line react-hooks/exhaustive-deps

  if (me === null) return <Loading />;
  if (path === "/check") return <Frame screens={screens}><PublicCheckPage /></Frame>;
  if (!loggedIn) return <Frame screens={[]}><LoginPage /></Frame>;

  const can = (s: Screen) => screens.includes(s);
  let page: ReactNode = <Forbidden />;
  let m: Record<string, string> | null;
  if (path === "/intake" && can("intake")) page = <IntakePage />;
  else if (path === "/cases" && can("cases")) page = <CaseListPage />;
  else if ((m = match("/cases/:id", path)) && can("cases")) page = <CasePage id={m.id} />;
  else if (path === "/orders" && can("orders")) page = <OrdersPage />;
  else if (path === "/entities" && can("entity")) page = <EntitySearchPage />;
  else if ((m = match("/entities/:kind/:canonical", path)) && can("entity"))
    page = <EntityPage kind={m.kind} canonical={m.canonical} />;
  else if (path === "/trail" && can("trail")) page = <TrailPage />;
  else if (path === "/networks" && can("networks")) page = <NetworksPage />;
  else if ((m = match("/networks/:id", path)) && can("networks")) page = <NetworkPage id={m.id} />;
  else if (path === "/alerts" && can("alerts")) page = <AlertsPage />;
  else if (path === "/exchange" && can("exchange")) page = <ExchangePage />;
  else if (path === "/content" && can("content")) page = <ContentPage />;
  else if (path === "/dashboard" && can("dashboard")) page = <DashboardPage />;
  else if (path === "/admin" && can("admin")) page = <AdminPage />;
  else if (path === "/transfers" && can("transfers")) page = <TransfersPage />;
  else if (path === "/" || path === "/login") page = <Loading />;
  return <Frame screens={screens}>{page}</Frame>;
}
