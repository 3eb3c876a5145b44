// The scenario's events while the batch runs: worker SIGKILLs, a dev-server restart, and outage windows set
// through the simulator's control API.
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function round(x) {
  return Math.round(x * 10) / 10;
}

/**
 * One fault window: the rule applies for at least `ms`; with `count`, until that many requests were hit (or
 * `maxMs` passed), because a fault that hits nothing proves nothing. Returns what it did.
 */
async function outageWindow(sim, w) {
  const rule = { kind: w.kind, rate: w.rate };
  if (w.retryAfterSeconds !== undefined) rule.retryAfterSeconds = w.retryAfterSeconds;
  if (w.count !== undefined) rule.count = w.count;
  const firedSoFar = async () => (await sim.counters()).faultsInjected[w.kind] ?? 0;
  const before = await firedSoFar();
  const t = performance.now();
  await sim.configure({ faults: [rule] });
  await sleep(w.ms);
  while (w.count !== undefined && (await firedSoFar()) - before < w.count && performance.now() - t < w.maxMs) {
    await sleep(250);
  }
  const fired = (await firedSoFar()) - before;
  const seconds = round((performance.now() - t) / 1000);
  return { kind: w.kind, rate: w.rate, ...(w.count !== undefined ? { count: w.count } : {}), seconds, fired };
}

/** Runs one event; `record(kind, detail, extra)` logs it into the report. */
export async function runEvent(event, { pool, server, sim, record, done }) {
  if (event.kind === 'kill-worker') {
    const pid = await pool.kill();
    record('kill-worker', `SIGKILL to worker pid ${pid} with ${done} rows done; a new worker is running`, {
      rowsDone: done,
    });
  } else if (event.kind === 'restart-server') {
    const t = performance.now();
    const { before, after } = await server.restart(event.downMs);
    const downSeconds = round((performance.now() - t) / 1000);
    record('restart-server', `dev server pid ${before} stopped, pid ${after} serving again (${downSeconds} s)`, {
      rowsDone: done,
      downSeconds,
    });
  } else if (event.kind === 'outage') {
    for (const w of event.windows) {
      const window = await outageWindow(sim, w);
      const what = `${w.kind} at rate ${w.rate}${w.count ? ` (the next ${w.count})` : ''}`;
      record('outage-window', `${what} for ${window.seconds} s: requests hit ${window.fired}`, {
        rowsDone: done,
        window,
      });
    }
    await sim.configure({ faults: [] });
    record('outage-over', 'the provider is healthy again', { rowsDone: done });
  }
}

function plannedCheck(name, planned, happened) {
  return { name, ok: happened === planned, detail: `${happened} of ${planned}` };
}

/** Every planned kill, restart and outage window happened mid-run, and every window hit real requests. */
export function plannedEventChecks(scenario, events) {
  const planned = (kind) => scenario.events.filter((e) => e.kind === kind).length;
  const happened = (kind) => events.filter((e) => e.kind === kind).length;
  const windows = events.filter((e) => e.kind === 'outage-window').map((e) => e.window);
  const plannedWindows = scenario.events.filter((e) => e.kind === 'outage').flatMap((e) => e.windows).length;
  const idle = windows.filter((w) => w.fired === 0).map((w) => w.kind);
  return [
    plannedCheck('every planned worker SIGKILL happened mid-run', planned('kill-worker'), happened('kill-worker')),
    plannedCheck(
      'every planned dev-server restart happened mid-run',
      planned('restart-server'),
      happened('restart-server'),
    ),
    plannedCheck('every planned outage window happened mid-run', plannedWindows, windows.length),
    { name: 'every outage window hit requests', ok: idle.length === 0, detail: idle.join(', ') },
  ];
}
