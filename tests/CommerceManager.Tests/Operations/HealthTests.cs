using System.Net;
using System.Text.Json.Nodes;
using CommerceManager.Data;
using CommerceManager.Operations;
using CommerceManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CommerceManager.Tests.Operations;

public sealed class HealthTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_answers_without_sign_in(string path)
    {
        var response = await app.CreateBrowserlessClient().GetAsync(path);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", body["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ready_reports_the_database()
    {
        var body = JsonNode.Parse(await app.CreateBrowserlessClient().GetStringAsync("/health/ready"))!;

        Assert.Equal("Healthy", body["checks"]!["database"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_database_that_does_not_answer_or_is_not_migrated_is_not_ready()
    {
        var unreachable = new DatabaseReadyCheck(new Factory(new DbContextOptionsBuilder<AppDbContext>()
            .UseNpgsql("Host=127.0.0.1;Port=1;Database=none;Username=none;Timeout=2").Options, postgres: true), new PostgresDialect());
        var directory = Directory.CreateTempSubdirectory("cm-health-").FullName;
        // A database that exists but was never migrated (a new version still migrating looks the same).
        using (var empty = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(directory, "new.db")}"))
        {
            empty.Open();
        }
        var unmigrated = new DatabaseReadyCheck(new Factory(new DbContextOptionsBuilder<AppDbContext>()
            .UseSqlite($"Data Source={Path.Combine(directory, "new.db")}").Options, postgres: false), new SqliteDialect());

        var down = await unreachable.CheckHealthAsync(new HealthCheckContext());
        var behind = await unmigrated.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Equal("The postgres database can't be reached.", down.Description);
        Assert.Equal(HealthStatus.Unhealthy, behind.Status);
        Assert.Contains("migration(s) still to apply", behind.Description);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, true);
    }

    private sealed class Factory(DbContextOptions<AppDbContext> options, bool postgres) : IDbContextFactory<AppDbContext>
    {
        public AppDbContext CreateDbContext() => postgres ? new PostgresDbContext(options) : new SqliteDbContext(options);
    }
}
