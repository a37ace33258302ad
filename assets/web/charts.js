// Line charts on a canvas, hand-written so the page needs no library and no network.
// A chart has a title, a y unit and lines; x is in years (a point per week, week 0 = year 0).
"use strict";

const Charts = (() => {
  const FONT = '"DejaVu Sans", sans-serif';

  // Round numbers for axis ticks: about `count` steps of 1, 2 or 5 times a power of ten.
  function niceStep(span, count) {
    const raw = span / Math.max(1, count);
    const mag = Math.pow(10, Math.floor(Math.log10(raw || 1)));
    const norm = raw / mag;
    return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  }

  // Draws `spec` on `canvas`:
  // { title, format(v) -> text, span (weeks the x axis covers at least),
  //   lines: [{label, color, dash, width, values: [..weekly..]}] } (later lines on top)
  function draw(canvas, spec) {
    const ctx = canvas.getContext("2d");
    const W = canvas.width, H = canvas.height;
    ctx.clearRect(0, 0, W, H);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, W, H);
    const pad = { left: 92, right: 18, top: 52, bottom: 84 };
    const pw = W - pad.left - pad.right, ph = H - pad.top - pad.bottom;

    ctx.fillStyle = "#1d2430";
    ctx.font = `bold 24px ${FONT}`;
    ctx.textBaseline = "top";
    ctx.textAlign = "left";
    ctx.fillText(spec.title, 14, 12);

    const weeks = Math.max(spec.span || 1, ...spec.lines.map((l) => l.values.length - 1));
    let lo = Infinity, hi = -Infinity;
    for (const l of spec.lines) for (const v of l.values) {
      if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
    if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
    lo = Math.min(lo, 0);
    if (hi - lo < 1e-9) hi = lo + (Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1);
    hi += (hi - lo) * 0.08;
    const x = (w) => pad.left + (w / weeks) * pw;
    const y = (v) => pad.top + ph - ((v - lo) / (hi - lo)) * ph;

    // Axes and grid.
    ctx.strokeStyle = "#e3e0da";
    ctx.lineWidth = 1;
    ctx.font = `18px ${FONT}`;
    ctx.fillStyle = "#5a6475";
    const ys = niceStep(hi - lo, 4);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (let v = Math.ceil(lo / ys) * ys; v <= hi + 1e-12; v += ys) {
      ctx.beginPath(); ctx.moveTo(pad.left, y(v)); ctx.lineTo(pad.left + pw, y(v)); ctx.stroke();
      ctx.fillText(spec.format(v), pad.left - 8, y(v));
    }
    const years = weeks / 52;
    const xs = niceStep(years, 5);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (let t = 0; t <= years + 1e-9; t += xs) {
      const px = x(t * 52);
      ctx.beginPath(); ctx.moveTo(px, pad.top); ctx.lineTo(px, pad.top + ph); ctx.stroke();
      ctx.fillText(xs < 1 ? t.toFixed(1) : String(Math.round(t)), px, pad.top + ph + 6);
    }
    ctx.fillText("years", pad.left + pw / 2, pad.top + ph + 28);
    ctx.strokeStyle = "#1d2430";
    ctx.beginPath();
    ctx.moveTo(pad.left, pad.top); ctx.lineTo(pad.left, pad.top + ph); ctx.lineTo(pad.left + pw, pad.top + ph);
    ctx.stroke();

    // Lines.
    for (const l of spec.lines) {
      if (l.values.length === 0) continue;
      ctx.strokeStyle = l.color;
      ctx.lineWidth = l.width || 3.5;
      ctx.setLineDash(l.dash ? [10, 7] : []);
      ctx.beginPath();
      l.values.forEach((v, w) => (w === 0 ? ctx.moveTo(x(w), y(v)) : ctx.lineTo(x(w), y(v))));
      ctx.stroke();
    }
    ctx.setLineDash([]);

    // Legend along the bottom.
    ctx.font = `17px ${FONT}`;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    let lx = pad.left;
    const ly = H - 18;
    for (const l of spec.lines) {
      ctx.strokeStyle = l.color;
      ctx.lineWidth = 3.5;
      ctx.setLineDash(l.dash ? [8, 5] : []);
      ctx.beginPath(); ctx.moveTo(lx, ly); ctx.lineTo(lx + 30, ly); ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = "#1d2430";
      ctx.fillText(l.label, lx + 36, ly);
      lx += 46 + ctx.measureText(l.label).width;
    }
  }

  const percent = (digits) => (v) => `${(v * 100).toFixed(digits)}%`;
  const fixed = (digits) => (v) => v.toFixed(digits);

  return { draw, percent, fixed };
})();
