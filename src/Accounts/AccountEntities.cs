using CommerceManager.Addresses;
using CommerceManager.Data;
using CommerceManager.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.Accounts;

/// <summary>
/// EP's account (Account Management): a company or household that shoppers sign in to as its members. Named
/// ShopperAccount because <c>CommerceManager.Account</c> is the staff sign-in. Accounts form a tree
/// (<see cref="ParentId"/>, set at creation only, as in EP).
/// </summary>
public sealed class ShopperAccount : IVersioned
{
    public const string Table = "Accounts";

    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    /// <summary>Folded like a customer's name (upper case, no accents): what name filters and sorting read.</summary>
    public string NormalizedName { get; set; } = "";
    public string? LegalName { get; set; }
    public string? NormalizedLegalName { get; set; }
    /// <summary>Unique in the store when given (EP checks it for uniqueness).</summary>
    public string? RegistrationId { get; set; }
    public string? ExternalRef { get; set; }
    public Guid? ParentId { get; set; }
    /// <summary>Values of the <c>accounts</c> flow's custom fields, keyed by field id (JSON).</summary>
    public string? CustomData { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public Guid Version { get; set; }

    public void SetName(string name)
    {
        Name = name.Trim();
        NormalizedName = Customers.Customer.FoldName(Name);
    }

    public void SetLegalName(string? legalName)
    {
        LegalName = string.IsNullOrWhiteSpace(legalName) ? null : legalName.Trim();
        NormalizedLegalName = LegalName is null ? null : Customers.Customer.FoldName(LegalName);
    }
}

/// <summary>
/// An account member: EP's user authentication info in the account realm (the same id). It signs in with a password
/// profile entry (<see cref="MemberPassword"/>) or a provider, and belongs to accounts through memberships.
/// </summary>
public sealed class AccountMember : IVersioned
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string NormalizedName { get; set; } = "";
    public string Email { get; set; } = "";
    /// <summary>ASCII letters upper case, the rest as typed (<see cref="AccountText.FoldEmail"/>).</summary>
    public string NormalizedEmail { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public Guid Version { get; set; }

    public void SetName(string name)
    {
        Name = name.Trim();
        NormalizedName = Customers.Customer.FoldName(Name);
    }

    public void SetEmail(string email)
    {
        Email = email.Trim();
        NormalizedEmail = AccountText.FoldEmail(Email);
    }
}

/// <summary>EP's password profile: how members of the account realm sign in with a username and password.</summary>
public sealed class PasswordProfile
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    /// <summary><c>any</c> or <c>email</c> (usernames must then be email addresses).</summary>
    public string UsernameFormat { get; set; } = PasswordProfiles.AnyFormat;
    public bool EnableOneTimePasswordToken { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>EP's user authentication password profile info: a member's username and password hash in one password profile.</summary>
public sealed class MemberPassword
{
    public Guid Id { get; set; }
    public Guid MemberId { get; set; }
    public Guid PasswordProfileId { get; set; }
    public string Username { get; set; } = "";
    /// <summary>ASCII letters upper case (the starters lower-case usernames; EP matched them case-sensitively).</summary>
    public string NormalizedUsername { get; set; } = "";
    public string PasswordHash { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A member's identity at an OpenID Connect provider of the account realm: the provider's subject, linked to one member.</summary>
public sealed class AccountMemberLogin
{
    public Guid Id { get; set; }
    public Guid MemberId { get; set; }
    public Guid ProfileId { get; set; }
    public string Subject { get; set; } = "";
    public string? Email { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime LastSignInAt { get; set; }
}

/// <summary>A member's membership of an account: what its account tokens are issued for.</summary>
public sealed class AccountMembership
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public Guid MemberId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>One of an account's addresses (EP's account addresses): the same postal fields as a customer's.</summary>
public sealed class AccountAddress : IVersioned
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public string? Name { get; set; }
    public PostalAddress Postal { get; set; } = new();
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public Guid Version { get; set; }
}

/// <summary>EP's account tag: a label accounts carry, for segments and filters.</summary>
public sealed class AccountTag
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string NormalizedName { get; set; } = "";
    public string? Description { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A tag on an account.</summary>
public sealed class AccountTagLink
{
    public Guid AccountId { get; set; }
    public Guid TagId { get; set; }
}

public static class AccountLimits
{
    public const int Text = 255;
    public const int RegistrationId = 63;
    public const int ExternalRef = 2048;
    public const int Email = 254;
    public const int Username = 254;
    public const int TagDescription = 1000;
    /// <summary>EP: "You can only create up to 1000 account memberships in an account."</summary>
    public const int MembershipsPerAccount = 1000;
    /// <summary>Addresses an account keeps (a member's token can add them: growth stays bounded).</summary>
    public const int AddressesPerAccount = AddressLimits.PerCustomer;
    /// <summary>Deepest account tree walked for ancestors (and refused beyond, so a chain stays readable).</summary>
    public const int MaxDepth = 20;
}

public static class PasswordProfiles
{
    public const string AnyFormat = "any";
    public const string EmailFormat = "email";
}

public static class AccountText
{
    /// <summary>
    /// Emails and usernames compared case-insensitively in ASCII only. Folding every letter would make
    /// <c>vıctim@example.com</c> (dotless i) equal <c>victim@example.com</c>, and one person could sign in as another.
    /// </summary>
    public static string FoldEmail(string value) => Common.EmailRules.Fold(value);
}

internal sealed class ShopperAccountConfiguration : IEntityTypeConfiguration<ShopperAccount>
{
    public void Configure(EntityTypeBuilder<ShopperAccount> b)
    {
        b.ToTable(ShopperAccount.Table);
        b.Property(a => a.CustomData).IsJsonDocument();
        b.Property(a => a.Name).HasMaxLength(AccountLimits.Text);
        b.Property(a => a.NormalizedName).HasMaxLength(AccountLimits.Text).IsContainsSearched();
        b.Property(a => a.LegalName).HasMaxLength(AccountLimits.Text);
        b.Property(a => a.NormalizedLegalName).HasMaxLength(AccountLimits.Text);
        b.Property(a => a.RegistrationId).HasMaxLength(AccountLimits.RegistrationId);
        b.Property(a => a.ExternalRef).HasMaxLength(AccountLimits.ExternalRef);
        b.Property(a => a.Version).IsConcurrencyToken();
        // A child keeps its parent: deleting a parent with children is refused (the database backs the service's check).
        b.HasOne<ShopperAccount>().WithMany().HasForeignKey(a => a.ParentId).OnDelete(DeleteBehavior.Restrict);
        // One index per list sort and filter, each ending in Id (a stable order for paging).
        b.HasIndex(a => new { a.CreatedAt, a.Id });
        b.HasIndex(a => new { a.UpdatedAt, a.Id });
        b.HasIndex(a => new { a.NormalizedName, a.Id });
        // A name equals search, newest first (the list's default order): many accounts can share a name.
        b.HasIndex(a => new { a.NormalizedName, a.CreatedAt, a.Id });
        b.HasIndex(a => new { a.NormalizedLegalName, a.Id });
        b.HasIndex(a => new { a.ParentId, a.CreatedAt, a.Id });
        b.HasIndex(a => a.RegistrationId).IsUnique().HasFilter("\"RegistrationId\" IS NOT NULL");
        b.HasIndex(a => a.ExternalRef).HasFilter("\"ExternalRef\" IS NOT NULL");
        b.HasMany<AccountMemberToken>().WithOne().HasForeignKey(t => t.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AccountMemberConfiguration : IEntityTypeConfiguration<AccountMember>
{
    public void Configure(EntityTypeBuilder<AccountMember> b)
    {
        b.ToTable("AccountMembers");
        b.Property(m => m.Name).HasMaxLength(AccountLimits.Text);
        b.Property(m => m.NormalizedName).HasMaxLength(AccountLimits.Text).IsContainsSearched();
        b.Property(m => m.Email).HasMaxLength(AccountLimits.Email);
        b.Property(m => m.NormalizedEmail).HasMaxLength(AccountLimits.Email).IsContainsSearched();
        b.Property(m => m.Version).IsConcurrencyToken();
        b.HasIndex(m => new { m.CreatedAt, m.Id });
        b.HasIndex(m => new { m.NormalizedName, m.Id });
        b.HasIndex(m => new { m.NormalizedEmail, m.Id });
        // Deleting a member ends its account tokens (Tokens knows no feature: the owner maps the key).
        b.HasMany<AccountMemberToken>().WithOne().HasForeignKey(t => t.MemberId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PasswordProfileConfiguration : IEntityTypeConfiguration<PasswordProfile>
{
    public void Configure(EntityTypeBuilder<PasswordProfile> b)
    {
        b.ToTable("PasswordProfiles");
        b.Property(p => p.Name).HasMaxLength(AccountLimits.Text);
        b.Property(p => p.UsernameFormat).HasMaxLength(8);
        b.HasIndex(p => p.CreatedAt);
    }
}

internal sealed class MemberPasswordConfiguration : IEntityTypeConfiguration<MemberPassword>
{
    public void Configure(EntityTypeBuilder<MemberPassword> b)
    {
        b.ToTable("MemberPasswords");
        b.Property(p => p.Username).HasMaxLength(AccountLimits.Username);
        b.Property(p => p.NormalizedUsername).HasMaxLength(AccountLimits.Username);
        b.HasOne<AccountMember>().WithMany().HasForeignKey(p => p.MemberId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<PasswordProfile>().WithMany().HasForeignKey(p => p.PasswordProfileId).OnDelete(DeleteBehavior.Cascade);
        // A username signs in one member per profile; a member has one entry per profile.
        b.HasIndex(p => new { p.PasswordProfileId, p.NormalizedUsername }).IsUnique();
        b.HasIndex(p => new { p.MemberId, p.PasswordProfileId }).IsUnique();
    }
}

internal sealed class AccountMemberLoginConfiguration : IEntityTypeConfiguration<AccountMemberLogin>
{
    public void Configure(EntityTypeBuilder<AccountMemberLogin> b)
    {
        b.ToTable("AccountMemberLogins");
        b.Property(l => l.Subject).HasMaxLength(255);
        b.Property(l => l.Email).HasMaxLength(AccountLimits.Email);
        b.HasOne<AccountMember>().WithMany().HasForeignKey(l => l.MemberId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<CustomerSignIn.OidcProfile>().WithMany().HasForeignKey(l => l.ProfileId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(l => new { l.ProfileId, l.Subject }).IsUnique();
        b.HasIndex(l => l.MemberId);
    }
}

internal sealed class AccountMembershipConfiguration : IEntityTypeConfiguration<AccountMembership>
{
    public void Configure(EntityTypeBuilder<AccountMembership> b)
    {
        b.ToTable("AccountMemberships");
        b.HasOne<ShopperAccount>().WithMany().HasForeignKey(m => m.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AccountMember>().WithMany().HasForeignKey(m => m.MemberId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(m => new { m.AccountId, m.MemberId }).IsUnique();
        b.HasIndex(m => new { m.MemberId, m.CreatedAt });
        b.HasIndex(m => new { m.AccountId, m.CreatedAt, m.Id });
    }
}

internal sealed class AccountAddressConfiguration : IEntityTypeConfiguration<AccountAddress>
{
    public void Configure(EntityTypeBuilder<AccountAddress> b)
    {
        b.ToTable("AccountAddresses");
        b.HasOne<ShopperAccount>().WithMany().HasForeignKey(a => a.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(a => new { a.AccountId, a.CreatedAt });
        b.Property(a => a.Version).IsConcurrencyToken();
        b.Property(a => a.Name).HasMaxLength(AddressLimits.Text);
        b.OwnsOne(a => a.Postal, p =>
        {
            PostalAddress.Map(p, prefix: "");
            AddressLimits.Apply(p);
        });
        b.Navigation(a => a.Postal).IsRequired();
    }
}

internal sealed class AccountTagConfiguration : IEntityTypeConfiguration<AccountTag>
{
    public void Configure(EntityTypeBuilder<AccountTag> b)
    {
        b.ToTable("AccountTags");
        b.Property(t => t.Name).HasMaxLength(AccountLimits.Text);
        b.Property(t => t.NormalizedName).HasMaxLength(AccountLimits.Text);
        b.Property(t => t.Description).HasMaxLength(AccountLimits.TagDescription);
        b.HasIndex(t => t.NormalizedName).IsUnique();
        b.HasIndex(t => new { t.CreatedAt, t.Id });
    }
}

internal sealed class AccountTagLinkConfiguration : IEntityTypeConfiguration<AccountTagLink>
{
    public void Configure(EntityTypeBuilder<AccountTagLink> b)
    {
        b.ToTable("AccountTagLinks");
        b.HasKey(l => new { l.AccountId, l.TagId });
        b.HasOne<ShopperAccount>().WithMany().HasForeignKey(l => l.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AccountTag>().WithMany().HasForeignKey(l => l.TagId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(l => new { l.TagId, l.AccountId });
    }
}

/// <summary>This feature's tables on the shared context (<c>db.Accounts</c>, <c>db.AccountMembers</c> …).</summary>
public static class AccountsTables
{
    extension(AppDbContext db)
    {
        public DbSet<ShopperAccount> Accounts => db.Set<ShopperAccount>();
        public DbSet<AccountMember> AccountMembers => db.Set<AccountMember>();
        public DbSet<PasswordProfile> PasswordProfiles => db.Set<PasswordProfile>();
        public DbSet<MemberPassword> MemberPasswords => db.Set<MemberPassword>();
        public DbSet<AccountMemberLogin> AccountMemberLogins => db.Set<AccountMemberLogin>();
        public DbSet<AccountMembership> AccountMemberships => db.Set<AccountMembership>();
        public DbSet<AccountAddress> AccountAddresses => db.Set<AccountAddress>();
        public DbSet<AccountTag> AccountTags => db.Set<AccountTag>();
        public DbSet<AccountTagLink> AccountTagLinks => db.Set<AccountTagLink>();
    }
}
