using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using CommerceManager.Common;
using CommerceManager.CustomFields;
using CommerceManager.Data;
using CommerceManager.History;
using CommerceManager.Security;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Customers;

/// <summary>
/// Which customers a bulk action is for: the rows a staff member ticked (<see cref="Ids"/>), or every customer a
/// list view matches (<see cref="Matching"/>: its filter, one-box search and password choice, as in the URL).
/// </summary>
public sealed record CustomerSelection(IReadOnlyList<Guid>? Ids, CustomerQuery? Matching)
{
    public static CustomerSelection Of(IEnumerable<Guid> ids) => new(ids.Distinct().ToList(), null);

    public static CustomerSelection AllMatching(CustomerQuery query) => new(null, query);
}

/// <summary><c>Customers__BulkDeleteAdminFrom</c>: from how many customers a bulk delete needs an Admin.</summary>
public sealed class BulkSettings
{
    public int BulkDeleteAdminFrom { get; set; } = 1000;
}

/// <summary>What a bulk job came to: its id (for its undo and its Activity line) and how many customers it did.</summary>
public sealed record BulkDone(Guid JobId, int Count, int Skipped = 0, string? SkippedWhy = null);

/// <summary>
/// Bulk actions on customers: count, delete, set one custom field, export, and undo a delete or a field set for
/// <see cref="UndoDays"/> days. Each works through its selection in batches of <see cref="BatchSize"/>, one transaction
/// each, reporting progress after every batch and stopping between batches when cancelled (what was done stays done, and
/// every batch is whole). A selection by query is fixed when the action starts: customers that match later are not
/// touched. A delete or a field set is a job (<see cref="CustomerBulkJob"/>): each batch keeps what undoing it needs,
/// and its changes are one line on the Activity page that opens onto them.
/// </summary>
public sealed class CustomerBulk(IDbContextFactory<AppDbContext> dbFactory, CustomerService customers, CustomFieldValues customFields, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<BulkSettings> settings, IEnumerable<ICustomerBelongings> belongings)
{
    public const int BatchSize = 500;
    public const int UndoDays = 30;
    private const string CustomerPart = "customer";

