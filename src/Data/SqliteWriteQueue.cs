using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CommerceManager.Data;

/// <summary>
/// Lines up this process's SQLite writers before they reach the file, waiting with <c>await</c>.
/// <para>
/// SQLite has one write lock per file. Without this, a second writer that finds the lock taken is put to sleep by
/// Microsoft.Data.Sqlite and retried, holding a thread-pool thread while it sleeps; under a burst of writes most
/// threads sleep and the reads queue behind them (see docs/decisions/0002-sqlite-write-queue.md). With it, each write
/// transaction (an explicit one, the one <c>SaveChanges</c> starts, and a lone
/// <c>INSERT</c>/<c>UPDATE</c>/<c>DELETE</c> outside a transaction) first takes this file's gate, asynchronously, so
/// inside one process the lock is never contended and no thread waits.
/// </para>
/// <para>
/// The gate belongs to the connection that took it until its transaction commits, rolls back or fails (or its
/// statement ends), and at the latest when the connection closes. A connection that holds it passes straight through,
/// so a transaction's own statements and savepoints never wait for themselves. Writers in other processes (the
/// <c>seed</c> tool, a second app on the same file) still meet SQLite's own lock and its retry, as before. A wait longer
/// than the connection's timeout fails the way a locked database does. A write that would wait for its own operation
/// (a second context opened inside that operation's write transaction) fails at once, saying so (<see cref="FlowMark"/>).
/// </para>
/// </summary>
internal sealed class SqliteWriteQueue : IDbTransactionInterceptor, IDbCommandInterceptor, IDbConnectionInterceptor
{
    public static readonly SqliteWriteQueue Instance = new();

    private readonly ConcurrentDictionary<string, SemaphoreSlim> gates = new(StringComparer.Ordinal);
    // Not a weak table: one entry is added and removed per write, and weak tables churned at that rate keep the finalizer
    // thread busy. Every lease ends by the time its connection closes (the backstop below).
    private readonly ConcurrentDictionary<DbConnection, Lease> leases = new(ReferenceEqualityComparer.Instance);

    private sealed record Lease(SemaphoreSlim Gate, bool ForStatement, FlowMark? Mark);

    // Who holds each file's gate now: to tell a write that would wait for its own operation.
    private readonly ConcurrentDictionary<SemaphoreSlim, Lease> holders = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// One per context handed out in an async flow (<see cref="ContextHandedOut"/>), linked to the nearest earlier mark
    /// of the same flow that holds a write gate. A write whose own flow leads back to the gate's holder is waiting for
    /// itself (its operation opened a second context inside its own write transaction): it fails at once instead of
    /// after the timeout. Writes of other operations, parallel ones included, have marks of their own and wait as usual.
    /// </summary>
    internal sealed class FlowMark(FlowMark? parent)
    {
        public FlowMark? Parent { get; } = parent;
        public int Holding;
    }

    private static readonly AsyncLocal<FlowMark?> Flow = new();

    /// <summary>A context is handed out in this flow (called synchronously in the caller's frame by the context factory).</summary>
    internal static void ContextHandedOut()
    {
        var holding = Flow.Value;
        while (holding is not null && Volatile.Read(ref holding.Holding) == 0)
        {
            holding = holding.Parent;
        }
        Flow.Value = new FlowMark(holding);
    }

    private bool WaitsForItself(SemaphoreSlim gate)
    {
        if (!holders.TryGetValue(gate, out var holder) || holder.Mark is not { } held)
        {
            return false;
        }
        for (var mark = Flow.Value; mark is not null; mark = mark.Parent)
        {
            if (ReferenceEquals(mark, held))
            {
                return true;
            }
        }
        return false;
    }

    private static InvalidOperationException SelfWait() => new(
        "This write would wait for a write transaction that its own operation holds on another database connection (a " +
        "second context opened inside the transaction), so it could never go ahead. Write through the context that holds " +
        "the transaction, or commit it first.");

