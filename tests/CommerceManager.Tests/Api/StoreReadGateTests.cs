using System.Threading.RateLimiting;
using CommerceManager.Api;
using CommerceManager.Data;
using CommerceManager.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Api;

/// <summary>API reads of the store run at most as many at once as the gate allows; the others wait their turn.</summary>
public sealed class StoreReadGateTests
{
    private static StoreReadGate Gate(string? limit, SqlDialect dialect) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Database:ReadConcurrency"] = limit }).Build(), dialect);

    private static DefaultHttpContext Request(string method, string path) => new() { Request = { Method = method, Path = path } };

    private static RateLimiter LimiterFor(StoreReadGate gate, string method, string path)
    {
        var partition = gate.GetPartition(Request(method, path));
        return partition.Factory(partition.PartitionKey);
    }

    [Fact]
    public async Task A_read_beyond_the_limit_waits_until_one_ends_and_other_requests_do_not_wait()
    {
        var reads = LimiterFor(Gate("1", new SqliteDialect()), "GET", "/v2/customers");
        using (var first = reads.AttemptAcquire())
        {
            Assert.True(first.IsAcquired);
            var second = reads.AcquireAsync().AsTask();
            await Task.Delay(200);
            Assert.False(second.IsCompleted);

            // Writes are not store reads: they never wait here.
            using var write = LimiterFor(Gate("1", new SqliteDialect()), "POST", "/v2/customers").AttemptAcquire();
            Assert.True(write.IsAcquired);

            first.Dispose();
            using var next = await second.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(next.IsAcquired);
        }
    }

    [Fact]
    public async Task A_read_waits_however_many_are_queued_and_is_never_refused()
    {
        var reads = LimiterFor(Gate("1", new SqliteDialect()), "GET", "/v2/orders");
        var first = reads.AttemptAcquire();
        var queued = Enumerable.Range(0, 500).Select(_ => reads.AcquireAsync().AsTask()).ToList();
        first.Dispose();
        foreach (var wait in queued)
        {
            using var lease = await wait.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(lease.IsAcquired);
        }
    }

    [Fact]
    public void SQLite_limits_reads_to_the_cores_PostgreSQL_to_twice_the_cores_and_the_setting_overrides_both()
    {
        Assert.Equal(Environment.ProcessorCount, Gate(null, new SqliteDialect()).Limit);
        Assert.Equal(2 * Environment.ProcessorCount, Gate(null, new PostgresDialect()).Limit);
        Assert.Equal(0, Gate("0", new SqliteDialect()).Limit);
        // Off: a read passes as freely as a write.
        Assert.Equal(Gate("0", new PostgresDialect()).GetPartition(Request("GET", "/v2/customers")).PartitionKey,
            Gate("0", new PostgresDialect()).GetPartition(Request("POST", "/v2/customers")).PartitionKey);
        Assert.Equal(8, Gate("8", new PostgresDialect()).Limit);
    }

    [Fact]
    public async Task The_gate_covers_the_store_reads_and_not_a_personal_data_export_or_sign_in()
    {
        await using var app = new AppFactory();
        _ = app.Server;
        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Select(e => (Pattern: "/" + e.RoutePattern.RawText!.TrimStart('/'), Gated: e.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == StoreReadGate.Policy))
            .ToList();
        bool Gated(string pattern) => routes.Single(r => r.Pattern == pattern).Gated;

        Assert.True(Gated("/v2/customers/"));
        Assert.True(Gated("/v2/customers/{id:guid}"));
        Assert.True(Gated("/v2/customers/{customerId:guid}/addresses/"));
        Assert.True(Gated("/v2/orders/"));
        Assert.True(Gated("/v2/orders/{id:guid}/items"));
        Assert.True(Gated("/v2/accounts/"));
        Assert.True(Gated("/v2/account-members/"));
        Assert.False(Gated("/v2/customers/{id:guid}/export"));
        Assert.DoesNotContain(routes, r => r.Gated && r.Pattern.StartsWith("/oidc", StringComparison.Ordinal));
    }
}
