// The workshop page: story picker, sliders, transport buttons, live charts, the twin network
// views and the "what did we just see" panel. It talks only to this server's /api.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const COLORS = { base: "#7a7f8a", policy: "#d1495b", bonding: "#285aaa", bridging: "#c82896" };
  const state = {
    id: null,
    stories: [],
    controls: [],
    series: [{}, {}],   // per twin: metric -> weekly values
    have: 0,            // weeks held locally
    status: null,
    polling: false,
    run: null,          // the server's restart count for this session
    lastNet: -1,
  };

  function say(text) { $("message").textContent = text || ""; }

  async function api(method, path, body) {
    const opts = { method, headers: {} };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const r = await fetch(path, opts);
    const text = await r.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (_) { data = { error: text }; }
    if (!r.ok) throw new Error((data && data.error) || `HTTP ${r.status}`);
    return data;
  }

  // Minimal Markdown for the story texts: "# title" and paragraphs.
  function renderStory(text) {
    const el = $("story-text");
    el.textContent = "";
    for (const block of text.trim().split(/\n\s*\n/)) {
      const line = block.replace(/\s*\n\s*/g, " ").trim();
      const node = line.startsWith("# ") ? document.createElement("h2") : document.createElement("p");
      node.textContent = line.replace(/^# /, "");
      el.append(node);
    }
  }

  function fmtValue(c, v) {
    if (c.id === "budget") return `${(v / 1e6).toFixed(2)} million`;
    if (c.step >= 1) return String(Math.round(v));
    return (Math.round(v * 100) / 100).toString();
  }

  function buildControls() {
    const box = $("controls");
    box.textContent = "";
    const groups = [["both", "What happens to everyone (both worlds)"], ["policy", "The policy (right-hand world only)"]];
    for (const [twin, title] of groups) {
      const h = document.createElement("h3");
      h.textContent = title;
      box.append(h);
      for (const c of state.controls.filter((c) => c.twin === twin)) {
        const wrap = document.createElement("div");
        wrap.className = "slider";
        const label = document.createElement("label");
        label.htmlFor = `ctl-${c.id}`;
        const name = document.createElement("span");
        name.textContent = c.label;
        const out = document.createElement("output");
        out.id = `out-${c.id}`;
        label.append(name, out);
        const input = document.createElement("input");
        input.type = "range";
        input.id = `ctl-${c.id}`;
        input.min = c.min; input.max = c.max; input.step = c.step;
        input.disabled = true;
        input.setAttribute("aria-describedby", `help-${c.id}`);
        const help = document.createElement("small");
        help.id = `help-${c.id}`;
        help.textContent = `${c.help} Sets ${c.keys.join(", ")}.`;
        const show = () => { out.textContent = `${fmtValue(c, Number(input.value))} ${c.unit}`; };
        input.addEventListener("input", show);
        input.addEventListener("change", async () => {
          show();
          try {
            await api("POST", `/api/sessions/${state.id}/settings`, { [c.id]: Number(input.value) });
            say(state.status && state.status.week > 0 ? `${c.label}: takes effect from next week.` : "");
          } catch (e) { say(e.message); }
        });
        wrap.append(label, input, help);
        box.append(wrap);
      }
    }
  }

  function showSettings(settings) {
    for (const c of state.controls) {
      const input = $(`ctl-${c.id}`);
      if (!input || document.activeElement === input) continue;
      input.value = settings[c.id];
      $(`out-${c.id}`).textContent = `${fmtValue(c, settings[c.id])} ${c.unit}`;
    }
  }

  function enable(on) {
    for (const b of ["play", "pause", "step", "reset"]) $(b).disabled = !on;
    for (const c of state.controls) { const i = $(`ctl-${c.id}`); if (i) i.disabled = !on; }
  }

  function series(k, m) { return state.series[k][m] || []; }

  function drawCharts() {
    const span = state.status ? state.status.weeks : 52;
    Charts.draw($("chart-hik"), {
      title: "Hikikomori: share of everyone", format: Charts.percent(1), span,
      lines: [
        { label: "without policy", color: COLORS.base, width: 7, values: series(0, "hikikomori_prevalence") },
        { label: "with policy", color: COLORS.policy, values: series(1, "hikikomori_prevalence") },
      ],
    });
    Charts.draw($("chart-lonely"), {
      title: "Lonely: share of everyone", format: Charts.percent(0), span,
      lines: [
        { label: "without policy", color: COLORS.base, width: 7, values: series(0, "lonely_share") },
        { label: "with policy", color: COLORS.policy, values: series(1, "lonely_share") },
      ],
    });
    Charts.draw($("chart-bridging"), {
      title: "Bridging ties per person", format: Charts.fixed(2), span,
      lines: [
        { label: "without policy", color: COLORS.base, width: 7, values: series(0, "bridging_ties_per_agent") },
        { label: "with policy", color: COLORS.policy, values: series(1, "bridging_ties_per_agent") },
      ],
    });
    Charts.draw($("chart-ties"), {
      title: "Bonding vs bridging ties per person", format: Charts.fixed(1), span,
      lines: [
        { label: "bonding", color: COLORS.bonding, dash: true, values: series(0, "bonding_ties_per_agent") },
        { label: "bridging", color: COLORS.bridging, dash: true, values: series(0, "bridging_ties_per_agent") },
        { label: "with policy", color: COLORS.bonding, values: series(1, "bonding_ties_per_agent") },
        { label: "with policy", color: COLORS.bridging, values: series(1, "bridging_ties_per_agent") },
      ],
    });
  }

  const last = (a) => (a.length ? a[a.length - 1] : NaN);
  const pct = (v, d = 1) => `${(v * 100).toFixed(d)}%`;
  const num = (v, d = 0) => (Number.isFinite(v) ? v.toLocaleString("en", { maximumFractionDigits: d, minimumFractionDigits: d }) : "—");

  function summarise(st) {
    const body = $("summary-body");
    body.textContent = "";
    const week = st.status.week;
    const n = st.n;
    const rows = [
      ["Hikikomori now (people)", (k) => num(last(series(k, "hikikomori_count")))],
      ["Hikikomori now (share)", (k) => pct(last(series(k, "hikikomori_prevalence")), 2)],
      ["Hikikomori at week 0", (k) => pct(series(k, "hikikomori_prevalence")[0], 2)],
      ["Lonely now", (k) => pct(last(series(k, "lonely_share")))],
      ["Bridging ties per person", (k) => num(last(series(k, "bridging_ties_per_agent")), 2)],
      ["Bonding ties per person", (k) => num(last(series(k, "bonding_ties_per_agent")), 2)],
      ["In one-to-one services now", (k) => num(last(series(k, "in_service")))],
      ["At events this week", (k) => num(last(series(k, "event_attendees")))],
      ["In a recovery group", (k) => num(last(series(k, "recovery_group_members")))],
      ["Youth bullied in person (past year)", (k) => pct(last(series(k, "victimisation_traditional")))],
      ["Money spent so far", (k) => num(last(series(k, "policy_spend_cumulative")))],
    ];
    const table = document.createElement("table");
    const head = table.insertRow();
    for (const t of ["", "without the policy", "with the policy"]) {
      const th = document.createElement("th"); th.textContent = t; head.append(th);
    }
    for (const [label, f] of rows) {
      const tr = table.insertRow();
      tr.insertCell().textContent = label;
      tr.insertCell().textContent = f(0);
      tr.insertCell().textContent = f(1);
    }
    const diff = last(series(0, "hikikomori_count")) - last(series(1, "hikikomori_count"));
    const p = document.createElement("p");
    p.className = "said";
    const years = (week / 52).toFixed(1);
    p.textContent = week === 0
      ? `Week 0 of ${st.status.weeks}: ${num(n)} people, the same in both worlds. Press play.`
      : `After ${week} weeks (${years} years) of ${num(n)} people: ` +
        (diff > 0 ? `${num(diff)} fewer people are hikikomori with the policy.`
          : diff < 0 ? `${num(-diff)} more people are hikikomori with the policy.`
            : "the same number are hikikomori in both worlds.") +
        " One run of one town: chance alone moves these numbers, so read differences of a few people with care.";
    body.append(p, table);
    const note = document.createElement("p");
    note.textContent = st.reproducible
      ? "These settings ran from week 0: the downloaded file gives exactly these numbers."
      : `Sliders moved during the run (${st.changes.length} change${st.changes.length > 1 ? "s" : ""}, the last: ${st.changes[st.changes.length - 1]}). The file holds the latest settings from week 0; press Reset to run them from the start.`;
    body.append(note);
  }

  async function poll() {
    if (!state.id || state.polling) return;
    state.polling = true;
    const id = state.id;
    try {
      const st = await api("GET", `/api/sessions/${id}/state?since=${state.have}`);
      if (id !== state.id) return;
      if (st.run !== state.run) {
        state.run = st.run;
        // The run restarted (reset, or a slider moved at week 0): start the charts again.
        state.series = [{}, {}]; state.have = 0; state.lastNet = -1;
        return;
      }
      st.series.forEach((s, k) => {
        for (const [m, vals] of Object.entries(s)) {
          const have = state.series[k][m] || (state.series[k][m] = []);
          have.length = Math.min(have.length, st.since);
          have.push(...vals);
        }
      });
      const got = (st.series[0].hikikomori_prevalence || []).length;
      const grew = got > 0;
      state.have = st.since + got;
      state.status = st.status;
      $("clock").textContent = `week ${st.status.week} · year ${(st.status.week / 52).toFixed(1)}${st.status.running ? "" : " · paused"}`;
      showSettings(st.settings);
      if (grew) { drawCharts(); summarise(st); }
      if (st.status.week !== state.lastNet) {
        state.lastNet = st.status.week;
        const nets = await Promise.all(["base", "policy"].map((w) => api("GET", `/api/sessions/${id}/network?world=${w}`)));
        if (id === state.id) nets.forEach((net, k) => Network.update(k, net));
      }
    } catch (e) {
      say(e.message);
    } finally {
      state.polling = false;
    }
  }

  async function pick(storyId) {
    const story = state.stories.find((s) => s.id === storyId);
    if (!story) return;
    enable(false);
    if (state.id) { api("DELETE", `/api/sessions/${state.id}`).catch(() => {}); }
    state.id = null;
    state.series = [{}, {}]; state.have = 0; state.lastNet = -1; state.run = null;
    Network.clear();
    renderStory(story.text);
    say(`Building a town of ${story.agents.toLocaleString("en")} people and letting it settle…`);
    try {
      const made = await api("POST", "/api/sessions", { story: storyId });
      state.id = made.id;
      $("dl-base").href = `/api/sessions/${made.id}/scenario.toml?world=base`;
      $("dl-policy").href = `/api/sessions/${made.id}/scenario.toml?world=policy`;
      await api("POST", `/api/sessions/${made.id}/control`, { action: "speed", speed: Number($("speed").value) });
      say("");
      enable(true);
      await poll();
    } catch (e) { say(e.message); }
  }

  async function control(action) {
    if (!state.id) return;
    try {
      const st = await api("POST", `/api/sessions/${state.id}/control`, { action, speed: Number($("speed").value) });
      state.status = st;
      poll();
    } catch (e) { say(e.message); }
  }

  async function showAgent(world, agent) {
    try {
      const a = await api("GET", `/api/sessions/${state.id}/agent/${agent}?world=${world}`);
      $("agent-title").textContent = `Person ${a.id}, ${world === "base" ? "without" : "with"} the policy`;
      const dl = $("agent-body");
      dl.textContent = "";
      const rows = [
        ["Age", `${a.age} (${a.sex})`],
        ["Attachment", a.attachment],
        ["Bullied", a.ever_bullied ? (a.weeks_since_bullied === null ? "yes, before these weeks" : `yes, ${a.weeks_since_bullied} weeks ago`) : "never"],
        ["Screen time", `${a.screen_hours.toFixed(1)} hours a day`],
        ["Days out", `${a.days_out.toFixed(1)} a week`],
        ["Loneliness", `${Math.round(a.loneliness * 100)} / 100`],
        ["Weeks at home", a.weeks_at_home > 0 ? `${a.weeks_at_home} in a row` : "none: goes out"],
        ["Now", Network.STATUS[a.status].label],
        ["Ties", `${a.ties_family} family, ${a.ties_bonding} bonding, ${a.ties_bridging} bridging, ${a.ties_online} online`],
        ["Services", a.in_services ? "in one-to-one services now" : "not in services"],
        ["Recovery group", a.in_recovery_group ? "a member" : "not a member"],
        ["Helped lately", a.helped_recently ? "yes (services or an event; the benefit fades)" : "no"],
        ["Substance use", a.substance],
        ["Ever hikikomori", a.ever_hikikomori ? "yes" : "no"],
      ];
      for (const [k, v] of rows) {
        const dt = document.createElement("dt"); dt.textContent = k;
        const dd = document.createElement("dd"); dd.textContent = v;
        dl.append(dt, dd);
      }
      $("agent").hidden = false;
    } catch (e) { say(e.message); }
  }

  async function start() {
    try {
      [state.stories, state.controls] = await Promise.all([api("GET", "/api/stories"), api("GET", "/api/controls")]);
    } catch (e) { say(`Cannot reach the cocoon server: ${e.message}`); return; }
    for (const s of state.stories) {
      const o = document.createElement("option");
      o.value = s.id;
      o.textContent = `${s.title} (${s.agents.toLocaleString("en")} people, ${(s.weeks / 52).toFixed(0)} years)`;
      $("story").append(o);
    }
    buildControls();
    Network.legend($("legend"));
    Network.attach($("net-base"), (agent) => showAgent("base", agent));
    Network.attach($("net-policy"), (agent) => showAgent("policy", agent));
    $("story").addEventListener("change", (e) => pick(e.target.value));
    for (const a of ["play", "pause", "step", "reset"]) $(a).addEventListener("click", () => control(a));
    $("speed").addEventListener("change", () => control("speed"));
    $("agent-close").addEventListener("click", () => { $("agent").hidden = true; });
    document.addEventListener("keydown", (e) => {
      if (e.code === "Space" && e.target === document.body && state.id) {
        e.preventDefault();
        control(state.status && state.status.running ? "pause" : "play");
      }
    });
    // Close the session when the tab goes, so its place is free at once (idle ones also expire).
    window.addEventListener("pagehide", () => {
      if (state.id) fetch(`/api/sessions/${state.id}`, { method: "DELETE", keepalive: true }).catch(() => {});
    });
    drawCharts();
    setInterval(poll, 250);
  }

  document.fonts.load('20px "DejaVu Sans"').catch(() => {}).finally(start);
})();
