// jsdom has no fetch: the catalog sidebar's tests talk to the real SciCat contract server with Node's own fetch
// (undici wants its own AbortSignal, so the abort classes come along).
const { TestEnvironment } = require('jest-environment-jsdom');

module.exports = class JsdomWithFetch extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of ['fetch', 'Request', 'Response', 'Headers', 'AbortController', 'AbortSignal']) {
      this.global[name] = globalThis[name];
    }
  }
};
