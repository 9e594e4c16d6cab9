using System.Security.Claims;
using System.Text.Json.Nodes;
using CommerceManager.CustomFields;
using CommerceManager.Data;
using CommerceManager.Querying;
using CommerceManager.Security;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.History;

/// <summary>One field of a change: its name on the wire, its label on screen, the value before and after (as text).</summary>
public sealed record FieldChange(string Field, string Label, string? From, string? To);

/// <summary>A recorded change as the console and the API show it.</summary>
public sealed record HistoryEntry(
    Guid Id,
    DateTime At,
    Guid? CustomerId,
    string ResourceType,
    Guid ResourceId,
    string Kind,
    string Action,
    string? Subject,
    string ActorKind,
    string? ActorId,
    string? ActorName,
    string Channel,
    IReadOnlyList<FieldChange> Changes)
{
    /// <summary>"anna@example.com", "the customer", "API client 3f2a…", "an import by …": who, in words.</summary>
    public string Who => WhoOf(ActorKind, ActorId, ActorName, Channel);

    public static string WhoOf(string actorKind, string? actorId, string? actorName, string channel) => actorKind switch
    {
        ActorKinds.Staff => actorName ?? "a staff member",
        ActorKinds.Customer => "the customer",
        ActorKinds.AccountMember => "the account member",
        ActorKinds.Client => actorName ?? $"API client {actorId}",
        _ => channel == ChangeActor.Import ? (actorName is null ? "an import" : $"an import by {actorName}") : actorName ?? "the system",
    };

    /// <summary>How many customers a bulk job's line counts (0 for any other change).</summary>
    public int BulkCount => ResourceType == BulkJobs.ResourceType && Changes.FirstOrDefault(c => c.Field == BulkJobs.CountField)?.To is { } n
        && int.TryParse(n, System.Globalization.CultureInfo.InvariantCulture, out var count) ? count : 0;

    /// <summary>"Address “Home” updated", "Password replaced", "Signed out everywhere": what, in words.</summary>
    public string Title
    {
        get
        {
            var what = ResourceType switch
            {
                "customer" when Kind == ChangeKinds.SignIn && Changes.FirstOrDefault(c => c.Field == "password") is { } p =>
                    p.To switch { "set" => "Password set", "not set" => "Password removed", _ => "Password replaced" },
                "customer" when Action == ChangeActions.SignedOut => "Signed out everywhere",
                "customer" => "Customer",
                "address" => Subject is { Length: > 0 } label ? $"Address “{label}”" : "Address",
                // The number the order page, lists and search use (#482F6958), also for entries that kept the id's first characters.
                "order" => $"Order {(Subject is { Length: > 0 } number && !ResourceId.ToString().StartsWith(number, StringComparison.Ordinal) ? number : "#" + Data.ShortIdSql.Of(ResourceId))}",
                "user-authentication-oidc-profile-info" => Subject is { Length: > 0 } provider ? $"Sign-in link ({provider})" : "Sign-in link",
                "account" => "Account",
                "account-address" => Subject is { Length: > 0 } place ? $"Address “{place}”" : "Address",
                "account-membership" => "Membership",
                "account-member" => "Member",
                "user-authentication-password-profile-info" when Changes.FirstOrDefault(c => c.Field == "password") is { } pw =>
                    pw.To switch { "set" => "Password set", "not set" => "Password removed", _ => "Password replaced" },
                "user-authentication-password-profile-info" => Subject is { Length: > 0 } username ? $"Username “{username}”" : "Username",
                "staff" when Changes.FirstOrDefault(c => c.Field == "password") is { } staffPassword =>
                    (staffPassword.To switch { "set" => "Password set", "not set" => "Password removed", _ => "Password replaced" }) + $" for {Subject}",
                "staff" => $"Staff member {Subject}",
                "custom-field" => $"Custom field “{Subject}”",
                "custom-fields-flow" => $"Custom fields of {Subject}",
                "api-key" when Action == ChangeActions.Updated && Changes.Any(c => c.Field == "revoked_at" && c.To is not null) => $"API key “{Subject}” revoked",
                "api-key" => $"API key “{Subject}”",
                "oidc-profile" => $"Sign-in provider “{Subject}”",
                "setting" => $"Setting “{Subject}”",
                BulkJobs.ResourceType => $"{Subject}: {BulkCount:N0} customer{(BulkCount == 1 ? "" : "s")}",
                _ => ResourceType,
            };
            if (ResourceType == BulkJobs.ResourceType || what.StartsWith("Password", StringComparison.Ordinal) || what.EndsWith(" revoked", StringComparison.Ordinal) || Action == ChangeActions.SignedOut)
            {
                return what;
            }
            return Action switch
            {
                ChangeActions.Created => $"{what} created",
                ChangeActions.Deleted => $"{what} deleted",
                ChangeActions.Merged => $"{what} merged",
                ChangeActions.Erased => $"{what} erased",
                _ => $"{what} updated",
            };
        }
    }
}

