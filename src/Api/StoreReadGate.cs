using System.Threading.RateLimiting;
using CommerceManager.Data;
using Microsoft.AspNetCore.RateLimiting;

namespace CommerceManager.Api;

/// <summary>
/// How many API reads of the store run at once: on SQLite, as many as there are cores; on PostgreSQL, twice that.
/// <para>
/// A SQLite read is CPU work in this process (its pages are in memory), so running more reads at once than there are
/// cores adds no throughput: the extra ones only share the same cores, in slices. Worse, each of them takes a slice from
/// the one writer thread (<see cref="SqliteGroupCommit"/>) too, and new customers wait for it. Reads beyond the limit
/// wait their turn here, without a thread. Measured with 8 connections reading while 8 create
/// (<c>tools/bench-api.sh</c>): see docs/decisions/0003-sqlite-group-commit.md.
/// </para>
/// <para>
/// It is a rate-limiter policy (<see cref="Policy"/>, a <see cref="ConcurrencyLimiter"/> with an unbounded queue) that
/// the store's route groups ask for (customers, their addresses, orders, accounts, account members); it limits their GET
/// requests only. A read holds its place from routing until its endpoint has written its answer; on a 2-core host a
/// slow search holds one of two places for as long as it runs, so quick reads may wait behind two slow ones, where they
/// would otherwise share the cores with them.
/// </para>
/// <para>
/// On PostgreSQL a read is mostly the database's work, in a process of its own per connection: the limit is twice the
/// cores, so a read's wait on the database lets another one run, but sixteen requests do not make sixteen database
/// processes share two cores in slices, which stretched the slowest reads most. docs/benchmarks.md compares no limit
/// with 2, 4 and 8 at 10,000,000 customers, with PostgreSQL, the app and the load on one 2-core host. With the
/// database on its own host, more may pay: <c>Database__ReadConcurrency</c> sets the limit; 0 turns it off.
/// </para>
/// </summary>
public sealed class StoreReadGate : IRateLimiterPolicy<string>
{
    /// <summary>The policy name the store's route groups require (<c>RequireRateLimiting</c>).</summary>
    public const string Policy = "store-reads";

    public StoreReadGate(IConfiguration config, SqlDialect dialect)
    {
        var limit = int.TryParse(config["Database:ReadConcurrency"], out var configured)
            ? configured
            : dialect.DefaultReadConcurrency;
        Limit = Math.Max(0, limit);
    }

    /// <summary>The number of reads that run at once; 0 when there is no limit.</summary>
    public int Limit { get; }

    /// <summary>
    /// A GET on a route that asks for this policy takes a place among <see cref="Limit"/>, waiting its turn (never
    /// refused); any other method passes.
    /// </summary>
    public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
        Limit > 0 && HttpMethods.IsGet(httpContext.Request.Method)
            ? RateLimitPartition.GetConcurrencyLimiter("reads", _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = Limit,
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            })
            : RateLimitPartition.GetNoLimiter("other");

    // The queue is unbounded: nothing is refused.
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => null;
}
