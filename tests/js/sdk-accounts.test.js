// Replays EP's storefront starters' Account Management flows against Commerce Manager with the clients they ship:
// @moltin/sdk 36 (the D2C starter's @elasticpath/js-sdk 5.0 is the same code) and the generated gen-2 SDK
// @epcc-sdk/sdks-shopper (the simple and core starters). Each step follows the starter file named in it
// (EP-ACCOUNTS.md). Run by tests/CommerceManager.E2E (SdkCompatibilityTests) with API_HOST, CLIENT_ID, CLIENT_SECRET.
'use strict';
const assert = require('node:assert/strict');
const { gateway: MoltinGateway, MemoryStorageFactory } = require('@moltin/sdk');
const shopperSdk = require('@epcc-sdk/sdks-shopper');

const host = process.env.API_HOST;
const clientId = process.env.CLIENT_ID;
const clientSecret = process.env.CLIENT_SECRET;
if (!host || !clientId || !clientSecret) {
  console.error('Set API_HOST (host:port), CLIENT_ID and CLIENT_SECRET.');
  process.exit(2);
}

const moltin = (options = {}) => MoltinGateway({ host, protocol: 'http', storage: new MemoryStorageFactory(), ...options });
const server = moltin({ client_id: clientId, client_secret: clientSecret, name: 'server' });
const storefront = moltin({ client_id: clientId, name: 'storefront' });
const header = 'EP-Account-Management-Authentication-Token';

// The gen-2 client as the starters configure it: the implicit token as Authorization, the account header added by
// their interceptor (here: passed per call, as @epcc-sdk/sdks-nextjs does from the cookie).
async function implicitToken() {
  const response = await fetch(`http://${host}/oauth/access_token`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `grant_type=implicit&client_id=${clientId}`,
  });
  return (await response.json()).access_token;
}
const shopper = shopperSdk.createClient({ baseUrl: `http://${host}` });

