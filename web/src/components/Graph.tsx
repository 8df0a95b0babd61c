// A graph drawn with cytoscape.js (loaded on first use, so the first page stays light).
import { useEffect, useRef } from "react";
import type { Core, ElementDefinition } from "cytoscape";

export interface GraphNode { id: string; label: string; kind: string; tier?: string; weight?: number }
export interface GraphEdge { id: string; source: string; target: string; label?: string; hidden?: boolean }

const STYLE = [
  { selector: "node", style: { label: "data(label)", "font-size": 9, "text-wrap": "wrap", "text-max-width": "120px", "background-color": "#6b7a90", width: 18, height: 18, color: "#1d2733" } },
  { selector: "node[kind = 'report']", style: { shape: "round-rectangle", "background-color": "#2f6fb3" } },
  { selector: "node[kind = 'seed']", style: { shape: "diamond", "background-color": "#2f6fb3", width: 24, height: 24 } },
  { selector: "node[kind = 'exit']", style: { shape: "triangle", "background-color": "#8a4fbf" } },
  { selector: "node[kind = 'holding']", style: { "background-color": "#d08a00", width: 26, height: 26 } },
  { selector: "node[tier = 'black']", style: { "background-color": "#111", color: "#111" } },
  { selector: "node[tier = 'dark_grey']", style: { "background-color": "#c0392b" } },
  { selector: "node[tier = 'light_grey']", style: { "background-color": "#e67e22" } },
  { selector: "edge", style: { width: 1.5, "curve-style": "bezier", "target-arrow-shape": "triangle", "line-color": "#9aa7b8", "target-arrow-color": "#9aa7b8", label: "data(label)", "font-size": 8, "text-rotation": "autorotate", color: "#4a5868" } },
  { selector: ".faded", style: { opacity: 0.12 } },
];

// `root`: lay the graph out in levels from this node (a money trail flows from the victim).
export function Graph({ nodes, edges, onSelect, height = 480, root }: {
  nodes: GraphNode[]; edges: GraphEdge[]; onSelect?: (id: string) => void; height?: number; root?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  useEffect(() => {
    let dead = false;
    void import("cytoscape").then(({ default: cytoscape }) => {
      if (dead || !box.current) return;
      const elements: ElementDefinition[] = [
        ...nodes.map((n) => ({ data: { ...n } })),
        ...edges.map((e) => ({ data: { id: e.id, source: e.source, target: e.target, label: e.label ?? "" }, classes: e.hidden ? "faded" : "" })),
      ];
      cy.current?.destroy();
      cy.current = cytoscape({
        container: box.current, elements, style: STYLE as never,
        layout: (root
          ? { name: "breadthfirst", roots: [root], directed: true, spacingFactor: 1.1, animate: false }
          : { name: nodes.length > 150 ? "grid" : "cose", animate: false }) as never,
        wheelSensitivity: 0.3, maxZoom: 2.5, minZoom: 0.05,
      });
      cy.current.fit(undefined, 30);
      cy.current.on("tap", "node", (ev) => onSelect?.(ev.target.id()));
    });
    return () => {
      dead = true;
    };
  }, [nodes, edges]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => () => cy.current?.destroy(), []);
  return <div className="graph" ref={box} style={{ height }} data-testid="graph" />;
}
