/**
 * Composition root: settings + keys → adapters, stores, services, the Koa app and the background jobs.
 * Used by `npm start` (embedded), services mode, the tests and the benchmark alike.
 */
import type { Server } from 'node:http';
import type Koa from 'koa';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { Settings } from '../config/settings';
import type { ServerKeys } from '../shared/keys';
import type { ClientConfigView } from '../shared/api';
import { INSURANCE_PATHS } from '../shared/protocol/insurance';
import { systemClock, type Clock } from '../shared/clock';
import { HttpSmsGateway } from './gateways/sms/client';
import { HttpMiniProgramGateway } from './gateways/wechat/client';
import { createAdmission } from './http/admission';
import { runBillReminders } from './services/notify/reminders';
import { HttpHisGateway } from './gateways/his/client';
import { HttpInsuranceGateway } from './gateways/insurance/client';
import { HttpWeChatPayGateway } from './gateways/wechatpay/client';
import type { EphemeralStore } from './ephemeral/port';
import { createApp } from './http/app';
import { callObserver, createMetrics, databaseRefresh, type Metrics } from './http/metrics';
import { observeCalls } from './gateways/http';
import { createOpsApp } from './http/ops';
import { ReadinessCache, type ReadinessProbe } from './http/readiness';
import { runOutboxOnce } from './jobs/outboxWorker';
import { runJanitorOnce } from './jobs/janitor';
import { runDailyReconciliationIfDue } from './jobs/dailyReconciliation';
import { outboxDepth } from './db/outbox';
import { pingDatabase } from './db/health';
import { ordersByStatus } from './db/opsStats';
import { JobScheduler } from './jobs/scheduler';
import type { Deps } from './services/deps';
import type { PiiVault } from './security/vault';

export interface ServerParts {
  settings: Settings;
  keys: ServerKeys;
  db: DataSource;
  store: EphemeralStore;
  pii: PiiVault;
  logger: Logger;
  clock?: Clock;
  /** where WeChat Pay sends callbacks (our public URL) */
  publicBaseUrl: string;
  insuranceBaseUrl: string;
  hisBaseUrl: string;
  wechatPayBaseUrl: string;
  /** where the H5 build opens WeChat's sandbox pages; default WECHATPAY_SANDBOX_URL, else wechatPayBaseUrl */
  wechatSandboxUrl?: string;
  /** the insurance authorization page; default INSURANCE_AUTH_URL, else insuranceBaseUrl + /oauth/code */
  insuranceAuthUrl?: string;
}

export interface RunningServer {
  deps: Deps;
  metrics: Metrics;
  app: ReturnType<typeof createApp>;
  /** /readyz, /metrics and /healthz: for the operations listener, never the public port */
  opsApp: Koa;
  readiness: ReadinessCache;
  /** one pass of the outbox worker and the janitor (tests call this instead of waiting) */
  runJobsOnce(): Promise<void>;
  listen(port: number, host?: string): Promise<Server>;
  /** the operations listener; starts the background readiness probes */
  listenOps(port: number, host: string): Promise<Server>;
  startJobs(): void;
  stop(): Promise<void>;
}

/** how often the scheduler asks whether yesterday's reconciliation is due */
const DAILY_CHECK_INTERVAL_MS = 60_000;

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, '');

/** GET /api/v1/client-config: the same for every client of this instance. */
function clientConfigOf(parts: ServerParts): ClientConfigView {
  const sandbox = parts.wechatSandboxUrl ?? parts.settings.WECHATPAY_SANDBOX_URL ?? parts.wechatPayBaseUrl;
  return {
    appId: parts.keys.wechat.appId,
    hospitalName: parts.settings.HOSPITAL_NAME,
    // a base the app appends /sandbox/login or /sandbox/cashier to
    wechatSandboxUrl: withoutTrailingSlash(sandbox),
    insuranceAuthUrl:
      parts.insuranceAuthUrl ??
      parts.settings.INSURANCE_AUTH_URL ??
      `${withoutTrailingSlash(parts.insuranceBaseUrl)}${INSURANCE_PATHS.authPage}`,
  };
}

