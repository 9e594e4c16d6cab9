using System.Data.Common;
using System.Net;
using CommerceManager.ApiKeys;
using CommerceManager.Common;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Seeding;
using CommerceManager.Testing;
using CommerceManager.Tests.Infrastructure;
using CommerceManager.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CommerceManager.Tests.Data;

/// <summary>
/// Two app instances on one PostgreSQL database, as behind a load balancer: whatever one instance issues or writes,
/// the other honours and sees, and they start together on an empty database without stepping on each other.
/// </summary>
[Trait("Database", "Postgres")]
public sealed class PostgresTwoInstanceTests
{
    [Fact]
    public async Task Presence_and_saved_changes_on_one_instance_reach_the_other_through_the_database()
    {
        await using var store = TestStore.CreatePostgres("cm-live-");
        await using var a = new AppInstance(store);
        await using var b = new AppInstance(store);
        await Task.WhenAll(Task.Run(() => a.CreateClient()), Task.Run(() => b.CreateClient()));
        var customers = a.Services.GetRequiredService<CustomerService>();
        var ada = (await customers.CreateAsync(CommerceManager.Security.Access.SystemAdmin("test"),
            new CustomerInput { Name = "Ada", Email = $"live.{Guid.NewGuid():N}@example.com" })).Value!;
        var heard = new TaskCompletionSource<CommerceManager.Live.CustomerChanged>(TaskCreationOptions.RunContinuationsAsynchronously);
        var updating = false;
        b.Services.GetRequiredService<CommerceManager.Live.LiveBus>().Changed += c =>
        {
            // The creation's notice may still be on its way: only the edit's counts.
            if (c.CustomerId == ada.Id && Volatile.Read(ref updating) && c.Fields.Contains("name") && !c.Fields.Contains("email"))
            {
                heard.TrySetResult(c);
            }
        };
        var presenceOnB = b.Services.GetRequiredService<CommerceManager.Live.PresenceService>();

        // Each instance listens on a connection of its own, opened as it starts: try until B's listener is up.
        CommerceManager.Live.PresenceSession? onA = null;
        for (var attempt = 0; attempt < 40 && presenceOnB.Others(ada.Id, null).Count == 0; attempt++)
        {
            onA?.Dispose();
            onA = a.Services.GetRequiredService<CommerceManager.Live.PresenceService>().Join(ada.Id, "u-anna", "Anna");
            await Task.Delay(250);
        }
        Assert.Equal("Anna", Assert.Single(presenceOnB.Others(ada.Id, null)).Name);
        onA!.SetEditing(true);
        await WaitUntilAsync(() => presenceOnB.Others(ada.Id, null) is [{ Editing: true }]);

        Volatile.Write(ref updating, true);
        var saved = await customers.UpdateAsync(CommerceManager.Security.Access.SystemAdmin("test"), ada.Id,
            new CustomerInput { Name = "Ada King", Email = ada.Email }, ada.Version);
        Assert.True(saved.IsOk);
        var notice = await heard.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["name"], notice.Fields);

