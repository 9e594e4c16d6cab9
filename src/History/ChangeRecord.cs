using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.History;

/// <summary>What a change touched, for the History tab's and the Activity page's filters.</summary>
public static class ChangeKinds
{
    /// <summary>The customer's own fields and custom values.</summary>
    public const string Details = "details";
    public const string Address = "address";
    public const string Order = "order";
    /// <summary>Password set, changed or removed; provider links; tokens ended ("signed out everywhere").</summary>
    public const string SignIn = "sign-in";
    /// <summary>An account's own fields and its memberships (who joins or leaves it).</summary>
    public const string Account = "account";
    /// <summary>An account member's own details.</summary>
    public const string Member = "member";
    /// <summary>The store's settings: custom fields, staff, API keys, sign-in providers, gateways, realms.</summary>
    public const string Settings = "settings";

    public static readonly IReadOnlyList<string> All = [Details, Address, Order, SignIn, Account, Member, Settings];
}

/// <summary>What was done; EP's log <c>event_type</c> is <c>&lt;resource_type&gt;.event.&lt;action&gt;</c>.</summary>
public static class ChangeActions
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string Deleted = "deleted";
    public const string SignedOut = "signed-out";
    public const string Merged = "merged";
    public const string Erased = "erased";
    /// <summary>A bulk job's line on the Activity page (<see cref="BulkJobs"/>).</summary>
    public const string Bulk = "bulk";
}

/// <summary>
/// A bulk job on the Activity page: one record whose resource is the job (its id is the <see cref="ChangeRecord.BatchId"/>
/// of the changes it made), whose subject says what it did ("Bulk delete") and whose <see cref="CountField"/> says to how many.
/// </summary>
public static class BulkJobs
{
    public const string ResourceType = "bulk-job";
    public const string CountField = "customers";
}

/// <summary>Who acted.</summary>
public static class ActorKinds
{
    public const string Staff = "staff";
    /// <summary>A server or storefront through the API (its API key's client id).</summary>
    public const string Client = "client";
    /// <summary>The customer itself, through a customer token.</summary>
    public const string Customer = "customer";
    /// <summary>An account member, through its account token.</summary>
    public const string AccountMember = "account-member";
    /// <summary>The app: an import, a provider sign-in linking an identity, a scheduled job.</summary>
    public const string System = "system";

    public static readonly IReadOnlyList<string> All = [Staff, Client, Customer, AccountMember, System];
}

/// <summary>
/// One change to one resource, written in the same transaction as the change by <see cref="ChangeRecorder"/> (and by
/// nothing else: there is no update path). <see cref="Delta"/> holds the fields that changed, before and after; a
/// password is recorded as set / changed / removed, never a value or hash.
/// </summary>
public sealed class ChangeRecord
{
    /// <summary>Version 7: ordered by time, so it is also the keyset paging key.</summary>
    public Guid Id { get; set; }
    public DateTime At { get; set; }
    /// <summary>Whose timeline the change belongs to; null for a guest's order. Not a foreign key: a customer's history outlives it.</summary>
    public Guid? CustomerId { get; set; }
    /// <summary>EP's resource type: <c>customer</c>, <c>address</c>, <c>order</c>, <c>user-authentication-oidc-profile-info</c>.</summary>
    public string ResourceType { get; set; } = "";
    public Guid ResourceId { get; set; }
    /// <summary>One of <see cref="ChangeKinds"/>.</summary>
    public string Kind { get; set; } = "";
    /// <summary>One of <see cref="ChangeActions"/>.</summary>
    public string Action { get; set; } = "";
    /// <summary>What the change was about when it was made (a customer's name, an address's label, an order's number).</summary>
    public string? Subject { get; set; }
    /// <summary>One of <see cref="ActorKinds"/>.</summary>
    public string ActorKind { get; set; } = "";
    /// <summary>The staff user's id, the API key's client id, or the customer's id.</summary>
    public string? ActorId { get; set; }
    public string? ActorName { get; set; }
    /// <summary><c>console</c>, <c>api</c>, <c>import</c> or <c>system</c>.</summary>
    public string Channel { get; set; } = "";
    /// <summary>JSON: <c>{"field": {"from": …, "to": …}}</c>, values as text; custom values keyed <c>custom:&lt;field id&gt;</c>.</summary>
    public string Delta { get; set; } = "{}";
    /// <summary>
    /// The bulk job this change was one of (a bulk delete, a bulk field change, an undo of one): the Activity page shows
    /// the job as one line (its record has <see cref="BulkJobs.ResourceType"/> and the job's id) that lists these when
    /// opened; a customer's own timeline shows its change as usual. Null for a change made on its own.
    /// </summary>
    public Guid? BatchId { get; set; }