export function buildServer(parts: ServerParts): RunningServer {
  const clock = parts.clock ?? systemClock;
  const timeoutMs = parts.settings.OUTSIDE_CALL_TIMEOUT_MS;
  const deps: Deps = {
    db: parts.db,
    store: parts.store,
    clock,
    settings: parts.settings,
    logger: parts.logger,
    pii: parts.pii,
    insurance: new HttpInsuranceGateway({
      baseUrl: parts.insuranceBaseUrl,
      keys: parts.keys.insurance,
      timeoutMs,
      clock,
      sm2UserIds: {
        org: parts.settings.INSURANCE_ORG_SM2_USER_ID,
        platform: parts.settings.INSURANCE_SM2_USER_ID,
      },
    }),
    his: new HttpHisGateway({ baseUrl: parts.hisBaseUrl, timeoutMs }),
    sms: new HttpSmsGateway({ baseUrl: parts.settings.SMS_BASE_URL ?? parts.hisBaseUrl, timeoutMs }),
    miniProgram: new HttpMiniProgramGateway({
      baseUrl: parts.settings.WECHAT_API_BASE_URL ?? parts.wechatPayBaseUrl,
      appId: parts.keys.wechat.appId,
      appSecret: parts.keys.wechat.appSecret,
      timeoutMs,
    }),
    wechat: new HttpWeChatPayGateway({
      baseUrl: parts.wechatPayBaseUrl,
      keys: parts.keys.wechat,
      timeoutMs,
      clock,
      notifyUrl: `${parts.publicBaseUrl}/api/v1/notify/wechatpay`,
      medInsCallbackUrl: `${parts.publicBaseUrl}/api/v1/notify/wechatpay`,
    }),
  };
  const metrics = createMetrics();
  // every outside call of this process feeds these metrics; stop() unregisters
  const unobserveCalls = observeCalls(callObserver(metrics));
  const refreshFromDatabase = databaseRefresh(parts.db, metrics, clock);
  // a full count of the orders by state is not for every second: it runs when Prometheus scrapes
  const refreshMetrics = async () => {
    metrics.outboxDepth.set(await outboxDepth(parts.db));
    const byState = await ordersByStatus(parts.db);
    metrics.ordersByState.reset();
    for (const row of byState) metrics.ordersByState.set({ state: row.status }, row.count);
    await refreshFromDatabase();
  };
  const probeTimeoutMs = parts.settings.READINESS_PROBE_TIMEOUT_MS;
  const probes: ReadinessProbe[] = [
    { name: 'postgres', check: () => pingDatabase(parts.db) },
    { name: 'store', check: async () => void (await parts.store.get('readyz')) },
    ...(
      [
        ['insurance', parts.insuranceBaseUrl],
        ['his', parts.hisBaseUrl],
        ['wechatpay', parts.wechatPayBaseUrl],
      ] as const
    ).map(([name, base]) => ({
      name,
      check: async () => {
        const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(probeTimeoutMs) });
        if (!res.ok) throw new Error(`${name} answered ${res.status}`);
      },
    })),
  ];
  const readiness = new ReadinessCache(probes, {
    intervalMs: parts.settings.READINESS_INTERVAL_MS,
    timeoutMs: probeTimeoutMs,
    onRound: (checks) => {
      for (const [check, up] of Object.entries(checks)) metrics.readinessUp.set({ check }, up ? 1 : 0);
    },
  });
  const admission = createAdmission({
    maxInflight: parts.settings.ADMISSION_MAX_INFLIGHT,
    maxLoopDelayMs: parts.settings.ADMISSION_MAX_LOOP_DELAY_MS,
    retryAfterS: parts.settings.ADMISSION_RETRY_AFTER_S,
    onShed: () => metrics.requestsShed.inc(),
  });
  const app = createApp(deps, metrics, clientConfigOf(parts), admission);
  const opsApp = createOpsApp({
    metrics,
    readiness,
    metricsMaxAgeMs: parts.settings.METRICS_CACHE_MS,
    refreshMetrics,
  });
  const servers: Server[] = [];
  const serve = (koa: Koa, port: number, host: string) =>
    new Promise<Server>((resolve, reject) => {
      const server = koa.listen(port, host);
      server.once('listening', () => resolve(server));
      server.once('error', reject);
      servers.push(server);
    });
  const scheduler = new JobScheduler(parts.logger);
  // after a commit that queued outbox work, run the outbox at once rather than at the next tick; runs may
  // overlap with the periodic pass: rows are claimed with SKIP LOCKED
  deps.kickJobs = scheduler.kickable('outbox', () => runOutboxOnce(deps));

  const runJobsOnce = async () => {
    await runOutboxOnce(deps);
    await runJanitorOnce(deps);
    await runOutboxOnce(deps);
  };

  return {
    deps,
    metrics,
    app,
    opsApp,
    readiness,
    runJobsOnce,
    listen: (port, host = '127.0.0.1') => serve(app, port, host),
    listenOps: async (port, host) => {
      const server = await serve(opsApp, port, host);
      readiness.start();
      return server;
    },
    startJobs: () => {
      if (scheduler.isStarted) return;
      scheduler.every('background jobs', parts.settings.JOBS_INTERVAL_MS, runJobsOnce);
      scheduler.every('daily reconciliation check', DAILY_CHECK_INTERVAL_MS, () =>
        runDailyReconciliationIfDue(deps),
      );
      scheduler.every('bill reminders', parts.settings.REMINDER_INTERVAL_MS, () => runBillReminders(deps));
    },
    stop: async () => {
      unobserveCalls();
      admission.stop();
      await scheduler.stop();
      await readiness.stop();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      for (const s of servers) s.closeAllConnections();
    },
  };
}