        onA.Dispose();
        await WaitUntilAsync(() => presenceOnB.Others(ada.Id, null).Count == 0);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(100);
        }
        Assert.True(condition());
    }

    [Fact]
    public async Task Two_instances_share_tokens_cookies_data_and_conflicts_and_start_together_cleanly()
    {
        await using var store = TestStore.CreatePostgres("cm-two-");
        await using var a = new AppInstance(store);
        await using var b = new AppInstance(store);

        // Both start at once on the empty database.
        await Task.WhenAll(Task.Run(() => a.CreateClient()), Task.Run(() => b.CreateClient()));
        var server = await ApiClient.ClientCredentialsAsync(a);
        var onB = await ApiClient.ClientCredentialsAsync(b);
        await using (var db = await a.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
        {
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
            Assert.Equal(1, await db.Users.CountAsync());
            Assert.Equal(1, await db.SigningKeys.CountAsync());
            Assert.Equal(1, await db.ApiKeys.CountAsync());
        }

        // An access token from A works on B.
        var tokenFromA = server.Http.DefaultRequestHeaders.Authorization!;
        var bWithAsToken = b.CreateBrowserlessClient();
        bWithAsToken.DefaultRequestHeaders.Authorization = tokenFromA;
        Assert.Equal(HttpStatusCode.OK, (await bWithAsToken.GetAsync("/v2/customers")).StatusCode);

        // A customer registered and signed in through A is listed by B, and A's customer token works on B.
        var storefrontA = await ApiClient.ImplicitAsync(a);
        var email = $"two.instances.{Guid.NewGuid():N}@example.com";
        var created = await ApiClient.ExpectAsync(await storefrontA.PostAsync("/v2/customers",
            new { type = "customer", name = "Ada Twice", email, password = "correct horse battery staple" }), HttpStatusCode.Created);
        var id = created["data"]!["id"]!.GetValue<string>();
        var customerToken = (await ApiClient.ExpectAsync(await storefrontA.PostAsync("/v2/customers/tokens",
            new { type = "token", email, password = "correct horse battery staple" }), HttpStatusCode.OK))["data"]!["token"]!.GetValue<string>();
        var listed = await ApiClient.ExpectAsync(await onB.GetAsync($"/v2/customers?filter=eq(email,{email})"), HttpStatusCode.OK);
        Assert.Equal(id, Assert.Single(listed["data"]!.AsArray())!["id"]!.GetValue<string>());
        var storefrontB = await ApiClient.ImplicitAsync(b);
        storefrontB.CustomerToken = customerToken;
        Assert.Equal(HttpStatusCode.OK, (await storefrontB.GetAsync($"/v2/customers/{id}")).StatusCode);

        // A staff sign-in cookie from A opens the console on B (shared Data Protection keys).
        var staffOnA = await a.SignedInClientAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);
        var signIn = await AppFactory.PostLoginAsync(a.CreateBrowserlessClient(), AppFactory.AdminEmail, AppFactory.AdminPassword);
        var cookie = string.Join("; ", signIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        var consoleOnB = b.CreateBrowserlessClient();
        consoleOnB.DefaultRequestHeaders.Add("Cookie", cookie);
        var page = await consoleOnB.GetAsync("/customers");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await staffOnA.GetAsync("/customers")).StatusCode);

        // Two staff editing the same customer on A and on B: the second save is a conflict, not a lost update.
        var customersA = a.Services.GetRequiredService<CustomerService>();
        var customersB = b.Services.GetRequiredService<CustomerService>();
        var opened = (await customersA.GetAsync(As.Admin, Guid.Parse(id)))!;
        var first = await customersA.UpdateAsync(As.Admin, opened.Id, new CustomerInput { Name = "Ada from A", Email = email }, opened.Version);
        var second = await customersB.UpdateAsync(As.Admin, opened.Id, new CustomerInput { Name = "Ada from B", Email = email }, opened.Version);
        Assert.Equal(OutcomeKind.Ok, first.Kind);
        Assert.Equal(OutcomeKind.Conflict, second.Kind);
        Assert.Equal("Ada from A", (await customersB.GetAsync(As.Admin, opened.Id))!.Name);
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_email_create_one_customer()
    {
        await using var store = TestStore.CreatePostgres("cm-race-");
        await using var a = new AppInstance(store);
        await using var b = new AppInstance(store);
        var onA = a.Services.GetRequiredService<CustomerService>();
        var onB = b.Services.GetRequiredService<CustomerService>();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            (i % 2 == 0 ? onA : onB).CreateAsync(As.Admin, new CustomerInput { Name = $"Racer {i}", Email = "Race@Example.com" }))));

        Assert.Single(outcomes, o => o.Kind == OutcomeKind.Ok);
        Assert.All(outcomes.Where(o => o.Kind != OutcomeKind.Ok), o => Assert.Equal(OutcomeKind.Duplicate, o.Kind));
    }
}

/// <summary>On PostgreSQL, the searches a store runs all day are served by an index, not a scan.</summary>
[Trait("Database", "Postgres")]
public sealed class PostgresIndexTests : IAsyncLifetime
{
    private TestServices services = default!;
    private readonly CapturingInterceptor captured = new();

    public async Task InitializeAsync()
    {
        services = await TestServices.CreateAsync(s => s.ConfigureDbContext<AppDbContext>(o => o.AddInterceptors(captured)), postgres: true);
        await using var db = await services.DbAsync();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var dialect = services.Get<SqlDialect>();
        await new StoreGenerator(dialect, seed: 7).InsertAsync(connection, new StoreShape(20_000, 0.5, 0.5), 1, null);
        await dialect.AnalyzeAsync(connection, default);
    }

    public async Task DisposeAsync() => await services.DisposeAsync();