    /// <summary>How many customers the selection holds now (exact): the number a confirmation names.</summary>
    public async Task<int> CountAsync(ClaimsPrincipal user, CustomerSelection selection, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        if (selection.Ids is not null)
        {
            return (await IdsAsync(selection, ct)).Count;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (matching, _, unfiltered) = await customers.MatchingAsync(db, Query(selection), ct);
        return unfiltered ? await RowCounts.ReadAsync(db, Customer.Table, ct) : await matching.CountAsync(ct);
    }

    /// <summary>
    /// Deletes the selected customers with their addresses, sign-in tokens and provider links; their orders stay, as guest
    /// orders. For <see cref="UndoDays"/> days <see cref="UndoAsync"/> brings them back with all of it.
    /// </summary>
    public async Task<BulkDone> DeleteAsync(ClaimsPrincipal user, CustomerSelection selection, IProgress<WorkProgress>? progress = null, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        var ids = await IdsAsync(selection, ct);
        var adminFrom = Math.Max(1, settings.Value.BulkDeleteAdminFrom);
        if (ids.Count >= adminFrom && !Access.Has(user, Permission.ManageSettings))
        {
            throw new AccessDeniedException($"Deleting {ids.Count:N0} customers at once needs an Admin (from {adminFrom:N0}, Customers__BulkDeleteAdminFrom): " +
                "ask one, or delete fewer at a time.");
        }
        return await RunAsync(user, BulkActions.Delete, "Bulk delete", null, null, ids, DeleteBatchAsync, progress, ct);
    }

    /// <summary>
    /// One batch removed through the change tracker, so each deletion is recorded in the batch's transaction, with what
    /// undoing it needs; a customer edited meanwhile makes the batch read again.
    /// </summary>
    private async Task<int> DeleteBatchAsync(Guid jobId, List<Guid> batch, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var rows = await db.Customers.Where(c => batch.Contains(c.Id)).ToListAsync(ct);
            var found = rows.Select(c => c.Id).ToList();
            var items = rows.ToDictionary(c => c.Id, c => new JsonObject { [CustomerPart] = JsonSerializer.SerializeToNode(KeptCustomer.Of(c)) });
            foreach (var part in belongings)
            {
                foreach (var (id, kept) in await part.KeepAsync(db, found, ct))
                {
                    items[id][part.Part] = kept;
                }
            }
            db.CustomerBulkJobItems.AddRange(items.Select(i => new CustomerBulkJobItem { JobId = jobId, CustomerId = i.Key, Data = i.Value.ToJsonString() }));
            db.Customers.RemoveRange(rows);
            try
            {
                await db.SaveChangesAsync(ct);
                await CountDoneAsync(db, jobId, rows.Count, ct);
                await transaction.CommitAsync(ct);
                return rows.Count;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>
    /// Sets one custom field (by slug) to <paramref name="value"/> on every selected customer; null clears it. The value
    /// is checked once, by the same rule as the console and API, before anything is written. For <see cref="UndoDays"/>
    /// days <see cref="UndoAsync"/> puts back each value it replaced (where nobody has changed it again since).
    /// </summary>
    public async Task<BulkDone> SetFieldAsync(ClaimsPrincipal user, CustomerSelection selection, string slug, JsonNode? value,
        IProgress<WorkProgress>? progress = null, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        var field = (await customFields.EnabledFieldsAsync(Flow.Customers, ct)).FirstOrDefault(f => f.Slug == slug)
            ?? throw new ValidationException([new ValidationFailure(CustomFieldValues.SourcePrefix + slug, $"There is no customer field '{slug}'.")]);
        if (value is null && field.Required)
        {
            throw new ValidationException([new ValidationFailure(CustomFieldValues.SourcePrefix + slug, $"{field.Name} is required: it can't be cleared.")]);
        }
        var change = new Dictionary<string, JsonNode?> { [slug] = value };
        // Refused here, before the first batch, when the value breaks the field's rules.
        await customFields.MergeAsync(Flow.Customers, null, Clone(change), creating: false, ct);

        var ids = await IdsAsync(selection, ct);
        var subject = value is null ? $"Bulk clear “{field.Name}”" : $"Bulk set “{field.Name}” to “{CustomFieldsEditor.Text(field, value)}”";
        return await RunAsync(user, BulkActions.SetField, subject, field.Id, null, ids,
            (jobId, batch, token) => SetFieldInBatchAsync(jobId, field.Id.ToString(), batch, change, token), progress, ct);
    }

    private async Task<int> SetFieldInBatchAsync(Guid jobId, string key, List<Guid> batch, Dictionary<string, JsonNode?> change, CancellationToken ct)
    {
        // Someone may save one of these customers meanwhile: the version check refuses the batch, which is then read
        // again and redone over their change (the field this action sets is the only one it writes).
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var rows = await db.Customers.Where(c => batch.Contains(c.Id)).ToListAsync(ct);
            var now = clock.GetUtcNow().UtcDateTime;
            foreach (var customer in rows)
            {
                var before = CustomFieldValues.Parse(customer.CustomData)[key]?.DeepClone();
                var had = CustomFieldValues.Parse(customer.CustomData).ContainsKey(key);
                customer.CustomData = await customFields.MergeAsync(Flow.Customers, customer.CustomData, Clone(change), creating: false, ct);
                customer.UpdatedAt = now;
                customer.Version = Guid.NewGuid();
                var after = CustomFieldValues.Parse(customer.CustomData)[key]?.DeepClone();
                if (!JsonNode.DeepEquals(before, after))
                {
                    db.CustomerBulkJobItems.Add(new CustomerBulkJobItem
                    {
                        JobId = jobId, CustomerId = customer.Id,
                        Data = new JsonObject { ["had"] = had, ["before"] = before, ["after"] = after }.ToJsonString(),
                    });
                }
            }
            try
            {
                await db.SaveChangesAsync(ct);
                await CountDoneAsync(db, jobId, rows.Count, ct);
                await transaction.CommitAsync(ct);
                return rows.Count;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
            }
        }
    }

    /// <summary>
    /// Undoes a bulk delete or field set (within <see cref="UndoDays"/> days, once): deleted customers come back with
    /// their ids, values, password, addresses, sign-in links and orders; replaced values go back. A customer is left
    /// alone, and counted with the reason, where that is no longer right: back already, its email taken by another
    /// customer since, deleted since, or its value changed again since. The undo is a job of its own, one Activity line.
    /// </summary>
    public async Task<Outcome<BulkDone>> UndoAsync(ClaimsPrincipal user, Guid jobId, IProgress<WorkProgress>? progress = null, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var job = await db.CustomerBulkJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, ct);
        if (job is null)
        {
            return Outcome.NotFound<BulkDone>();
        }
        if (job.Action == BulkActions.Undo)
        {
            return Outcome.Refused<BulkDone>("An undo can't be undone: run the bulk action again.");
        }
        if (job.UndoneAt is not null)
        {
            return Outcome.Refused<BulkDone>($"This was undone already, by {job.UndoneBy}.");
        }
        var now = clock.UtcNow();
        if (now > job.UndoUntil)
        {
            return Outcome.Refused<BulkDone>($"A bulk action can be undone for {UndoDays} days; this one is older.");
        }
        if (job.FinishedAt is null && (running.ContainsKey(job.Id) || job.StartedAt > now.AddHours(-1)))
        {
            return Outcome.Refused<BulkDone>("This bulk action is still running: stop it or let it finish, then undo it.");
        }
        var ids = await db.CustomerBulkJobItems.Where(i => i.JobId == jobId).OrderBy(i => i.CustomerId).Select(i => i.CustomerId).ToListAsync(ct);
        if (ids.Count == 0 && job.Done > 0 && job.Action == BulkActions.Delete)
        {
            return Outcome.Refused<BulkDone>("This can no longer be undone: the personal data of its customers was erased.");
        }
        // Claimed before the first batch, so two people pressing Undo at once undo it once.
        var by = user.Identity?.Name ?? "someone";
        if (await db.CustomerBulkJobs.Where(j => j.Id == jobId && j.UndoneAt == null).ExecuteUpdateAsync(s => s.SetProperty(j => j.UndoneAt, now).SetProperty(j => j.UndoneBy, by), ct) == 0)
        {
            return Outcome.Refused<BulkDone>("Someone else is undoing this already.");
        }
        var skipped = new Dictionary<string, int>(StringComparer.Ordinal);
        Func<Guid, List<Guid>, CancellationToken, Task<int>> undoBatch = job.Action == BulkActions.Delete
            ? (undoId, batch, token) => RestoreBatchAsync(jobId, batch, skipped, token)
            : (undoId, batch, token) => RevertBatchAsync(jobId, job.FieldId!.Value.ToString(), batch, skipped, token);
        var subject = "Undo of " + char.ToLowerInvariant(job.Subject[0]) + job.Subject[1..];
        return await RunAsync(user, BulkActions.Undo, subject, job.FieldId, jobId, ids, undoBatch, progress, ct, () => skipped);
    }

    /// <summary>Deleted customers back, with what they owned; usually a batch at once, one at a time when one of them cannot come back.</summary>
    private async Task<int> RestoreBatchAsync(Guid jobId, List<Guid> batch, Dictionary<string, int> skipped, CancellationToken ct)
    {
        List<JsonObject> kept;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            kept = (await db.CustomerBulkJobItems.AsNoTracking().Where(i => i.JobId == jobId && batch.Contains(i.CustomerId)).Select(i => i.Data).ToListAsync(ct))
                .Select(data => JsonNode.Parse(data)!.AsObject()).ToList();
        }
        if (await RestoreAsync(kept, skipped, ct) is { } restored)
        {
            return restored;
        }
        // Someone took one of the emails between the check and the save.
        var count = 0;
        foreach (var one in kept)
        {
            if (await RestoreAsync([one], skipped, ct) is { } n)
            {
                count += n;
            }
            else
            {
                Skip(skipped, EmailTaken, 1);
            }
        }
        return count;
    }

