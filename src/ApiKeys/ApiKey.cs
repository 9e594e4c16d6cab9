using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.ApiKeys;

/// <summary>
/// A storefront or server's credentials for the API: a public client id (enough for implicit tokens) and a
/// secret (for client_credentials) stored only as a SHA-256 hash.
/// </summary>
public sealed class ApiKey
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string ClientId { get; set; } = "";
    /// <summary>Hex SHA-256 of the secret. Secrets are 240-bit random strings, so a slow hash adds nothing.</summary>
    public string SecretHash { get; set; } = "";
    /// <summary>The secret's last four characters, so staff can tell keys apart.</summary>
    public string SecretHint { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTime? RevokedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b)
    {
        b.ToTable("ApiKeys");
        b.HasIndex(k => k.ClientId).IsUnique();
        b.Property(k => k.Name).HasMaxLength(100);
        b.Property(k => k.ClientId).HasMaxLength(128);
        b.Property(k => k.SecretHash).HasMaxLength(64);
        b.Property(k => k.SecretHint).HasMaxLength(4);
    }
}

/// <summary>This feature's table on the shared context (<c>db.ApiKeys</c>).</summary>
public static class ApiKeysTables
{
    extension(AppDbContext db)
    {
        public DbSet<ApiKey> ApiKeys => db.Set<ApiKey>();
    }
}