    [Theory]
    [InlineData("like(name,*mart*)", "IX_Customers_NormalizedName_trgm")]
    [InlineData("like(email,*{suffix})", "IX_Customers_NormalizedEmail_trgm")]
    [InlineData("eq(email,{email})", "IX_Customers_NormalizedEmail")]
    [InlineData("like(name,mar*)", "IX_Customers_NormalizedName_Id")]
    public async Task Customer_searches_count_their_matches_from_an_index(string filter, string index)
    {
        await using (var db = await services.DbAsync())
        {
            var email = await db.Customers.OrderBy(c => c.Id).Select(c => c.Email).FirstAsync();
            filter = filter.Replace("{email}", email, StringComparison.Ordinal).Replace("{suffix}", email[Math.Max(0, email.Length - 20)..], StringComparison.Ordinal);
        }

        // The total is what reads every match (the page itself may stop after 25 rows along another index).
        var plan = await PlanOfAsync(() => services.Get<CustomerService>().ListAsync(As.Admin, new CustomerQuery(filter, null, 0, 25)),
            sql => sql.Contains("count(*)", StringComparison.Ordinal));

        Assert.True(plan.Contains(index, StringComparison.Ordinal), plan);
    }

    [Theory]
    [InlineData("eq(points,5000)", null)]
    [InlineData(null, "-points")]
    [InlineData("eq(tier,Gold)", null)]
    public async Task Custom_field_filters_and_sorts_use_the_fields_index(string? filter, string? sort)
    {
        var designer = services.Get<CommerceManager.CustomFields.FieldDesigner>();
        var flow = await designer.EnsureFlowAsync(As.Admin, CommerceManager.CustomFields.Flow.Customers, true);
        var points = (await designer.CreateFieldAsync(As.Admin, flow.Id, new CommerceManager.CustomFields.FieldInput
            { Name = "Points", Slug = "points", Type = CommerceManager.CustomFields.FieldType.Integer })).Value
            ?? (await designer.ListFieldsAsync(As.Admin, flow.Id)).Single(f => f.Slug == "points");
        var tier = (await designer.CreateFieldAsync(As.Admin, flow.Id, new CommerceManager.CustomFields.FieldInput
            { Name = "Tier", Slug = "tier", Type = CommerceManager.CustomFields.FieldType.String })).Value
            ?? (await designer.ListFieldsAsync(As.Admin, flow.Id)).Single(f => f.Slug == "tier");
        var field = sort is null && filter!.Contains("tier", StringComparison.Ordinal) ? tier : points;

        var plan = await PlanOfAsync(() => services.Get<CustomerService>().ListAsync(As.Admin, new CustomerQuery(filter, sort, 0, 25)),
            // The count when there is one; a first page with room to spare holds every match and is the only read.
            sql => sort is null ? sql.Contains("count(*)", StringComparison.Ordinal) || sql.Contains("LIMIT", StringComparison.Ordinal)
                : sql.Contains("LIMIT", StringComparison.Ordinal));

        Assert.True(plan.Contains(CustomValueSql.IndexName("Customers", field.Id), StringComparison.Ordinal), plan);
    }

    [Fact]
    public async Task Row_counts_follow_bulk_loads_inserts_and_deletes()
    {
        var customers = services.Get<CustomerService>();
        var before = (await customers.ListAsync(As.Admin, new CustomerQuery())).Total;
        var created = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Counted", Email = "counted@example.com" })).Value!;
        var afterCreate = (await customers.ListAsync(As.Admin, new CustomerQuery())).Total;
        await customers.DeleteAsync(As.Admin, created.Id);
        var afterDelete = (await customers.ListAsync(As.Admin, new CustomerQuery())).Total;

        Assert.Equal(20_000, before);
        Assert.Equal(20_001, afterCreate);
        Assert.Equal(20_000, afterDelete);
    }

    /// <summary>Runs the query, then asks PostgreSQL how it ran the list's SQL, with sequential scans priced out.</summary>
    private async Task<string> PlanOfAsync(Func<Task> run, Func<string, bool> which)
    {
        captured.Commands.Clear();
        await run();
        var list = captured.Commands.LastOrDefault(c => c.Text.Contains("FROM \"Customers\"", StringComparison.Ordinal) && which(c.Text));
        if (list.Text is null)
        {
            return "no such query among: " + string.Join("\n====\n", captured.Commands.Select(c => c.Text));
        }
        await using var db = await services.DbAsync();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off", connection))
        {
            await off.ExecuteNonQueryAsync();
        }
        await using var explain = new NpgsqlCommand("EXPLAIN " + list.Text, connection);
        foreach (var (name, value) in list.Parameters)
        {
            explain.Parameters.Add(new NpgsqlParameter(name, value ?? DBNull.Value));
        }
        var lines = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }
        return string.Join("\n", lines);
    }

    private sealed class CapturingInterceptor : DbCommandInterceptor
    {
        public List<(string Text, List<(string Name, object? Value)> Parameters)> Commands { get; } = [];

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            lock (Commands)
            {
                Commands.Add((command.CommandText, [.. command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, (object?)p.Value))]));
            }
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}
