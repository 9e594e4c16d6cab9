using System.Net;
using System.Text.Json.Nodes;
using CommerceManager.Tests.Infrastructure;
using Idp = CommerceManager.TestIdentityProvider.TestIdentityProvider;

namespace CommerceManager.Tests.CustomerSignIn;

/// <summary>
/// EP's core starter signs account members in through the account realm's OpenID Connect profiles: settings → realm →
/// profiles → the store's login proxy with client_id account-management and PKCE → the store's code redeemed at
/// <c>POST /v2/account-members/tokens</c> (authentication_mechanism oidc).
/// </summary>
public sealed class AccountOidcTests(OidcStore store) : IClassFixture<OidcStore>
{
    private const string Storefront = "https://core.example/oidc";

    private static string Str(JsonNode? node, string path) => path.Split('.').Aggregate(node, (n, p) => n?[p])!.GetValue<string>();

    /// <summary>An admin adds the provider to the account realm and lists the storefront's page (once per store).</summary>
    private async Task<(string Realm, string Profile)> SetUpAsync()
    {
        var server = await ApiClient.ClientCredentialsAsync(store);
        var settings = await ApiClient.ExpectAsync(await server.PutAsync("/v2/settings/account-authentication", new
        {
            type = "account_authentication_settings", auto_create_account_for_account_members = true,
        }), HttpStatusCode.OK);
        var realm = Str(settings, "data.relationships.authentication_realm.data.id");
        var existing = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/authentication-realms/{realm}/oidc-profiles"), HttpStatusCode.OK);
        if (existing["data"]!.AsArray().FirstOrDefault() is { } known)
        {
            return (realm, Str(known, "id"));
        }
        var profile = await ApiClient.ExpectAsync(await server.PostAsync($"/v2/authentication-realms/{realm}/oidc-profiles", new
        {
            type = "oidc-profile", name = "Members' provider", discovery_url = store.Provider.Issuer, client_id = Idp.ClientId, client_secret = Idp.ClientSecret,
        }), HttpStatusCode.Created);
        await store.Provider.AllowRedirectUriAsync(profile["links"]!["callback-endpoint"]!.GetValue<string>());
        await ApiClient.ExpectAsync(await server.PutAsync($"/v2/authentication-realms/{realm}",
            new { type = "authentication-realm", redirect_uris = new[] { Storefront } }), HttpStatusCode.OK);
        return (realm, Str(profile, "data.id"));
    }

    /// <summary>What the core starter's browser does: the profile's authorization-endpoint with its PKCE challenge, through the hops, back with a code.</summary>
    private async Task<Uri> BrowseAsync(string realm, string profile, string user, string verifier, string clientId = "account-management")
    {
        var storefront = await ApiClient.ImplicitAsync(store);
        var single = await ApiClient.ExpectAsync(await storefront.GetAsync($"/v2/authentication-realms/{realm}/oidc-profiles/{profile}"), HttpStatusCode.OK);
        var challenge = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var url = new Uri(single["links"]!["authorization-endpoint"]!.GetValue<string>() +
            $"&client_id={clientId}&redirect_uri={Uri.EscapeDataString(Storefront)}&state=core-1&response_type=code" +
            $"&scope={Uri.EscapeDataString("openid email profile")}&code_challenge_method=S256&code_challenge={challenge}&login_hint={user}");
        var app = store.CreateBrowserlessClient();
        using var outside = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        for (var hop = 0; hop < 6; hop++)
        {
            if (url.Host == "core.example")
            {
                return url;
            }
            var response = url.Host == "localhost" ? await app.GetAsync(url.PathAndQuery) : await outside.GetAsync(url);
            url = response.Headers.Location is { } next ? (next.IsAbsoluteUri ? next : new Uri(url, next))
                : throw new InvalidOperationException($"No redirect from {url} ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync()}");
        }
        throw new InvalidOperationException("Too many redirects.");
    }

