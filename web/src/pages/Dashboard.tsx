// The centre's dashboard (C11): everything computed by the server (GET /api/v1/stats/overview)
// for the chosen time range, scam type, bank and province; each table exports as CSV.
import { useMemo, useState } from "react";
import { get, withQuery } from "../api";
import { ErrorBox, Loading, Section, useLoad } from "../components/common";
import { Chart } from "../components/Chart";
import { useI18n, type MessageKey } from "../i18n";
import { Link } from "../router";

interface Overview {
  reports: number; duplicates: number; loss_satang: number; held_satang: number; recovery_ratio: number;
  returned_satang: number; returned_ratio: number;
  daily: { day: string; reports: number; loss_satang: number; held_satang: number }[];
  scam_types: { scam_type: string; reports: number; loss_satang: number }[];
  provinces: { province: string; reports: number; loss_satang: number }[];
  mule_banks: { bank: string; accounts: number; transfers: number; amount_satang: number }[];
  report_to_hold: { count: number; p50_ms: number; p90_ms: number; p99_ms: number; buckets: { le_ms: number | null; count: number }[] };
  report_to_ack: { count: number; p50_ms: number; p90_ms: number; p99_ms: number };
  orders: { issued: number; open: number; executed: number; overdue: number };
  overdue_orders: { id: string; kind: string; addressee: string; due_at: string; case_id: string }[];
  networks: { id: string; size: number; victims: number; loss_satang: number }[];
  computed_ms: number;
}

const RANGES = [7, 30, 90, 365, 0];

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3600000) return `${(ms / 60000).toFixed(1)} min`;
  return `${(ms / 3600000).toFixed(1)} h`;
}

