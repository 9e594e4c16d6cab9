using System.Net;
using System.Text.Json.Nodes;
using CommerceManager.Addresses;
using CommerceManager.Customers;
using CommerceManager.CustomFields;
using CommerceManager.Data;
using CommerceManager.DataTransfer;
using CommerceManager.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Exports;

/// <summary>A second Commerce Manager, on a real loopback port with its own database and demo data, standing in for an Elastic Path store.</summary>
public sealed class SourceStore : AppFactory
{
    public const int Customers = 150;

    public SourceStore() => UseKestrel(o => o.Listen(IPAddress.Loopback, 0));

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Seed:DemoData"] = "true",
        ["Seed:DemoCustomers"] = Customers.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public string BaseUrl { get; private set; } = "";

    public SourceStore Started()
    {
        StartServer();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return this;
    }
}

/// <summary>
/// Moving a store over from Elastic Path: everything is read through the <c>/v2</c> API of a second running instance
/// (ours is EP-compatible) and must arrive unchanged: customers with their ids, dates, external refs and custom values,
/// every address with its custom values, and the fields themselves.
/// </summary>
public sealed class ElasticPathImportTests : IClassFixture<ElasticPathImportTests.Source>, IAsyncLifetime
{
    public sealed class Source : IAsyncLifetime
    {
        public SourceStore Store { get; } = new();

        public async Task InitializeAsync()
        {
            Store.Started();
            // The demo data leaves addresses without custom values: give some a delivery window.
            var window = (await Store.Services.GetRequiredService<CustomFieldValues>().FieldsAsync(Flow.Addresses)).Single(f => f.Slug == "delivery_window");
            await using var db = await Store.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
            var some = await db.Addresses.OrderBy(a => a.Id).Take(10).ToListAsync();
            foreach (var address in some)
            {
                address.CustomData = new JsonObject { [window.Id.ToString()] = "Evening" }.ToJsonString();
            }
            await db.SaveChangesAsync();
            Store.Services.GetRequiredService<CustomFieldValues>().Invalidate();
        }

        public async Task DisposeAsync() => await Store.DisposeAsync();
    }

    private readonly SourceStore source;
    private TestServices target = null!;
    private readonly StopOnSecondPage stopper = new();
    private readonly Flaky flaky = new();

    public ElasticPathImportTests(Source fixture) => source = fixture.Store;

    public async Task InitializeAsync() => target = await TestServices.CreateAsync(s =>
    {
        s.Configure<ImportSettings>(o => o.AllowPrivateSources = true);
        s.AddHttpClient(ImportRunner.SourceHttpClient).AddHttpMessageHandler(() => stopper).AddHttpMessageHandler(() => flaky);
    });

    public async Task DisposeAsync() => await target.DisposeAsync();

    private async Task<ImportJob> StartAsync(string? secret = null) =>
        await target.Get<ImportService>().StartFromSourceAsync(As.Admin, source.BaseUrl, AppFactory.ApiClientId, secret ?? AppFactory.ApiClientSecret);

    private async Task<ImportJob> RunAsync(ImportRunner? runner = null, CancellationToken ct = default)
    {
        runner ??= target.Get<ImportRunner>();
        var job = (await runner.ClaimAsync(CancellationToken.None))!;
        await runner.RunAsync(job, ct);
        return (await target.Get<ImportService>().GetAsync(As.Admin, job.Id))!;
    }

