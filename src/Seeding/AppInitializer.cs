using CommerceManager.Common;
using CommerceManager.Orders;
using CommerceManager.Accounts;
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
        await EmailKeyRepair.RunAsync(db, isNewDatabase, log, ct, sp.GetRequiredService<TimeProvider>());

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
        if (isNewDatabase && demoData && !await db.Customers.AnyAsync(ct) && await ClaimOnceAsync(db, "demo-data", sp.GetRequiredService<TimeProvider>(), ct))
        {
            var hasher = sp.GetRequiredService<IPasswordHasher<Customer>>();
            var hash = hasher.HashPassword(new Customer(), DemoCustomerPassword);
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync(ct);
            var currency = config["Store:Currency"] ?? "USD";
            var counts = await new StoreGenerator(dialect, seed: 2025, currency, sp.GetRequiredService<TimeProvider>()).InsertAsync(connection, new StoreShape(seed.DemoCustomers), 1, hash, ct: ct);
            await AddDemoFieldsAsync(sp.GetRequiredService<FieldDesigner>(), db, ct);
            var accounts = await AddDemoAccountsAsync(sp, hash, ct);
            log.LogInformation("New database: added demo data, {Customers} customers with {Addresses} addresses and {Orders} orders, and {Accounts} accounts " +
                "(Seed__DemoData=false turns this off). Demo customers and account members with a password use '{Password}'.",
                counts.Customers, counts.Addresses, counts.Orders, accounts, DemoCustomerPassword);
        }
    }

    /// <summary>True for exactly one of several instances starting together: a row only one insert can create.</summary>
    private static async Task<bool> ClaimOnceAsync(AppDbContext db, string what, TimeProvider clock, CancellationToken ct)
    {
        db.AppSettings.Add(new AppSetting { Key = $"initialized:{what}", Value = clock.UtcNow().ToString("O") });
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

    /// <summary>Two example custom fields on customers, one on addresses and one on accounts, with values, so the designer has something to show.</summary>
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
        var accounts = await designer.EnsureFlowAsync(system, Flow.Accounts, true, ct);
        await designer.CreateFieldAsync(system, accounts.Id, new FieldInput
        {
            FlowSlug = Flow.Accounts, Name = "Account manager", Slug = "account_manager", Type = FieldType.String, OmitNull = true,
            Description = "Who looks after this account in the store.",
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

    /// <summary>
    /// EP Account Management demo data: a few companies (two with branches), households, members who sign in with the demo
    /// password through the "Demo passwords" profile, tags, addresses and orders placed for accounts; the store set up
    /// as `ep generate` leaves it (self sign-up on, an account for each new member, members update themselves).
    /// </summary>
    private static async Task<int> AddDemoAccountsAsync(IServiceProvider sp, string passwordHash, CancellationToken ct)
    {
        var system = Access.SystemAdmin("demo data");
        await sp.GetRequiredService<AccountSettingsService>().UpdateAsync(system, new AccountSettingsInput(EnableSelfSignup: true,
            AutoCreateAccountForAccountMembers: true, AccountMemberSelfManagement: SelfManagement.UpdateOnly));
        var members = sp.GetRequiredService<AccountMemberService>();
        var profile = await members.CreateProfileAsync(system, new PasswordProfileInput("Demo passwords", PasswordProfiles.EmailFormat), ct);
        var accounts = sp.GetRequiredService<AccountService>();
        var tags = sp.GetRequiredService<AccountTagService>();
        var wholesale = (await tags.CreateAsync(system, "Wholesale", "Buys in bulk at trade prices.", ct)).Value!;
        var vip = (await tags.CreateAsync(system, "VIP", null, ct)).Value!;
        var addresses = sp.GetRequiredService<AccountAddressService>();
        var memberships = sp.GetRequiredService<MembershipService>();
        var carts = sp.GetRequiredService<CartService>();
        var checkout = sp.GetRequiredService<CheckoutService>();
        var dbFactory = sp.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var random = new Random(2026);
        (string Company, string City, string Country, string Postcode, string County, string[] Branches)[] companies =
        [
            ("Northwind Traders", "Leeds", "GB", "LS1 4AP", "West Yorkshire", ["Northwind North", "Northwind South"]),
            ("Contoso Retail", "Manchester", "GB", "M1 1AE", "Greater Manchester", ["Contoso Outlet"]),
            ("Fabrikam Studio", "Bristol", "GB", "BS1 5TR", "Bristol", []),
            ("Tailspin Toys", "Edinburgh", "GB", "EH1 1YZ", "Midlothian", []),
            ("The Okafor household", "London", "GB", "N1 9GU", "Greater London", []),
            ("The Lindqvist household", "York", "GB", "YO1 7HH", "North Yorkshire", []),
        ];
        string[] first = ["Amara", "Ben", "Chloe", "Dev", "Elena", "Finn", "Grace", "Hugo", "Isla", "Jonah", "Kemi", "Leo"];
        string[] last = ["Okafor", "Lindqvist", "Patel", "Moreau", "Nakamura", "Reyes", "Silva", "Walsh"];
        var made = 0;
        foreach (var (company, city, country, postcode, county, branches) in companies)
        {
            var account = (await accounts.CreateAsync(system, new AccountInput
            {
                Name = company, LegalName = company.StartsWith("The ", StringComparison.Ordinal) ? null : company + " Ltd",
                RegistrationId = company.StartsWith("The ", StringComparison.Ordinal) ? null : $"GB{random.Next(10_000_000, 99_999_999)}",
            }, ct)).Value!;
            made++;
            if (branches.Length > 0)
            {
                await accounts.AddTagsAsync(system, account.Id, [wholesale.Id], ct);
            }
            if (made == 1)
            {
                await accounts.AddTagsAsync(system, account.Id, [vip.Id], ct);
            }
            var office = new Addresses.AddressInput
            {
                Name = branches.Length > 0 ? "Head office" : "Home", FirstName = first[made % first.Length], LastName = last[made % last.Length],
                CompanyName = branches.Length > 0 ? company : null, Line1 = $"{random.Next(1, 200)} {city} Road", City = city, County = county, Postcode = postcode, Country = country,
            };
            await addresses.CreateAsync(system, account.Id, office, ct);
            var ids = new List<Guid> { account.Id };
            foreach (var branch in branches)
            {
                ids.Add((await accounts.CreateAsync(system, new AccountInput { Name = branch, LegalName = company + " Ltd", ParentId = account.Id }, ct)).Value!.Id);
                made++;
            }
            for (var m = 0; m < 2 + random.Next(3); m++)
            {
                var name = $"{first[random.Next(first.Length)]} {(company.StartsWith("The ", StringComparison.Ordinal) ? company.Split(' ')[1] : last[random.Next(last.Length)])}";
                var email = $"{name.ToLowerInvariant().Replace(' ', '.')}.{made}{m}@{(company.StartsWith("The ", StringComparison.Ordinal) ? "example.com" : company.Split(' ')[0].ToLowerInvariant() + ".example")}";
                var member = (await members.CreateAsync(system, new AccountMemberInput { Name = name, Email = email }, ct)).Value!;
                // The demo password's hash, made once (hashing takes ~0.1 s a time).
                await using (var db = await dbFactory.CreateDbContextAsync(ct))
                {
                    db.MemberPasswords.Add(AccountMemberService.NewPassword(member.Id, profile.Id, email, passwordHash, sp.GetRequiredService<TimeProvider>().UtcNow()));
                    await db.SaveChangesAsync(ct);
                }
                foreach (var id in ids.Take(m == 0 ? ids.Count : 1))
                {
                    await memberships.AddAsync(system, id, member.Id, ct);
                }
                if (random.Next(2) == 0)
                {
                    var cart = $"demo-account-{Guid.NewGuid():N}";
                    await carts.AddItemAsync(system, cart, new CartItemInput { Name = "Coffee beans 1 kg", Sku = "COF-1KG", Quantity = 1 + random.Next(6), Price = 1800 }, ct);
                    var shipTo = Addresses.AddressInput.From(office.ToPostal());
                    shipTo.Region = county;
                    await checkout.CheckoutAsync(system, cart, new CheckoutInput
                    {
                        AccountId = account.Id, AccountMemberId = member.Id, Name = name, Email = email, BillingAddress = shipTo, ShippingAddress = shipTo,
                    }, ct);
                }
            }
        }
        return made;
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
