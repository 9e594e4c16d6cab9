using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CommerceManager.Data;

public sealed class StaffUser : IdentityUser
{
    public string DisplayName { get; set; } = "";
    /// <summary>The password was generated or set by someone else: the console asks for a new one before anything else.</summary>
    public bool MustChangePassword { get; set; }
    /// <summary>When this person last signed in to the console (UTC), shown on the Staff page.</summary>
    public DateTime? LastSignInAt { get; set; }
    /// <summary>The console's colours for this person: <c>system</c> (follow the operating system), <c>light</c> or <c>dark</c>.</summary>
    public string Theme { get; set; } = "system";
}

internal sealed class StaffUserConfiguration : IEntityTypeConfiguration<StaffUser>
{
    public void Configure(EntityTypeBuilder<StaffUser> b) => b.Property(u => u.Theme).HasMaxLength(8).HasDefaultValue("system");
}

/// <summary>
/// The one database. Features own their tables: each maps its entities with an <see cref="IEntityTypeConfiguration{T}"/>
/// (found here by assembly scan) and adds its <c>db.Customers</c>-style sets as extension properties, so this class
/// knows no feature. One subclass per provider (<see cref="SqliteDbContext"/>, <see cref="PostgresDbContext"/>), each
/// with its own migrations; everything else asks for an <see cref="AppDbContext"/>.
/// </summary>
public abstract class AppDbContext(DbContextOptions options)
    : IdentityDbContext<StaffUser, IdentityRole, string>(options)
{
    public DbSet<RowCount> RowCounts => Set<RowCount>();
    public DbSet<AppSetting> AppSettings => Set<AppSetting>();

    /// <summary>
    /// What interceptors keep between the events of one save or one transaction of this context (history's records of a
    /// save under way), on the context itself rather than in a weak table keyed by context: saves are frequent, and weak
    /// tables churned at that rate keep the finalizer thread busy. Used by one thread at a time, like the context.
    /// </summary>
    internal Dictionary<object, object>? InterceptorState { get; set; }

    /// <summary>
    /// For a save of rows that several requests asked for (<see cref="SqliteGroupCommit"/>): the execution context each
    /// new row came from, where history reads who made it, instead of from the thread that saves.
    /// </summary>
    internal Dictionary<object, ExecutionContext>? RowOrigins { get; set; }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly, t => !t.IsAbstract);
        ConfigureProvider(builder);
    }

    /// <summary>What only this provider's schema has: column types, index methods, extensions.</summary>
    protected virtual void ConfigureProvider(ModelBuilder builder)
    {
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Timestamps are UTC everywhere; SQLite hands them back without a Kind, so restore it on read.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

/// <summary>Small store-wide values, such as the customer authentication realm's id.</summary>
public sealed class AppSetting
{
    public string Key { get; set; } = "";
    public string Value { get; set; } = "";
}

internal sealed class AppSettingConfiguration : IEntityTypeConfiguration<AppSetting>
{
    public void Configure(EntityTypeBuilder<AppSetting> b)
    {
        b.ToTable("AppSettings");
        b.HasKey(s => s.Key);
        b.Property(s => s.Key).HasMaxLength(128);
    }
}