    [Fact]
    public async Task Every_customer_address_field_and_custom_value_arrives_unchanged_and_a_second_run_imports_nobody_twice()
    {
        var summary = await target.Get<ImportService>().CheckSourceAsync(As.Admin, source.BaseUrl, AppFactory.ApiClientId, AppFactory.ApiClientSecret);
        Assert.Equal(SourceStore.Customers, summary.Customers);
        Assert.Contains("preferred_store", summary.CustomerFields);
        Assert.Contains("delivery_window", summary.AddressFields);

        await StartAsync();
        var job = await RunAsync();

        Assert.Equal(JobStatus.Success, job.Status);
        Assert.Null(job.SourceSecret); // the secret goes when the import ends
        await using var from = await source.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        await using var to = await target.DbAsync();
        var fromFields = (await source.Services.GetRequiredService<CustomFieldValues>().FieldsAsync(Flow.Customers))
            .Concat(await source.Services.GetRequiredService<CustomFieldValues>().FieldsAsync(Flow.Addresses)).ToList();
        var toFields = (await target.Get<CustomFieldValues>().FieldsAsync(Flow.Customers)).Concat(await target.Get<CustomFieldValues>().FieldsAsync(Flow.Addresses)).ToList();
        var expected = await from.Customers.AsNoTracking().OrderBy(c => c.Id).ToListAsync();
        var actual = await to.Customers.AsNoTracking().OrderBy(c => c.Id).ToListAsync();
        Assert.Equal(SourceStore.Customers, expected.Count);
        Assert.Equal((expected.Count, expected.Count, 0, 0), (job.RowsTotal, job.Created, job.Skipped, job.FailedRows));
        Assert.Equal(expected.Count(c => c.PasswordHash is not null), job.WithPassword);
        Assert.True(job.WithPassword > 0);
        Assert.Equal(expected.Select(c => c.Id), actual.Select(c => c.Id));
        foreach (var (was, now) in expected.Zip(actual))
        {
            Assert.Equal((was.Name, was.Email, was.ExternalRef, was.CreatedAt, was.UpdatedAt), (now.Name, now.Email, now.ExternalRef, now.CreatedAt, now.UpdatedAt));
            Assert.True(JsonNode.DeepEquals(BySlug(was.CustomData, fromFields), BySlug(now.CustomData, toFields)), $"{was.Email}: {was.CustomData} became {now.CustomData}");
            Assert.Null(now.PasswordHash);
        }
        Assert.Contains(expected, c => BySlug(c.CustomData, fromFields).Count > 0);

        var addressesFrom = await from.Addresses.AsNoTracking().OrderBy(a => a.Id).ToListAsync();
        var addressesTo = await to.Addresses.AsNoTracking().OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(addressesFrom.Count, job.AddressesCreated);
        Assert.Equal(addressesFrom.Select(a => (a.Id, a.CustomerId)), addressesTo.Select(a => (a.Id, a.CustomerId)));
        foreach (var (was, now) in addressesFrom.Zip(addressesTo))
        {
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(was.Postal), System.Text.Json.JsonSerializer.Serialize(now.Postal));
            Assert.Equal(was.Name, now.Name);
            Assert.True(JsonNode.DeepEquals(BySlug(was.CustomData, fromFields), BySlug(now.CustomData, toFields)), $"address {was.Id}: {was.CustomData} became {now.CustomData}");
        }
        Assert.Contains(addressesFrom, a => BySlug(a.CustomData, fromFields).Count > 0);

        // The fields came over with their type and rules (the options of an enum field too).
        var fields = await target.Get<CustomFieldValues>().FieldsAsync(Flow.Customers);
        var sourceFields = await source.Services.GetRequiredService<CustomFieldValues>().FieldsAsync(Flow.Customers);
        foreach (var field in sourceFields)
        {
            var here = Assert.Single(fields, f => f.Slug == field.Slug);
            Assert.Equal((field.Name, field.Type, field.Enabled), (here.Name, here.Type, here.Enabled));
            Assert.Equal(field.Rules.Enum?.Select(o => o?.ToJsonString()), here.Rules.Enum?.Select(o => o?.ToJsonString()));
        }

