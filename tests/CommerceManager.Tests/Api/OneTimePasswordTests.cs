using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CommerceManager.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CommerceManager.Tests.Api;

/// <summary>An app whose webhooks may call loopback, retry at once, and whose clock the test moves.</summary>
public sealed class WebhookStore : AppFactory
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Webhooks:AllowPrivateAddresses"] = "true",
        ["Webhooks:RetryDelaysSeconds:0"] = "0",
        ["Webhooks:RetryDelaysSeconds:1"] = "0",
        // Every test here asks for codes from one address: the per-address limit has its own test below.
        ["RateLimits:OneTimePasswordsPerIpPerMinute"] = "100",
    };

    protected override void ReplaceServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
}

/// <summary>
/// EP's one-time password tokens as its starters use them (commerce-essentials, shopper-accounts-authentication): the
/// forgot-password form asks for a code, the store posts it to the storefront's webhook, the reset page exchanges it
/// (authentication_mechanism passwordless) and puts the new password with the member's token.
/// </summary>
public sealed class OneTimePasswordTests(WebhookStore app) : ApiTestBase(app), IClassFixture<WebhookStore>, IDisposable
{
    private const string Password = "correct horse battery staple";
    private const string SecretKey = "the storefront's webhook secret";
    private readonly WebhookReceiver receiver = new();

    public void Dispose() => receiver.Dispose();

    private static string Str(JsonNode? node, string path) => path.Split('.').Aggregate(node, (n, p) => n?[p])!.GetValue<string>();

