/** What GET /health reports per dependency: `redis` only when the node shares state through Redis. */
export interface HealthReport {
  status: 'ok' | 'unavailable';
  accounts: 'up' | 'down';
  redis?: 'up' | 'down';
}

export interface HealthChecks {
  /** The account store answers a trivial query. */
  accounts: () => Promise<void>;
  /** Redis answers PING; absent on a single node without REDIS_URL. */
  redis?: () => Promise<void>;
}

export interface HealthProbeOptions {
  /** A report is reused this long, so a flood of health checks costs one probe per interval. */
  cacheMs?: number;
  /** A dependency that has not answered by then counts as down (a hung server is an outage too). */
  timeoutMs?: number;
  now?: () => number;
}

export const HEALTH_CACHE_MS = 1_000;
export const HEALTH_TIMEOUT_MS = 2_000;

/** Probes the node's dependencies, at most once per `cacheMs`; concurrent callers share one probe. */
export function createHealthProbe(checks: HealthChecks, options: HealthProbeOptions = {}): () => Promise<HealthReport> {
  const { cacheMs = HEALTH_CACHE_MS, timeoutMs = HEALTH_TIMEOUT_MS, now = Date.now } = options;
  let cached: { report: Promise<HealthReport>; at: number } | undefined;

  async function probe(): Promise<HealthReport> {
    const [accounts, redis] = await Promise.all([
      answers(checks.accounts, timeoutMs),
      checks.redis ? answers(checks.redis, timeoutMs) : undefined,
    ]);
    const report: HealthReport = { status: accounts && redis !== false ? 'ok' : 'unavailable', accounts: accounts ? 'up' : 'down' };
    if (redis !== undefined) report.redis = redis ? 'up' : 'down';
    return report;
  }

  return () => {
    if (cached === undefined || now() - cached.at >= cacheMs) {
      const report = probe();
      cached = { report, at: now() };
      // Cached from when the answer came, so a slow probe is not repeated at once.
      void report.then(() => {
        if (cached?.report === report) cached.at = now();
      });
    }
    return cached.report;
  };
}

async function answers(check: () => Promise<void>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([check().then(() => true as const), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
