// adapter-conformance.test.ts: the suite against @sess/express on a loopback port
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeAdapterConformance, handleConformanceRequest } from '@sess/core/testing';
import { session } from '@sess/express';
import express from 'express';

describeAdapterConformance('@sess/express', {
  async start(options) {
    const app = express();
    app.use(session(options));
    app.use(async (req, res, next) => {
      try {
        const reply = await handleConformanceRequest(req.session, req.method, req.originalUrl);
        if (reply === undefined) return next();
        if (reply.kind === 'json') res.status(reply.status).set(reply.headers).json(reply.body);
        else if (reply.kind === 'redirect') res.redirect(reply.location);
        else {
          res.type('text/plain');
          for await (const chunk of reply.chunks) res.write(chunk);
          res.end();
        }
      } catch (error) {
        next(error); // Express's error handler answers with the error's status
      }
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections(); // kept-alive connections would hold close() open
        }),
    };
  },
});