const run = Date.now().toString(36);
const password = 'correct horse battery staple';
const email = `starter.${run}@example.com`;
const address = {
  type: 'address', name: 'Home', first_name: 'Sam', last_name: 'Starter', line_1: '1 Test Street', city: 'Leeds', region: 'West Yorkshire',
  postcode: 'LS1 1AA', country: 'GB',
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

// What a gen-2 call gives: { data, error, response }; the starters read data and treat error as a failure.
function ok(result) {
  if (result.error) {
    throw new Error(`${result.response && result.response.status}: ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

(async () => {
  const store = {};
  const cookie = {};

  await step('ep generate: account settings PUT, realm from Get(), a password profile (composable-cli setup-accounts.ts)', async () => {
    await server.AccountAuthenticationSettings.Update({
      type: 'account_authentication_settings', enable_self_signup: true, auto_create_account_for_account_members: true,
      account_member_self_management: 'update_only',
    });
    const settings = await server.AccountAuthenticationSettings.Get();
    store.realmId = settings.data.relationships.authentication_realm.data.id;
    assert.ok(store.realmId);
    const profile = await server.PasswordProfile.Create(store.realmId, {
      data: { type: 'password_profile', username_format: 'email', name: 'password profile', enable_one_time_password_token: true },
    });
    store.profileId = profile.data.id;
    assert.equal(profile.data.username_format, 'email');
    const profiles = await server.PasswordProfile.All(store.realmId);
    assert.ok(profiles.data.some((p) => p.id === store.profileId));
  });

  await step('simple (auth)/actions.ts register(): self_signup with postV2AccountMembersTokens', async () => {
    const token = await implicitToken();
    const data = ok(await shopperSdk.postV2AccountMembersTokens({
      client: shopper, auth: () => token,
      body: { data: { type: 'account_management_authentication_token', authentication_mechanism: 'self_signup', password_profile_id: store.profileId,
        username: email.toLowerCase(), password, name: 'Sam Starter', email } },
    }));
    assert.equal(data.data.length, 1);
    assert.equal(typeof data.data[0].expires, 'string');
    assert.ok(!Number.isNaN(new Date(data.data[0].expires).getTime()));
    assert.ok(data.meta.account_member_id);
  });

  await step('d2c (auth)/actions.ts login(): AccountMembers.GenerateAccountToken, lower-cased username, the cookie', async () => {
    const result = await storefront.AccountMembers.GenerateAccountToken({
      type: 'account_management_authentication_token', authentication_mechanism: 'password', password_profile_id: store.profileId,
      username: email.toUpperCase().toLowerCase(), password,
    });
    cookie.accounts = Object.fromEntries(result.data.map((t) => [t.account_id, t]));
    cookie.selected = result.data[0].account_id;
    cookie.accountMemberId = result.meta.account_member_id;
    cookie.token = result.data[0].token;
    // react-shopper-hooks login-account.ts decodes the JWT and reads sub as the member id.
    const claims = JSON.parse(Buffer.from(cookie.token.split('.')[1], 'base64url').toString());
    assert.equal(claims.sub, cookie.accountMemberId);
    assert.equal(result.data[0].account_name, 'Sam Starter');
  });

  await step('d2c account/summary: the member through request.send with the header; the account; PUT name (update_only)', async () => {
    const member = await storefront.request.send(`account-members/${cookie.accountMemberId}`, 'GET', undefined, undefined, storefront, undefined, 'v2',
      { [header]: cookie.token });
    assert.equal(member.data.email, email);
    const token = await implicitToken();
    const account = ok(await shopperSdk.getV2AccountsAccountId({ client: shopper, auth: () => token, path: { accountID: cookie.selected },
      headers: { [header]: cookie.token } }));
    assert.equal(account.data.id, cookie.selected);
    const updated = ok(await shopperSdk.putV2AccountsAccountId({ client: shopper, auth: () => token, path: { accountID: cookie.selected },
      headers: { [header]: cookie.token }, body: { data: { type: 'account', name: 'Starter Household', legal_name: 'Starter Household' } } }));
    assert.equal(updated.data.name, 'Starter Household');
    const viaGen2 = ok(await shopperSdk.getV2AccountMembersAccountMemberId({ client: shopper, auth: () => token,
      path: { accountMemberID: cookie.accountMemberId }, headers: { [header]: cookie.token } }));
    assert.equal(viaGen2.data.name, 'Sam Starter');
  });

  await step('simple account/addresses: the five address calls (no county), then AccountAddresses.All with the SDK', async () => {
    const token = await implicitToken();
    const headers = { [header]: cookie.token };
    const created = ok(await shopperSdk.postV2AccountAddress({ client: shopper, auth: () => token, path: { accountID: cookie.selected }, headers,
      body: { data: address } }));
    const id = created.data.id;
    const listed = ok(await shopperSdk.getV2AccountAddresses({ client: shopper, auth: () => token, path: { accountID: cookie.selected }, headers }));
    assert.ok(listed.data.some((a) => a.id === id));
    const one = ok(await shopperSdk.getV2AccountAddress({ client: shopper, auth: () => token, path: { accountID: cookie.selected, addressID: id }, headers }));
    assert.equal(one.data.line_1, '1 Test Street');
    const updated = ok(await shopperSdk.putV2AccountAddress({ client: shopper, auth: () => token, path: { accountID: cookie.selected, addressID: id }, headers,
      body: { data: { ...address, id, line_2: 'Flat 2' } } }));
    assert.equal(updated.data.line_2, 'Flat 2');
    const all = await storefront.AccountAddresses.All({ account: cookie.selected, token: cookie.token });
    assert.ok(all.data.some((a) => a.id === id));
    const second = ok(await shopperSdk.postV2AccountAddress({ client: shopper, auth: () => token, path: { accountID: cookie.selected }, headers,
      body: { data: { ...address, name: 'Work' } } }));
    ok(await shopperSdk.deleteV2AccountAddress({ client: shopper, auth: () => token, path: { accountID: cookie.selected, addressID: second.data.id }, headers }));
    store.addressId = id;
  });

  await step('d2c checkout: CheckoutWithAccountManagementToken (contact), then simple checkoutApi (account + contact)', async () => {
    const cart = storefront.Cart(`starter-${run}`);
    await cart.AddCustomItem({ type: 'custom_item', name: 'Shipping', sku: 'SHIP', quantity: 1, price: { amount: 495 } });
    const { data: order } = await cart.CheckoutWithAccountManagementToken({ name: 'Sam Starter', email }, address, address, cookie.token);
    assert.equal(order.relationships.account.data.id, cookie.selected);
    assert.equal(order.relationships.account_member.data.id, cookie.accountMemberId);
    store.orderId = order.id;

    const token = await implicitToken();
    const second = storefront.Cart(`starter-2-${run}`);
    await second.AddCustomItem({ type: 'custom_item', name: 'Mug', sku: 'MUG', quantity: 2, price: { amount: 1200 } });
    const placed = ok(await shopperSdk.checkoutApi({ client: shopper, auth: () => token, path: { cartID: `starter-2-${run}` }, headers: { [header]: cookie.token },
      body: { data: { account: { id: cookie.selected, member_id: cookie.accountMemberId }, contact: { name: 'Sam Starter', email },
        billing_address: address, shipping_address: address } } }));
    assert.equal(placed.data.contact.email, email);
  });

  await step('account/orders: getCustomerOrders with include=items, getAnOrder, and "The order does not exist"', async () => {
    const token = await implicitToken();
    const headers = { [header]: cookie.token };
    const orders = ok(await shopperSdk.getCustomerOrders({ client: shopper, auth: () => token, headers, query: { include: 'items', 'page[limit]': 10, 'page[offset]': 0 } }));
    assert.equal(orders.meta.results.total, 2);
    assert.ok(orders.included.items.length >= 2);
    const one = ok(await shopperSdk.getAnOrder({ client: shopper, auth: () => token, headers, path: { orderID: store.orderId }, query: { include: 'items' } }));
    assert.equal(one.data.id, store.orderId);
    const missing = await shopperSdk.getAnOrder({ client: shopper, auth: () => token, headers, path: { orderID: '00000000-0000-4000-8000-000000000000' } });
    assert.equal(missing.error.errors[0].detail, 'The order does not exist');
  });

  await step('core mergeCart(): GET /v2/carts, POST /v2/carts {name}, bare-array association, cart_items merge', async () => {
    const token = await implicitToken();
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', [header]: cookie.token };
    const guest = storefront.Cart(`guest-${run}`);
    await guest.AddCustomItem({ type: 'custom_item', name: 'Socks', sku: 'SOCK', quantity: 3, price: { amount: 500 } });
    const list = await (await fetch(`http://${host}/v2/carts`, { headers })).json();
    assert.ok(Array.isArray(list.data));
    const created = await (await fetch(`http://${host}/v2/carts`, { method: 'POST', headers, body: JSON.stringify({ name: 'Cart' }) })).json();
    const accountCart = created.data.id;
    const associate = await fetch(`http://${host}/v2/carts/${accountCart}/relationships/accounts`, {
      method: 'POST', headers, body: JSON.stringify([{ type: 'account', id: cookie.selected }]),
    });
    assert.ok(associate.status === 200 || associate.status === 204, `association answered ${associate.status}`);
    const merged = await fetch(`http://${host}/v2/carts/${accountCart}/items`, {
      method: 'POST', headers, body: JSON.stringify({ data: { type: 'cart_items', cart_id: `guest-${run}` }, options: { add_all_or_nothing: false } }),
    });
    assert.equal(merged.status, 201);
    const items = (await merged.json()).data;
    assert.equal(items.find((i) => i.sku === 'SOCK').quantity, 3);
    const mine = await (await fetch(`http://${host}/v2/carts`, { headers })).json();
    assert.ok(mine.data.some((c) => c.id === accountCart));
  });

  await step('Cart.AddAccountAssociation with the SDK ({data:[…]}), and a second account refused', async () => {
    const cart = storefront.Cart(`sdk-assoc-${run}`);
    await cart.AddCustomItem({ type: 'custom_item', name: 'Hat', sku: 'HAT', quantity: 1, price: { amount: 900 } });
    await cart.AddAccountAssociation(cookie.selected, cookie.token);
    const strict = moltin({ client_id: clientId, name: 'strict', fetchMaxAttempts: 1 });
    const other = await server.Accounts.Create({ type: 'account', name: `Other ${run}`, legal_name: 'Other' });
    let refused;
    try {
      await strict.Cart(`sdk-assoc-${run}`).AddAccountAssociation(other.data.id, cookie.token);
    } catch (error) {
      refused = error;
    }
    assert.equal(refused.errors[0].status, 403);
  });

  await step('d2c account/summary updateUserAuthenticationPasswordProfile: sign in again, list (server), PUT with the header', async () => {
    const again = await storefront.AccountMembers.GenerateAccountToken({
      type: 'account_management_authentication_token', authentication_mechanism: 'password', password_profile_id: store.profileId, username: email, password,
    });
    const fresh = again.data[0].token;
    const entries = await server.UserAuthenticationPasswordProfile.All(store.realmId, cookie.accountMemberId);
    const entry = entries.data.find((e) => e.password_profile_id === store.profileId);
    const token = await implicitToken();
    ok(await shopperSdk.updatePasswordProfileInfo({ client: shopper, auth: () => token,
      path: { realmId: store.realmId, userAuthenticationInfoId: cookie.accountMemberId, userAuthenticationPasswordProfileInfoId: entry.id },
      headers: { [header]: fresh },
      body: { data: { type: 'user_authentication_password_profile_info', id: entry.id, password_profile_id: store.profileId, username: email,
        password: 'a completely new passphrase' } } }));
    const signedIn = await storefront.AccountMembers.GenerateAccountToken({
      type: 'account_management_authentication_token', authentication_mechanism: 'password', password_profile_id: store.profileId, username: email,
      password: 'a completely new passphrase',
    });
    cookie.token = signedIn.data[0].token;
  });

  await step('admin recipe (epcc-cli create-singleton-account-member): UserAuthenticationInfo, password, account, membership; switching accounts', async () => {
    const buyer = `buyer.${run}@example.com`;
    const info = await server.UserAuthenticationInfo.Create(store.realmId, { data: { type: 'user_authentication_info', name: 'Bea Buyer', email: buyer } });
    await server.UserAuthenticationPasswordProfile.Create(store.realmId, info.data.id, {
      data: { type: 'user_authentication_password_profile_info', password_profile_id: store.profileId, username: buyer, password },
    });
    const first = await server.Accounts.Create({ type: 'account', name: `Buyer One ${run}`, legal_name: 'Buyer One Ltd' });
    const second = await server.Accounts.Create({ type: 'account', name: `Buyer Two ${run}`, legal_name: 'Buyer Two Ltd' });
    await server.AccountMemberships.Create(first.data.id, { type: 'account_membership', account_member_id: info.data.id });
    await server.AccountMemberships.Create(second.data.id, { type: 'account_membership', account_member_id: info.data.id });
    const memberships = await server.AccountMemberships.All(first.data.id);
    assert.ok(memberships.data.some((m) => m.relationships.account_member.data.id === info.data.id));
    const tokens = await storefront.AccountMembers.GenerateAccountToken({
      type: 'account_management_authentication_token', authentication_mechanism: 'password', password_profile_id: store.profileId, username: buyer, password,
    });
    assert.deepEqual(tokens.data.map((t) => t.account_name).sort(), [`Buyer One ${run}`, `Buyer Two ${run}`]);
    const members = await server.AccountMembers.All();
    assert.ok(members.data.some((m) => m.id === info.data.id));
    const accounts = await server.Accounts.All();
    assert.ok(accounts.data.some((a) => a.id === second.data.id));
  });

  if (failures > 0) {
    console.log(`${failures} step(s) failed`);
    process.exit(1);
  }
  console.log('all steps passed');
})();
