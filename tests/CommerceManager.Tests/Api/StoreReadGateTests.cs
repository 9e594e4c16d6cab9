using CommerceManager.Api;
using CommerceManager.Data;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace CommerceManager.Tests.Api;

/// <summary>API reads of the store run at most as many at once as the gate allows; the others wait their turn.</summary>
public sealed class StoreReadGateTests
{
    private static StoreReadGate Gate(string? limit, SqlDialect dialect) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Database:ReadConcurrency"] = limit }).Build(), dialect);

    private static DefaultHttpContext Request(string method, string path) => new() { Request = { Method = method, Path = path } };

    [Fact]
    public async Task A_read_beyond_the_limit_waits_until_one_ends_and_other_requests_do_not_wait()
    {
        var gate = Gate("1", new SqliteDialect());
        var firstHeld = new TaskCompletionSource();
        var firstRunning = new TaskCompletionSource();
        var first = gate.RunAsync(Request("GET", "/v2/customers"), async _ =>
        {
            firstRunning.SetResult();
            await firstHeld.Task;
        });
        await firstRunning.Task;

        var secondRan = false;
        var second = gate.RunAsync(Request("GET", "/v2/orders/7"), _ =>
        {
            secondRan = true;
            return Task.CompletedTask;
        });
        await Task.Delay(200);
        Assert.False(secondRan);
        Assert.False(second.IsCompleted);

        // Writes, a personal-data export and sign-in with a provider are not store reads: they never wait here.
        Assert.False(gate.Counts(Request("POST", "/v2/customers").Request));
        Assert.False(gate.Counts(Request("GET", "/v2/customers/8f1d0c7e-6f52-4c4e-9d8f-0f2b8d9f2a11/export").Request));
        Assert.False(gate.Counts(Request("GET", "/v2/customers/8f1d0c7e-6f52-4c4e-9d8f-0f2b8d9f2a11/export/").Request));
        Assert.False(gate.Counts(Request("GET", "/oidc/login/stores/x").Request));
        Assert.True(gate.Counts(Request("GET", "/v2/customers/8f1d0c7e-6f52-4c4e-9d8f-0f2b8d9f2a11/addresses").Request));

        firstHeld.SetResult();
        await first;
        await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(secondRan);
    }

    [Fact]
    public async Task A_read_that_fails_gives_its_place_back()
    {
        var gate = Gate("1", new SqliteDialect());
        await Assert.ThrowsAsync<InvalidOperationException>(() => gate.RunAsync(Request("GET", "/v2/customers"), _ => throw new InvalidOperationException("boom")));
        var ran = false;
        await gate.RunAsync(Request("GET", "/v2/customers"), _ =>
        {
            ran = true;
            return Task.CompletedTask;
        }).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(ran);
    }

    [Fact]
    public void SQLite_limits_reads_to_the_cores_PostgreSQL_to_twice_the_cores_and_the_setting_overrides_both()
    {
        Assert.Equal(Environment.ProcessorCount, Gate(null, new SqliteDialect()).Limit);
        Assert.Equal(2 * Environment.ProcessorCount, Gate(null, new PostgresDialect()).Limit);
        Assert.True(Gate(null, new PostgresDialect()).Counts(Request("GET", "/v2/customers").Request));
        Assert.Equal(0, Gate("0", new SqliteDialect()).Limit);
        Assert.False(Gate("0", new PostgresDialect()).Counts(Request("GET", "/v2/customers").Request));
        Assert.Equal(8, Gate("8", new PostgresDialect()).Limit);
    }
}