/// <summary>
/// A newest-first slice of history. <see cref="Next"/> is the cursor of the following (older) page, null at the end:
/// keyset paging, so the millionth page costs what the first does.
/// </summary>
public sealed record HistoryPage(IReadOnlyList<HistoryEntry> Items, Guid? Next);

/// <summary>
/// Filters of the History tab and the Activity page; each is served by an index ending in the id. <c>From</c> (at or
/// after) and <c>To</c> (before) are UTC times, read as a range of ids; <c>CustomerIds</c> keeps the timelines of a
/// customer search's matches; <c>Job</c> keeps one bulk job's line.
/// </summary>
public sealed record HistoryQuery(
    Guid? CustomerId = null,
    string? Kind = null,
    string? ActorKind = null,
    string? ActorId = null,
    Guid? Before = null,
    int Limit = 25,
    DateTime? From = null,
    DateTime? To = null,
    IReadOnlyList<Guid>? CustomerIds = null,
    Guid? Job = null);

public sealed class HistoryOptions
{
    /// <summary><c>History__RetentionDays</c>: days history is kept until someone sets EP's logs-ttl; unset keeps it forever.</summary>
    public int? RetentionDays { get; set; }

    /// <summary>
    /// <c>History__MinRetentionDays</c>: the shortest logs-ttl anyone may set (EP allows 1), so an API client cannot
    /// purge the staff audit trail; unset, no floor.
    /// </summary>
    public int? MinRetentionDays { get; set; }
}

