using System.Security.Claims;
using System.Text.Json;
using CommerceManager.Accounts;
using CommerceManager.Addresses;
using CommerceManager.Common;
using CommerceManager.CustomFields;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.History;
using CommerceManager.Orders;
using CommerceManager.Security;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.AccountMoves;

/// <summary>One customer as the move's preview shows it.</summary>
public sealed record MovePreviewRow(Guid Id, string Name, string Email, bool HasPassword, int Addresses, int Orders, bool MovedAlready);

/// <summary>What a move would do: how many customers, and the first of them.</summary>
public sealed record MovePreview(int Count, IReadOnlyList<MovePreviewRow> First);

/// <summary>What a move or its undo came to.</summary>
public sealed record MoveDone(Guid JobId, int Count, int Skipped = 0, string? SkippedWhy = null);

/// <summary>
/// Moves legacy customers to EP's Account Management, so a store that adopts today's storefront starters keeps its shoppers:
/// each customer becomes an account (its name as name and legal name, its external reference) with one member (its
/// name and email; a member with that email already is used instead) whose password is the customer's own hash under
/// the chosen password profile, so the shopper signs in through <c>POST /v2/account-members/tokens</c> with the password
/// they know. Its addresses are copied to the account's address book, and its orders are linked to the account and the
/// member. The customer stays (delete the moved customers afterwards with the list's bulk delete, itself undoable).
/// Batches of <see cref="BatchSize"/>, one transaction each, with progress and stop; a customer is moved once (a second
/// run skips it), so a stopped move is finished by running it again; for <see cref="UndoDays"/> days a move can be undone.
/// </summary>
public sealed class AccountMoveService(IDbContextFactory<AppDbContext> dbFactory, CustomerBulk bulk, AccountMemberService members, SqlDialect dialect,
    CustomFieldValues customFields, TimeProvider clock)
{
    public const int BatchSize = 500;
    public const int UndoDays = 30;
    /// <summary>
    /// From how many customers a move pauses the search indexes and rebuilds them in one pass at the end, as a large import
    /// does: row-by-row trigram inserts slow a long run of new accounts and members more and more.
    /// </summary>
    public const int PauseSearchIndexFrom = 50_000;
    private const string SubjectText = "Move to accounts";

    /// <summary>The number of customers in the selection, and the first ten as they stand.</summary>
    public async Task<MovePreview> PreviewAsync(ClaimsPrincipal user, CustomerSelection selection, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        var ids = await bulk.SelectedIdsAsync(user, selection, ct);
        var first = ids.Take(10).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Customers.AsNoTracking().Where(c => first.Contains(c.Id))
            .Select(c => new { c.Id, c.Name, c.Email, HasPassword = c.PasswordHash != null, c.OrderCount }).ToListAsync(ct);
        var addresses = await db.Addresses.Where(a => first.Contains(a.CustomerId)).GroupBy(a => a.CustomerId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var moved = (await db.AccountMoveItems.Where(i => !i.Undone && first.Contains(i.CustomerId)).Select(i => i.CustomerId).ToListAsync(ct)).ToHashSet();
        var order = first.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        return new MovePreview(ids.Count, rows.OrderBy(r => order[r.Id])
            .Select(r => new MovePreviewRow(r.Id, r.Name, r.Email, r.HasPassword, addresses.GetValueOrDefault(r.Id), r.OrderCount, moved.Contains(r.Id))).ToList());
    }

    /// <summary>Moves the selected customers (see the class summary); the passwords go under <paramref name="passwordProfileId"/>.</summary>
    public async Task<Outcome<MoveDone>> MoveAsync(ClaimsPrincipal user, CustomerSelection selection, Guid passwordProfileId,
        IProgress<WorkProgress>? progress = null, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        if (await members.ProfileAsync(passwordProfileId, ct) is null)
        {
            return Outcome.Refused<MoveDone>("Choose a password profile of the account realm (Settings › Account sign-in).", "PasswordProfileId");
        }
        var ids = await bulk.SelectedIdsAsync(user, selection, ct);
        if (ids.Count == 0)
        {
            progress?.Report(new WorkProgress(0, 0));
            return new MoveDone(Guid.Empty, 0);
        }
        using var actor = ChangeContext.UseIfUnset(user);
        var now = clock.UtcNow();
        var job = new AccountMoveJob
        {
            Id = Guid.CreateVersion7(), PasswordProfileId = passwordProfileId, Selected = ids.Count, StartedAt = now, By = user.Identity?.Name ?? "someone",
            UndoUntil = now.AddDays(UndoDays),
        };
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            db.AccountMoveJobs.Add(job);
            db.RecordChange(null, BulkJobs.ResourceType, job.Id, ChangeKinds.Account, ChangeActions.Bulk, SubjectText,
                new Dictionary<string, (string?, string?)> { [BulkJobs.CountField] = (null, ids.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)) });
            await db.SaveChangesAsync(ct);
        }
        var skipped = new Dictionary<string, int>(StringComparer.Ordinal);
        var done = 0;
        var paused = ids.Count >= PauseSearchIndexFrom;
        if (paused)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await dialect.PauseDerivedIndexesAsync(db, ct);
        }
        try
        {
            using (ChangeContext.InBatch(job.Id))
            {
                for (var start = 0; start < ids.Count; start += BatchSize)
                {
                    ct.ThrowIfCancellationRequested();
                    var batch = ids.GetRange(start, Math.Min(BatchSize, ids.Count - start));
                    done += await MoveBatchAsync(job, batch, skipped, ct);
                    progress?.Report(new WorkProgress(start + batch.Count, ids.Count));
                }
            }
        }
        finally
        {
            if (paused)
            {
                // Puts the triggers back and rebuilds the indexes from the tables (start-up does the same after a crash).
                await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
                await dialect.AfterMigrateAsync(db, CancellationToken.None);
            }
            await FinishAsync(job.Id, done, skipped);
        }
        return new MoveDone(job.Id, done, skipped.Values.Sum(), Why(skipped));
    }

    private async Task<int> MoveBatchAsync(AccountMoveJob job, List<Guid> batch, Dictionary<string, int> skipped, CancellationToken ct)
    {
        // Custom values go to the accounts flow's field of the same slug (when the value fits it).
        var carry = await customFields.TranslatorAsync(Flow.Customers, Flow.Accounts, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var customers = await db.Customers.AsNoTracking().Where(c => batch.Contains(c.Id)).ToListAsync(ct);
        var movedAlready = (await db.AccountMoveItems.Where(i => !i.Undone && batch.Contains(i.CustomerId)).Select(i => i.CustomerId).ToListAsync(ct)).ToHashSet();
        Skip(skipped, "moved already", customers.Count(c => movedAlready.Contains(c.Id)));
        customers = customers.Where(c => !movedAlready.Contains(c.Id)).ToList();
        var emails = customers.Select(c => c.NormalizedEmail).Distinct().ToList();
        // A member with the email already (a shopper who signed up through a new starter too) is the one the account gets.
        var existing = (await db.AccountMembers.AsNoTracking().Where(m => emails.Contains(m.NormalizedEmail)).ToListAsync(ct))
            .GroupBy(m => m.NormalizedEmail).ToDictionary(g => g.Key, g => g.OrderBy(m => m.CreatedAt).First());
        var existingIds = existing.Values.Select(m => m.Id).ToList();
        var withPassword = (await db.MemberPasswords.Where(p => p.PasswordProfileId == job.PasswordProfileId && existingIds.Contains(p.MemberId))
            .Select(p => p.MemberId).ToListAsync(ct)).ToHashSet();
        var usernames = emails.Select(AccountText.FoldEmail).ToList();
        var taken = (await db.MemberPasswords.Where(p => p.PasswordProfileId == job.PasswordProfileId && usernames.Contains(p.NormalizedUsername))
            .Select(p => p.NormalizedUsername).ToListAsync(ct)).ToHashSet();
        var addresses = (await db.Addresses.AsNoTracking().Where(a => batch.Contains(a.CustomerId)).ToListAsync(ct)).ToLookup(a => a.CustomerId);
        var orders = (await db.Orders.AsNoTracking().Where(o => o.CustomerId != null && batch.Contains(o.CustomerId.Value))
            .Select(o => new { o.Id, CustomerId = o.CustomerId!.Value }).ToListAsync(ct)).ToLookup(o => o.CustomerId, o => o.Id);
        var now = clock.UtcNow();
        var items = new List<AccountMoveItem>();
        var newAccounts = new List<ShopperAccount>();
        var newMembers = new List<AccountMember>();
        var newMemberships = new List<AccountMembership>();
        var newPasswords = new List<MemberPassword>();
        var newAddresses = new List<AccountAddress>();
        var changes = new List<ChangeRecord>();
        foreach (var customer in customers)
        {
            var account = new ShopperAccount
            {
                Id = Guid.CreateVersion7(), ExternalRef = customer.ExternalRef, CustomData = carry(customer.CustomData), CreatedAt = now, UpdatedAt = now,
                Version = Guid.NewGuid(),
            };
            account.SetName(customer.Name);
            account.SetLegalName(customer.Name);
            newAccounts.Add(account);
            var member = existing.GetValueOrDefault(customer.NormalizedEmail);
            var created = member is null;
            if (member is null)
            {
                member = AccountMemberService.NewMember(new AccountMemberInput { Name = customer.Name, Email = customer.Email }, now);
                newMembers.Add(member);
                existing[customer.NormalizedEmail] = member;
            }
            newMemberships.Add(new AccountMembership { Id = Guid.CreateVersion7(), AccountId = account.Id, MemberId = member.Id, CreatedAt = now, UpdatedAt = now });
            Guid? passwordId = null;
            var username = AccountText.FoldEmail(customer.Email);
            if (customer.PasswordHash is { } hash && !withPassword.Contains(member.Id) && taken.Add(username))
            {
                // The same hash: the shopper's password signs in to the member as it did to the customer.
                var password = AccountMemberService.NewPassword(member.Id, job.PasswordProfileId, customer.Email, hash, now);
                newPasswords.Add(password);
                withPassword.Add(member.Id);
                passwordId = password.Id;
            }
            var accountAddresses = new List<Guid>();
            foreach (var address in addresses[customer.Id])
            {
                var copy = new AccountAddress
                {
                    Id = Guid.CreateVersion7(), AccountId = account.Id, Name = address.Name, Postal = address.Postal.Copy(), CreatedAt = now, UpdatedAt = now,
                    Version = Guid.NewGuid(),
                };
                newAddresses.Add(copy);
                accountAddresses.Add(copy.Id);
            }
            var linked = orders[customer.Id].ToList();
            items.Add(new AccountMoveItem
            {
                JobId = job.Id, CustomerId = customer.Id, AccountId = account.Id, MemberId = member.Id, MemberCreated = created, PasswordId = passwordId,
                Moved = JsonSerializer.Serialize(new MovedRows(accountAddresses, linked)),
            });
            // Written in bulk, so recorded here: on the account's, the member's and the customer's timelines.
            var count = (int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            changes.Add(HistoryTables.Change(account.Id, "account", account.Id, ChangeKinds.Account, ChangeActions.Created, account.Name, new Dictionary<string, (string?, string?)>
            {
                ["name"] = (null, account.Name), ["legal_name"] = (null, account.LegalName), ["external_ref"] = (null, account.ExternalRef),
                ["moved_from_customer"] = (null, customer.Id.ToString()), ["addresses"] = (null, count(accountAddresses.Count)), ["orders"] = (null, count(linked.Count)),
            }));
            if (created)
            {
                changes.Add(HistoryTables.Change(member.Id, "account-member", member.Id, ChangeKinds.Member, ChangeActions.Created, member.Name, new Dictionary<string, (string?, string?)>
                {
                    ["name"] = (null, member.Name), ["email"] = (null, member.Email), ["password"] = ("not set", passwordId is null ? "not set" : "set"),
                }));
            }
            changes.Add(HistoryTables.Change(customer.Id, "customer", customer.Id, ChangeKinds.Details, ChangeActions.Updated, customer.Name,
                new Dictionary<string, (string?, string?)> { ["moved_to_account"] = (null, account.Id.ToString()) }));
        }
        await db.BulkInsertAsync(dialect, newAccounts, ct);
        await db.BulkInsertAsync(dialect, newMembers, ct);
        await db.BulkInsertAsync(dialect, newMemberships, ct);
        await db.BulkInsertAsync(dialect, newPasswords, ct);
        await db.BulkInsertAsync(dialect, newAddresses, ct);
        await db.BulkInsertAsync(dialect, items, ct);
        await db.RecordInBulkAsync(dialect, changes, now, ct);
        // The orders of the customers moved now, each to its account and member: one statement for the batch.
        var jobId = job.Id;
        var movedNow = items.Select(i => i.CustomerId).ToList();
        var moveItems = db.Set<AccountMoveItem>();
        await db.Orders.Where(o => o.CustomerId != null && movedNow.Contains(o.CustomerId.Value)).ExecuteUpdateAsync(s => s
            .SetProperty(o => o.AccountId, o => moveItems.Where(i => i.JobId == jobId && i.CustomerId == o.CustomerId).Select(i => (Guid?)i.AccountId).FirstOrDefault())
            .SetProperty(o => o.AccountMemberId, o => moveItems.Where(i => i.JobId == jobId && i.CustomerId == o.CustomerId).Select(i => (Guid?)i.MemberId).FirstOrDefault()), ct);
        await db.AccountMoveJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.Done, j => j.Done + items.Count), ct);
        await transaction.CommitAsync(ct);
        return items.Count;
    }

    /// <summary>
    /// Undoes a move (within <see cref="UndoDays"/> days, once): the accounts it made go with their memberships and
    /// addresses, the members it made go (unless they joined another account since), the passwords it moved go, and the
    /// orders it linked are unlinked. The customers were never touched.
    /// </summary>
    public async Task<Outcome<MoveDone>> UndoAsync(ClaimsPrincipal user, Guid jobId, IProgress<WorkProgress>? progress = null, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var job = await db.AccountMoveJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, ct);
            if (job is null)
            {
                return Outcome.NotFound<MoveDone>();
            }
            if (job.UndoneAt is not null)
            {
                return Outcome.Refused<MoveDone>($"This move was undone already, by {job.UndoneBy}.");
            }
            var now = clock.UtcNow();
            if (now > job.UndoUntil)
            {
                return Outcome.Refused<MoveDone>($"A move can be undone for {UndoDays} days; this one is older.");
            }
            if (job.FinishedAt is null && job.StartedAt > now.AddHours(-1))
            {
                return Outcome.Refused<MoveDone>("This move is still running: stop it or let it finish, then undo it.");
            }
            var by = user.Identity?.Name ?? "someone";
            if (await db.AccountMoveJobs.Where(j => j.Id == jobId && j.UndoneAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(j => j.UndoneAt, now).SetProperty(j => j.UndoneBy, by), ct) == 0)
            {
                return Outcome.Refused<MoveDone>("Someone else is undoing this move already.");
            }
        }
        using var actor = ChangeContext.UseIfUnset(user);
        var undone = 0;
        var total = 0;
        var after = Guid.Empty;
        var paused = false;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            if (await db.AccountMoveItems.CountAsync(i => i.JobId == jobId && !i.Undone, ct) >= PauseSearchIndexFrom)
            {
                await dialect.PauseDerivedIndexesAsync(db, ct);
                paused = true;
            }
        }
        try
        {
            using (ChangeContext.InBatch(jobId))
            {
                while (true)
                {
                    ct.ThrowIfCancellationRequested();
                    await using var db = await dbFactory.CreateDbContextAsync(ct);
                    await using var transaction = await db.Database.BeginTransactionAsync(ct);
                    // Keyset on the customer id: the undone ones are behind, not skipped again by every batch.
                    var items = await db.AccountMoveItems.AsNoTracking().Where(i => i.JobId == jobId && !i.Undone && i.CustomerId.CompareTo(after) > 0)
                        .OrderBy(i => i.CustomerId).Take(BatchSize).ToListAsync(ct);
                    var changes = new List<ChangeRecord>();
                    if (total == 0)
                    {
                        total = await db.AccountMoveItems.CountAsync(i => i.JobId == jobId && !i.Undone, ct);
                    }
                    if (items.Count == 0)
                    {
                        break;
                    }
                    // In bulk, a statement a table for the whole batch; what goes is recorded on each account's timeline.
                    var accountIds = items.Select(i => i.AccountId).ToList();
                    var passwordIds = items.Select(i => i.PasswordId).OfType<Guid>().ToList();
                    var orderIds = items.SelectMany(i => JsonSerializer.Deserialize<MovedRows>(i.Moved)!.Orders).ToList();
                    foreach (var chunk in orderIds.Chunk(BatchSize))
                    {
                        await db.Orders.Where(o => chunk.Contains(o.Id) && o.AccountId != null && accountIds.Contains(o.AccountId.Value)).ExecuteUpdateAsync(s => s
                            .SetProperty(o => o.AccountId, (Guid?)null).SetProperty(o => o.AccountMemberId, (Guid?)null), ct);
                    }
                    await db.MemberPasswords.Where(p => passwordIds.Contains(p.Id)).ExecuteDeleteAsync(ct);
                    await db.AccountAddresses.Where(a => accountIds.Contains(a.AccountId)).ExecuteDeleteAsync(ct);
                    await db.AccountMemberships.Where(m => accountIds.Contains(m.AccountId)).ExecuteDeleteAsync(ct);
                    // Children added under a moved account since keep their place one level up.
                    await db.Accounts.Where(a => a.ParentId != null && accountIds.Contains(a.ParentId.Value)).ExecuteUpdateAsync(s => s.SetProperty(a => a.ParentId, (Guid?)null), ct);
                    var names = await db.Accounts.Where(a => accountIds.Contains(a.Id)).Select(a => new { a.Id, a.Name }).ToListAsync(ct);
                    await db.Accounts.Where(a => accountIds.Contains(a.Id)).ExecuteDeleteAsync(ct);
                    foreach (var account in names)
                    {
                        changes.Add(HistoryTables.Change(account.Id, "account", account.Id, ChangeKinds.Account, ChangeActions.Deleted, account.Name));
                    }
                    // A member the move made goes too, unless it belongs to another account now.
                    var made = items.Where(i => i.MemberCreated).Select(i => i.MemberId).ToList();
                    var staying = (await db.AccountMemberships.Where(m => made.Contains(m.MemberId)).Select(m => m.MemberId).ToListAsync(ct)).ToHashSet();
                    var leaving = made.Where(id => !staying.Contains(id)).ToList();
                    var memberNames = await db.AccountMembers.Where(m => leaving.Contains(m.Id)).Select(m => new { m.Id, m.Name }).ToListAsync(ct);
                    await db.AccountMembers.Where(m => leaving.Contains(m.Id)).ExecuteDeleteAsync(ct);
                    foreach (var member in memberNames)
                    {
                        changes.Add(HistoryTables.Change(member.Id, "account-member", member.Id, ChangeKinds.Member, ChangeActions.Deleted, member.Name));
                    }
                    var customerIds = items.Select(i => i.CustomerId).ToList();
                    await db.AccountMoveItems.Where(i => i.JobId == jobId && customerIds.Contains(i.CustomerId)).ExecuteUpdateAsync(s => s.SetProperty(i => i.Undone, true), ct);
                    await db.RecordInBulkAsync(dialect, changes, clock.UtcNow(), ct);
                    await transaction.CommitAsync(ct);
                    undone += items.Count;
                    after = items[^1].CustomerId;
                    progress?.Report(new WorkProgress(undone, total));
                }
            }
        }
        finally
        {
            if (paused)
            {
                await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
                await dialect.AfterMigrateAsync(db, CancellationToken.None);
            }
        }
        if (total == 0)
        {
            progress?.Report(new WorkProgress(0, 0));
        }
        return new MoveDone(jobId, undone);
    }

    /// <summary>The latest moves, newest first (the move page's list, with Undo).</summary>
    public async Task<IReadOnlyList<AccountMoveJob>> RecentAsync(ClaimsPrincipal user, int limit = 10, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AccountMoveJobs.AsNoTracking().OrderByDescending(j => j.StartedAt).Take(limit).ToListAsync(ct);
    }

    public bool CanUndo(AccountMoveJob job) => job.UndoneAt is null && job.FinishedAt is not null && clock.UtcNow() <= job.UndoUntil;

    private async Task FinishAsync(Guid jobId, int done, Dictionary<string, int> skipped)
    {
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        var end = clock.UtcNow();
        var why = Why(skipped);
        var count = skipped.Values.Sum();
        await db.AccountMoveJobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.FinishedAt, end).SetProperty(j => j.Done, done)
            .SetProperty(j => j.Skipped, count).SetProperty(j => j.SkippedWhy, why), CancellationToken.None);
    }

    private static void Skip(Dictionary<string, int> skipped, string why, int count)
    {
        if (count > 0)
        {
            skipped[why] = skipped.GetValueOrDefault(why) + count;
        }
    }

    private static string? Why(Dictionary<string, int> skipped) =>
        skipped.Count == 0 ? null : string.Join("; ", skipped.Select(p => $"{p.Value:N0}: {p.Key}"));

    private sealed record MovedRows(List<Guid> Addresses, List<Guid> Orders);
}
