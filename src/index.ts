/**
 * In-process use: `const sim = await startOrgsim({ port: 0 })` gives a private orgsim for a test
 * suite, with typed control methods and close().
 */
import { resolveSettings, type Settings } from "./config.js";
import { App } from "./app.js";
import { startServer, type RunningServer } from "./server.js";
import { stsService } from "./services/sts/index.js";
import { accountService } from "./services/account/index.js";
import { cloudtrailService } from "./services/cloudtrail/index.js";

export type { Settings } from "./config.js";

export interface Orgsim {
  /** http://127.0.0.1:<port>: give it to a client as its endpoint. */
  endpoint: string;
  port: number;
  app: App;
  reset(): Promise<void>;
  /** Advances the virtual clock; returns the virtual now. */
  advanceClock(seconds: number): Promise<Date>;
  setStandalone(accountId: string, items: { supportPlan?: boolean; contactInformation?: boolean; paymentMethod?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export async function startOrgsim(options: Partial<Settings> = {}): Promise<Orgsim> {
  const settings = resolveSettings(options);
  const app = await App.create(settings, [stsService(), accountService(), cloudtrailService()]);
  let running: RunningServer;
  try {
    running = await startServer(app, settings.host, settings.port);
  } catch (err) {
    await app.close();
    throw err;
  }
  const controlCall = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${running.url}${path}`, { method, headers: { "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    endpoint: running.url,
    port: running.port,
    app,
    reset: () => app.reset(),
    advanceClock: async (seconds) => new Date(((await controlCall("POST", "/_orgsim/clock", { advanceSeconds: seconds })) as { now: string }).now),
    setStandalone: async (accountId, items) => {
      await controlCall("PUT", `/_orgsim/accounts/${accountId}/standalone`, items);
    },
    close: () => running.close(),
  };
}