export function DashboardPage() {
  const { t, baht, num, date, lang } = useI18n();
  const [days, setDays] = useState(30);
  const [scamType, setScamType] = useState("");
  const [bank, setBank] = useState("");
  const [province, setProvince] = useState("");
  const filters = useMemo(() => ({
    since: days ? new Date(Date.now() - days * 86400000).toISOString() : undefined,
    scam_type: scamType, bank, province,
  }), [days, scamType, bank, province]);
  const { data, error } = useLoad(() => get<Overview>(withQuery("/api/v1/stats/overview", filters)), [filters]);
  const types = useLoad(() => get<{ items: { code: string; name_en: string; name_th: string }[] }>("/api/v1/scam-types"), []);
  const typeName = (code: string) => {
    const x = types.data?.items.find((s) => s.code === code);
    return x ? (lang === "th" ? x.name_th : x.name_en) : code;
  };
  const csv = (series: string) => withQuery(`/api/v1/stats/${series}`, { ...filters, format: "csv" });

  const dailyOption = useMemo(() => data && ({
    tooltip: { trigger: "axis" },
    legend: { data: [t("reports"), t("total_loss")] },
    xAxis: { type: "category", data: data.daily.map((d) => date(d.day + "T12:00:00+07:00")) },
    yAxis: [{ type: "value", name: t("reports") }, { type: "value", name: "฿", axisLabel: { formatter: (v: number) => num(v) } }],
    series: [
      { name: t("reports"), type: "bar", data: data.daily.map((d) => d.reports) },
      { name: t("total_loss"), type: "line", yAxisIndex: 1, data: data.daily.map((d) => d.loss_satang / 100) },
    ],
  }), [data, t, date, num]);
  const typesOption = useMemo(() => data && ({
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "70%"], data: data.scam_types.map((s) => ({ name: typeName(s.scam_type), value: s.reports })) }],
  }), [data, types.data, lang]); // eslint-disable-line react-hooks/exhaustive-deps
  const holdOption = useMemo(() => data && ({
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.report_to_hold.buckets.map((b) => (b.le_ms === null ? "> 1 d" : "≤ " + duration(b.le_ms))) },
    yAxis: { type: "value" },
    series: [{ type: "bar", data: data.report_to_hold.buckets.map((b) => b.count) }],
  }), [data]);
  const banksOption = useMemo(() => data && ({
    tooltip: { trigger: "axis" },
    grid: { left: 70 },
    xAxis: { type: "value", axisLabel: { formatter: (v: number) => num(v) } },
    yAxis: { type: "category", data: data.mule_banks.slice(0, 12).map((b) => b.bank).reverse() },
    series: [{ type: "bar", data: data.mule_banks.slice(0, 12).map((b) => b.amount_satang / 100).reverse() }],
  }), [data, num]);

  return (
    <div className="stack">
      <h1>{t("nav_dashboard")}</h1>
      <div className="filters">
        <label>{t("period")}<select aria-label="period" value={days} onChange={(e) => setDays(Number(e.target.value))}>
          {RANGES.map((d) => <option key={d} value={d}>{d ? t("last_days", { n: d }) : t("all_time")}</option>)}</select></label>
        <label>{t("scam_type")}<select aria-label="scam type" value={scamType} onChange={(e) => setScamType(e.target.value)}>
          <option value="">{t("all")}</option>{(types.data?.items ?? []).map((s) => <option key={s.code} value={s.code}>{lang === "th" ? s.name_th : s.name_en}</option>)}</select></label>
        <label>{t("bank")}<input aria-label="bank" value={bank} onChange={(e) => setBank(e.target.value.toUpperCase())} placeholder="KBANK" /></label>
        <label>{t("province")}<input aria-label="province" value={province} onChange={(e) => setProvince(e.target.value)} /></label>
      </div>
      <ErrorBox error={error} />
      {!data ? <Loading /> : (
        <>
          <div className="kpis" data-testid="kpis">
            <div><span>{t("reports")}</span><strong>{num(data.reports)}</strong></div>
            <div><span>{t("total_loss")}</span><strong>{baht(data.loss_satang)}</strong></div>
            <div><span>{t("held")}</span><strong>{baht(data.held_satang)}</strong></div>
            <div><span>{t("recovery_ratio")}</span><strong>{(data.recovery_ratio * 100).toFixed(1)}%</strong></div>
            <div><span>{t("returned")}</span><strong>{baht(data.returned_satang)}</strong> <small>{(data.returned_ratio * 100).toFixed(1)}%</small></div>
            <div><span>{t("report_to_hold_p99")}</span><strong>{duration(data.report_to_hold.p99_ms)}</strong></div>
            <div><span>{t("report_to_ack_p50")}</span><strong>{data.report_to_ack.count ? duration(data.report_to_ack.p50_ms) : "—"}</strong></div>
            <div className={data.orders.overdue ? "alarm" : ""}><span>{t("orders_overdue")}</span><strong>{num(data.orders.overdue)}</strong></div>
          </div>
          <div className="two">
            <Section title={t("reports_per_day")} actions={<a href={csv("daily")}>CSV</a>}>{dailyOption && <Chart option={dailyOption} testId="chart-daily" />}</Section>
            <Section title={t("scam_types")} actions={<a href={csv("scam_types")}>CSV</a>}>{typesOption && <Chart option={typesOption} testId="chart-types" />}</Section>
          </div>
          <div className="two">
            <Section title={t("report_to_hold")} actions={<a href={csv("report_to_hold")}>CSV</a>}>
              {holdOption && <Chart option={holdOption} testId="chart-hold" />}
              <p className="muted">p50 {duration(data.report_to_hold.p50_ms)} · p90 {duration(data.report_to_hold.p90_ms)} · p99 {duration(data.report_to_hold.p99_ms)} · n={num(data.report_to_hold.count)}</p>
            </Section>
            <Section title={t("mule_banks")} actions={<a href={csv("mule_banks")}>CSV</a>}>{banksOption && <Chart option={banksOption} testId="chart-banks" />}</Section>
          </div>
          <div className="two">
            <Section title={t("provinces")} actions={<a href={csv("provinces")}>CSV</a>}>
              <table className="grid"><thead><tr><th>{t("province")}</th><th className="num">{t("reports")}</th><th className="num">{t("total_loss")}</th></tr></thead>
                <tbody>{data.provinces.slice(0, 10).map((p) => <tr key={p.province}><td>{p.province || "—"}</td><td className="num">{num(p.reports)}</td><td className="num">{baht(p.loss_satang)}</td></tr>)}</tbody></table>
            </Section>
            <Section title={t("top_networks")} actions={<a href={csv("networks")}>CSV</a>}>
              <table className="grid"><thead><tr><th>{t("network")}</th><th className="num">{t("size")}</th><th className="num">{t("victims")}</th><th className="num">{t("total_loss")}</th></tr></thead>
                <tbody>{data.networks.map((n) => <tr key={n.id}><td><Link href={`/networks/${n.id}`}>{n.id}</Link></td><td className="num">{num(n.size)}</td><td className="num">{num(n.victims)}</td><td className="num">{baht(n.loss_satang)}</td></tr>)}</tbody></table>
            </Section>
          </div>
          <Section title={t("orders_overdue")} actions={<a href={csv("overdue_orders")}>CSV</a>}>
            {data.overdue_orders.length === 0 ? <p className="muted">{t("none")}</p> : (
              <table className="grid"><thead><tr><th>{t("order")}</th><th>{t("kind")}</th><th>{t("addressee")}</th><th>{t("due")}</th><th>{t("case")}</th></tr></thead>
                <tbody>{data.overdue_orders.map((o) => <tr key={o.id}><td><Link href={`/orders?id=${o.id}`}>{o.id}</Link></td><td>{t(("order_" + o.kind) as MessageKey)}</td><td>{o.addressee}</td><td>{date(o.due_at)}</td><td><Link href={`/cases/${o.case_id}`}>{o.case_id}</Link></td></tr>)}</tbody></table>
            )}
          </Section>
          <p className="muted">{t("computed_in", { ms: data.computed_ms.toFixed(1) })}</p>
        </>
      )}
    </div>
  );
}
