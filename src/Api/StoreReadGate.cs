using CommerceManager.Data;

namespace CommerceManager.Api;

/// <summary>
/// How many API reads of the store run at once: on SQLite, as many as there are cores; on PostgreSQL, twice that.
/// <para>
/// A SQLite read is CPU work in this process (its pages are in memory), so running more reads at once than there are
/// cores adds no throughput: the extra ones only share the same cores, in slices. Worse, each of them takes a slice from
/// the one writer thread (<see cref="SqliteGroupCommit"/>) too, and new customers wait for it. Reads beyond the limit
/// wait their turn here, without a thread. With 8 connections reading while 8 create (<c>tools/bench-api.sh</c>),
/// reads stay at ~2,900/s and creates rise from ~540/s to ~600/s (docs/benchmarks.md, section 16).
/// </para>
/// <para>
/// A read holds its place from the start of the API pipeline (before routing and authentication, which are cheap) to
/// the start of its response, not while a slow client takes the bytes. On a 2-core host a slow search holds one of two
/// places for as long as it runs, so quick reads may wait behind two slow ones, where they would otherwise share the
/// cores with them.
/// </para>
/// <para>
/// On PostgreSQL a read is mostly the database's work, in a process of its own per connection: the limit is twice the
/// cores, so a read's wait on the database lets another one run, but sixteen requests do not make sixteen database
/// processes share two cores in slices, which stretched the slowest reads most. At 10,000,000 customers with
/// PostgreSQL, the app and the load on one 2-core host, with 16 connections: first page p99 53 → 10.6 ms, a contains
/// search 92 → 45 ms, at the same throughput (no limit, 4, 8 and 2 compared in docs/benchmarks.md, section 18). With the
/// database on its own host, more may pay: <c>Database__ReadConcurrency</c> sets the limit; 0 turns it off.
/// </para>
/// </summary>
public sealed class StoreReadGate
{
    private readonly SemaphoreSlim? gate;

    public StoreReadGate(IConfiguration config, SqlDialect dialect)
    {
        var limit = int.TryParse(config["Database:ReadConcurrency"], out var configured)
            ? configured
            : dialect is SqliteDialect ? Environment.ProcessorCount : 2 * Environment.ProcessorCount;
        Limit = Math.Max(0, limit);
        gate = Limit > 0 ? new SemaphoreSlim(Limit, Limit) : null;
    }

    /// <summary>The number of reads that run at once; 0 when there is no limit.</summary>
    public int Limit { get; }

    /// <summary>
    /// Whether <paramref name="request"/> is a read this gate counts: a GET of customers (and their addresses) or
    /// orders, the API's store reads. Not a personal-data export (a file of any size), sign-in with an identity provider
    /// (which waits on another server), or anything else.
    /// </summary>
    public bool Counts(HttpRequest request) =>
        gate is not null && HttpMethods.IsGet(request.Method)
        && (request.Path.StartsWithSegments("/v2/customers", StringComparison.OrdinalIgnoreCase)
            || request.Path.StartsWithSegments("/v2/orders", StringComparison.OrdinalIgnoreCase))
        && !request.Path.Value!.TrimEnd('/').EndsWith("/export", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Runs the rest of the pipeline for <paramref name="context"/> once a place is free, and frees it when the response
    /// starts (its first bytes are written: a page of JSON is made by then) or the request ends, whichever is first. So a
    /// client that reads slowly never holds a place.
    /// </summary>
    public async Task RunAsync(HttpContext context, RequestDelegate next)
    {
        await gate!.WaitAsync(context.RequestAborted);
        var held = 1;
        void Free()
        {
            if (Interlocked.Exchange(ref held, 0) == 1)
            {
                gate.Release();
            }
        }
        context.Response.OnStarting(() =>
        {
            Free();
            return Task.CompletedTask;
        });
        try
        {
            await next(context);
        }
        finally
        {
            Free();
        }
    }
}