    /// <summary>What `ep generate` leaves (update_only, a profile with one-time passwords on), plus the storefront's webhook.</summary>
    private async Task<(string Realm, string Profile, string Integration)> SetUpAsync(bool oneTimePasswords = true)
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var settings = await ApiClient.ExpectAsync(await server.PutAsync("/v2/settings/account-authentication", new
        {
            type = "account_authentication_settings", enable_self_signup = true, auto_create_account_for_account_members = true,
            account_member_self_management = "update_only",
        }), HttpStatusCode.OK);
        var realm = Str(settings, "data.relationships.authentication_realm.data.id");
        var profile = await ApiClient.ExpectAsync(await server.PostAsync($"/v2/authentication-realms/{realm}/password-profiles", new
        {
            type = "password_profile", username_format = "email", name = "profile " + Guid.NewGuid().ToString("N")[..6], enable_one_time_password_token = oneTimePasswords,
        }), HttpStatusCode.Created);
        var integration = await ApiClient.ExpectAsync(await server.PostAsync("/v2/integrations", new
        {
            type = "integration", integration_type = "webhook", name = "One Time Password notification", description = "Send one time password notification",
            enabled = true, observes = new[] { "one-time-password-token-request.created" }, configuration = new { url = receiver.Url, secret_key = SecretKey },
        }), HttpStatusCode.OK);
        return (realm, Str(profile, "data.id"), Str(integration, "data.id"));
    }

    private async Task<(string MemberId, string Email)> SignUpAsync(string profile)
    {
        var email = UniqueEmail("forgetful");
        var answer = await ApiClient.ExpectAsync(await (await ApiClient.ImplicitAsync(App)).PostAsync("/v2/account-members/tokens", new
        {
            type = "account_management_authentication_token", authentication_mechanism = "self_signup", password_profile_id = profile,
            username = email, password = Password, name = "Ada Lovelace", email,
        }), HttpStatusCode.Created);
        return (Str(answer, "meta.account_member_id"), email);
    }

    /// <summary>The forgot-password form: the generated shopper SDK posts the body without the data wrapper.</summary>
    private async Task<HttpResponseMessage> AskAsync(string realm, string profile, string username, string purpose = "reset_password") =>
        await (await ApiClient.ImplicitAsync(App)).SendAsync(HttpMethod.Post, $"/v2/authentication-realms/{realm}/password-profiles/{profile}/one-time-password-token-request",
            rawBody: JsonSerializer.Serialize(new { type = "one_time_password_token_request", username, purpose }));

    private async Task<HttpResponseMessage> ExchangeAsync(string profile, string username, string code) =>
        await (await ApiClient.ImplicitAsync(App)).PostAsync("/v2/account-members/tokens", new
        {
            type = "account_management_authentication_token", authentication_mechanism = "passwordless", password_profile_id = profile, username,
            one_time_password_token = code,
        });

    private async Task<HttpResponseMessage> SignInAsync(string profile, string username, string password) =>
        await (await ApiClient.ImplicitAsync(App)).PostAsync("/v2/account-members/tokens", new
        {
            type = "account_management_authentication_token", authentication_mechanism = "password", password_profile_id = profile, username, password,
        });

    [Fact]
    public async Task A_forgotten_password_is_reset_with_the_code_the_webhook_delivers_and_the_code_works_once()
    {
        var (realm, profile, integration) = await SetUpAsync();
        var (memberId, email) = await SignUpAsync(profile);

        Assert.Equal(HttpStatusCode.Accepted, (await AskAsync(realm, profile, email.ToUpperInvariant())).StatusCode);

        var (method, secret, body) = (await receiver.WaitForAsync(1))[0];
        Assert.Equal(("POST", SecretKey), (method, secret));
        Assert.Equal("one-time-password-token-request.created", Str(body, "triggered_by"));
        Assert.Equal((integration, "webhook"), (Str(body, "integration.id"), Str(body, "integration.integration_type")));
        var payload = body["payload"]!;
        var code = Str(payload, "one_time_password_token");
        Assert.Matches("^[a-z2-9]{6}$", code);
        Assert.Equal(("reset_password", realm, profile), (Str(payload, "purpose"), Str(payload, "authentication_realm_id"), Str(payload, "password_profile_id")));
        Assert.Equal((memberId, email), (Str(payload, "user_authentication_info.id"), Str(payload, "user_authentication_info.email")));
        var entryId = Str(payload, "user_authentication_password_profile_info.id");
        Assert.Equal(email, Str(payload, "user_authentication_password_profile_info.username"));

        // The reset page: the code for the member's tokens, then the new password with one of them.
        var exchanged = await ApiClient.ExpectAsync(await ExchangeAsync(profile, email, code), HttpStatusCode.Created);
        Assert.Equal(memberId, Str(exchanged, "meta.account_member_id"));
        var shopper = await ApiClient.ImplicitAsync(App);
        shopper.AccountToken = Str(exchanged["data"]![0], "token");
        await ApiClient.ExpectAsync(await shopper.PutAsync($"/v2/authentication-realms/{realm}/user-authentication-info/{memberId}/user-authentication-password-profile-info/{entryId}",
            new { type = "user_authentication_password_profile_info", id = entryId, password_profile_id = profile, username = email, password = "a brand new passphrase" }),
            HttpStatusCode.OK);

        await ApiClient.ExpectAsync(await SignInAsync(profile, email, "a brand new passphrase"), HttpStatusCode.Created);
        await ApiClient.ExpectErrorAsync(await SignInAsync(profile, email, Password), HttpStatusCode.Unauthorized);
        var again = await ApiClient.ExpectErrorAsync(await ExchangeAsync(profile, email, code), HttpStatusCode.Unauthorized);
        Assert.Equal("the authorization realm for the token could not be found", again["detail"]!.GetValue<string>());
        var logs = await ApiClient.ExpectAsync(await (await ApiClient.ClientCredentialsAsync(App)).GetAsync($"/v2/integrations/{integration}/logs"), HttpStatusCode.OK);
        var log = Assert.Single(logs["data"]!.AsArray())!;
        Assert.True(log["succeeded"]!.GetValue<bool>());
        Assert.Equal((1, 200), (log["attempt"]!.GetValue<int>(), log["status_code"]!.GetValue<int>()));
        Assert.DoesNotContain(code, logs.ToJsonString());
    }

    [Fact]
    public async Task Unknown_usernames_look_the_same_five_wrong_tries_void_a_code_and_a_code_expires_after_ten_minutes()
    {
        var (realm, profile, _) = await SetUpAsync();
        var (_, email) = await SignUpAsync(profile);

        // Nobody learns whether a username exists: the same 202, and nothing is sent.
        Assert.Equal(HttpStatusCode.Accepted, (await AskAsync(realm, profile, UniqueEmail("nobody"))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await AskAsync(realm, profile, email)).StatusCode);
        var first = Str((await receiver.WaitForAsync(1))[0].Body, "payload.one_time_password_token");
        await Task.Delay(200);
        Assert.Single(receiver.Calls);

        for (var i = 0; i < 5; i++)
        {
            await ApiClient.ExpectErrorAsync(await ExchangeAsync(profile, email, first == "aaaaaa" ? "bbbbbb" : "aaaaaa"), HttpStatusCode.Unauthorized);
        }
        await ApiClient.ExpectErrorAsync(await ExchangeAsync(profile, email, first), HttpStatusCode.Unauthorized);

        // A new code, ten minutes later, no longer signs in.
        Assert.Equal(HttpStatusCode.Accepted, (await AskAsync(realm, profile, email, "passwordless_authentication")).StatusCode);
        var second = (await receiver.WaitForAsync(2))[1].Body;
        Assert.Equal("passwordless_authentication", Str(second, "payload.purpose"));
        app.Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        await ApiClient.ExpectErrorAsync(await ExchangeAsync(profile, email, Str(second, "payload.one_time_password_token")), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_profile_without_one_time_passwords_refuses_them_and_bad_requests_say_which_field()
    {
        var (realm, profile, _) = await SetUpAsync(oneTimePasswords: false);

        var off = await ApiClient.ExpectErrorAsync(await AskAsync(realm, profile, UniqueEmail()), HttpStatusCode.BadRequest);
        var purpose = await ApiClient.ExpectErrorAsync(await AskAsync(realm, profile, UniqueEmail(), "newsletter"), HttpStatusCode.BadRequest);
        var noProfile = await ApiClient.ExpectErrorAsync(await AskAsync(realm, Guid.NewGuid().ToString(), UniqueEmail()), HttpStatusCode.NotFound);
        var noCode = await ApiClient.ExpectErrorAsync(await ExchangeAsync(profile, UniqueEmail(), ""), HttpStatusCode.BadRequest);

        Assert.Contains("enable_one_time_password_token", off["detail"]!.GetValue<string>());
        Assert.Equal("data.purpose", purpose["source"]!.GetValue<string>());
        Assert.Equal("Not Found", noProfile["title"]!.GetValue<string>());
        Assert.Equal("data.one_time_password_token", noCode["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task Switching_one_time_passwords_off_voids_the_codes_already_sent()
    {
        var (realm, profile, _) = await SetUpAsync();
        var (_, email) = await SignUpAsync(profile);
        Assert.Equal(HttpStatusCode.Accepted, (await AskAsync(realm, profile, email)).StatusCode);
        var code = Str((await receiver.WaitForAsync(1))[0].Body, "payload.one_time_password_token");

        await ApiClient.ExpectAsync(await (await ApiClient.ClientCredentialsAsync(App)).PutAsync($"/v2/authentication-realms/{realm}/password-profiles/{profile}",
            new { type = "password_profile", enable_one_time_password_token = false }), HttpStatusCode.OK);

        await ApiClient.ExpectErrorAsync(await ExchangeAsync(profile, email, code), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_failing_receiver_is_tried_again_and_every_attempt_is_logged()
    {
        var (realm, profile, integration) = await SetUpAsync();
        var (_, email) = await SignUpAsync(profile);
        receiver.Answers.Enqueue(HttpStatusCode.InternalServerError);

        Assert.Equal(HttpStatusCode.Accepted, (await AskAsync(realm, profile, email)).StatusCode);

        var calls = await receiver.WaitForAsync(2);
        Assert.Equal((1, 2), (calls[0].Body["attempt"]!.GetValue<int>(), calls[1].Body["attempt"]!.GetValue<int>()));
        Assert.Equal(Str(calls[0].Body, "id"), Str(calls[1].Body, "id"));
        var server = await ApiClient.ClientCredentialsAsync(App);
        JsonArray logs = [];
        for (var i = 0; i < 40 && logs.Count < 2; i++)
        {
            await Task.Delay(50);
            logs = (await ApiClient.ExpectAsync(await server.GetAsync($"/v2/integrations/{integration}/logs"), HttpStatusCode.OK))["data"]!.AsArray();
        }
        Assert.Equal([(2, true, 200), (1, false, 500)],
            logs.Select(l => (l!["attempt"]!.GetValue<int>(), l["succeeded"]!.GetValue<bool>(), l["status_code"]!.GetValue<int>())).ToArray());
        Assert.Contains("500", Str(logs[1], "error_detail"));
    }

    [Fact]
    public async Task Webhooks_are_the_stores_own_and_refuse_events_this_store_does_not_send()
    {
        var storefront = await ApiClient.ImplicitAsync(App);
        var server = await ApiClient.ClientCredentialsAsync(App);

        Assert.Equal(HttpStatusCode.Forbidden, (await storefront.GetAsync("/v2/integrations")).StatusCode);
        var unknown = await ApiClient.ExpectErrorAsync(await server.PostAsync("/v2/integrations", new
        {
            type = "integration", integration_type = "webhook", name = "Orders", observes = new[] { "order.paid" }, configuration = new { url = "https://shop.example/hook" },
        }), HttpStatusCode.UnprocessableEntity);
        var badUrl = await ApiClient.ExpectErrorAsync(await server.PostAsync("/v2/integrations", new
        {
            type = "integration", integration_type = "webhook", name = "Mail", observes = new[] { "one-time-password-token-request.created" },
            configuration = new { url = "ftp://shop.example/hook" },
        }), HttpStatusCode.UnprocessableEntity);
        var created = await ApiClient.ExpectAsync(await server.PostAsync("/v2/integrations", new
        {
            type = "integration", integration_type = "webhook", name = "Mail", observes = new[] { "one-time-password-token-request.created" },
            configuration = new { url = "https://shop.example/hook", secret_key = "k" },
        }), HttpStatusCode.OK);
        var id = Str(created, "data.id");
        var changed = await ApiClient.ExpectAsync(await server.PutAsync($"/v2/integrations/{id}", new { type = "integration", enabled = false }), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.NoContent, (await server.DeleteAsync($"/v2/integrations/{id}")).StatusCode);

        Assert.Contains("order.paid", unknown["detail"]!.GetValue<string>());
        Assert.Equal("data.observes", unknown["source"]!.GetValue<string>());
        Assert.Equal("data.configuration.url", badUrl["source"]!.GetValue<string>());
        Assert.Equal(("https://shop.example/hook", "k"), (Str(created, "data.configuration.url"), Str(created, "data.configuration.secret_key")));
        Assert.False(changed["data"]!["enabled"]!.GetValue<bool>());
        Assert.Equal("https://shop.example/hook", Str(changed, "data.configuration.url"));
        Assert.Equal(HttpStatusCode.NotFound, (await server.GetAsync($"/v2/integrations/{id}")).StatusCode);
    }

    [Fact]
    public async Task Asking_for_codes_for_one_username_again_and_again_is_told_to_wait()
    {
        var (realm, profile, _) = await SetUpAsync();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            statuses.Add((await AskAsync(realm, profile, "same.person@example.com")).StatusCode);
        }

        // Per username: 10 in the window, then 429 (the address's own limit is raised for this class).
        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.Accepted));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }
}
