// A chart drawn with ECharts (loaded on first use). `option` is an ECharts option object.
import { useEffect, useRef } from "react";

export function Chart({ option, height = 280, testId }: { option: Record<string, unknown>; height?: number; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let chart: { setOption: (o: unknown) => void; dispose: () => void; resize: () => void } | null = null;
    let dead = false;
    const onResize = () => chart?.resize();
    void import("echarts").then((echarts) => {
      if (dead || !box.current) return;
      chart = echarts.init(box.current, undefined, { renderer: "canvas" });
      chart.setOption({ animation: false, ...option });
      box.current.dataset.rendered = "true";
      window.addEventListener("resize", onResize);
    });
    return () => {
      dead = true;
      window.removeEventListener("resize", onResize);
      chart?.dispose();
    };
  }, [option]);
  return <div className="chart" ref={box} style={{ height }} data-testid={testId} />;
}
