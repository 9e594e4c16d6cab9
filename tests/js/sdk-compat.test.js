// Drives Commerce Manager's API with the official Elastic Path (Moltin) JavaScript client, @moltin/sdk v36,
// unchanged: only `host` and `protocol` point it at this server. Every step asserts what a storefront relies on.
// Run by tests/CommerceManager.E2E (SdkCompatibilityTests) with API_HOST, CLIENT_ID and CLIENT_SECRET set.
'use strict';
const assert = require('node:assert/strict');
const { gateway: MoltinGateway, MemoryStorageFactory } = require('@moltin/sdk');

const host = process.env.API_HOST;
const clientId = process.env.CLIENT_ID;
const clientSecret = process.env.CLIENT_SECRET;
// A real OpenID Connect provider for TokenViaOIDC (the tests start one on loopback).
const idp = {
  issuer: process.env.IDP_ISSUER,
  clientId: process.env.IDP_CLIENT_ID,
  clientSecret: process.env.IDP_CLIENT_SECRET,
  redirectUri: process.env.IDP_REDIRECT_URI,
};
// The EP way: a profile the test prepared (its callback registered at the provider) and the realm's storefront URI.
const ep = { realmId: process.env.EP_REALM_ID, profileId: process.env.EP_PROFILE_ID, redirectUri: process.env.EP_REDIRECT_URI };
if (!host || !clientId || !clientSecret || !idp.issuer || !idp.clientId || !idp.clientSecret || !idp.redirectUri || !ep.realmId || !ep.profileId || !ep.redirectUri) {
  console.error('Set API_HOST (host:port), CLIENT_ID, CLIENT_SECRET, IDP_ISSUER, IDP_CLIENT_ID, IDP_CLIENT_SECRET, IDP_REDIRECT_URI, EP_REALM_ID, EP_PROFILE_ID and EP_REDIRECT_URI.');
  process.exit(2);
}
const crypto = require('node:crypto');

const client = (options = {}) => MoltinGateway({ host, protocol: 'http', storage: new MemoryStorageFactory(), ...options });
const storefront = client({ client_id: clientId, name: 'storefront' });
const server = client({ client_id: clientId, client_secret: clientSecret, name: 'server' });
// For asserting refusals: no automatic re-authentication and retry, so the error comes back at once.
const strict = client({ client_id: clientId, name: 'strict', fetchMaxAttempts: 1 });

const run = Date.now().toString(36);
const email = `sdk.shopper.${run}@example.com`;
const password = 'correct horse battery staple';
const address = {
  first_name: 'Sam', last_name: 'Shopper', line_1: '1 Test Street', city: 'Leeds', region: 'West Yorkshire',
  postcode: 'LS1 1AA', county: 'West Yorkshire', country: 'GB',
};

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

async function rejects(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to be refused');
}

