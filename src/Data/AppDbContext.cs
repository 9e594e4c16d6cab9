using CommerceManager.Addresses;
using CommerceManager.ApiKeys;
using CommerceManager.CustomFields;
using CommerceManager.Customers;
using CommerceManager.Orders;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CommerceManager.Data;

public sealed class StaffUser : IdentityUser
{
    public string DisplayName { get; set; } = "";
}

public sealed class AppDbContext(DbContextOptions<AppDbContext> options)
    : IdentityDbContext<StaffUser, IdentityRole, string>(options)
{
    public DbSet<Customer> Customers => Set<Customer>();
    public DbSet<Address> Addresses => Set<Address>();
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<OrderItem> OrderItems => Set<OrderItem>();
    public DbSet<Cart> Carts => Set<Cart>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<CustomerToken> CustomerTokens => Set<CustomerToken>();
    public DbSet<RowCount> RowCounts => Set<RowCount>();
    public DbSet<Flow> Flows => Set<Flow>();
    public DbSet<Field> Fields => Set<Field>();
    public DbSet<CustomerSignIn.OidcProfile> OidcProfiles => Set<CustomerSignIn.OidcProfile>();
    public DbSet<CustomerSignIn.CustomerLogin> CustomerLogins => Set<CustomerSignIn.CustomerLogin>();
    public DbSet<CustomerSignIn.AppSetting> AppSettings => Set<CustomerSignIn.AppSetting>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
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