        // Imported again: everyone is already here, nobody is created twice.
        await StartAsync();
        var again = await RunAsync();
        Assert.Equal((JobStatus.Success, 0, expected.Count), (again.Status, again.Created, again.Skipped));
        Assert.Equal(expected.Count, await to.Customers.CountAsync());
        Assert.Equal(addressesFrom.Count, await to.Addresses.CountAsync());
    }

    [Fact]
    public async Task An_import_stopped_by_a_restart_goes_on_from_its_last_page_with_nobody_twice_and_nobody_lost()
    {
        var job = await StartAsync();
        // The app dies while asking for the second page (the first page is committed): the cancellation stands in for the kill.
        using var kill = new CancellationTokenSource();
        stopper.OnSecondPage = kill.Cancel;
        var crashed = ActivatorUtilities.CreateInstance<ImportRunner>(target.Provider);
        var half = await RunAsync(crashed, kill.Token);
        stopper.OnSecondPage = null;
        Assert.Equal(JobStatus.Started, half.Status);
        Assert.Equal((ElasticPathSource.PageLimit, ElasticPathSource.PageLimit), (half.RowsDone, half.Created));
        Assert.NotNull(half.SourceCursor);

        await using (var db = await target.DbAsync())
        {
            await db.ImportJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.HeartbeatAt, DateTime.UtcNow.AddMinutes(-5)));
        }
        var done = await RunAsync(ActivatorUtilities.CreateInstance<ImportRunner>(target.Provider));

        Assert.Equal(JobStatus.Success, done.Status);
        Assert.Equal((SourceStore.Customers, SourceStore.Customers, 0, 0), (done.RowsDone, done.Created, done.Skipped, done.FailedRows));
        await using var check = await target.DbAsync();
        Assert.Equal(SourceStore.Customers, await check.Customers.CountAsync());
    }

    [Fact]
    public async Task A_wrong_secret_or_address_is_a_clear_error_and_only_admins_may_import()
    {
        var imports = target.Get<ImportService>();
        var refused = await Assert.ThrowsAsync<SourceException>(() => imports.CheckSourceAsync(As.Admin, source.BaseUrl, AppFactory.ApiClientId, "not the secret"));
        Assert.Contains("refused the client id and secret", refused.Message);
        var badUrl = await Assert.ThrowsAsync<SourceException>(() => imports.StartFromSourceAsync(As.Admin, "ftp://example.com", "id", "secret"));
        Assert.Contains("API base URL", badUrl.Message);
        await Assert.ThrowsAsync<CommerceManager.Security.AccessDeniedException>(() => imports.StartFromSourceAsync(As.Representative, source.BaseUrl, "id", "secret"));

        // A job whose secret is refused later ends FAILED with the reason, and keeps no secret.
        await StartAsync("not the secret");
        var failed = await RunAsync();
        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Contains("refused the client id and secret", failed.Error);
        Assert.Null(failed.SourceSecret);
    }

    [Fact]
    public async Task A_store_on_a_private_address_is_refused_unless_allowed()
    {
        await using var strict = await TestServices.CreateAsync();
        // Over https (a store must be reached so), the loopback address is refused before anything is sent.
        var problem = await Assert.ThrowsAsync<SourceException>(() =>
            strict.Get<ImportService>().CheckSourceAsync(As.Admin, source.BaseUrl.Replace("http://", "https://"), AppFactory.ApiClientId, AppFactory.ApiClientSecret));
        Assert.Contains("private or local", problem.Message);
        // Over plain http it is refused before that: the secret would travel unencrypted.
        var plain = await Assert.ThrowsAsync<SourceException>(() =>
            strict.Get<ImportService>().CheckSourceAsync(As.Admin, source.BaseUrl, AppFactory.ApiClientId, AppFactory.ApiClientSecret));
        Assert.Contains("https", plain.Message);
    }

    [Fact]
    public async Task A_busy_store_is_asked_again_after_the_wait_it_names_and_the_import_completes()
    {
        flaky.Refuse(HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(1), times: 2);

        await StartAsync();
        var started = DateTime.UtcNow;
        var job = await RunAsync();

        Assert.Equal(JobStatus.Success, job.Status);
        Assert.Equal((SourceStore.Customers, 0), (job.Created, job.FailedRows));
        Assert.Equal(2, flaky.Refused);
        // Each refusal asked for a second's pause, and got it.
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(2), "The runner asked again without waiting for Retry-After.");
    }

    [Fact]
    public async Task A_passing_503_is_tried_again_but_a_store_that_keeps_failing_ends_the_import_with_the_reason()
    {
        flaky.Refuse(HttpStatusCode.ServiceUnavailable, TimeSpan.Zero, times: 1);
        await StartAsync();
        Assert.Equal(JobStatus.Success, (await RunAsync()).Status);
        Assert.Equal(1, flaky.Refused);

        flaky.Refuse(HttpStatusCode.ServiceUnavailable, TimeSpan.Zero, times: int.MaxValue);
        await StartAsync();
        var failed = await RunAsync();

        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Contains("503", failed.Error);
        // The first ask and four more: then the import stops rather than hammering the store.
        Assert.Equal(1 + 5, flaky.Refused);
    }

    /// <summary>Stored custom values (keyed by field id, which differs between stores) keyed by the field's slug.</summary>
    private static JsonObject BySlug(string? stored, IReadOnlyList<FieldDefinition> fields)
    {
        var bySlug = new JsonObject();
        foreach (var (key, value) in CustomFieldValues.Parse(stored))
        {
            bySlug[fields.FirstOrDefault(f => f.Id.ToString() == key)?.Slug ?? key] = value?.DeepClone();
        }
        return bySlug;
    }

    /// <summary>Answers the next list requests for customers with a refusal (and its Retry-After) instead of the store's answer.</summary>
    private sealed class Flaky : DelegatingHandler
    {
        private int left;
        private HttpStatusCode status;
        private TimeSpan retryAfter;
        private int refused;

        public int Refused => Volatile.Read(ref refused);

        public void Refuse(HttpStatusCode answer, TimeSpan wait, int times) => (status, retryAfter, left) = (answer, wait, times);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/v2/customers", StringComparison.Ordinal) && Interlocked.Decrement(ref left) >= 0)
            {
                Interlocked.Increment(ref refused);
                var answer = new HttpResponseMessage(status) { RequestMessage = request };
                answer.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(retryAfter);
                return Task.FromResult(answer);
            }
            return base.SendAsync(request, ct);
        }
    }

    /// <summary>Calls <see cref="OnSecondPage"/> when the runner asks for the page after the first one.</summary>
    private sealed class StopOnSecondPage : DelegatingHandler
    {
        public Action? OnSecondPage { get; set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var query = Uri.UnescapeDataString(request.RequestUri!.Query);
            if (OnSecondPage is { } stop && request.RequestUri.AbsolutePath.EndsWith("/v2/customers", StringComparison.Ordinal)
                && query.Contains("filter=gt(id,") && !query.Contains(Guid.Empty.ToString()))
            {
                stop();
                ct.ThrowIfCancellationRequested();
            }
            return base.SendAsync(request, ct);
        }
    }
}