(async () => {
  let customer, token, addressId, order;

  await step('implicit authentication', async () => {
    const auth = await storefront.Authenticate();
    assert.equal(auth.token_type, 'Bearer');
    assert.equal(auth.identifier, 'implicit');
    assert.equal(auth.expires_in, 3600);
    assert.ok(auth.expires > Date.now() / 1000 + 3000, 'expires is a unix time about an hour ahead');
  });

  await step('register a customer with the implicit token', async () => {
    const { data } = await storefront.Customers.Create({ name: 'Sam Shopper', email, password });
    customer = data;
    assert.equal(data.type, 'customer');
    assert.match(data.id, /^[0-9a-f-]{36}$/);
    assert.equal(data.email, email);
    assert.equal(data.password, true, 'password is shown only as set');
    assert.ok(data.meta.timestamps.created_at);
  });

  await step('eq(email) finds the new customer; an unknown email finds nobody', async () => {
    const found = await server.Customers.Filter({ eq: { email: email.toUpperCase() } }).All();
    assert.equal(found.data.length, 1);
    assert.equal(found.data[0].id, customer.id);
    assert.equal(found.meta.results.total, 1);
    const missing = await server.Customers.Filter({ eq: { email: `nobody.${run}@example.com` } }).All();
    assert.equal(missing.data.length, 0);
    assert.equal(missing.meta.results.total, 0);
  });

  await step('the same email in another case cannot register twice (409)', async () => {
    const error = await rejects(strict.Customers.Create({ name: 'Twin', email: email.toUpperCase(), password }));
    assert.equal(error.errors[0].status, 409);
  });

  await step('implicit without a customer token cannot list customers (403)', async () => {
    const error = await rejects(strict.Customers.All());
    assert.equal(error.errors[0].status, 403);
  });

  await step('TokenViaPassword returns a customer token', async () => {
    const { data } = await storefront.Customers.TokenViaPassword(email, password);
    assert.equal(data.type, 'token');
    assert.equal(data.customer_id, customer.id);
    assert.ok(data.token.split('.').length === 3, 'a JWT');
    assert.ok(data.expires > Date.now() / 1000 + 23 * 3600);
    token = data.token;
  });

  await step('a wrong password and an unknown email get the same 401', async () => {
    const wrong = await rejects(strict.Customers.TokenViaPassword(email, 'not the password at all'));
    const unknown = await rejects(strict.Customers.TokenViaPassword(`nobody.${run}@example.com`, password));
    assert.equal(wrong.errors[0].status, 401);
    assert.deepEqual(wrong, unknown);
  });

  await step('get and update the customer with the token', async () => {
    const { data } = await storefront.Customers.Get(customer.id, token);
    assert.equal(data.email, email);
    const updated = await storefront.Customers.Update(customer.id, { name: 'Samantha Shopper' }, token);
    assert.equal(updated.data.name, 'Samantha Shopper');
    assert.equal(updated.data.email, email, 'PUT is partial');
  });

  await step('create, list, update and delete addresses with the token', async () => {
    const created = await storefront.CustomerAddresses.Create({ customer: customer.id, body: { name: 'Home', ...address }, token });
    assert.equal(created.data.type, 'address');
    addressId = created.data.id;
    await storefront.CustomerAddresses.Create({ customer: customer.id, body: { name: 'Neighbour', ...address, line_1: '3 Test Street' }, token });
    const all = await storefront.CustomerAddresses.All({ customer: customer.id, token });
    assert.equal(all.data.length, 2);
    const updated = await storefront.CustomerAddresses.Update({ customer: customer.id, address: addressId, body: { line_2: 'Flat 2' }, token });
    assert.equal(updated.data.line_2, 'Flat 2');
    assert.equal(updated.data.line_1, '1 Test Street');
    const one = await storefront.CustomerAddresses.Get({ customer: customer.id, address: addressId, token });
    assert.equal(one.data.line_2, 'Flat 2');
    await storefront.CustomerAddresses.Delete({ customer: customer.id, address: addressId, token });
    const left = await storefront.CustomerAddresses.All({ customer: customer.id, token });
    assert.equal(left.data.length, 1);
  });

  await step('a missing required address field is a 400 naming the field', async () => {
    const error = await rejects(strict.CustomerAddresses.Create({ customer: customer.id, body: { ...address, postcode: '' }, token }));
    assert.equal(error.errors[0].status, 400);
    assert.ok(error.errors.some((e) => e.source === 'data.postcode'));
  });

  await step('add a custom item to a cart and check out as the customer (order linked)', async () => {
    const cart = storefront.Cart(`sdk-${run}`);
    const items = await cart.AddCustomItem({ name: 'Ceramic mug', sku: 'MUG-1', quantity: 2, price: { amount: 1450 } });
    assert.equal(items.data.length, 1);
    assert.equal(items.data[0].type, 'custom_item');
    assert.equal(items.meta.display_price.with_tax.amount, 2900);
    const got = await cart.Get();
    assert.equal(got.data.meta.display_price.with_tax.amount, 2900);
    const { data } = await cart.Checkout(customer.id, address);
    order = data;
    assert.equal(data.type, 'order');
    assert.equal(data.status, 'incomplete');
    assert.equal(data.payment, 'unpaid');
    assert.equal(data.shipping, 'unfulfilled');
    assert.equal(data.relationships.customer.data.id, customer.id);
    assert.equal(data.customer.email, email);
    assert.equal(data.meta.display_price.with_tax.amount, 2900);
    assert.equal(data.meta.display_price.with_tax.formatted, '$29.00');
  });

  await step('guest checkout with the same email is not linked', async () => {
    const cart = storefront.Cart(`sdk-guest-${run}`);
    await cart.AddCustomItem({ name: 'Gift card', sku: 'GIFT-50', quantity: 1, price: { amount: 5000 } });
    const { data } = await cart.Checkout({ name: 'A Guest', email }, address);
    assert.equal(data.relationships.customer.data, null);
    assert.equal(data.customer.name, 'A Guest');
  });

  await step('the customer token lists only the customer\'s own orders', async () => {
    const mine = await storefront.Orders.All(token);
    assert.equal(mine.data.length, 1);
    assert.equal(mine.data[0].id, order.id);
    const one = await storefront.Orders.Get(order.id, token);
    assert.equal(one.data.id, order.id);
    const items = await server.Orders.Items(order.id);
    assert.equal(items.data[0].sku, 'MUG-1');
    assert.equal(items.data[0].quantity, 2);
  });

  await step('client credentials list customers with like(name) and paging', async () => {
    for (const n of [1, 2, 3]) {
      await server.Customers.Create({ name: `Pager ${run} ${n}`, email: `pager.${n}.${run}@example.com` });
    }
    const first = await server.Customers.Filter({ like: { name: `Pager ${run}*` } }).Limit(2).All();
    assert.equal(first.data.length, 2);
    assert.equal(first.meta.results.total, 3);
    assert.equal(first.meta.page.total, 2);
    assert.ok(first.links.next);
    const second = await server.Customers.Filter({ like: { name: `*${run}*` } }).Limit(2).Offset(2).All();
    assert.equal(second.data.length, 1);
    assert.equal(second.meta.page.current, 2);
  });

  await step('client credentials change an order\'s status; a bad transition is refused', async () => {
    const { data } = await server.Orders.Update(order.id, { status: 'cancelled' });
    assert.equal(data.status, 'cancelled');
    const strictServer = client({ client_id: clientId, client_secret: clientSecret, name: 'strict-server', fetchMaxAttempts: 1 });
    const error = await rejects(strictServer.Orders.Update(order.id, { shipping: 'fulfilled' }));
    assert.equal(error.errors[0].status, 422);
  });

  await step('manual payments: authorize, capture, list transactions (order processing, then complete)', async () => {
    const cart = storefront.Cart(`sdk-pay-${run}`);
    await cart.AddCustomItem({ name: 'Wool beanie', sku: 'HAT-1', quantity: 1, price: { amount: 2900 } });
    const { data: placed } = await cart.Checkout({ name: 'Payer', email: `payer.${run}@example.com` }, address);
    // Storefront payments are off until the store enables its manual gateway (as EP's starters' test stores do).
    const refused = await rejects(strict.Orders.Payment(placed.id, { gateway: 'manual', method: 'authorize' }));
    assert.equal(refused.errors[0].status, 403);
    assert.equal((await server.Gateways.Enabled('manual', true)).data.enabled, true);
    const { data: authorized } = await storefront.Orders.Payment(placed.id, { gateway: 'manual', method: 'authorize' });
    assert.equal((await server.Gateways.Enabled('manual', false)).data.enabled, false);
    assert.equal(authorized.transaction_type, 'authorize');
    assert.equal((await server.Orders.Get(placed.id)).data.status, 'processing');
    const { data: captured } = await server.Transactions.Capture({ order: placed.id, transaction: authorized.id });
    assert.equal(captured.transaction_type, 'capture');
    const after = (await server.Orders.Get(placed.id)).data;
    assert.equal(after.payment, 'paid');
    assert.equal(after.status, 'complete');
    assert.equal(after.meta.display_price.balance_owing.amount, 0);
    const { data: transactions } = await server.Transactions.All({ order: placed.id });
    assert.equal(transactions.length, 1);
  });

  await step('Jobs: an order export through the exporter, polled to SUCCESS, its file fetched from the link', async () => {
    const { data: created } = await server.Jobs.Create({ job_type: 'order_export', filter: `eq(email,payer.${run}@example.com)` });
    assert.equal(created.type, 'job');
    assert.equal(created.status, 'PENDING');
    let job = created;
    for (let i = 0; i < 100 && !['SUCCESS', 'FAILED'].includes(job.status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = (await server.Jobs.Get(created.id)).data;
    }
    assert.equal(job.status, 'SUCCESS', job.error);
    assert.ok((await server.Jobs.All()).data.some((j) => j.id === created.id));
    const file = await server.Jobs.GetFile(created.id);
    const csv = await (await fetch(file.data.href)).text();
    const lines = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines.length, 2);
    assert.ok(lines[0].startsWith('id,number,'));
    assert.ok(lines[1].includes(`payer.${run}@example.com`));
  });

  await step('EP\'s storefront sign-in: realm, profile links, the store\'s login proxy, TokenViaOIDC with the store\'s code', async () => {
    const settings = await storefront.AuthenticationSettings.Get();
    const realmId = settings.data.relationships['authentication-realm'].data.id;
    assert.equal(realmId, ep.realmId);
    const profile = await storefront.OidcProfile.Get({ realmId, profileId: ep.profileId });
    const verifier = crypto.randomBytes(32).toString('base64url');
    const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
    const url = new URL(profile.links['authorization-endpoint']);
    for (const [key, value] of Object.entries({
      client_id: settings.data.meta.client_id, redirect_uri: ep.redirectUri, state: 'ep', response_type: 'code',
      scope: 'openid email profile', code_challenge_method: 'S256', code_challenge: challenge, login_hint: 'alice',
    })) url.searchParams.append(key, value);
    // The browser's hops: the store's sign-in, the provider, the store's callback, the storefront.
    let next = url.toString();
    for (let hop = 0; hop < 5 && !next.startsWith(ep.redirectUri); hop++) {
      const response = await fetch(next, { redirect: 'manual' });
      next = new URL(response.headers.get('location'), next).toString();
    }
    const back = new URL(next);
    assert.equal(back.searchParams.get('state'), 'ep');
    const { data } = await storefront.Customers.TokenViaOIDC(back.searchParams.get('code'), ep.redirectUri, verifier);
    const me = await storefront.Customers.Get(data.customer_id, data.token);
    assert.equal(me.data.email, 'alice.oidc@example.com');
  });

  await step('TokenViaOIDC through the store\'s OpenID Connect provider (authorization code + PKCE)', async () => {
    const settings = await server.AuthenticationSettings.Get();
    assert.equal(settings.data.type, 'customer-authentication-settings');
    const realmId = settings.data.relationships['authentication-realm'].data.id;
    const created = await server.OidcProfile.Create(realmId, {
      data: { type: 'oidc-profile', name: 'Test provider', discovery_url: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret, redirect_uris: [idp.redirectUri] },
    });
    assert.equal(created.data.client_secret, undefined, 'the secret is never returned');
    const profiles = await storefront.OidcProfile.All(realmId);
    const profile = profiles.data.find((p) => p.id === created.data.id);
    const verifier = crypto.randomBytes(32).toString('base64url');
    const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
    // The direct mode: the provider's own authorize URL, then the provider's code redeemed by the store.
    const authorize = `${profile.meta.provider_authorization_endpoint}&redirect_uri=${encodeURIComponent(idp.redirectUri)}` +
      `&state=sdk&code_challenge=${challenge}&code_challenge_method=S256&login_hint=bob`;
    const response = await fetch(authorize, { redirect: 'manual' });
    const code = new URL(response.headers.get('location')).searchParams.get('code');
    assert.ok(code, 'the provider redirected back with a code');
    const { data } = await storefront.Customers.TokenViaOIDC(code, idp.redirectUri, verifier);
    assert.equal(data.type, 'token');
    const me = await storefront.Customers.Get(data.customer_id, data.token);
    assert.equal(me.data.email, 'bob.oidc@example.com');
    assert.equal(me.data.name, 'Bob Example');
  });

  await step('the customer deletes their own account with the token', async () => {
    // The SDK's Customers.Delete sends no customer token; a storefront calls the endpoint with one.
    const { access_token } = await storefront.Authenticate();
    const response = await fetch(`http://${host}/v2/customers/${customer.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${access_token}`, 'X-Moltin-Customer-Token': token },
    });
    assert.equal(response.status, 204);
    const error = await rejects(strict.Customers.TokenViaPassword(email, password));
    assert.equal(error.errors[0].status, 401);
  });

  console.log(failures === 0 ? 'all steps passed' : `${failures} step(s) failed`);
  process.exit(failures === 0 ? 0 : 1);
})();
