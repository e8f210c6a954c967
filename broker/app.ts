import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { openAccountStore } from './account-store';
import type { AccountStore } from './accounts';
import type { BrokerConfig } from './config';
import { createCredentialChecker } from './credentials';
import { createHealthProbe } from './health';
import { createWorkerHasher, type Hasher } from './hasher';
import { loggerOptions } from './log';
import type { LoginThrottle } from './login-throttle';
import auth from './plugins/auth';
import cors from './plugins/cors';
import errors from './plugins/errors';
import signalling from './plugins/signalling';
import { trustProxyOption } from './proxy-trust';
import accountRoutes from './routes/accounts';
import directoryRoutes from './routes/directory';
import healthRoutes from './routes/health';
import homeRoutes from './routes/home';
import sessionRoutes from './routes/sessions';
import { loadOrCreateSecret } from './secret';
import { openSharedState } from './shared-state';

export interface AppDeps {
  /** Defaults to the bcrypt worker pool sized by the config. */
  hasher?: Hasher;
  throttle?: LoginThrottle;
  /** Fastify logger options (tests pass false or loggerOptions(level, stream)); defaults to loggerOptions(config.logLevel). */
  logger?: FastifyServerOptions['logger'];
  /** This node's clock (tests make nodes disagree); Date.now by default. */
  now?: () => number;
}

export { DATABASE_FILE } from './account-store';
const BODY_LIMIT = 16 * 1024;

/** Builds the broker (HTTP API and signalling) without listening; server.ts is the only file that listens. */
export async function buildApp(config: BrokerConfig, deps: AppDeps = {}): Promise<FastifyInstance> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const secret = config.jwtSecret ?? loadOrCreateSecret(config.dataDir);
  const hasher =
    deps.hasher ??
    createWorkerHasher({
      cost: config.bcryptCost,
      workers: config.hashWorkers,
      queueLimit: config.hashQueueLimit,
      queueLimitPerClient: config.hashQueuePerAddress,
    });
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    trustProxy: trustProxyOption(config.trustProxy),
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
    // A URL the router cannot decode or a path parameter over 100 characters fails before any
    // hook or error handler runs; answer it in our error shape too.
    frameworkErrors: (_error, _request, reply: FastifyReply) =>
      reply.status(400).send({ error: { code: 'invalid_request', message: 'The request URL is not valid.' } }),
    logger: deps.logger ?? loggerOptions(config.logLevel),
  }).withTypeProvider<TypeBoxTypeProvider>();

  let accounts: AccountStore;
  let shared: Awaited<ReturnType<typeof openSharedState>>;
  try {
    accounts = await openAccountStore(config, app.log);
  } catch (error) {
    await hasher.close();
    throw error;
  }
  try {
    shared = await openSharedState(config, app.log, { throttle: deps.throttle, now: deps.now });
  } catch (error) {
    await hasher.close();
    await accounts.close();
    throw error;
  }
  const { throttle, registrations } = shared;
  app.addHook('onClose', async () => {
    await hasher.close();
    await shared.close();
    await accounts.close();
  });
  // Unknown and retired handles are checked against this, so they cost what a real account costs.
  const dummyHash = await hasher.hash(randomBytes(16).toString('base64'), 'broker start');
  const credentials = createCredentialChecker({ accounts, hasher, dummyHash });

  await app.register(errors);
  await app.register(cors, { extraOrigins: config.corsOrigins });
  await app.register(auth, { secret, accounts, tokenTtlSeconds: config.tokenTtlSeconds, now: deps.now });
  await app.register(signalling, {
    accounts,
    maxConnections: config.maxConnections,
    messagesPerSecond: config.wsMessagesPerSecond,
    bytesPerSecond: config.wsBytesPerSecond,
    aliveTimeoutMs: config.aliveTimeoutMs,
    mesh: shared.mesh,
    relayLimiter: shared.relayLimiter,
    socketLimiter: shared.socketLimiter,
  });
  await app.register(homeRoutes);
  await app.register(healthRoutes, { probe: createHealthProbe({ accounts: () => accounts.ping(), redis: shared.ping }) });
  await app.register(directoryRoutes, { accounts, ice: config });
  await app.register(sessionRoutes, { credentials, throttle, now: shared.now });
  await app.register(accountRoutes, { accounts, hasher, credentials, registrations, throttle });
  return app;
}