    private static string CodeOf(Uri back) => System.Web.HttpUtility.ParseQueryString(back.Query)["code"]
        ?? throw new InvalidOperationException($"No code in {back}");

    [Fact]
    public async Task A_member_signs_in_through_the_account_realms_provider_and_gets_a_token_for_its_new_account()
    {
        var (realm, profile) = await SetUpAsync();
        var storefront = await ApiClient.ImplicitAsync(store);
        var settings = await ApiClient.ExpectAsync(await storefront.GetAsync("/v2/settings/account-authentication"), HttpStatusCode.OK);
        var profiles = await ApiClient.ExpectAsync(await storefront.GetAsync($"/v2/authentication-realms/{realm}/oidc-profiles"), HttpStatusCode.OK);
        var verifier = Idp.NewCodeVerifier();

        var back = await BrowseAsync(realm, profile, "alice", verifier);
        var tokens = await ApiClient.ExpectAsync(await storefront.PostAsync("/v2/account-members/tokens", new
        {
            type = "account_management_authentication_token", authentication_mechanism = "oidc", oauth_authorization_code = CodeOf(back),
            oauth_redirect_uri = Storefront, oauth_code_verifier = verifier,
        }), HttpStatusCode.Created);
        storefront.AccountToken = Str(tokens["data"]![0], "token");
        var member = await ApiClient.ExpectAsync(await storefront.GetAsync($"/v2/account-members/{Str(tokens, "meta.account_member_id")}"), HttpStatusCode.OK);
        var again = await ApiClient.ExpectAsync(await (await ApiClient.ImplicitAsync(store)).PostAsync("/v2/account-members/tokens", new
        {
            type = "account_management_authentication_token", authentication_mechanism = "oidc", oauth_authorization_code = CodeOf(await BrowseAsync(realm, profile, "alice", verifier)),
            oauth_redirect_uri = Storefront, oauth_code_verifier = verifier,
        }), HttpStatusCode.Created);

        Assert.Equal("account-management", Str(settings, "data.meta.client_id"));
        Assert.Equal(profile, Str(Assert.Single(profiles["data"]!.AsArray()), "id"));
        Assert.Equal(("Alice Example", "alice.oidc@example.com"), (Str(member, "data.name"), Str(member, "data.email")));
        Assert.Equal("Alice Example", Str(tokens["data"]![0], "account_name"));
        // The same identity signs in as the same member.
        Assert.Equal(Str(tokens, "meta.account_member_id"), Str(again, "meta.account_member_id"));
    }

    [Fact]
    public async Task The_proxy_refuses_the_customers_client_id_and_a_members_code_at_the_customers_token_endpoint()
    {
        var (realm, profile) = await SetUpAsync();
        var verifier = Idp.NewCodeVerifier();

        var wrongClient = await BrowseAsync(realm, profile, "bob", verifier, clientId: "customers");
        var code = CodeOf(await BrowseAsync(realm, profile, "bob", verifier));
        var atCustomers = await ApiClient.ExpectErrorAsync(await (await ApiClient.ImplicitAsync(store)).PostAsync("/v2/customers/tokens", new
        {
            type = "token", authentication_mechanism = "oidc", oauth_authorization_code = code, oauth_redirect_uri = Storefront, oauth_code_verifier = verifier,
        }), HttpStatusCode.Unauthorized);

        Assert.Equal("unauthorized_client", System.Web.HttpUtility.ParseQueryString(wrongClient.Query)["error"]);
        Assert.Contains("account member", atCustomers["detail"]!.GetValue<string>());
        // The customer realm's profiles are not the account realm's (and the other way round).
        var storefront = await ApiClient.ImplicitAsync(store);
        var customerProfiles = await ApiClient.ExpectAsync(await storefront.GetAsync($"/v2/authentication-realms/{store.RealmId}/oidc-profiles"), HttpStatusCode.OK);
        Assert.DoesNotContain(customerProfiles["data"]!.AsArray(), p => Str(p, "id") == profile);
    }
}
