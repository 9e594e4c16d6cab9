using System.Security.Claims;
using System.Text.Json.Nodes;
using CommerceManager.Common;
using CommerceManager.CustomFields;
using CommerceManager.Data;
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

/// <summary>
/// Bulk actions on customers: count, delete, set one custom field, export. Each works through its selection in
/// batches of <see cref="BatchSize"/>, one transaction each, reporting progress after every batch and stopping
/// between batches when cancelled (what was done stays done, and every batch is whole). A selection by query is
/// fixed when the action starts: customers that match later are not touched.
/// </summary>
public sealed class CustomerBulk(IDbContextFactory<AppDbContext> dbFactory, CustomerService customers, CustomFieldValues customFields, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<BulkSettings> settings)
{
    public const int BatchSize = 500;

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

    /// <summary>Deletes the selected customers with their addresses, sign-in tokens and provider links; their orders stay, as guest orders.</summary>
    public async Task<int> DeleteAsync(ClaimsPrincipal user, CustomerSelection selection, IProgress<WorkProgress>? progress = null, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        var ids = await IdsAsync(selection, ct);
        var adminFrom = Math.Max(1, settings.Value.BulkDeleteAdminFrom);
        if (ids.Count >= adminFrom && !Access.Has(user, Permission.ManageSettings))
        {
            throw new AccessDeniedException($"Deleting {ids.Count:N0} customers at once needs an Admin (from {adminFrom:N0}, Customers__BulkDeleteAdminFrom): " +
                "ask one, or delete fewer at a time.");
        }
        var deleted = 0;
        for (var start = 0; start < ids.Count; start += BatchSize)
        {
            ct.ThrowIfCancellationRequested();
            var batch = ids.GetRange(start, Math.Min(BatchSize, ids.Count - start));
            deleted += await DeleteBatchAsync(batch, ct);
            progress?.Report(new WorkProgress(start + batch.Count, ids.Count));
        }
        ReportEmpty(progress, ids);
        return deleted;
    }

    /// <summary>
    /// One batch removed through the change tracker, so each deletion is recorded in the batch's transaction; a customer
    /// edited meanwhile makes the batch read again.
    /// </summary>
    private async Task<int> DeleteBatchAsync(List<Guid> batch, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var rows = await db.Customers.Where(c => batch.Contains(c.Id)).ToListAsync(ct);
            db.Customers.RemoveRange(rows);
            try
            {
                await db.SaveChangesAsync(ct);
                return rows.Count;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>
    /// Sets one custom field (by slug) to <paramref name="value"/> on every selected customer; null clears it. The value
    /// is checked once, by the same rule as the console and API, before anything is written.
    /// </summary>
    public async Task<int> SetFieldAsync(ClaimsPrincipal user, CustomerSelection selection, string slug, JsonNode? value,
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
        var changed = 0;
        for (var start = 0; start < ids.Count; start += BatchSize)
        {
            ct.ThrowIfCancellationRequested();
            var batch = ids.GetRange(start, Math.Min(BatchSize, ids.Count - start));
            changed += await SetFieldInBatchAsync(batch, change, ct);
            progress?.Report(new WorkProgress(start + batch.Count, ids.Count));
        }
        ReportEmpty(progress, ids);
        return changed;
    }

    private async Task<int> SetFieldInBatchAsync(List<Guid> batch, Dictionary<string, JsonNode?> change, CancellationToken ct)
    {
        // Someone may save one of these customers meanwhile: the version check refuses the batch, which is then read
        // again and redone over their change (the field this action sets is the only one it writes).
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var rows = await db.Customers.Where(c => batch.Contains(c.Id)).ToListAsync(ct);
            var now = clock.GetUtcNow().UtcDateTime;
            foreach (var customer in rows)
            {
                customer.CustomData = await customFields.MergeAsync(Flow.Customers, customer.CustomData, Clone(change), creating: false, ct);
                customer.UpdatedAt = now;
                customer.Version = Guid.NewGuid();
            }
            try
            {
                await db.SaveChangesAsync(ct);
                return rows.Count;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
            }
        }
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

    /// <summary>An empty selection still ends with a report (0 of 0), so a progress bar does not wait forever.</summary>
    private static void ReportEmpty(IProgress<WorkProgress>? progress, List<Guid> ids)
    {
        if (ids.Count == 0)
        {
            progress?.Report(new WorkProgress(0, 0));
        }
    }

    private static CustomerQuery Query(CustomerSelection selection) =>
        selection.Matching ?? throw new ArgumentException("A selection names ids or a query.", nameof(selection));

    private static Dictionary<string, JsonNode?> Clone(Dictionary<string, JsonNode?> change) =>
        change.ToDictionary(p => p.Key, p => p.Value?.DeepClone());
}
