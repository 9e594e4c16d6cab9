using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CommerceManager.ApiKeys;
using CommerceManager.CustomFields;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Security;
using Microsoft.AspNetCore.Identity;
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
    /// <summary>Demo customers on a brand-new database: unset means "in Development only", so a production start begins empty.</summary>
    public bool? DemoData { get; set; }
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
        var environment = sp.GetService<IHostEnvironment>();
        KeyStorage.WarnIfUnprotected(sp, environment, log);

        var dialect = sp.GetRequiredService<SqlDialect>();
        await using var db = await sp.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct);
        var isNewDatabase = !(await db.Database.GetAppliedMigrationsAsync(ct)).Any();
        await DatabaseSetup.MigrateAsync(db, dialect, ct);

        // Several instances may start together on one new database: every step below tolerates losing the race.
        var roles = sp.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                try
                {
                    await roles.CreateAsync(new IdentityRole(role));
                }
                catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
                {
                    // Another instance created it.
                }
            }
        }

        var bootstrap = config.GetSection("Bootstrap").Get<BootstrapOptions>() ?? new BootstrapOptions();
        await EnsureFirstAdminAsync(sp.GetRequiredService<UserManager<StaffUser>>(), bootstrap, log);
        if (!string.IsNullOrWhiteSpace(bootstrap.ApiClientId) && !string.IsNullOrEmpty(bootstrap.ApiClientSecret)
            && await sp.GetRequiredService<ApiKeyService>().EnsureAsync(bootstrap.ApiClientId.Trim(), bootstrap.ApiClientSecret, ct))
        {
            log.LogInformation("Created the API key {ClientId} from Bootstrap__ApiClientId / Bootstrap__ApiClientSecret.", bootstrap.ApiClientId.Trim());
        }

        // A database whose encrypted values this instance cannot read (lost Data Protection keys) stops the start here,
        // with the way out, instead of failing every API call later.
        await sp.GetRequiredService<Tokens.TokenService>().EnsureSigningKeysAsync(ct);

        // Custom fields created before per-field indexes existed get theirs (a no-op once they exist).
        await sp.GetRequiredService<FieldDesigner>().EnsureIndexesAsync(ct);

        var seed = config.GetSection("Seed").Get<SeedOptions>() ?? new SeedOptions();
        var demoData = seed.DemoData ?? environment?.IsDevelopment() ?? false;
        if (isNewDatabase && !demoData)
        {
            log.LogInformation("New database: starting empty (Seed__DemoData=true adds demo customers on a new database).");
        }
        if (isNewDatabase && demoData && !await db.Customers.AnyAsync(ct) && await ClaimOnceAsync(db, "demo-data", ct))
        {
            var hasher = sp.GetRequiredService<IPasswordHasher<Customer>>();
            var hash = hasher.HashPassword(new Customer(), DemoCustomerPassword);
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync(ct);
            var currency = config["Store:Currency"] ?? "USD";
            var counts = await new StoreGenerator(dialect, seed: 2025, currency).InsertAsync(connection, new StoreShape(seed.DemoCustomers), 1, hash, ct: ct);
            await AddDemoFieldsAsync(sp.GetRequiredService<FieldDesigner>(), db, ct);
            log.LogInformation("New database: added demo data, {Customers} customers with {Addresses} addresses and {Orders} orders " +
                "(Seed__DemoData=false turns this off). Demo customers with a password use '{Password}'.",
                counts.Customers, counts.Addresses, counts.Orders, DemoCustomerPassword);
        }
    }

    /// <summary>True for exactly one of several instances starting together: a row only one insert can create.</summary>
    private static async Task<bool> ClaimOnceAsync(AppDbContext db, string what, CancellationToken ct)
    {
        db.AppSettings.Add(new AppSetting { Key = $"initialized:{what}", Value = DateTime.UtcNow.ToString("O") });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }

    /// <summary>Two example custom fields on customers and one on addresses, with values, so the designer has something to show.</summary>
    private static async Task AddDemoFieldsAsync(FieldDesigner designer, AppDbContext db, CancellationToken ct)
    {
        var system = Access.SystemAdmin("demo data");
        var customers = await designer.EnsureFlowAsync(system, Flow.Customers, true, ct);
        var addresses = await designer.EnsureFlowAsync(system, Flow.Addresses, true, ct);
        var optIn = (await designer.CreateFieldAsync(system, customers.Id, new FieldInput
        {
            Name = "Marketing opt-in", Slug = "marketing_opt_in", Type = FieldType.Boolean, CustomerEditable = true,
            Description = "Agreed to receive newsletters.", Default = JsonValue.Create(false),
        }, ct)).Value!;
        string[] stores = ["Online", "London", "Paris", "New York"];
        var store = (await designer.CreateFieldAsync(system, customers.Id, new FieldInput
        {
            Name = "Preferred store", Slug = "preferred_store", Type = FieldType.String, OmitNull = true, CustomerEditable = true,
            Rules = new FieldRules { Enum = [.. stores.Select(s => (JsonNode?)JsonValue.Create(s))] },
        }, ct)).Value!;
        await designer.CreateFieldAsync(system, addresses.Id, new FieldInput
        {
            FlowSlug = Flow.Addresses, Name = "Delivery window", Slug = "delivery_window", Type = FieldType.String, CustomerEditable = true,
            Rules = new FieldRules { Enum = ["Morning", "Afternoon", "Evening"] },
        }, ct);
        // A few hundred demo customers: values set through EF, the same on every provider.
        var random = new Random(2025);
        foreach (var customer in await db.Customers.ToListAsync(ct))
        {
            var values = new JsonObject { [optIn.Id.ToString()] = random.Next(3) == 0 };
            if (random.Next(5) is var pick && pick < stores.Length)
            {
                values[store.Id.ToString()] = stores[pick];
            }
            customer.CustomData = values.ToJsonString();
        }
        await db.SaveChangesAsync(ct);
    }

    private static async Task EnsureFirstAdminAsync(UserManager<StaffUser> users, BootstrapOptions options, ILogger log)
    {
        if (await users.Users.AnyAsync())
        {
            return;
        }
        try
        {
            await CreateFirstAdminAsync(users, options, log);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // Another instance starting at the same time created the first admin.
        }
    }

    private static async Task CreateFirstAdminAsync(UserManager<StaffUser> users, BootstrapOptions options, ILogger log)
    {
        var email = options.AdminEmail.Trim();
        var generated = string.IsNullOrEmpty(options.AdminPassword);
        var password = generated ? GeneratePassword() : options.AdminPassword!;
        // A generated password has been in the log: it only opens the page that replaces it.
        var admin = new StaffUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Administrator", MustChangePassword = generated };

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
        if (!result.Succeeded && result.Errors.Any(e => e.Code is nameof(IdentityErrorDescriber.DuplicateUserName) or nameof(IdentityErrorDescriber.DuplicateEmail)))
        {
            // Another instance starting at the same time created the first admin.
            return;
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
                "(shown only this once; you choose your own at first sign-in; set Bootstrap__AdminPassword to choose it up front).", email, password);
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
