using CommerceManager.Common;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.History;
using CommerceManager.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Data;

/// <summary>
/// SQLite's group commit: concurrent creates share commits, yet each keeps its own outcome (a taken email fails only
/// its own create), its own history record and actor, and nobody hears "created" before the commit that stores them.
/// </summary>
[Trait("Database", "SqliteOnly")]
public sealed class GroupCommitTests : IAsyncLifetime
{
    private readonly Commits commits = new();
    private TestServices services = default!;

    public async Task InitializeAsync() =>
        services = await TestServices.CreateAsync(s => s.ConfigureDbContext<AppDbContext>(o => o.AddInterceptors(commits)));

    public async Task DisposeAsync() => await services.DisposeAsync();

    private Task<Outcome<CustomerDto>> CreateAsAsync(int staff, string name, string email) =>
        Task.Run(async () =>
        {
            using (ChangeContext.Use(new ChangeActor(ActorKinds.Staff, $"staff-{staff}", $"staff{staff}@example.com", ChangeActor.Console)))
            {
                return await services.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = name, Email = email });
            }
        });

    [Fact]
    public async Task Concurrent_creates_share_commits_and_each_keeps_its_own_outcome_and_actor()
    {
        commits.Count = 0;
        var creates = Enumerable.Range(0, 80).Select(i => CreateAsAsync(i, $"Grouped {i}", i < 78 ? $"grouped{i}@example.com" : "both@example.com")).ToList();
        var outcomes = await Task.WhenAll(creates);

        // Fewer commits than creates: rows that arrived together were stored together.
        Assert.True(commits.Count < outcomes.Length / 2, $"{commits.Count} commits for {outcomes.Length} creates");
        // The two creates of one email: one stored, the other refused, and the rows beside it unharmed.
        Assert.Equal([OutcomeKind.Ok, OutcomeKind.Duplicate], outcomes[78..].Select(o => o.Kind).Order());
        Assert.All(outcomes[..78], o => Assert.Equal(OutcomeKind.Ok, o.Kind));
        await using var db = await services.DbAsync();
        Assert.Equal(79, await db.Customers.CountAsync());
        var actors = await db.ChangeRecords.Where(r => r.ResourceType == "customer").ToDictionaryAsync(r => r.ResourceId, r => r.ActorId);
        Assert.Equal(79, actors.Count);
        for (var i = 0; i < 78; i++)
        {
            Assert.Equal($"staff-{i}", actors[outcomes[i].Value!.Id]);
        }
    }

    [Fact]
    public async Task A_taken_email_in_a_batch_fails_only_its_own_row()
    {
        await CreateAsAsync(0, "First Owner", "taken@example.com");
        var writer = services.Get<SqliteGroupCommit>();
        var rows = new List<(Customer Row, Task Saved)>();
        await using (var db = await services.DbAsync())
        {
            // Holding the write lock while the rows queue, so they are written together once it is free.
            await using var tx = await db.Database.BeginTransactionAsync();
            for (var i = 1; i <= 20; i++)
            {
                var customer = new Customer { Id = Guid.CreateVersion7(), CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow, Version = Guid.NewGuid() };
                customer.SetName($"Batched {i}");
                customer.SetEmail(i == 10 ? "TAKEN@example.com" : $"batched{i}@example.com");
                using (ChangeContext.Use(new ChangeActor(ActorKinds.Staff, $"staff-{i}", $"staff{i}@example.com", ChangeActor.Console)))
                {
                    rows.Add((customer, writer.InsertAsync(customer, default)));
                }
            }
            await Task.Delay(300);
            Assert.All(rows, r => Assert.False(r.Saved.IsCompleted));
            await tx.RollbackAsync();
        }

        var refused = await Assert.ThrowsAsync<DbUpdateException>(() => rows[9].Saved);
        Assert.True(DbErrors.IsUniqueViolation(refused));
        await Task.WhenAll(rows.Where((_, i) => i != 9).Select(r => r.Saved));
        await using var check = await services.DbAsync();
        Assert.Equal(20, await check.Customers.CountAsync());
        var actors = await check.ChangeRecords.Where(r => r.ResourceType == "customer").ToDictionaryAsync(r => r.ResourceId, r => r.ActorId);
        foreach (var (row, i) in rows.Select((r, i) => (r.Row, i + 1)).Where(r => r.Item2 != 10))
        {
            Assert.Equal($"staff-{i}", actors[row.Id]);
        }
        Assert.False(actors.ContainsKey(rows[9].Row.Id));
    }

    [Fact]
    public async Task A_commit_that_fails_fails_its_creates_and_stores_none_of_them()
    {
        commits.FailNext = true;
        var failed = await Assert.ThrowsAsync<SqliteException>(() => CreateAsAsync(1, "Never Stored", "never@example.com"));
        Assert.Equal(13, failed.SqliteErrorCode); // SQLITE_FULL

        Assert.NotNull(services.Get<StorageHealth>().FailingSince);
        var after = await CreateAsAsync(2, "Stored Later", "later@example.com");
        Assert.Equal(OutcomeKind.Ok, after.Kind);
        await using var db = await services.DbAsync();
        Assert.Equal(["later@example.com"], await db.Customers.Select(c => c.Email).ToListAsync());
        Assert.Equal(1, await db.ChangeRecords.CountAsync(r => r.ResourceType == "customer"));
        Assert.Null(services.Get<StorageHealth>().FailingSince);
    }

    [Fact]
    public async Task A_failure_after_the_commit_still_answers_created_for_the_stored_rows()
    {
        commits.ThrowAfterNext = true;
        var outcome = await CreateAsAsync(3, "Stored Anyway", "anyway@example.com");

        Assert.Equal(OutcomeKind.Ok, outcome.Kind);
        await using var db = await services.DbAsync();
        Assert.Equal("Stored Anyway", (await db.Customers.SingleAsync(c => c.Id == outcome.Value!.Id)).Name);
    }

    /// <summary>Counts commits; fails the next one as a full disk does, or throws after the next one, once asked to.</summary>
    private sealed class Commits : DbTransactionInterceptor
    {
        public int Count;
        public volatile bool FailNext;
        public volatile bool ThrowAfterNext;

        public override InterceptionResult TransactionCommitting(System.Data.Common.DbTransaction transaction, TransactionEventData eventData,
            InterceptionResult result)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new SqliteException("database or disk is full", 13);
            }
            return result;
        }

        public override ValueTask<InterceptionResult> TransactionCommittingAsync(System.Data.Common.DbTransaction transaction, TransactionEventData eventData,
            InterceptionResult result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(TransactionCommitting(transaction, eventData, result));

        public override void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData)
        {
            Interlocked.Increment(ref Count);
            if (ThrowAfterNext)
            {
                ThrowAfterNext = false;
                throw new InvalidOperationException("a failure after the commit");
            }
        }

        public override Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData,
            CancellationToken cancellationToken = default)
        {
            TransactionCommitted(transaction, eventData);
            return Task.CompletedTask;
        }
    }
}
