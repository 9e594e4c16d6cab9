using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.Webhooks;

/// <summary>
/// EP's integration of type <c>webhook</c>: the events it observes are posted to its URL, with its secret key in the
/// <c>X-Moltin-Secret-Key</c> header so the receiver knows the call is the store's.
/// </summary>
public sealed class Integration
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public bool Enabled { get; set; } = true;
    /// <summary>EP's event names, space-separated (a handful at most).</summary>
    public string Observes { get; set; } = "";
    public string Url { get; set; } = "";
    public string? SecretKey { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public IReadOnlyList<string> ObservedEvents => Observes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// One delivery attempt of one event to one integration: when, whether it succeeded, the receiver's status and the
/// start of its answer. Never the body sent (it may hold a one-time password).
/// </summary>
public sealed class IntegrationLog
{
    public Guid Id { get; set; }
    public Guid IntegrationId { get; set; }
    /// <summary>The event's delivery: every attempt to deliver one event to one integration shares it (EP's job).</summary>
    public Guid JobId { get; set; }
    public string TriggeredBy { get; set; } = "";
    public int Attempt { get; set; }
    public bool Succeeded { get; set; }
    public int? StatusCode { get; set; }
    public string? ErrorDetail { get; set; }
    public string? ResponseBody { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class IntegrationConfiguration : IEntityTypeConfiguration<Integration>
{
    public void Configure(EntityTypeBuilder<Integration> b)
    {
        b.ToTable("Integrations");
        b.Property(i => i.Name).HasMaxLength(IntegrationLimits.Name);
        b.Property(i => i.Description).HasMaxLength(IntegrationLimits.Description);
        b.Property(i => i.Observes).HasMaxLength(IntegrationLimits.Observes);
        b.Property(i => i.Url).HasMaxLength(IntegrationLimits.Url);
        b.Property(i => i.SecretKey).HasMaxLength(IntegrationLimits.SecretKey);
        b.HasIndex(i => i.CreatedAt);
    }
}

internal sealed class IntegrationLogConfiguration : IEntityTypeConfiguration<IntegrationLog>
{
    public void Configure(EntityTypeBuilder<IntegrationLog> b)
    {
        b.ToTable("IntegrationLogs");
        b.Property(l => l.TriggeredBy).HasMaxLength(IntegrationLimits.Observes);
        b.Property(l => l.ErrorDetail).HasMaxLength(IntegrationLimits.Detail);
        b.Property(l => l.ResponseBody).HasMaxLength(IntegrationLimits.Detail);
        b.HasOne<Integration>().WithMany().HasForeignKey(l => l.IntegrationId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(l => new { l.IntegrationId, l.CreatedAt });
        b.HasIndex(l => l.CreatedAt);
    }
}

public static class IntegrationLimits
{
    public const int Name = 255;
    public const int Description = 1000;
    public const int Observes = 1000;
    public const int Url = 2048;
    public const int SecretKey = 255;
    public const int Detail = 1000;
    /// <summary>Webhooks a store may have: each event is posted to every one observing it.</summary>
    public const int MaxIntegrations = 25;
}

/// <summary>This feature's tables on the shared context (<c>db.Integrations</c>, <c>db.IntegrationLogs</c>).</summary>
public static class WebhooksTables
{
    extension(AppDbContext db)
    {
        public DbSet<Integration> Integrations => db.Set<Integration>();
        public DbSet<IntegrationLog> IntegrationLogs => db.Set<IntegrationLog>();
    }
}