    private const string EmailTaken = "their email belongs to another customer now";

    /// <summary>How many came back, or null when a unique index refused them (then nothing was written).</summary>
    private async Task<int?> RestoreAsync(List<JsonObject> kept, Dictionary<string, int> skipped, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var wanted = kept.Select(k => (Customer: k[CustomerPart].Deserialize<KeptCustomer>()!, Item: k)).ToList();
        var ids = wanted.Select(w => w.Customer.Id).ToList();
        var here = (await db.Customers.Where(c => ids.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct)).ToHashSet();
        var emails = wanted.Where(w => !w.Customer.EmailShared).Select(w => Customer.Normalize(w.Customer.Email)).ToList();
        var taken = (await db.Customers.Where(c => !c.EmailShared && emails.Contains(c.NormalizedEmail)).Select(c => c.NormalizedEmail).ToListAsync(ct)).ToHashSet();
        var mine = new Dictionary<string, int>(StringComparer.Ordinal);
        var back = new List<(KeptCustomer Customer, JsonObject Item)>();
        var now = clock.UtcNow();
        foreach (var w in wanted)
        {
            if (here.Contains(w.Customer.Id))
            {
                Skip(mine, "they are back already", 1);
            }
            else if (!w.Customer.EmailShared && taken.Contains(Customer.Normalize(w.Customer.Email)))
            {
                Skip(mine, EmailTaken, 1);
            }
            else
            {
                db.Customers.Add(w.Customer.ToCustomer(now));
                back.Add(w);
            }
        }
        try
        {
            await db.SaveChangesAsync(ct);
            foreach (var part in belongings)
            {
                var theirs = back.Where(b => b.Item[part.Part] is not null).ToDictionary(b => b.Customer.Id, b => b.Item[part.Part]!);
                if (theirs.Count > 0)
                {
                    await part.RestoreAsync(db, theirs, ct);
                }
            }
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            return null;
        }
        foreach (var (why, n) in mine)
        {
            Skip(skipped, why, n);
        }
        return back.Count;
    }

