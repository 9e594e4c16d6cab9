using System.Net;
using System.Text.Json.Nodes;
using CommerceManager.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Idp = CommerceManager.TestIdentityProvider.TestIdentityProvider;

namespace CommerceManager.Tests.CustomerSignIn;

/// <summary>EP's storefront sign-in, unchanged: realm and profile discovery, the store's login proxy, the store's code.</summary>
public sealed class OidcProxyTests(OidcStore store) : IClassFixture<OidcStore>
{
    private static async Task<HttpResponseMessage> RedeemAsync(ApiClient storefront, string code, string verifier, string redirectUri = OidcStore.StorefrontCallback) =>
        await storefront.PostAsync("/v2/customers/tokens", new
        {
            type = "token", authentication_mechanism = "oidc", oauth_authorization_code = code, oauth_redirect_uri = redirectUri, oauth_code_verifier = verifier,
        });

    [Fact]
    public async Task Settings_realm_and_profile_have_EPs_shape_with_the_links_storefronts_read()
    {
        var storefront = await ApiClient.ImplicitAsync(store);

        var settings = (await ApiClient.ExpectAsync(await storefront.GetAsync("/v2/settings/customer-authentication"), HttpStatusCode.OK))["data"]!;
        var realmId = settings["relationships"]!["authentication-realm"]!["data"]!["id"]!.GetValue<string>();
        var single = await ApiClient.ExpectAsync(await storefront.GetAsync($"/v2/authentication-realms/{realmId}/oidc-profiles/{store.ProfileId}"), HttpStatusCode.OK);

        Assert.Equal("customers", settings["meta"]!["client_id"]!.GetValue<string>());
        Assert.Equal($"http://localhost/v2/authentication-realms/{realmId}", settings["relationships"]!["authentication-realm"]!["data"]!["links"]!["self"]!.GetValue<string>());
        var links = single["links"]!.AsObject();
        Assert.Equal(["authorization-endpoint", "callback-endpoint", "client-discovery-url", "self"], links.Select(l => l.Key).Order(StringComparer.Ordinal));
        Assert.Contains($"?elasticpath_commerce_cloud_profile_id={store.ProfileId}", links["authorization-endpoint"]!.GetValue<string>());
        Assert.EndsWith($"/oidc-profiles/{store.ProfileId}", links["callback-endpoint"]!.GetValue<string>());
        var discovery = JsonNode.Parse(await store.CreateClient().GetStringAsync(links["client-discovery-url"]!.GetValue<string>()))!;
        Assert.Equal("S256", discovery["code_challenge_methods_supported"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task EPs_storefront_flow_signs_the_customer_in_through_the_stores_own_sign_in()
    {
        var verifier = Idp.NewCodeVerifier();

        var landed = await store.BrowseSignInAsync("alice", verifier);
        var query = QueryHelpers.ParseQuery(landed.Query);
        var storefront = await ApiClient.ImplicitAsync(store);
        var token = (await ApiClient.ExpectAsync(await RedeemAsync(storefront, query["code"]!, verifier), HttpStatusCode.OK))["data"]!;
        var again = await ApiClient.ExpectErrorAsync(await RedeemAsync(storefront, query["code"]!, verifier), HttpStatusCode.Unauthorized);

        Assert.Equal("https://shop.example/oidc", landed.GetLeftPart(UriPartial.Path));
        Assert.Equal("st-1", query["state"].ToString());
        storefront.CustomerToken = token["token"]!.GetValue<string>();
        var me = (await ApiClient.ExpectAsync(await storefront.GetAsync($"/v2/customers/{token["customer_id"]}"), HttpStatusCode.OK))["data"]!;
        Assert.Equal("alice.oidc@example.com", me["email"]!.GetValue<string>());
        Assert.Contains("already used", again["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_stores_code_needs_the_storefronts_own_verifier_and_redirect_URI()
    {
        var verifier = Idp.NewCodeVerifier();
        var code = QueryHelpers.ParseQuery((await store.BrowseSignInAsync("bob", verifier)).Query)["code"].ToString();
        var other = QueryHelpers.ParseQuery((await store.BrowseSignInAsync("bob", verifier)).Query)["code"].ToString();
        var storefront = await ApiClient.ImplicitAsync(store);

        var wrongVerifier = await ApiClient.ExpectErrorAsync(await RedeemAsync(storefront, code, Idp.NewCodeVerifier()), HttpStatusCode.Unauthorized);
        var wrongRedirect = await ApiClient.ExpectErrorAsync(await RedeemAsync(storefront, other, verifier, "https://shop.example/elsewhere"), HttpStatusCode.Unauthorized);

        Assert.Contains("verifier", wrongVerifier["detail"]!.GetValue<string>());
        Assert.Contains("redirect URI", wrongRedirect["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_redirect_URI_the_realm_does_not_list_gets_an_error_page_and_no_redirect()
    {
        var storefront = await ApiClient.ImplicitAsync(store);
        var single = await ApiClient.ExpectAsync(await storefront.GetAsync($"/v2/authentication-realms/{store.RealmId}/oidc-profiles/{store.ProfileId}"), HttpStatusCode.OK);
        var link = single["links"]!["authorization-endpoint"]!.GetValue<string>();
        var app = store.CreateBrowserlessClient();

        var evil = await app.GetAsync(new Uri(link).PathAndQuery + "&client_id=customers&redirect_uri=https%3A%2F%2Fevil.example%2Foidc&state=s&response_type=code&code_challenge_method=S256&code_challenge=" + new string('a', 43));
        var noPkce = await app.GetAsync(new Uri(link).PathAndQuery + "&client_id=customers&redirect_uri=https%3A%2F%2Fshop.example%2Foidc&state=s&response_type=code");

        Assert.Equal(HttpStatusCode.BadRequest, evil.StatusCode);
        Assert.Null(evil.Headers.Location);
        Assert.Contains("redirect_uri", await evil.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, noPkce.StatusCode);
        var back = QueryHelpers.ParseQuery(noPkce.Headers.Location!.Query);
        Assert.Equal(("https://shop.example/oidc", "invalid_request", "s"), (noPkce.Headers.Location.GetLeftPart(UriPartial.Path), back["error"].ToString(), back["state"].ToString()));
    }

    [Fact]
    public async Task The_realms_redirect_URIs_and_policy_are_checked_when_changed()
    {
        var server = await ApiClient.ClientCredentialsAsync(store);

        var plainHttp = await ApiClient.ExpectErrorAsync(await server.PutAsync($"/v2/authentication-realms/{store.RealmId}",
            new { type = "authentication-realm", redirect_uris = new[] { "http://shop.example/oidc" } }), HttpStatusCode.UnprocessableEntity);
        var policy = await ApiClient.ExpectErrorAsync(await server.PutAsync($"/v2/authentication-realms/{store.RealmId}",
            new { type = "authentication-realm", duplicate_email_policy = "merge" }), HttpStatusCode.UnprocessableEntity);
        var realm = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/authentication-realms/{store.RealmId}"), HttpStatusCode.OK);

        Assert.Contains("https", plainHttp["detail"]!.GetValue<string>());
        Assert.Equal("data.duplicate_email_policy", policy["source"]!.GetValue<string>());
        Assert.Equal([OidcStore.StorefrontCallback], realm["data"]!["redirect_uris"]!.AsArray().Select(u => u!.GetValue<string>()));
        Assert.Equal("authentication-realm", realm["data"]!["type"]!.GetValue<string>());
    }
}
