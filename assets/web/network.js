// The network view: a few hundred agents placed by a force layout (springs along ties, a
// gentle push between every pair, a pull to the centre), drawn on canvases. Both twins use one
// layout, built from the ties of both, so a person sits at the same spot in each world and the
// room can compare them. Ties fade in when the model makes them and fade out when it breaks them.
"use strict";

const Network = (() => {
  const STATUS = {
    active: { color: "#1b9e77", label: "active" },
    lonely: { color: "#e6ab02", label: "lonely" },
    isolated: { color: "#d95f02", label: "isolated (under 6 months)" },
    hikikomori: { color: "#222222", label: "hikikomori (6 months or more at home)" },
    in_recovery: { color: "#3b6fd8", label: "in recovery (services, group, or substance recovery)" },
  };
  const EDGE = {
    bonding: { color: "rgba(40, 90, 170, A)", label: "bonding tie (same group)" },
    bridging: { color: "rgba(200, 40, 150, A)", label: "bridging tie (across groups)" },
    family: { color: "rgba(120, 120, 120, A)", label: "family" },
    online: { color: "rgba(150, 150, 150, A)", label: "online only" },
  };

  let nodes = [];             // {x, y, vx, vy}
  const views = [];           // per canvas: {canvas, status: [], edges: Map(key -> edge)}
  let heat = 1;               // layout temperature: high after changes, cooling to rest

  function legend(el) {
    el.textContent = "";
    const add = (color, label, edge) => {
      const s = document.createElement("span");
      const i = document.createElement("i");
      if (edge) i.className = "edge";
      i.style.background = color;
      s.append(i, label);
      el.append(s);
    };
    for (const k of Object.keys(STATUS)) add(STATUS[k].color, STATUS[k].label, false);
    for (const k of ["bonding", "bridging"]) add(EDGE[k].color.replace("A", "1"), EDGE[k].label, true);
  }

  function attach(canvas, onPick) {
    const v = { canvas, status: [], edges: new Map(), ids: [] };
    views.push(v);
    canvas.addEventListener("click", (ev) => {
      const r = canvas.getBoundingClientRect();
      const px = ((ev.clientX - r.left) / r.width) * canvas.width;
      const py = ((ev.clientY - r.top) / r.height) * canvas.height;
      let best = -1, bestD = 18 * 18;
      nodes.forEach((n, k) => {
        const d = (n.x - px) ** 2 + (n.y - py) ** 2;
        if (d < bestD) { best = k; bestD = d; }
      });
      if (best >= 0 && v.ids[best] !== undefined) onPick(v.ids[best]);
    });
    return views.length - 1;
  }

  function clear() {
    nodes = [];
    for (const v of views) { v.status = []; v.edges = new Map(); v.ids = []; }
  }

  // Takes the server's snapshot of view `k`: {ids, status, edges: [{a, b, kind, w}]}.
  function update(k, snap) {
    const v = views[k];
    const W = v.canvas.width, H = v.canvas.height;
    if (nodes.length !== snap.ids.length) {
      // A circle to start from (deterministic, so a reload looks the same).
      nodes = snap.ids.map((_, i) => {
        const a = (i / snap.ids.length) * Math.PI * 2 * 7.3;
        const r = 0.1 + 0.35 * ((i * 0.618) % 1);
        return { x: W / 2 + Math.cos(a) * r * W, y: H / 2 + Math.sin(a) * r * H, vx: 0, vy: 0 };
      });
      heat = 1;
    }
    v.ids = snap.ids;
    v.status = snap.status;
    const seen = new Set();
    for (const e of snap.edges) {
      const key = `${e.a}-${e.b}`;
      seen.add(key);
      const old = v.edges.get(key);
      if (old) { old.kind = e.kind; old.w = e.w; old.target = 1; }
      else { v.edges.set(key, { a: e.a, b: e.b, kind: e.kind, w: e.w, alpha: 0, target: 1 }); heat = Math.max(heat, 0.3); }
    }
    for (const [key, e] of v.edges) if (!seen.has(key)) e.target = 0;
  }

  // One layout step over the union of both views' ties.
  function relax() {
    const n = nodes.length;
    if (n === 0 || heat < 0.02) return;
    const W = views[0].canvas.width, H = views[0].canvas.height;
    const k = Math.sqrt((W * H) / n) * 0.6;
    const fx = new Float64Array(n), fy = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        let dx = nodes[i].x - nodes[j].x, dy = nodes[i].y - nodes[j].y;
        let d2 = dx * dx + dy * dy + 0.01;
        if (d2 > 9 * k * k) continue;
        const f = (k * k) / d2;
        fx[i] += dx * f; fy[i] += dy * f; fx[j] -= dx * f; fy[j] -= dy * f;
      }
    }
    for (const v of views) {
      for (const e of v.edges.values()) {
        if (e.target === 0) continue;
        const a = nodes[e.a], b = nodes[e.b];
        if (!a || !b) continue;
        const dx = b.x - a.x, dy = b.y - a.y;
        const d = Math.sqrt(dx * dx + dy * dy) + 0.01;
        const f = ((d - k) / d) * 0.05 * (0.5 + e.w);
        fx[e.a] += dx * f; fy[e.a] += dy * f; fx[e.b] -= dx * f; fy[e.b] -= dy * f;
      }
    }
    const step = 4 * heat;
    for (let i = 0; i < n; i++) {
      const p = nodes[i];
      fx[i] += (W / 2 - p.x) * 0.012; fy[i] += (H / 2 - p.y) * 0.012;
      const m = Math.sqrt(fx[i] * fx[i] + fy[i] * fy[i]) + 1e-9;
      const s = Math.min(m, step * 10) / m;
      p.x = Math.min(W - 12, Math.max(12, p.x + fx[i] * s * 0.1));
      p.y = Math.min(H - 12, Math.max(12, p.y + fy[i] * s * 0.1));
    }
    heat *= 0.995;
  }

  function drawView(v) {
    const ctx = v.canvas.getContext("2d");
    const W = v.canvas.width, H = v.canvas.height;
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, W, H);
    for (const [key, e] of v.edges) {
      e.alpha += (e.target - e.alpha) * 0.08;
      if (e.target === 0 && e.alpha < 0.02) { v.edges.delete(key); continue; }
      const a = nodes[e.a], b = nodes[e.b];
      if (!a || !b) continue;
      const style = EDGE[e.kind] || EDGE.online;
      const strong = e.kind === "bonding" || e.kind === "bridging";
      ctx.strokeStyle = style.color.replace("A", (e.alpha * (strong ? 0.55 : 0.2)).toFixed(3));
      ctx.lineWidth = strong ? 0.8 + 1.5 * e.w : 0.8;
      ctx.setLineDash(e.kind === "online" ? [3, 4] : []);
      ctx.beginPath(); ctx.moveTo(a.x, a.y); ctx.lineTo(b.x, b.y); ctx.stroke();
    }
    ctx.setLineDash([]);
    nodes.forEach((p, i) => {
      const s = STATUS[v.status[i]] || STATUS.active;
      ctx.fillStyle = s.color;
      ctx.beginPath();
      ctx.arc(p.x, p.y, v.status[i] === "hikikomori" ? 7 : 6, 0, Math.PI * 2);
      ctx.fill();
      ctx.strokeStyle = "#ffffff";
      ctx.lineWidth = 1.5;
      ctx.stroke();
    });
  }

  function frame() {
    relax();
    for (const v of views) drawView(v);
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);

  return { attach, update, clear, legend, STATUS };
})();