    /// <summary>Replaced values back where they are still what the job set (one batch, one transaction).</summary>
    private async Task<int> RevertBatchAsync(Guid jobId, string key, List<Guid> batch, Dictionary<string, int> skipped, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var items = (await db.CustomerBulkJobItems.AsNoTracking().Where(i => i.JobId == jobId && batch.Contains(i.CustomerId)).ToListAsync(ct))
                .ToDictionary(i => i.CustomerId, i => JsonNode.Parse(i.Data)!.AsObject());
            var rows = await db.Customers.Where(c => batch.Contains(c.Id)).ToListAsync(ct);
            var mine = new Dictionary<string, int>(StringComparer.Ordinal);
            Skip(mine, "they were deleted since", items.Count - rows.Count);
            var now = clock.GetUtcNow().UtcDateTime;
            var reverted = 0;
            foreach (var customer in rows)
            {
                var item = items[customer.Id];
                var custom = CustomFieldValues.Parse(customer.CustomData);
                if (!JsonNode.DeepEquals(custom[key], item["after"]))
                {
                    Skip(mine, "their value was changed again since", 1);
                    continue;
                }
                if (item["had"]?.GetValue<bool>() == true)
                {
                    custom[key] = item["before"]?.DeepClone();
                }
                else
                {
                    custom.Remove(key);
                }
                customer.CustomData = custom.Count == 0 ? null : custom.ToJsonString();
                customer.UpdatedAt = now;
                customer.Version = Guid.NewGuid();
                reverted++;
            }
            try
            {
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
                continue;
            }
            foreach (var (why, n) in mine)
            {
                Skip(skipped, why, n);
            }
            return reverted;
        }
    }

    private static void Skip(Dictionary<string, int> skipped, string why, int count)
    {
        if (count > 0)
        {
            skipped[why] = skipped.GetValueOrDefault(why) + count;
        }
    }

    /// <summary>"2 (their email belongs to another customer now), 1 (they were deleted since)".</summary>
    private static string? Why(IReadOnlyDictionary<string, int>? skipped) =>
        skipped is not { Count: > 0 } ? null : string.Join("; ", skipped.Select(p => $"{p.Value:N0}: {p.Key}"));

    /// <summary>Jobs running on this instance (an undo waits for its job to end).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, bool> running = new();

    /// <summary>
    /// Runs one job over <paramref name="ids"/> a batch at a time: its record and its Activity line first, then each batch
    /// as one of its changes, then how it ended (also when stopped or failed).
    /// </summary>
    private async Task<BulkDone> RunAsync(ClaimsPrincipal user, string action, string subject, Guid? fieldId, Guid? undoOf, List<Guid> ids,
        Func<Guid, List<Guid>, CancellationToken, Task<int>> batchWork, IProgress<WorkProgress>? progress, CancellationToken ct,
        Func<Dictionary<string, int>>? skipped = null)
    {
        if (ids.Count == 0)
        {
            progress?.Report(new WorkProgress(0, 0));
            return new BulkDone(Guid.Empty, 0);
        }
        // The job is the person's who started it, also where no request or circuit says so (a background run, a tool).
        using var actor = ChangeContext.UseIfUnset(user);
        var now = clock.UtcNow();
        var job = new CustomerBulkJob
        {
            Id = Guid.CreateVersion7(), Action = action, Subject = subject.Length <= 300 ? subject : subject[..300], FieldId = fieldId, Selected = ids.Count,
            StartedAt = now, ById = user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? "", By = user.Identity?.Name ?? "someone",
            UndoUntil = now.AddDays(UndoDays), UndoOf = undoOf,
        };
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            db.CustomerBulkJobs.Add(job);
            db.RecordChange(null, BulkJobs.ResourceType, job.Id, ChangeKinds.Details, ChangeActions.Bulk, job.Subject,
                new Dictionary<string, (string?, string?)> { [BulkJobs.CountField] = (null, ids.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)) });
            await db.SaveChangesAsync(ct);
        }
        running[job.Id] = true;
        var done = 0;
        try
        {
            using (ChangeContext.InBatch(job.Id))
            {
                for (var start = 0; start < ids.Count; start += BatchSize)
                {
                    ct.ThrowIfCancellationRequested();
                    var batch = ids.GetRange(start, Math.Min(BatchSize, ids.Count - start));
                    done += await batchWork(job.Id, batch, ct);
                    progress?.Report(new WorkProgress(start + batch.Count, ids.Count));
                }
            }
        }
        finally
        {
            var skips = skipped?.Invoke();
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            var end = clock.UtcNow();
            var why = Why(skips);
            await db.CustomerBulkJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.Done, done).SetProperty(j => j.FinishedAt, end)
                .SetProperty(j => j.Skipped, skips == null ? 0 : skips.Values.Sum()).SetProperty(j => j.SkippedWhy, why), CancellationToken.None);
            running.TryRemove(job.Id, out _);
        }
        var left = skipped?.Invoke();
        return new BulkDone(job.Id, done, left?.Values.Sum() ?? 0, Why(left));
    }

    private static Task CountDoneAsync(AppDbContext db, Guid jobId, int count, CancellationToken ct) =>
        db.CustomerBulkJobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.Done, j => j.Done + count), ct);

    /// <summary>The jobs of these Activity lines (some ids may be other changes'), by id.</summary>
    public async Task<IReadOnlyDictionary<Guid, CustomerBulkJob>> JobsAsync(ClaimsPrincipal user, IReadOnlyCollection<Guid> ids, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        if (ids.Count == 0)
        {
            return new Dictionary<Guid, CustomerBulkJob>();
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.CustomerBulkJobs.AsNoTracking().Where(j => ids.Contains(j.Id)).ToDictionaryAsync(j => j.Id, ct);
    }

    /// <summary>Whether <see cref="UndoAsync"/> would take the job now (the Activity line's Undo button).</summary>
    public bool CanUndo(CustomerBulkJob job) =>
        job.Action != BulkActions.Undo && job.UndoneAt is null && job.FinishedAt is not null && clock.UtcNow() <= job.UndoUntil && !running.ContainsKey(job.Id);

    /// <summary>After the undo period: what undoing needed goes (deleted customers' data with it); the jobs' records stay.</summary>
    public async Task<int> ForgetExpiredAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.UtcNow();
        var expired = db.CustomerBulkJobs.Where(j => j.UndoUntil < now).Select(j => j.Id);
        return await db.CustomerBulkJobItems.Where(i => expired.Contains(i.JobId)).ExecuteDeleteAsync(ct);
    }

    /// <summary>
    /// The selected customers one by one, for an export: ticked rows newest first, a query's matches in its sort
    /// order. Streamed from the database, so memory stays flat however many there are.
    /// </summary>
    public async IAsyncEnumerable<CustomerDto> ReadAsync(ClaimsPrincipal user, CustomerSelection selection,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        IQueryable<Customer> rows;
        if (selection.Ids is { } ids)
        {
            var list = ids.ToList();
            rows = db.Customers.AsNoTracking().Where(c => list.Contains(c.Id)).OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id);
        }
        else
        {
            var query = Query(selection);
            var (matching, custom, _) = await customers.MatchingAsync(db, query, ct);
            rows = CustomerFilters.Sort(matching, query.Sort, CustomerService.DefaultSort, custom);
        }
        await foreach (var customer in rows.Select(CustomerService.ToDto).AsAsyncEnumerable().WithCancellation(ct))
        {
            yield return customer;
        }
    }

    /// <summary>The selection's ids as they are now (those still here), for work on them elsewhere (a move to accounts).</summary>
    public async Task<List<Guid>> SelectedIdsAsync(ClaimsPrincipal user, CustomerSelection selection, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        return await IdsAsync(selection, ct);
    }

    /// <summary>The selection's ids, fixed now (16 bytes a customer: a million is 16 MB).</summary>
    private async Task<List<Guid>> IdsAsync(CustomerSelection selection, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (selection.Ids is { } ids)
        {
            var found = new List<Guid>(ids.Count);
            foreach (var chunk in ids.Chunk(BatchSize))
            {
                found.AddRange(await db.Customers.Where(c => chunk.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct));
            }
            return found;
        }
        var (matching, _, _) = await customers.MatchingAsync(db, Query(selection), ct);
        return await matching.Select(c => c.Id).ToListAsync(ct);
    }

    private static CustomerQuery Query(CustomerSelection selection) =>
        selection.Matching ?? throw new ArgumentException("A selection names ids or a query.", nameof(selection));

    private static Dictionary<string, JsonNode?> Clone(Dictionary<string, JsonNode?> change) =>
        change.ToDictionary(p => p.Key, p => p.Value?.DeepClone());
}

/// <summary>A deleted customer as it was, for the undo of a bulk delete.</summary>
public sealed record KeptCustomer(Guid Id, string Name, string Email, bool EmailShared, string? PasswordHash, string? ExternalRef, DateTime CreatedAt,
    DateTime UpdatedAt, string? CustomData)
{
    public static KeptCustomer Of(Customer c) => new(c.Id, c.Name, c.Email, c.EmailShared, c.PasswordHash, c.ExternalRef, c.CreatedAt, c.UpdatedAt, c.CustomData);

    /// <summary>The customer back, with its id, values and password (its order figures come back with its orders).</summary>
    public Customer ToCustomer(DateTime now)
    {
        var customer = new Customer
        {
            Id = Id, EmailShared = EmailShared, PasswordHash = PasswordHash, ExternalRef = ExternalRef, CreatedAt = CreatedAt, UpdatedAt = now,
            CustomData = CustomData, Version = Guid.NewGuid(),
        };
        customer.SetName(Name);
        customer.SetEmail(Email);
        return customer;
    }
}
