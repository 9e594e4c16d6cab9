using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;

namespace CommerceManager.History;

/// <summary>
/// Writes a <see cref="ChangeRecord"/> for every change to an entity with a <see cref="HistoryRule"/>, inside the save
/// that makes the change: one SaveChanges is one transaction, so a save that fails records nothing and a change is
/// never without its record. Field-level before and after come from the change tracker (an owned part such as an
/// address's postal fields included); <see cref="HistoryTables.RecordChange"/> adds what the tracker cannot see.
/// </summary>
internal sealed class ChangeRecorder(IEnumerable<HistoryRule> rules, TimeProvider clock, Live.LiveBus live) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    /// <summary>Records saved inside an explicit transaction, announced only when it commits.</summary>
    private readonly ContextSlot uncommitted = new();

    // Contexts are pooled: a transaction disposed without commit or rollback must not leave its records to the next one.
    public System.Data.Common.DbTransaction TransactionStarted(System.Data.Common.DbConnection connection, TransactionEndEventData eventData,
        System.Data.Common.DbTransaction result)
    {
        if (eventData.Context is { } context)
        {
            uncommitted.Remove(context);
        }
        return result;
    }

    public ValueTask<System.Data.Common.DbTransaction> TransactionStartedAsync(System.Data.Common.DbConnection connection, TransactionEndEventData eventData,
        System.Data.Common.DbTransaction result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(TransactionStarted(connection, eventData, result));

    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } context && uncommitted.TryGetValue(context, out var records))
        {
            uncommitted.Remove(context);
            Publish(records);
        }
    }

    public Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } context)
        {
            uncommitted.Remove(context);
        }
    }

    public Task TransactionRolledBackAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionRolledBack(transaction, eventData);
        return Task.CompletedTask;
    }

    private readonly Dictionary<Type, HistoryRule> byType = rules.ToDictionary(r => r.EntityType);
    /// <summary>The records of a save under way, announced to open pages once it has succeeded.</summary>
    private readonly ContextSlot pending = new();

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Announce(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Announce(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        if (eventData.Context is { } context)
        {
            pending.Remove(context);
        }
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveChangesFailed(eventData);
        return Task.CompletedTask;
    }

    private void Announce(DbContext? context)
    {
        if (context is null || !pending.TryGetValue(context, out var records))
        {
            return;
        }
        pending.Remove(context);
        if (context.Database.CurrentTransaction is not null)
        {
            // The caller's transaction may still roll back: announce when it commits.
            uncommitted.GetOrCreate(context).AddRange(records);
            return;
        }
        Publish(records);
    }

    private void Publish(List<ChangeRecord> records)
    {
        foreach (var group in records.Where(r => r.CustomerId is not null).GroupBy(r => r.CustomerId!.Value))
        {
            var first = group.First();
            var fields = group.SelectMany(r => ParseFields(r.Delta)).Distinct().ToList();
            live.Publish(new Live.CustomerChanged(group.Key, first.Kind, HistoryEntry.WhoOf(first.ActorKind, first.ActorId, first.ActorName, first.Channel),
                first.ActorId, fields, first.At, Live.ConsoleTab.Current));
        }
    }

    private static IEnumerable<string> ParseFields(string delta) =>
        JsonNode.Parse(delta) is JsonObject o ? o.Select(p => p.Key) : [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Record(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Record(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void Record(DbContext? context)
    {
        if (context is null)
        {
            return;
        }
        var tracker = context.ChangeTracker;
        tracker.DetectChanges();
        var entries = tracker.Entries().ToList();
        var records = new List<ChangeRecord>();
        var now = clock.GetUtcNow().UtcDateTime;
        var current = ChangeContext.Current;
        foreach (var entry in entries)
        {
            if (entry.Entity is ChangeRecord record && entry.State == EntityState.Added)
            {
                if (record.Automatic)
                {
                    // A save that failed and is tried again: this save records afresh.
                    entry.State = EntityState.Detached;
                }
                else
                {
                    Stamp(record, current, now);
                    record.BatchId ??= ChangeContext.Batch;
                    records.Add(record);
                }
            }
        }
        var origins = (context as Data.AppDbContext)?.RowOrigins;
        ILookup<(IEntityType, object?), EntityEntry>? owned = null;
        foreach (var entry in entries)
        {
            if (entry.State != EntityState.Detached && byType.TryGetValue(entry.Entity.GetType(), out var rule)
                && (entry.State != EntityState.Unchanged || rule.Fields.Any(f => f.Path.Contains('.')))
                && (rule.Applies is null || rule.Applies(entry.Entity)))
            {
                // A row saved for another request (group commit) is that request's change.
                var (actor, unrecorded, batch) = origins?.GetValueOrDefault(entry.Entity) is { } origin ? ActorIn(origin)
                    : (current, ChangeContext.IsUnrecorded, ChangeContext.Batch);
                if (unrecorded)
                {
                    continue;
                }
                owned ??= entries.Where(e => e.Metadata.IsOwned()).ToLookup(e => (e.Metadata, OwnerKey(e)));
                var first = records.Count;
                Describe(context, entry, rule, owned, records);
                for (var i = first; i < records.Count; i++)
                {
                    Stamp(records[i], actor, now);
                    records[i].BatchId = batch;
                }
            }
        }
        if (records.Count > 0)
        {
            pending.Set(context, records);
        }
    }

    internal static void Stamp(ChangeRecord record, ChangeActor actor, DateTime now)
    {
        record.At = now;
        record.ActorKind = actor.Kind;
        record.ActorId = Clip(actor.Id, 256);
        record.ActorName = Clip(actor.Name, 256);
        record.Channel = actor.Channel;
    }

    /// <summary>Who is acting, whether their saves are recorded, and in which bulk job, in another flow of work.</summary>
    private static (ChangeActor Actor, bool Unrecorded, Guid? Batch) ActorIn(ExecutionContext origin)
    {
        (ChangeActor, bool, Guid?) found = default;
        ExecutionContext.Run(origin, _ => found = (ChangeContext.Current, ChangeContext.IsUnrecorded, ChangeContext.Batch), null);
        return found;
    }

    private static object? OwnerKey(EntityEntry owned) => owned.Property(owned.Metadata.FindPrimaryKey()!.Properties[0].Name).CurrentValue;

    private static void Describe(DbContext context, EntityEntry entry, HistoryRule rule, ILookup<(IEntityType, object?), EntityEntry> owned,
        List<ChangeRecord> records)
    {
        var state = entry.State;
        var added = state == EntityState.Added;
        var deleted = state == EntityState.Deleted;
        var delta = new Dictionary<string, (string? From, string? To)>();
        foreach (var (path, field) in rule.Fields)
        {
            object? before, after;
            var dot = path.IndexOf('.');
            if (dot < 0)
            {
                var property = entry.Property(path);
                before = added ? null : property.OriginalValue;
                after = deleted ? null : property.CurrentValue;
            }
            else
            {
                var navigation = entry.Metadata.FindNavigation(path[..dot])!;
                var key = entry.Property(entry.Metadata.FindPrimaryKey()!.Properties[0].Name).CurrentValue;
                var parts = owned[(navigation.TargetEntityType, key)].ToList();
                var old = parts.FirstOrDefault(p => p.State == EntityState.Deleted) ?? parts.FirstOrDefault(p => p.State is EntityState.Modified or EntityState.Unchanged);
                var now = parts.FirstOrDefault(p => p.State == EntityState.Added) ?? parts.FirstOrDefault(p => p.State is EntityState.Modified or EntityState.Unchanged);
                var name = path[(dot + 1)..];
                before = added || old is null ? null : old.Property(name).OriginalValue;
                after = deleted || now is null ? null : now.Property(name).CurrentValue;
            }
            var (from, to) = (Format(before), Format(after));
            if (from != to && !(added && to is null))
            {
                delta[field] = (from, to);
            }
        }
        if (rule.CustomValues is { } json)
        {
            var property = entry.Property(json);
            CompareCustom(added ? null : property.OriginalValue as string, deleted ? null : property.CurrentValue as string, delta);
        }
        var entity = entry.Entity;
        var id = rule.IdOf(entity);
        var customer = rule.CustomerOf(entity);
        var subject = Clip(rule.SubjectOf(entity), 300);
        var action = added ? ChangeActions.Created : deleted ? ChangeActions.Deleted : ChangeActions.Updated;
        if (delta.Count > 0 || added || deleted)
        {
            records.Add(Add(context, new ChangeRecord
            {
                Id = RecordIds.Next(), CustomerId = customer, ResourceType = rule.ResourceType, ResourceId = id, Kind = rule.Kind,
                Action = action, Subject = subject, Delta = DeltaJson(delta),
            }));
        }
        if (rule.Password is { } password && !deleted)
        {
            var property = entry.Property(password);
            var before = added ? null : property.OriginalValue as string;
            var after = property.CurrentValue as string;
            if (before != after)
            {
                var change = (before, after) switch
                {
                    (null, _) => ("not set", "set"),
                    (_, null) => ("set", "not set"),
                    _ => ("set", "replaced"),
                };
                records.Add(Add(context, new ChangeRecord
                {
                    Id = RecordIds.Next(), CustomerId = customer, ResourceType = rule.ResourceType, ResourceId = id, Kind = rule.PasswordKind,
                    Action = ChangeActions.Updated, Subject = subject,
                    Delta = DeltaJson(new Dictionary<string, (string?, string?)> { [rule.PasswordField] = change }),
                }));
            }
        }
    }

    private static ChangeRecord Add(DbContext context, ChangeRecord record)
    {
        record.Automatic = true;
        context.Add(record);
        return record;
    }

    private static void CompareCustom(string? before, string? after, Dictionary<string, (string? From, string? To)> delta)
    {
        var old = CustomFields.CustomFieldValues.Parse(before);
        var now = CustomFields.CustomFieldValues.Parse(after);
        foreach (var key in old.Select(p => p.Key).Union(now.Select(p => p.Key)).Order(StringComparer.Ordinal))
        {
            old.TryGetPropertyValue(key, out var from);
            now.TryGetPropertyValue(key, out var to);
            if (!JsonNode.DeepEquals(from, to))
            {
                delta["custom:" + key] = (Text(from), Text(to));
            }
        }
    }

    private static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    internal static string? Format(object? value) => value switch
    {
        null => null,
        string s => s,
        DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
        // The API's spelling of enum values ("partially_paid").
        Enum e => JsonNamingPolicy.SnakeCaseLower.ConvertName(e.ToString()),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    internal static string DeltaJson(IReadOnlyDictionary<string, (string? From, string? To)> delta)
    {
        var json = new JsonObject();
        foreach (var (field, (from, to)) in delta)
        {
            json[field] = new JsonObject { ["from"] = from, ["to"] = to };
        }
        return json.ToJsonString();
    }

    internal static string? Clip(string? text, int max = 300) => text is null || text.Length <= max ? text : text[..max];
}

/// <summary>A list of records kept on a context (<see cref="Data.AppDbContext.InterceptorState"/>) under this slot's own key.</summary>
internal sealed class ContextSlot
{
    private static Dictionary<object, object>? StateOf(DbContext context, bool create) =>
        context is not Data.AppDbContext app ? throw new InvalidOperationException("History is recorded for the app's own contexts only.")
        : create ? app.InterceptorState ??= [] : app.InterceptorState;

    public bool TryGetValue(DbContext context, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out List<ChangeRecord>? records)
    {
        records = StateOf(context, create: false)?.GetValueOrDefault(this) as List<ChangeRecord>;
        return records is not null;
    }

    public void Set(DbContext context, List<ChangeRecord> records) => StateOf(context, create: true)![this] = records;

    public List<ChangeRecord> GetOrCreate(DbContext context)
    {
        if (!TryGetValue(context, out var records))
        {
            Set(context, records = []);
        }
        return records;
    }

    public void Remove(DbContext context) => StateOf(context, create: false)?.Remove(this);
}