    /// <summary>Added by the recorder during this save (dropped and recomputed when a save is retried).</summary>
    internal bool Automatic { get; set; }
}

/// <summary>The retention setting (EP's <c>logs-ttl</c>): one row once someone has set it.</summary>
public sealed class HistoryRetention
{
    public int Id { get; set; }
    /// <summary>Days history is kept; null keeps it forever.</summary>
    public int? Days { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class ChangeRecordConfiguration : IEntityTypeConfiguration<ChangeRecord>
{
    public void Configure(EntityTypeBuilder<ChangeRecord> b)
    {
        b.ToTable("ChangeRecords");
        b.Property(r => r.Id).ValueGeneratedNever();
        b.Property(r => r.ResourceType).HasMaxLength(64);
        b.Property(r => r.Kind).HasMaxLength(16);
        b.Property(r => r.Action).HasMaxLength(32);
        b.Property(r => r.Subject).HasMaxLength(300);
        b.Property(r => r.ActorKind).HasMaxLength(16);
        b.Property(r => r.ActorId).HasMaxLength(256);
        b.Property(r => r.ActorName).HasMaxLength(256);
        b.Property(r => r.Channel).HasMaxLength(16);
        b.Ignore(r => r.Automatic);
        // Every list is newest first by id (keyset paging), within one of these.
        b.HasIndex(r => new { r.CustomerId, r.Id });
        b.HasIndex(r => new { r.ResourceType, r.ResourceId, r.Id });
        b.HasIndex(r => new { r.ActorId, r.Id });
        b.HasIndex(r => new { r.Kind, r.Id });
        b.HasIndex(r => new { r.ActorKind, r.Id });
        b.HasIndex(r => r.At);
        b.HasIndex(r => new { r.BatchId, r.Id });
        // The store-wide newest-first list skips bulk jobs' own changes: after a bulk delete of a million this index
        // still finds the latest 50 others at once.
        b.HasIndex(r => r.Id, "IX_ChangeRecords_Unbatched").HasFilter("\"BatchId\" IS NULL");
    }
}

internal sealed class HistoryRetentionConfiguration : IEntityTypeConfiguration<HistoryRetention>
{
    public void Configure(EntityTypeBuilder<HistoryRetention> b)
    {
        b.ToTable("HistoryRetention");
        b.Property(r => r.Id).ValueGeneratedNever();
    }
}

/// <summary>This feature's tables on the shared context.</summary>
public static class HistoryTables
{
    /// <summary>A change to record (with <see cref="RecordInBulkAsync"/>, or added to a context).</summary>
    public static ChangeRecord Change(Guid? customerId, string resourceType, Guid resourceId, string kind, string action, string? subject,
        IReadOnlyDictionary<string, (string? From, string? To)>? delta = null) => new()
    {
        Id = RecordIds.Next(),
        CustomerId = customerId,
        ResourceType = resourceType,
        ResourceId = resourceId,
        Kind = kind,
        Action = action,
        Subject = ChangeRecorder.Clip(subject),
        Delta = ChangeRecorder.DeltaJson(delta ?? new Dictionary<string, (string?, string?)>()),
    };

    extension(AppDbContext db)
    {
        public DbSet<ChangeRecord> ChangeRecords => db.Set<ChangeRecord>();
        public DbSet<HistoryRetention> HistoryRetention => db.Set<HistoryRetention>();

        /// <summary>
        /// Writes changes of rows a job wrote in bulk (<see cref="Data.BulkInsert"/>) the same way, in the caller's
        /// transaction: stamped as the recorder stamps a save (who, when, through what, in which bulk job). They are not
        /// announced to open pages one by one (the job's progress says what is happening).
        /// </summary>
        public async Task RecordInBulkAsync(SqlDialect dialect, IReadOnlyList<ChangeRecord> records, DateTime now, CancellationToken ct)
        {
            var actor = ChangeContext.Current;
            foreach (var record in records)
            {
                ChangeRecorder.Stamp(record, actor, now);
                record.BatchId ??= ChangeContext.Batch;
            }
            await db.BulkInsertAsync(dialect, records, ct);
        }

        /// <summary>
        /// Adds a change that is not a tracked entity's (tokens ended, a merge, rows a bulk statement removes) to this
        /// context's next save, which writes it in the same transaction; the recorder stamps who, when and through what.
        /// </summary>
        public void RecordChange(Guid? customerId, string resourceType, Guid resourceId, string kind, string action, string? subject,
            IReadOnlyDictionary<string, (string? From, string? To)>? delta = null) =>
            db.Set<ChangeRecord>().Add(Change(customerId, resourceType, resourceId, kind, action, subject, delta));
    }
}