    // ---- Transactions: the gate from BEGIN to COMMIT / ROLLBACK.

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        Enter(connection, forStatement: false);
        return result;
    }

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        await EnterAsync(connection, forStatement: false, cancellationToken);
        return result;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Leave(ConnectionOf(eventData));

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        Leave(ConnectionOf(eventData), Task.CompletedTask);

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Leave(ConnectionOf(eventData));

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        Leave(ConnectionOf(eventData), Task.CompletedTask);

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Leave(ConnectionOf(eventData));

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default) =>
        Leave(ConnectionOf(eventData), Task.CompletedTask);

    // ---- A lone write statement outside a transaction (SaveChanges of one row, ExecuteUpdate, ExecuteDelete).

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        EnterForLoneWrite(command, result);

    public ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) => EnterForLoneWriteAsync(command, result, cancellationToken);

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
        EnterForLoneWrite(command, result);

    public ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default) => EnterForLoneWriteAsync(command, result, cancellationToken);

    public InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) =>
        EnterForLoneWrite(command, result);

    public ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default) => EnterForLoneWriteAsync(command, result, cancellationToken);

    private T EnterForLoneWrite<T>(DbCommand command, T result)
    {
        if (IsLoneWrite(command))
        {
            Enter(command.Connection!, forStatement: true);
        }
        return result;
    }

    private async ValueTask<T> EnterForLoneWriteAsync<T>(DbCommand command, T result, CancellationToken ct)
    {
        if (IsLoneWrite(command))
        {
            await EnterAsync(command.Connection!, forStatement: true, ct);
        }
        return result;
    }

    // A statement's own implicit transaction ends when it has run (a reader's, when the reader is done with).
    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        LeaveStatement(command.Connection);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        LeaveStatement(command.Connection);
        return ValueTask.FromResult(result);
    }

    public object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        LeaveStatement(command.Connection);
        return result;
    }

    public ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        LeaveStatement(command.Connection);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult DataReaderClosing(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        LeaveStatement(command.Connection);
        return result;
    }

    public ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        LeaveStatement(command.Connection);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        LeaveStatement(command.Connection);
        return result;
    }

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => LeaveStatement(command.Connection);

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        LeaveStatement(command.Connection);
        return Task.CompletedTask;
    }

    public void CommandCanceled(DbCommand command, CommandEndEventData eventData) => LeaveStatement(command.Connection);

    public Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        LeaveStatement(command.Connection);
        return Task.CompletedTask;
    }

    // ---- The backstop: a transaction disposed without commit or rollback ends with its connection.

    public InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Leave(connection);
        return result;
    }

    public ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Leave(connection);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult ConnectionDisposing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Leave(connection);
        return result;
    }

    public ValueTask<InterceptionResult> ConnectionDisposingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Leave(connection);
        return ValueTask.FromResult(result);
    }

    // ---- The gate.

    private void Enter(DbConnection connection, bool forStatement)
    {
        if (leases.TryGetValue(connection, out _))
        {
            return;
        }
        var gate = GateOf(connection);
        if (!gate.Wait(0))
        {
            if (WaitsForItself(gate))
            {
                throw SelfWait();
            }
            if (!gate.Wait(TimeoutOf(connection)))
            {
                throw Locked();
            }
        }
        Hold(connection, gate, forStatement);
    }

    private async ValueTask EnterAsync(DbConnection connection, bool forStatement, CancellationToken ct)
    {
        if (leases.TryGetValue(connection, out _))
        {
            return;
        }
        var gate = GateOf(connection);
        if (!gate.Wait(0))
        {
            if (WaitsForItself(gate))
            {
                throw SelfWait();
            }
            if (!await gate.WaitAsync(TimeoutOf(connection), ct))
            {
                throw Locked();
            }
        }
        Hold(connection, gate, forStatement);
    }

    private void Hold(DbConnection connection, SemaphoreSlim gate, bool forStatement)
    {
        var lease = new Lease(gate, forStatement, Flow.Value);
        if (lease.Mark is { } mark)
        {
            Interlocked.Increment(ref mark.Holding);
        }
        holders[gate] = lease;
        leases[connection] = lease;
    }

    private void Leave(DbConnection? connection)
    {
        if (connection is not null && leases.TryRemove(connection, out var lease))
        {
            if (lease.Mark is { } mark)
            {
                Interlocked.Decrement(ref mark.Holding);
            }
            holders.TryRemove(new KeyValuePair<SemaphoreSlim, Lease>(lease.Gate, lease));
            lease.Gate.Release();
        }
    }

    private Task Leave(DbConnection? connection, Task done)
    {
        Leave(connection);
        return done;
    }

    private void LeaveStatement(DbConnection? connection)
    {
        if (connection is not null && leases.TryGetValue(connection, out var lease) && lease.ForStatement)
        {
            Leave(connection);
        }
    }

    // A committed SqliteTransaction has let go of its connection: ask the context.
    private static DbConnection? ConnectionOf(TransactionEventData eventData) => eventData.Context?.Database.GetDbConnection();

    private SemaphoreSlim GateOf(DbConnection connection) => gates.GetOrAdd(connection.ConnectionString, static _ => new SemaphoreSlim(1, 1));

    private static TimeSpan TimeoutOf(DbConnection connection) =>
        TimeSpan.FromSeconds(connection is SqliteConnection { DefaultTimeout: > 0 } sqlite ? sqlite.DefaultTimeout : 30);

    private static SqliteException Locked() => new("database is locked: another write held it longer than the timeout", 5);

    /// <summary>A write statement running in its own implicit transaction (no explicit one on its connection).</summary>
    internal static bool IsLoneWrite(DbCommand command)
    {
        if (command.Transaction is not null || command.Connection is null)
        {
            return false;
        }
        var sql = command.CommandText.AsSpan().TrimStart();
        // EF puts tags (TagWith) first as "-- " comment lines.
        while (sql.StartsWith("--"))
        {
            var end = sql.IndexOf('\n');
            sql = end < 0 ? [] : sql[(end + 1)..].TrimStart();
        }
        return sql.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) || sql.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)
            || sql.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase) || sql.StartsWith("REPLACE", StringComparison.OrdinalIgnoreCase);
    }
}
