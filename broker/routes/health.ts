import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { HealthReport } from '../health';

export interface HealthRoutesOptions {
  probe: () => Promise<HealthReport>;
}

const Up = Type.Union([Type.Literal('up'), Type.Literal('down')]);
const Report = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  accounts: Up,
  redis: Type.Optional(Up),
});

/**
 * `GET /health`: readiness, what load balancers and compose's health check ask — 503 while the account
 * database or Redis cannot answer, so traffic goes to nodes that can serve it. `GET /health/live`: the
 * process answers at all (restart a node only when this fails; restarting cannot bring a database back).
 * docs/broker.md#health.
 */
const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, { probe }) => {
  app.get('/health', { schema: { response: { 200: Report, 503: Report } } }, async (_request, reply) => {
    const report = await probe();
    void reply.header('cache-control', 'no-store').status(report.status === 'ok' ? 200 : 503);
    return report;
  });
  app.get('/health/live', { schema: { response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({
    status: 'ok' as const,
  }));
};

export default healthRoutes;