/// <summary>Reads the history; nothing here writes it (only <see cref="ChangeRecorder"/> does, with each change).</summary>
public sealed class HistoryService(IDbContextFactory<AppDbContext> dbFactory, CustomFieldValues customFields,
    Microsoft.Extensions.Options.IOptions<HistoryOptions> options, TimeProvider clock)
{
    public const int MaxLimit = 100;
    /// <summary>EP's bounds for logs-ttl.</summary>
    public const int MinTtlDays = 1, MaxTtlDays = 365;

    /// <summary>One customer's timeline: staff (any role) and API clients with a secret.</summary>
    public async Task<HistoryPage> TimelineAsync(ClaimsPrincipal user, Guid customerId, HistoryQuery query, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        return await PageAsync(query with { CustomerId = customerId }, ct);
    }

    /// <summary>The store's latest changes for the home page (any staff role): what happened, not yet filtered.</summary>
    public async Task<HistoryPage> TimelineOfStoreAsync(ClaimsPrincipal user, int limit, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        return await PageAsync(new HistoryQuery(Limit: limit), ct);
    }

    /// <summary>Every change in the store, newest first (any staff member): the Activity page and a staff member's changes.</summary>
    public async Task<HistoryPage> ActivityAsync(ClaimsPrincipal user, HistoryQuery query, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        return await PageAsync(query, ct);
    }

    private async Task<HistoryPage> PageAsync(HistoryQuery query, CancellationToken ct)
    {
        var limit = Math.Clamp(query.Limit, 1, MaxLimit);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var records = db.ChangeRecords.AsNoTracking();
        if (query.CustomerId is { } customer)
        {
            records = records.Where(r => r.CustomerId == customer);
        }
        if (!string.IsNullOrEmpty(query.Kind))
        {
            records = records.Where(r => r.Kind == query.Kind);
        }
        if (!string.IsNullOrEmpty(query.ActorKind))
        {
            records = records.Where(r => r.ActorKind == query.ActorKind);
        }
        if (!string.IsNullOrEmpty(query.ActorId))
        {
            records = records.Where(r => r.ActorId == query.ActorId);
        }
        if (query.CustomerIds is { } customers)
        {
            records = records.Where(r => r.CustomerId != null && customers.Contains(r.CustomerId.Value));
        }
        if (query.Job is { } job)
        {
            records = records.Where(r => r.ResourceType == BulkJobs.ResourceType && r.ResourceId == job);
        }
        if (query.CustomerId is null && query.CustomerIds is null)
        {
            // Store-wide, a bulk job is its one line; a customer's own timeline shows its part.
            records = records.Where(r => r.BatchId == null);
        }
        if (query.Before is { } before)
        {
            records = records.Where(r => r.Id.CompareTo(before) < 0);
        }
        // A time range as a range of ids (version 7: they begin with their millisecond), so every index ending in the id serves it.
        if (query.From is { } from)
        {
            var first = RecordIds.First(from);
            records = records.Where(r => r.Id.CompareTo(first) >= 0);
        }
        if (query.To is { } to)
        {
            var end = RecordIds.First(to);
            records = records.Where(r => r.Id.CompareTo(end) < 0);
        }
        var rows = await records.OrderByDescending(r => r.Id).Take(limit + 1).ToListAsync(ct);
        var labels = await LabelsAsync(ct);
        var items = rows.Take(limit).Select(r => ToEntry(r, labels)).ToList();
        return new HistoryPage(items, rows.Count > limit ? items[^1].Id : null);
    }

    /// <summary>The changes one bulk job made (its line on the Activity page, opened), newest first, keyset-paged.</summary>
    public async Task<HistoryPage> BatchAsync(ClaimsPrincipal user, Guid jobId, Guid? before = null, int limit = 25, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        limit = Math.Clamp(limit, 1, MaxLimit);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var records = db.ChangeRecords.AsNoTracking().Where(r => r.BatchId == jobId);
        if (before is { } cursor)
        {
            records = records.Where(r => r.Id.CompareTo(cursor) < 0);
        }
        var rows = await records.OrderByDescending(r => r.Id).Take(limit + 1).ToListAsync(ct);
        var labels = await LabelsAsync(ct);
        var items = rows.Take(limit).Select(r => ToEntry(r, labels)).ToList();
        return new HistoryPage(items, rows.Count > limit ? items[^1].Id : null);
    }

    /// <summary>EP's personal-data logs of one resource, newest first, offset-paged (EP's shape); client credentials.</summary>
    public async Task<Page<HistoryEntry>> LogsAsync(ClaimsPrincipal user, string resourceType, Guid resourceId, PageRequest page,
        CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManagePersonalData);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var records = db.ChangeRecords.AsNoTracking().Where(r => r.ResourceType == resourceType && r.ResourceId == resourceId);
        var total = await records.CountAsync(ct);
        var rows = total == 0 ? [] : await records.OrderByDescending(r => r.Id).Skip(page.Offset).Take(page.Limit).ToListAsync(ct);
        var labels = await LabelsAsync(ct);
        return new Page<HistoryEntry>(rows.Select(r => ToEntry(r, labels)).ToList(), total, page.Offset, page.Limit);
    }

    /// <summary>The resources recorded for a customer (its addresses, orders, sign-in links), for EP's related-data-entries.</summary>
    public async Task<IReadOnlyList<(string ResourceType, Guid ResourceId)>> RecordedResourcesAsync(ClaimsPrincipal user, Guid customerId,
        CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManagePersonalData);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var pairs = await db.ChangeRecords.AsNoTracking().Where(r => r.CustomerId == customerId)
            .Select(r => new { r.ResourceType, r.ResourceId }).Distinct().ToListAsync(ct);
        return pairs.Select(p => (p.ResourceType, p.ResourceId)).ToList();
    }

    /// <summary>Days history is kept (EP's logs-ttl): the stored setting, else <c>History__RetentionDays</c>; null keeps it forever.</summary>
    public async Task<int?> RetentionDaysAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = await db.HistoryRetention.AsNoTracking().FirstOrDefaultAsync(ct);
        return stored is not null ? stored.Days : options.Value.RetentionDays is > 0 and var days ? days : null;
    }

    public async Task<int?> RetentionDaysAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManagePersonalData);
        return await RetentionDaysAsync(ct);
    }

    private int Floor => Math.Clamp(options.Value.MinRetentionDays ?? 0, 0, MaxTtlDays);

    /// <summary>Sets EP's logs-ttl (1–365 days, as EP allows; not below <c>History__MinRetentionDays</c>).</summary>
    public async Task SetRetentionDaysAsync(ClaimsPrincipal user, int days, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManagePersonalData);
        var floor = Floor;
        if (days is < MinTtlDays or > MaxTtlDays || days < floor)
        {
            throw new FluentValidation.ValidationException([new FluentValidation.Results.ValidationFailure("days",
                $"days must be a whole number from {Math.Max(MinTtlDays, floor)} to {MaxTtlDays}" +
                (floor > MinTtlDays ? " in this store (History__MinRetentionDays keeps the audit trail at least that long)." : "."))]);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.HistoryRetention.FirstOrDefaultAsync(ct);
        if (row is null)
        {
            db.HistoryRetention.Add(new HistoryRetention { Id = 1, Days = days, UpdatedAt = clock.GetUtcNow().UtcDateTime });
        }
        else
        {
            row.Days = days;
            row.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // Two first settings at once: the other one won; set ours over it.
            await using var again = await dbFactory.CreateDbContextAsync(ct);
            await again.HistoryRetention.ExecuteUpdateAsync(s => s.SetProperty(r => r.Days, days), ct);
        }
    }

    /// <summary>Deletes history older than the retention, a batch at a time; the number deleted.</summary>
    public async Task<int> CleanUpAsync(CancellationToken ct = default)
    {
        if (await RetentionDaysAsync(ct) is not { } stored)
        {
            return 0;
        }
        // A retention set before the floor was configured still keeps at least the floor.
        var days = Math.Max(stored, Floor);
        var cutoff = clock.GetUtcNow().UtcDateTime.AddDays(-days);
        var deleted = 0;
        while (!ct.IsCancellationRequested)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var batch = await db.ChangeRecords.Where(r => r.At < cutoff).OrderBy(r => r.At).Select(r => r.Id).Take(2000).ToListAsync(ct);
            if (batch.Count == 0)
            {
                break;
            }
            deleted += await db.ChangeRecords.Where(r => batch.Contains(r.Id)).ExecuteDeleteAsync(ct);
        }
        return deleted;
    }

    /// <summary>Field labels: custom values by their field's current name (a removed field shows its id).</summary>
    private async Task<IReadOnlyDictionary<string, string>> LabelsAsync(CancellationToken ct)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var flow in Flow.Slugs)
        {
            foreach (var field in await customFields.FieldsAsync(flow, ct))
            {
                labels["custom:" + field.Id] = field.Name;
                labels["slug:custom:" + field.Id] = field.Slug;
            }
        }
        return labels;
    }

    private static HistoryEntry ToEntry(ChangeRecord r, IReadOnlyDictionary<string, string> labels)
    {
        var changes = new List<FieldChange>();
        if (JsonNode.Parse(r.Delta) is JsonObject delta)
        {
            foreach (var (field, change) in delta)
            {
                var from = change?["from"]?.GetValue<string>();
                var to = change?["to"]?.GetValue<string>();
                var wire = field.StartsWith("custom:", StringComparison.Ordinal) && labels.TryGetValue("slug:" + field, out var slug) ? slug : field;
                changes.Add(new FieldChange(wire, labels.TryGetValue(field, out var label) ? label : Label(field), from, to));
            }
        }
        return new HistoryEntry(r.Id, DateTime.SpecifyKind(r.At, DateTimeKind.Utc), r.CustomerId, r.ResourceType, r.ResourceId, r.Kind, r.Action,
            r.Subject, r.ActorKind, r.ActorId, r.ActorName, r.Channel, changes);
    }

    /// <summary>"external_ref" → "External ref", "line_1" → "Line 1".</summary>
    private static string Label(string field)
    {
        var words = field.Replace('_', ' ');
        return words.Length == 0 ? words : char.ToUpperInvariant(words[0]) + words[1..];
    }
}
