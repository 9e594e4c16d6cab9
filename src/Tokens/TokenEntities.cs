using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.Tokens;

/// <summary>A signing key for the API's JWTs, generated on first run and stored encrypted with Data Protection.</summary>
public sealed class SigningKey
{
    public string Id { get; set; } = "";
    public string ProtectedSecret { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

/// <summary>A customer token that was issued; deleting the customer deletes these, which ends the tokens.</summary>
public sealed class CustomerToken
{
    public Guid Id { get; set; }
    public Guid CustomerId { get; set; }
    public string Mechanism { get; set; } = "password";
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
}

internal sealed class CustomerTokenConfiguration : IEntityTypeConfiguration<CustomerToken>
{
    public void Configure(EntityTypeBuilder<CustomerToken> b)
    {
        b.ToTable("CustomerTokens");
        // The foreign key to the customer (deleting a customer ends its tokens) is mapped by the Customers feature.
        b.HasIndex(t => new { t.CustomerId, t.ExpiresAt });
        b.Property(t => t.Mechanism).HasMaxLength(16);
    }
}

/// <summary>
/// An account management authentication token that was issued: one member, one account. Deleting the member, the
/// account or the membership deletes these, which ends the tokens.
/// </summary>
public sealed class AccountMemberToken
{
    public Guid Id { get; set; }
    public Guid MemberId { get; set; }
    public Guid AccountId { get; set; }
    public string Mechanism { get; set; } = "password";
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
}

internal sealed class AccountMemberTokenConfiguration : IEntityTypeConfiguration<AccountMemberToken>
{
    public void Configure(EntityTypeBuilder<AccountMemberToken> b)
    {
        b.ToTable("AccountMemberTokens");
        // The foreign keys to the member and the account are mapped by the Accounts feature.
        b.HasIndex(t => new { t.MemberId, t.ExpiresAt });
        b.HasIndex(t => new { t.AccountId, t.MemberId });
        b.Property(t => t.Mechanism).HasMaxLength(48);
    }
}

internal sealed class SigningKeyConfiguration : IEntityTypeConfiguration<SigningKey>
{
    public void Configure(EntityTypeBuilder<SigningKey> b) => b.ToTable("SigningKeys");
}

/// <summary>This feature's tables on the shared context (<c>db.CustomerTokens</c>).</summary>
public static class TokensTables
{
    extension(AppDbContext db)
    {
        public DbSet<SigningKey> SigningKeys => db.Set<SigningKey>();
        public DbSet<CustomerToken> CustomerTokens => db.Set<CustomerToken>();
        public DbSet<AccountMemberToken> AccountMemberTokens => db.Set<AccountMemberToken>();
    }
}
