using System.Net;
using CommerceManager.CustomerSignIn;
using CommerceManager.Data;
using CommerceManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.CustomerSignIn;

/// <summary>
/// The login proxy is anonymous and each sign-in it starts writes a row: an address may start only so many a minute,
/// have only so many under way, and send only a bounded state (security.md, row 15).
/// </summary>
public sealed class LoginProxyLimitsTests(LoginProxyLimitsTests.LimitedStore store) : IClassFixture<LoginProxyLimitsTests.LimitedStore>
{
    public sealed class LimitedStore : OidcStore
    {
        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["CustomerSignIn:AllowPrivateProviders"] = "true",
            ["RateLimits:LoginProxyPerIpPerMinute"] = "6",
            ["RateLimits:PendingLoginsPerIp"] = "3",
        };
    }

    private async Task<HttpResponseMessage> StartAsync(HttpClient browser, string state)
    {
        var storefront = await ApiClient.ImplicitAsync(store);
        var profile = await ApiClient.ExpectAsync(await storefront.GetAsync($"/v2/authentication-realms/{store.RealmId}/oidc-profiles/{store.ProfileId}"), HttpStatusCode.OK);
        var link = new Uri(profile["links"]!["authorization-endpoint"]!.GetValue<string>());
        var challenge = new string('c', 43);
        return await browser.GetAsync(link.PathAndQuery + $"&client_id=customers&redirect_uri={Uri.EscapeDataString(OidcStore.StorefrontCallback)}" +
            $"&state={Uri.EscapeDataString(state)}&response_type=code&code_challenge_method=S256&code_challenge={challenge}");
    }

    private async Task<int> PendingAsync()
    {
        await using var db = await store.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        return await db.OidcLoginRequests.CountAsync();
    }

    [Fact]
    public async Task A_burst_from_one_address_is_refused_with_429_and_writes_nothing_more()
    {
        var browser = store.CreateBrowserlessClient();
        var before = await PendingAsync();
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 8; i++)
        {
            answers.Add(await StartAsync(browser, $"st-{i}"));
        }

        // Three sign-ins may be under way from one address (none of them finished): each goes on to the provider.
        Assert.All(answers.Take(3 - before), a => Assert.Equal(HttpStatusCode.Redirect, a.StatusCode));
        // Then the address must finish one first, and past six a minute it is not even read.
        Assert.All(answers.Skip(3 - before), a => Assert.Equal(HttpStatusCode.TooManyRequests, a.StatusCode));
        Assert.Contains("under way", await answers[3 - before].Content.ReadAsStringAsync());
        Assert.True(answers[^1].Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains("Too many requests", await answers[^1].Content.ReadAsStringAsync());
        Assert.Equal(3, await PendingAsync());
    }
}

/// <summary>The state a storefront sends is kept until the provider answers: it has a length limit.</summary>
public sealed class LoginProxyStateTests(OidcStore store) : IClassFixture<OidcStore>
{
    [Fact]
    public async Task A_state_over_512_characters_is_refused_and_nothing_is_stored()
    {
        var browser = store.CreateBrowserlessClient();
        await using var db = await store.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var storefront = await ApiClient.ImplicitAsync(store);
        var profile = await ApiClient.ExpectAsync(await storefront.GetAsync($"/v2/authentication-realms/{store.RealmId}/oidc-profiles/{store.ProfileId}"), HttpStatusCode.OK);
        var link = new Uri(profile["links"]!["authorization-endpoint"]!.GetValue<string>()).PathAndQuery;
        string Url(string state) => link + $"&client_id=customers&redirect_uri={Uri.EscapeDataString(OidcStore.StorefrontCallback)}" +
            $"&state={state}&response_type=code&code_challenge_method=S256&code_challenge={new string('c', 43)}";
        var before = await db.OidcLoginRequests.CountAsync();

        var tooLong = await browser.GetAsync(Url(new string('s', OidcSignInService.MaxStateLength + 1)));
        var longest = await browser.GetAsync(Url(new string('s', OidcSignInService.MaxStateLength)));

        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("state is longer than 512 characters", await tooLong.Content.ReadAsStringAsync());
        Assert.DoesNotContain(new string('s', 513), await tooLong.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, longest.StatusCode);
        Assert.Equal(before + 1, await db.OidcLoginRequests.CountAsync());
    }
}
