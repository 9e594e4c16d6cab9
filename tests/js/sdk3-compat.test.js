// @moltin/sdk 3.x (3.24.1, the line much EP storefront code still pins), unchanged, against Commerce Manager's API.
// 3.x sends `Authorization: Bearer: <token>` (a colon after Bearer), which EP accepts and so do we.
// 3.x also has no `protocol` option (it always uses https): the only shim below rewrites https:// to http:// in the
// global fetch the SDK calls, because the test server speaks plain http on loopback. Nothing else is touched.
'use strict';
const assert = require('node:assert/strict');

const realFetch = globalThis.fetch;
const seenAuthorization = [];
globalThis.fetch = (url, init = {}) => {
  if (init.headers && init.headers.Authorization) {
    seenAuthorization.push(init.headers.Authorization);
  }
  return realFetch(String(url).replace(/^https:\/\//, 'http://'), init);
};
const { gateway: MoltinGateway, MemoryStorageFactory } = require('moltin-sdk-3');

const host = process.env.API_HOST;
const clientId = process.env.CLIENT_ID;
const clientSecret = process.env.CLIENT_SECRET;
if (!host || !clientId || !clientSecret) {
  console.error('Set API_HOST (host:port), CLIENT_ID and CLIENT_SECRET.');
  process.exit(2);
}

const storefront = MoltinGateway({ client_id: clientId, host, storage: new MemoryStorageFactory() });
const server = MoltinGateway({ client_id: clientId, client_secret: clientSecret, host, storage: new MemoryStorageFactory() });
const run = Date.now().toString(36);
const email = `sdk3.shopper+${run}@example.com`;
const password = 'correct horse battery staple';

let failures = 0;
async function step(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (error) {
    failures++;
    console.log(`FAIL ${name}\n     ${error && error.stack ? error.stack.split('\n').slice(0, 3).join('\n     ') : JSON.stringify(error)}`);
  }
}

(async () => {
  let customer, token;

  await step('3.x implicit authentication', async () => {
    const auth = await storefront.Authenticate();
    assert.ok(auth.access_token);
    assert.ok(auth.expires > Date.now() / 1000, 'expires is a unix time');
  });

  await step('3.x registers a customer with the implicit token (Bearer: form)', async () => {
    const { data } = await storefront.Customers.Create({ name: 'Three Shopper', email, password });
    customer = data;
    assert.equal(data.email, email);
    assert.ok(seenAuthorization.some((h) => h.startsWith('Bearer: ')), 'the SDK sent the colon form');
  });

  await step('3.x filters eq(email) with client credentials (a plus sign, unencoded)', async () => {
    const found = await server.Customers.Filter({ eq: { email } }).All();
    assert.equal(found.data.length, 1);
    assert.equal(found.data[0].id, customer.id);
  });

  await step('3.x gets a customer token with Customers.Token (no authentication_mechanism)', async () => {
    const { data } = await storefront.Customers.Token(email, password);
    assert.equal(data.customer_id, customer.id);
    token = data.token;
  });

  await step('3.x reads its own customer with the token', async () => {
    const { data } = await storefront.Customers.Get(customer.id, token);
    assert.equal(data.email, email);
    assert.equal(data.password, true);
  });

  console.log(failures === 0 ? 'all steps passed' : `${failures} step(s) failed`);
  process.exit(failures === 0 ? 0 : 1);
})();
