/* The suite as workerd runs it: one request runs every case and answers their results. */
import { runCollected } from '@sess/test-kit/runtimes/host';
import { describeHonoSuite } from '../suite';

// workerd allows timers and random values only inside a request: collect there, once.
let collected = false;

export default {
  async fetch(): Promise<Response> {
    if (!collected) {
      describeHonoSuite({ runtime: 'workerd' });
      collected = true;
    }
    return Response.json(await runCollected());
  },
};
