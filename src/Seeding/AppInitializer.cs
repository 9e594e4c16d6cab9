using System.Security.Cryptography;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Seeding;

public sealed class BootstrapOptions
{
    public string AdminEmail { get; set; } = "admin@example.com";
    public string? AdminPassword { get; set; }
    /// <summary>With <see cref="ApiClientSecret"/>: an API key created at start-up when no key has this client id.</summary>
    public string? ApiClientId { get; set; }
    public string? ApiClientSecret { get; set; }
}

public sealed class SeedOptions
{
    public bool DemoData { get; set; } = true;
    public int DemoCustomers { get; set; } = 300;
}

/// <summary>
/// Runs once at start-up, before the app takes requests: migrate, make sure the roles and a first admin
/// exist, and give a brand-new database demo data.
/// </summary>
public static class AppInitializer
{
    /// <summary>The password every demo customer with a password has, so storefront developers can try tokens.</summary>
    public const string DemoCustomerPassword = "demo-shopper-2025";

    public static async Task InitializeAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger("CommerceManager.Startup");
        var config = sp.GetRequiredService<IConfiguration>();

        await using var db = await sp.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct);
        var isNewDatabase = !(await db.Database.GetAppliedMigrationsAsync(ct)).Any();
        await DatabaseSetup.MigrateAsync(db, ct);

        var roles = sp.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }

        var bootstrap = config.GetSection("Bootstrap").Get<BootstrapOptions>() ?? new BootstrapOptions();
        await EnsureFirstAdminAsync(sp.GetRequiredService<UserManager<StaffUser>>(), bootstrap, log);
        if (!string.IsNullOrWhiteSpace(bootstrap.ApiClientId) && !string.IsNullOrEmpty(bootstrap.ApiClientSecret)
            && await sp.GetRequiredService<ApiKeys.ApiKeyService>().EnsureAsync(bootstrap.ApiClientId.Trim(), bootstrap.ApiClientSecret, ct))
        {
            log.LogInformation("Created the API key {ClientId} from Bootstrap__ApiClientId / Bootstrap__ApiClientSecret.", bootstrap.ApiClientId.Trim());
        }

        var seed = config.GetSection("Seed").Get<SeedOptions>() ?? new SeedOptions();
        if (isNewDatabase && seed.DemoData && !await db.Customers.AnyAsync(ct))
        {
            var hasher = sp.GetRequiredService<IPasswordHasher<Customer>>();
            var hash = hasher.HashPassword(new Customer(), DemoCustomerPassword);
            var connection = (SqliteConnection)db.Database.GetDbConnection();
            await connection.OpenAsync(ct);
            var currency = config["Store:Currency"] ?? "USD";
            var counts = await new StoreGenerator(seed: 2025, currency).InsertAsync(connection, new StoreShape(seed.DemoCustomers), 1, hash, ct: ct);
            await AddDemoFieldsAsync(sp.GetRequiredService<CustomFields.CustomFieldService>(), db, ct);
            log.LogInformation("New database: added demo data, {Customers} customers with {Addresses} addresses and {Orders} orders " +
                "(Seed__DemoData=false turns this off). Demo customers with a password use '{Password}'.",
                counts.Customers, counts.Addresses, counts.Orders, DemoCustomerPassword);
        }
    }

    /// <summary>Two example custom fields on customers and one on addresses, with values, so the designer has something to show.</summary>
    private static async Task AddDemoFieldsAsync(CustomFields.CustomFieldService designer, AppDbContext db, CancellationToken ct)
    {
        var system = Access.SystemAdmin("demo data");
        var customers = await designer.EnsureFlowAsync(system, CustomFields.Flow.Customers, true, ct);
        var addresses = await designer.EnsureFlowAsync(system, CustomFields.Flow.Addresses, true, ct);
        var optIn = (await designer.CreateFieldAsync(system, customers.Id, new CustomFields.FieldInput
        {
            Name = "Marketing opt-in", Slug = "marketing_opt_in", Type = CustomFields.FieldType.Boolean,
            Description = "Agreed to receive newsletters.", Default = System.Text.Json.Nodes.JsonValue.Create(false),
        }, ct)).Value!;
        var store = (await designer.CreateFieldAsync(system, customers.Id, new CustomFields.FieldInput
        {
            Name = "Preferred store", Slug = "preferred_store", Type = CustomFields.FieldType.String, OmitNull = true,
            Rules = new CustomFields.FieldRules { Enum = ["Online", "London", "Paris", "New York"] },
        }, ct)).Value!;
        await designer.CreateFieldAsync(system, addresses.Id, new CustomFields.FieldInput
        {
            Name = "Delivery window", Slug = "delivery_window", Type = CustomFields.FieldType.String,
            Rules = new CustomFields.FieldRules { Enum = ["Morning", "Afternoon", "Evening"] },
        }, ct);
        await db.Database.ExecuteSqlRawAsync(
            "UPDATE \"Customers\" SET \"CustomData\" = json_object({0}, json(CASE WHEN abs(random()) % 3 = 0 THEN 'true' ELSE 'false' END), " +
            "{1}, CASE abs(random()) % 5 WHEN 0 THEN 'Online' WHEN 1 THEN 'London' WHEN 2 THEN 'Paris' WHEN 3 THEN 'New York' ELSE NULL END)",
            [optIn.Id.ToString(), store.Id.ToString()], ct);
    }

    private static async Task EnsureFirstAdminAsync(UserManager<StaffUser> users, BootstrapOptions options, ILogger log)
    {
        if (await users.Users.AnyAsync())
        {
            return;
        }
        var email = options.AdminEmail.Trim();
        var generated = string.IsNullOrEmpty(options.AdminPassword);
        var password = generated ? GeneratePassword() : options.AdminPassword!;
        var admin = new StaffUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Administrator" };

        IdentityResult result;
        if (!generated && PasswordPolicy.IsCommon(password) && password.Length >= PasswordPolicy.MinLength)
        {
            // The operator chose this password explicitly: honour it, but say it should change.
            log.LogWarning("Bootstrap__AdminPassword is a commonly used password; change it after signing in.");
            admin.PasswordHash = users.PasswordHasher.HashPassword(admin, password);
            result = await users.CreateAsync(admin);
        }
        else
        {
            result = await users.CreateAsync(admin, password);
        }
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Could not create the first admin from Bootstrap__AdminEmail / Bootstrap__AdminPassword: "
                + string.Join(" ", result.Errors.Select(e => e.Description)));
        }
        await users.AddToRoleAsync(admin, Roles.Admin);

        if (generated)
        {
            // Printed once, on the run that creates the account; it is never stored in clear.
            log.LogWarning("Created the first admin. Sign in at /Account/Login with email {Email} and password {Password} " +
                "(shown only this once; set Bootstrap__AdminPassword to choose it).", email, password);
        }
        else
        {
            log.LogInformation("Created the first admin {Email} from Bootstrap__AdminEmail / Bootstrap__AdminPassword.", email);
        }
    }

    private static string GeneratePassword()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return string.Create(20, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
    }
}
