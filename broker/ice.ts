import { createHmac } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';

export const IceServer = Type.Object({
  urls: Type.Array(Type.String()),
  username: Type.Optional(Type.String()),
  credential: Type.Optional(Type.String()),
});
export type IceServer = Static<typeof IceServer>;

export interface IceConfig {
  stunUrls: string[];
  turnUrls: string[];
  turnSecret: string | undefined;
  turnTtlSeconds: number;
}

/**
 * STUN servers as configured, plus TURN with time-limited credentials in coturn's
 * `use-auth-secret` scheme: username "<expiry unix time>:<handle>", credential
 * base64(HMAC-SHA1(secret, username)).
 */
export function iceServersFor(config: IceConfig, handle: string, nowMs: number): IceServer[] {
  const servers: IceServer[] = [];
  if (config.stunUrls.length > 0) servers.push({ urls: config.stunUrls });
  if (config.turnUrls.length > 0 && config.turnSecret !== undefined) {
    const username = `${Math.floor(nowMs / 1000) + config.turnTtlSeconds}:${handle}`;
    const credential = createHmac('sha1', config.turnSecret).update(username).digest('base64');
    servers.push({ urls: config.turnUrls, username, credential });
  }
  return servers;
}
