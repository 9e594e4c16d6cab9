using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Data;

/// <summary>
/// Group commit for new rows on SQLite: creates that arrive while another batch is being written share the next
/// transaction, and each caller is answered once that transaction has committed.
/// <para>
/// Every SQLite commit is one write-ahead-log append and one <c>fsync</c> (<c>synchronous=FULL</c>), and only one
/// connection writes at a time. With a commit per create, concurrent creates queue one by one for the writer and each
/// waits for its own sync; beside a read load each hand-over also waits for a thread. Here one writer takes everything
/// queued and saves it with one <c>SaveChanges</c>, each row's history record made in its caller's execution context (its
/// own actor). When that fails (a unique index refused a row), it saves the rows again one by one in one transaction,
/// each behind its own savepoint, so that only the row at fault fails its caller.
/// </para>
/// <para>
/// Durability is unchanged: nobody is answered before the commit that holds their row, and a commit that fails fails
/// every caller in it. With no concurrency a batch is one row, as before. Creates only: an edit reads, checks and writes
/// in its own transaction.
/// </para>
/// </summary>
public sealed class SqliteGroupCommit : IAsyncDisposable
{
    private const int MaxBatch = 128;

    private readonly IDbContextFactory<AppDbContext> dbFactory;
    private readonly Channel<Item> queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread writer;

    private readonly StorageHealth health;

    /// <summary>A row to insert, with its caller's execution context (who is acting: the history record's actor).</summary>
    private sealed record Item(object Row, ExecutionContext? Context, TaskCompletionSource Saved, CancellationToken Ct);

    public SqliteGroupCommit(IDbContextFactory<AppDbContext> dbFactory, StorageHealth health)
    {
        this.dbFactory = dbFactory;
        this.health = health;
        // A thread of its own, so the one writer never waits in the thread pool's queue behind the reads. Started
        // without the first caller's execution context (its actor): it is nobody's request.
        writer = new Thread(Write) { IsBackground = true, Name = "SQLite group commit" };
        writer.UnsafeStart();
    }

    /// <summary>
    /// Inserts <paramref name="row"/> (a new entity) in the next shared transaction and returns once it has committed.
    /// Throws what its own save threw (a <see cref="DbUpdateException"/> for a unique index), or what the commit threw.
    /// </summary>
    public Task InsertAsync(object row, CancellationToken ct)
    {
        var item = new Item(row, ExecutionContext.Capture(), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), ct);
        if (!queue.Writer.TryWrite(item))
        {
            throw new ObjectDisposedException(nameof(SqliteGroupCommit));
        }
        return item.Saved.Task;
    }

    private void Write()
    {
        var batch = new List<Item>(MaxBatch);
        while (queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var item))
            {
                if (item.Ct.IsCancellationRequested)
                {
                    item.Saved.TrySetCanceled(item.Ct);
                    continue;
                }
                batch.Add(item);
            }
            if (batch.Count > 0)
            {
                WriteBatch(batch);
            }
        }
    }

    /// <summary>
    /// Synchronous: SQLite does its I/O synchronously anyway, and this thread has nothing else to do meanwhile. The whole
    /// batch is one save first (one statement batch, one commit); if that fails (a taken email, usually), each row is
    /// saved again on its own so that only the row at fault fails.
    /// </summary>
    private void WriteBatch(List<Item> batch)
    {
        // (A save that committed before something threw stored every row of the batch: all or none.)
        if (SaveTogether(batch) is not { } failure || Stored(batch[0].Row))
        {
            foreach (var item in batch)
            {
                item.Saved.TrySetResult();
            }
        }
        else if (batch.Count == 1)
        {
            batch[0].Saved.TrySetException(failure);
        }
        else
        {
            SaveOneByOne(batch);
        }
    }

    /// <summary>Every row in one <c>SaveChanges</c>, each recorded as its own request's change; what it threw, or null.</summary>
    private Exception? SaveTogether(List<Item> batch)
    {
        using var db = dbFactory.CreateDbContext();
        try
        {
            foreach (var item in batch)
            {
                Add(db, item);
            }
            // SaveChanges' own transaction: nothing is stored when it fails.
            db.SaveChanges();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
        finally
        {
            // The context goes back to the pool.
            db.RowOrigins = null;
        }
    }

    /// <summary>Adds an item's row to the context, noting the execution context it came from (its history's actor).</summary>
    private static void Add(AppDbContext db, Item item)
    {
        db.Add(item.Row);
        if (item.Context is { } context)
        {
            (db.RowOrigins ??= new Dictionary<object, ExecutionContext>(ReferenceEqualityComparer.Instance))[item.Row] = context;
        }
    }

    /// <summary>Whether <paramref name="row"/> is in the database (looked up by its key).</summary>
    private bool Stored(object row)
    {
        try
        {
            using var db = dbFactory.CreateDbContext();
            var entry = db.Entry(row);
            var key = entry.Metadata.FindPrimaryKey()!.Properties.Select(p => entry.Property(p.Name).CurrentValue).ToArray();
            return db.Find(entry.Metadata.ClrType, key) is not null;
        }
        catch (Exception)
        {
            // Unreadable too (the disk, the file): treat as not stored, and let the row-by-row saves report it.
            return false;
        }
    }

    /// <summary>Each row with its own save, behind its own savepoint, in one transaction.</summary>
    private void SaveOneByOne(List<Item> batch)
    {
        var failed = new Exception?[batch.Count];
        try
        {
            // One transaction for the batch; nobody's cancellation stops it, since it holds everybody's rows.
            using var db = dbFactory.CreateDbContext();
            using var tx = db.Database.BeginTransaction();
            for (var i = 0; i < batch.Count; i++)
            {
                try
                {
                    Add(db, batch[i]);
                    // Inside a transaction EF saves behind a savepoint and rolls back to it when the save fails.
                    db.SaveChanges();
                }
                catch (Exception ex)
                {
                    failed[i] = ex;
                }
                finally
                {
                    // Each save sees its own rows only: saved ones stay saved, a failed one (and its history record) is dropped.
                    db.ChangeTracker.Clear();
                    db.RowOrigins = null;
                }
            }
            tx.Commit();
        }
        catch (Exception ex)
        {
            // Not committed: nobody's row is stored. Each save went through, so only the commit can say the disk is full.
            if (DbErrors.IsStorageUnavailable(ex))
            {
                health.Failed();
            }
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Saved.TrySetException(failed[i] ?? ex);
            }
            return;
        }
        for (var i = 0; i < batch.Count; i++)
        {
            if (failed[i] is { } own)
            {
                batch[i].Saved.TrySetException(own);
            }
            else
            {
                batch[i].Saved.TrySetResult();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await Task.Run(writer.Join);
    }
}
