using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Idp = CommerceManager.TestIdentityProvider.TestIdentityProvider;

namespace CommerceManager.E2E;

/// <summary>
/// A storefront page on another origin loads the official SDK's browser build and calls the API from the browser:
/// what EP's implicit tokens exist for. Every call passes CORS, or the page reports which failed.
/// </summary>
public sealed class BrowserStorefrontTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private readonly ShopOrigin shop = new();
    private readonly Idp idp = new();

    public async Task InitializeAsync() => await idp.StartAsync();

    public async Task DisposeAsync()
    {
        await shop.DisposeAsync();
        await idp.DisposeAsync();
    }

    /// <summary>The page: the SDK pointed at the API's host, and a script that reports each step into #log and #result.</summary>
    private string Page(string script) => $$"""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body>
        <h1>Shop</h1><pre id="log"></pre><div id="result"></div>
        <script src="/moltin.js"></script>
        <script>
          const apiHost = '{{new Uri(browser.App.BaseUrl).Authority}}';
          const clientId = '{{KestrelApp.ApiClientId}}';
          const Moltin = moltin.gateway({ client_id: clientId, host: apiHost, protocol: 'http', storage: new moltin.MemoryStorageFactory(), fetchMaxAttempts: 1 });
          const log = (line) => { document.getElementById('log').textContent += line + '\n'; };
          const done = (text) => { document.getElementById('result').textContent = text; };
          // As EP's OidcLoginButtons: the profile's authorization endpoint with client_id, redirect_uri, state and PKCE,
          // the verifier and state kept for the way back.
          const showSignInLink = async (profile, clientId, redirectUri) => {
            const bytes = crypto.getRandomValues(new Uint8Array(32));
            const verifier = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
            const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
            const challenge = btoa(String.fromCharCode(...digest)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
            const state = 'st' + Date.now();
            sessionStorage.setItem('verifier', verifier);
            sessionStorage.setItem('state', state);
            const url = new URL(profile.links['authorization-endpoint']);
            for (const [key, value] of [['client_id', clientId], ['redirect_uri', redirectUri], ['state', state], ['response_type', 'code'],
                ['scope', 'openid email profile'], ['code_challenge_method', 'S256'], ['code_challenge', challenge], ['login_hint', 'alice']]) {
              url.searchParams.append(key, value);
            }
            document.getElementById('result').innerHTML = `<a id="login" href="${url}">Sign in with ${profile.data.name}</a>`;
          };
          (async () => {
            try { {{script}} }
            catch (e) { done('FAILED: ' + (e && e.errors ? JSON.stringify(e.errors) : (e && e.message) || String(e))); }
          })();
        </script></body></html>
        """;

    [Fact]
    public async Task The_official_SDK_in_a_page_on_another_origin_registers_signs_in_and_checks_out()
    {
        await shop.StartAsync(Page("""
            const email = `browser.${Date.now()}@example.com`;
            const password = 'correct horse battery staple';
            const { data: customer } = await Moltin.Customers.Create({ name: 'Browser Shopper', email, password });
            log('registered ' + customer.id);
            const { data: token } = await Moltin.Customers.TokenViaPassword(email, password);
            log('customer token');
            const { data: me } = await Moltin.Customers.Get(customer.id, token.token);
            log('read ' + me.email);
            const address = { first_name: 'Bea', last_name: 'Browser', line_1: '1 Page Street', region: 'Leeds', county: 'West Yorkshire', postcode: 'LS1 1AA', country: 'GB' };
            await Moltin.CustomerAddresses.Create({ customer: customer.id, body: { name: 'Home', ...address }, token: token.token });
            log('address added');
            const cart = Moltin.Cart('browser-' + Date.now());
            await cart.AddCustomItem({ name: 'Ceramic mug', sku: 'MUG-1', quantity: 2, price: { amount: 1450 } });
            const { data: order } = await cart.Checkout(customer.id, address);
            log('checked out ' + order.id + ' linked to ' + order.relationships.customer.data.id);
            const { data: orders } = await Moltin.Orders.All(token.token);
            log('orders ' + orders.length);
            done(orders.length === 1 && orders[0].id === order.id && me.email === email ? 'OK ' + order.id : 'WRONG ' + JSON.stringify(orders));
            """));
        var page = await browser.NewPageAsync();
        var corsErrors = new List<string>();
        page.Console += (_, message) =>
        {
            // Chromium reports a blocked cross-origin call as a console error naming CORS (the shop's missing favicon is not one).
            if (message.Type == "error" && (message.Text.Contains("CORS", StringComparison.Ordinal) || message.Text.Contains("blocked", StringComparison.Ordinal)))
            {
                corsErrors.Add(message.Text);
            }
        };

        await page.GotoAsync(shop.Origin + "/");

        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("OK ", new() { Timeout = 30_000 });
        await page.ShotAsync("70-storefront-other-origin");
        Assert.Empty(corsErrors);
    }

    [Fact]
    public async Task EPs_storefront_sign_in_flow_runs_unchanged_through_the_stores_sign_in_and_an_unlisted_redirect_is_refused()
    {
        await shop.StartAsync(Page("""
            const settings = await Moltin.AuthenticationSettings.Get();
            const realmId = settings.data.relationships['authentication-realm'].data.id;
            const redirectUri = `${location.origin}/oidc`;
            const query = new URLSearchParams(location.search);
            if (query.get('code')) {
              // Back from the store's sign-in, as EP's OidcHandler: check the state, redeem the code with the verifier.
              if (query.get('state') !== sessionStorage.getItem('state')) { done('FAILED: state mismatch'); return; }
              const { data } = await Moltin.Customers.TokenViaOIDC(query.get('code'), redirectUri, sessionStorage.getItem('verifier'));
              const me = await Moltin.Customers.Get(data.customer_id, data.token);
              done('SIGNED IN ' + me.data.email);
              return;
            }
            if (query.get('error')) { done('ERROR ' + query.get('error')); return; }
            // As EP's OidcLoginButtons: the profile's top-level links, then client_id, scope, response_type, redirect_uri, state, PKCE.
            const profiles = await Moltin.OidcProfile.All(realmId);
            const profile = await Moltin.OidcProfile.Get({ realmId, profileId: profiles.data[0].id });
            await showSignInLink(profile, settings.data.meta.client_id, query.get('redirect') || redirectUri);
            """));
        await PrepareRealmAsync(shop.Origin + "/oidc");
        var page = await browser.NewPageAsync();

        await page.GotoAsync(shop.Origin + "/");
        await page.Locator("#login").ClickAsync(new() { Timeout = 30_000 });

        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("SIGNED IN alice.oidc@example.com", new() { Timeout = 30_000 });
        Assert.StartsWith(shop.Origin + "/oidc?code=", page.Url, StringComparison.Ordinal);
        await page.ShotAsync("71-storefront-oidc-signed-in");

        // A redirect URI the realm does not list: the store's sign-in shows an error and sends nobody anywhere.
        var other = await browser.NewPageAsync();
        await other.GotoAsync(shop.Origin + "/?redirect=" + Uri.EscapeDataString("https://evil.example/oidc"));
        await other.Locator("#login").ClickAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(other.Locator("body")).ToContainTextAsync("redirect_uri is not one of the realm's redirect URIs");
        Assert.StartsWith(browser.App.BaseUrl + "oidc-idp/login/", other.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EPs_core_starter_signs_a_member_in_through_the_account_realm_and_merges_the_guest_cart_into_the_accounts()
    {
        // The core starter's steps (EP-ACCOUNTS.md §1.3 and §1.8), with fetch as it does: the implicit token, the account
        // settings (realm with an underscore, client_id), the realm's profiles, the store's sign-in with PKCE, the code
        // redeemed at /v2/account-members/tokens, then the guest cart merged into the account's new cart.
        await shop.StartAsync(Page("""
            const api = `http://${apiHost}`;
            const { access_token: implicit } = await (await fetch(`${api}/oauth/access_token`, { method: 'POST',
              body: new URLSearchParams({ grant_type: 'implicit', client_id: clientId }) })).json();
            const call = async (method, path, body, accountToken) => {
              const headers = { Authorization: `Bearer ${implicit}`, 'Content-Type': 'application/json' };
              if (accountToken) headers['EP-Account-Management-Authentication-Token'] = accountToken;
              const response = await fetch(`${api}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
              const text = await response.text();
              if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
              return text ? JSON.parse(text) : null;
            };
            const settings = await call('GET', '/v2/settings/account-authentication');
            const realmId = settings.data.relationships.authentication_realm.data.id;
            const redirectUri = `${location.origin}/oidc`;
            const query = new URLSearchParams(location.search);
            if (query.get('code')) {
              if (query.get('state') !== sessionStorage.getItem('state')) { done('FAILED: state mismatch'); return; }
              const tokens = await call('POST', '/v2/account-members/tokens', { data: { type: 'account_management_authentication_token',
                authentication_mechanism: 'oidc', oauth_authorization_code: query.get('code'), oauth_redirect_uri: redirectUri,
                oauth_code_verifier: sessionStorage.getItem('verifier') } });
              const token = tokens.data[0].token;
              const accountId = tokens.data[0].account_id;
              const member = await call('GET', `/v2/account-members/${tokens.meta.account_member_id}`, undefined, token);
              log('signed in ' + member.data.email + ' to ' + tokens.data[0].account_name);
              // mergeCart(): the account's carts; none yet, so a new one tied to the account (a bare array), then the guest cart's items.
              const carts = await call('GET', '/v2/carts', undefined, token);
              const accountCart = carts.data.find(c => !c.is_quote) ?? (await call('POST', '/v2/carts', { name: 'Cart' }, token)).data;
              await call('POST', `/v2/carts/${accountCart.id}/relationships/accounts`, [{ type: 'account', id: accountId }], token);
              await call('POST', `/v2/carts/${accountCart.id}/items`, { data: { type: 'cart_items', cart_id: sessionStorage.getItem('guestCart') },
                options: { add_all_or_nothing: false } }, token);
              const items = await call('GET', `/v2/carts/${accountCart.id}/items`, undefined, token);
              const mine = await call('GET', '/v2/carts', undefined, token);
              done('SIGNED IN ' + member.data.email + ' items ' + items.data.map(i => i.sku).join(',') + ' carts ' + mine.data.length);
              return;
            }
            if (query.get('error')) { done('ERROR ' + query.get('error')); return; }
            // Before signing in, the shopper filled a guest cart.
            const guestCart = 'guest-' + Date.now();
            await call('POST', `/v2/carts/${guestCart}/items`, { data: { type: 'custom_item', name: 'Ceramic mug', sku: 'MUG-1', quantity: 1, price: { amount: 1450 } } });
            sessionStorage.setItem('guestCart', guestCart);
            const profiles = await call('GET', `/v2/authentication-realms/${realmId}/oidc-profiles`);
            const profile = await call('GET', `/v2/authentication-realms/${realmId}/oidc-profiles/${profiles.data[0].id}`);
            await showSignInLink(profile, settings.data.meta.client_id, redirectUri);
            """));
        await PrepareRealmAsync(shop.Origin + "/oidc", accounts: true);
        var page = await browser.NewPageAsync();

        await page.GotoAsync(shop.Origin + "/");
        await page.Locator("#login").ClickAsync(new() { Timeout = 30_000 });

        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("SIGNED IN alice.oidc@example.com items MUG-1 carts 1", new() { Timeout = 30_000 });
        Assert.StartsWith(shop.Origin + "/oidc?code=", page.Url, StringComparison.Ordinal);
        await page.ShotAsync("72-storefront-account-oidc-signed-in");
    }

    /// <summary>
    /// What an admin does once: the provider as a profile, its callback registered at the provider, the shop's page in the
    /// realm: the customer realm, or with <paramref name="accounts"/> the account realm (members get an account of their own).
    /// </summary>
    private async Task PrepareRealmAsync(string storefrontRedirect, bool accounts = false)
    {
        using var http = new HttpClient { BaseAddress = new Uri(browser.App.BaseUrl) };
        var tokenResponse = await http.PostAsync("oauth/access_token", new StringContent(
            $"grant_type=client_credentials&client_id={KestrelApp.ApiClientId}&client_secret={KestrelApp.ApiClientSecret}", Encoding.UTF8, "application/x-www-form-urlencoded"));
        var token = (await tokenResponse.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        string realm;
        if (accounts)
        {
            var put = await http.PutAsJsonAsync("v2/settings/account-authentication", new
            {
                data = new { type = "account_authentication_settings", auto_create_account_for_account_members = true },
            });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            var settings = (await put.Content.ReadFromJsonAsync<JsonObject>())!;
            realm = settings["data"]!["relationships"]!["authentication_realm"]!["data"]!["id"]!.GetValue<string>();
        }
        else
        {
            var settings = (await http.GetFromJsonAsync<JsonObject>("v2/settings/customer-authentication"))!;
            realm = settings["data"]!["relationships"]!["authentication-realm"]!["data"]!["id"]!.GetValue<string>();
        }
        var created = await http.PostAsJsonAsync($"v2/authentication-realms/{realm}/oidc-profiles", new
        {
            data = new { type = "oidc-profile", name = "Store accounts", discovery_url = idp.Issuer, client_id = Idp.ClientId, client_secret = Idp.ClientSecret },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var profile = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        await idp.AllowRedirectUriAsync(profile["links"]!["callback-endpoint"]!.GetValue<string>());
        var redirects = await http.PutAsJsonAsync($"v2/authentication-realms/{realm}", new
        {
            data = new { type = "authentication-realm", redirect_uris = new[] { storefrontRedirect } },
        });
        Assert.Equal(HttpStatusCode.OK, redirects.StatusCode);
    }
}
