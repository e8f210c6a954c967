import fastifyJwt from '@fastify/jwt';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AccountStore } from '../accounts';
import { ApiError } from '../errors';
import { AUTH_MESSAGES, createTokenService, type Session, type TokenService } from '../tokens';

declare module 'fastify' {
  interface FastifyInstance {
    tokens: TokenService;
    /** onRequest hook for private routes (runs before the body is parsed): 401 unless the Bearer token is valid and current. */
    authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
  interface FastifyRequest {
    session: Session | null;
  }
}

export interface AuthOptions {
  secret: string;
  accounts: AccountStore;
  tokenTtlSeconds: number;
  /** This node's clock, for token expiry (tests skew it); Date.now by default. */
  now?: () => number;
}

/** Session tokens: HS256 JWTs (algorithm pinned on verify) carrying handle, token version and session id. */
export default fp(
  async (app, options: AuthOptions) => {
    await app.register(fastifyJwt, {
      secret: options.secret,
      sign: { algorithm: 'HS256' },
      verify: { algorithms: ['HS256'] },
    });
    const tokens = createTokenService({
      jwt: { sign: (payload) => app.jwt.sign(payload), verify: (token) => app.jwt.verify(token) },
      accounts: options.accounts,
      ttlSeconds: options.tokenTtlSeconds,
      now: options.now,
    });
    app.decorate('tokens', tokens);
    app.decorateRequest('session', null);
    app.decorate('authenticate', async (request: FastifyRequest) => {
      const header = request.headers.authorization;
      const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header.trim()) : null;
      const check = await tokens.check(match?.[1]);
      if (!check.ok) throw new ApiError(401, check.code, AUTH_MESSAGES[check.code]);
      request.session = check.session;
    });
  },
  { name: 'auth' },
);

/** The session of a request that passed `authenticate`. */
export function sessionOf(request: FastifyRequest): Session {
  if (!request.session) throw new Error('Route is missing the authenticate hook.');
  return request.session;
}
