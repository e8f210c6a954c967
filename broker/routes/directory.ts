import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HANDLE_RULE, parseHandle } from '../../core/handle';
import type { AccountStore } from '../accounts';
import { ApiError, AuthErrors, ErrorBody } from '../errors';
import { IceServer, iceServersFor, type IceConfig } from '../ice';
import { sessionOf } from '../plugins/auth';
import { HandleBody } from './schemas';

export interface DirectoryRoutesOptions {
  accounts: AccountStore;
  ice: IceConfig;
}

/** Handle look-up and ICE configuration. */
const directoryRoutes: FastifyPluginAsyncTypebox<DirectoryRoutesOptions> = async (app, { accounts, ice }) => {
  app.get(
    '/api/handles/:handle',
    {
      onRequest: app.authenticate,
      schema: {
        params: Type.Object({ handle: Type.String() }),
        response: { 200: HandleBody, 400: ErrorBody, ...AuthErrors, 404: ErrorBody, 410: ErrorBody },
      },
    },
    async (request) => {
      const parsed = parseHandle(request.params.handle);
      if (!parsed.ok) throw new ApiError(400, 'invalid_handle', HANDLE_RULE);
      const account = await accounts.find(parsed.handle);
      if (!account) throw new ApiError(404, 'unknown_handle', `Nobody has the handle @${parsed.handle}.`);
      if (account.retiredAt !== null) {
        throw new ApiError(410, 'handle_retired', `@${parsed.handle} deleted their account; the handle stays retired.`);
      }
      return { handle: account.handle };
    },
  );

  app.get(
    '/api/ice-servers',
    { onRequest: app.authenticate, schema: { response: { 200: Type.Object({ iceServers: Type.Array(IceServer) }), ...AuthErrors } } },
    async (request) => ({ iceServers: iceServersFor(ice, sessionOf(request).handle, Date.now()) }),
  );
};

export default directoryRoutes;
