import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Gateway } from './gateway.js';

declare module 'fastify' {
  interface FastifyInstance {
    gateway: Gateway;
  }
}

/**
 * The WebSocket gateway on the API's own port: `ws` takes over `upgrade`
 * requests of fastify's http server. Sockets close in `preClose`, because
 * fastify waits for every connection to end before its `onClose` hooks run.
 */
export const gatewayPlugin = fp(async (app: FastifyInstance) => {
  const { config, store, commands } = app.services;
  const gateway = new Gateway({ config, store, commands, userForToken: (token) => app.userForToken(token), log: app.log });
  app.decorate('gateway', gateway);
  app.server.on('upgrade', gateway.onUpgrade);
  app.addHook('onReady', async () => gateway.start());
  app.addHook('preClose', () => gateway.close());
  app.addHook('onClose', async () => {
    app.server.off('upgrade', gateway.onUpgrade);
  });
});
