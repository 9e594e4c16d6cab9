using System.Diagnostics;
using System.Globalization;
using CommerceManager.Accounts;
using CommerceManager.Addresses;
using CommerceManager.Common;
using CommerceManager.CustomFields;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Exports;
using CommerceManager.History;
using CommerceManager.Orders;
using CommerceManager.Security;
using CommerceManager.Seeding;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tools;

/// <summary>
/// Command-line tools that share the app's code: <c>seed</c> fills a database with realistic customers,
/// <c>bench</c> times the customer list and create paths against it (see docs/benchmarks.md).
/// </summary>
public static class Commands
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = ParseOptions(args.Skip(1));
        var database = options.GetValueOrDefault("database", "data/bench.db");
        var services = BuildServices(database);
        if (args[0] == "seed" && options.TryGetValue("custom-fields", out var customFields))
        {
            return await SeedCustomFieldsAsync(services, int.Parse(customFields, CultureInfo.InvariantCulture));
        }
        return args[0] switch
        {
            "bench-transfer" => await BenchTransferAsync(services, int.Parse(options.GetValueOrDefault("rows", "1000000"), CultureInfo.InvariantCulture)),
            "bench-duplicates" => await BenchDuplicatesAsync(services),
            "bench-move" => await BenchMoveAsync(services, options.ContainsKey("undo")),
            "seed-accounts" => await SeedAccountsAsync(services, int.Parse(options.GetValueOrDefault("accounts", "1000000"), CultureInfo.InvariantCulture)),
            "bench-history" => await BenchHistoryAsync(services, int.Parse(options.GetValueOrDefault("entries", "2000000"), CultureInfo.InvariantCulture)),
            "seed" => await SeedAsync(services, new StoreShape(
                int.Parse(options.GetValueOrDefault("customers", "100000"), CultureInfo.InvariantCulture),
                double.Parse(options.GetValueOrDefault("addresses", "2"), CultureInfo.InvariantCulture),
                double.Parse(options.GetValueOrDefault("orders", "3"), CultureInfo.InvariantCulture))),
            _ => await BenchAsync(services, int.Parse(options.GetValueOrDefault("iterations", "30"), CultureInfo.InvariantCulture),
                options.GetValueOrDefault("only")),
        };
    }

    /// <summary>
    /// History and the home page at size: tops the change history up to <paramref name="entries"/> records (spread over
    /// the last year, on random customers, a fifth of them by five staff members), then times the Activity page's
    /// queries (first page, a page deep in, filtered by kind and by staff member), the busiest customer's History tab
    /// and the home page's figures. Each: the first (cold) run, then the median of 20.
    /// </summary>
    private static async Task<int> BenchHistoryAsync(ServiceProvider services, int entries)
    {
        await MigrateAsync(services);
        var factory = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var dialect = services.GetRequiredService<SqlDialect>();
        var admin = Access.SystemAdmin("bench");
        int existing, customers;
        await using (var db = await factory.CreateDbContextAsync())
        {
            existing = await db.ChangeRecords.CountAsync();
            customers = await RowCounts.ReadAsync(db, Customers.Customer.Table, default);
            Console.WriteLine($"{customers:N0} customers, {await RowCounts.ReadAsync(db, Orders.Order.Table, default):N0} orders, {existing:N0} history entries");
        }
        if (existing < entries)
        {
            var timer = Stopwatch.StartNew();
            var ids = new List<Guid>(customers);
            await using (var db = await factory.CreateDbContextAsync())
            {
                await foreach (var id in db.Customers.AsNoTracking().Select(c => c.Id).AsAsyncEnumerable())
                {
                    ids.Add(id);
                }
            }
            var random = new Random(42);
            var kinds = new[] { (History.ChangeKinds.Details, "customer", "{\"name\":{\"from\":\"Ada\",\"to\":\"Ada King\"}}"),
                (History.ChangeKinds.Address, "address", "{\"line_1\":{\"from\":\"1 High St\",\"to\":\"2 High St\"}}"),
                (History.ChangeKinds.Order, "order", "{\"status\":{\"from\":\"incomplete\",\"to\":\"processing\"}}"),
                (History.ChangeKinds.SignIn, "customer", "{\"password\":{\"from\":\"set\",\"to\":\"replaced\"}}") };
            var toAdd = entries - existing;
            var start = DateTime.UtcNow.AddDays(-365);
            var step = TimeSpan.FromDays(365).Ticks / toAdd;
            const int batch = 50_000;
            for (var done = 0; done < toAdd; done += batch)
            {
                await using var db = await factory.CreateDbContextAsync();
                await db.Database.OpenConnectionAsync();
                var connection = db.Database.GetDbConnection();
                await using var tx = await connection.BeginTransactionAsync();
                await using (var writer = dialect.OpenBulkWriter(connection, tx, "ChangeRecords",
                    ["Id", "At", "CustomerId", "ResourceType", "ResourceId", "Kind", "Action", "Subject", "ActorKind", "ActorId", "ActorName", "Channel", "Delta"]))
                {
                    for (var i = done; i < Math.Min(toAdd, done + batch); i++)
                    {
                        var at = new DateTime(start.Ticks + step * i, DateTimeKind.Utc);
                        var customer = ids[random.Next(ids.Count)];
                        var (kind, type, delta) = kinds[random.Next(kinds.Length)];
                        var staff = random.Next(5) == 0 ? $"bench-staff-{random.Next(5)}" : null;
                        await writer.RowAsync(default, dialect.StoredValue(Guid.CreateVersion7(new DateTimeOffset(at))), dialect.StoredValue(Clock.Truncate(at)),
                            dialect.StoredValue(customer), type, dialect.StoredValue(type == "customer" ? customer : Guid.CreateVersion7(new DateTimeOffset(at))),
                            kind, History.ChangeActions.Updated, "bench", staff is null ? History.ActorKinds.Client : History.ActorKinds.Staff,
                            staff ?? "bench-client", staff is null ? "API client bench" : $"{staff}@example.com", staff is null ? "api" : "console", delta);
                    }
                    await writer.CompleteAsync(default);
                }
                await tx.CommitAsync();
            }
            await using (var db = await factory.CreateDbContextAsync())
            {
                // The planner's statistics for the new table only (the whole store's would take minutes).
                await db.Database.ExecuteSqlRawAsync("ANALYZE \"ChangeRecords\"");
            }
            Console.WriteLine($"added {toAdd:N0} history entries in {timer.Elapsed.TotalSeconds:F1} s");
        }

        var history = services.GetRequiredService<History.HistoryService>();
        var dashboard = services.GetRequiredService<Dashboard.DashboardService>();
        Guid busiest, deep;
        await using (var db = await factory.CreateDbContextAsync())
        {
            busiest = await db.ChangeRecords.Where(r => r.CustomerId != null).GroupBy(r => r.CustomerId!.Value)
                .OrderByDescending(g => g.Count()).Select(g => g.Key).Take(1).FirstAsync();
            deep = await db.ChangeRecords.OrderByDescending(r => r.Id).Skip(100_000).Select(r => r.Id).FirstAsync();
        }
        async Task TimeAsync(string what, Func<Task<int>> run)
        {
            var cold = Stopwatch.StartNew();
            var rows = await run();
            cold.Stop();
            var times = new List<double>();
            for (var i = 0; i < 20; i++)
            {
                var t = Stopwatch.StartNew();
                await run();
                times.Add(t.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            Console.WriteLine($"{what,-58} {rows,4} rows   first {cold.Elapsed.TotalMilliseconds,8:F1} ms   median {times[10],7:F2} ms   max {times[^1],7:F2} ms");
        }
        await TimeAsync("Activity: first page (50)", async () => (await history.ActivityAsync(admin, new History.HistoryQuery(Limit: 50))).Items.Count);
        await TimeAsync("Activity: 50 after the 100,000th newest", async () => (await history.ActivityAsync(admin, new History.HistoryQuery(Before: deep, Limit: 50))).Items.Count);
        await TimeAsync("Activity: addresses only", async () => (await history.ActivityAsync(admin, new History.HistoryQuery(Kind: History.ChangeKinds.Address, Limit: 50))).Items.Count);
        await TimeAsync("Activity: one staff member's changes", async () => (await history.ActivityAsync(admin, new History.HistoryQuery(ActorId: "bench-staff-3", Limit: 50))).Items.Count);
        await TimeAsync("Activity: imports and the system (none in this store)", async () => (await history.ActivityAsync(admin, new History.HistoryQuery(ActorKind: History.ActorKinds.System, Limit: 50))).Items.Count);
        await TimeAsync("History tab: the busiest customer, first page (25)", async () => (await history.TimelineAsync(admin, busiest, new History.HistoryQuery())).Items.Count);
        await TimeAsync("History tab: the busiest customer, sign-in only", async () => (await history.TimelineAsync(admin, busiest, new History.HistoryQuery(Kind: History.ChangeKinds.SignIn))).Items.Count);
        await TimeAsync("Home page: every figure", async () => (await dashboard.LoadAsync(admin)).NewCustomersByDay.Count);
        return 0;
    }

    /// <summary>
    /// The duplicate scan over the whole database (what the Duplicates page's "Look again" and the daily scan run), then
    /// the page's first page of pairs, and one merge with its undo on the most alike pair.
    /// </summary>
    /// <summary>
    /// Moving a whole store from customers to accounts (and, with <c>--undo</c>, back): every customer of the database
    /// becomes an account with a member, its addresses and orders with it. Changes the database: run it on a copy.
    /// </summary>
    private static async Task<int> BenchMoveAsync(ServiceProvider services, bool undo)
    {
        await MigrateAsync(services);
        var admin = Access.SystemAdmin("bench");
        var members = services.GetRequiredService<Accounts.AccountMemberService>();
        var profile = (await members.ProfilesAsync()).FirstOrDefault()
            ?? await members.CreateProfileAsync(admin, new Accounts.PasswordProfileInput("Moved customers", Accounts.PasswordProfiles.EmailFormat));
        await using (var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
        {
            Console.WriteLine($"{await db.Customers.CountAsync():N0} customers, {await db.Addresses.CountAsync():N0} addresses, {await db.Orders.CountAsync():N0} orders");
        }
        var moves = services.GetRequiredService<AccountMoves.AccountMoveService>();
        var progress = new Progress<WorkProgress>(p =>
        {
            if (p.Total > 0 && p.Done % 100_000 == 0)
            {
                Console.WriteLine($"  {p.Done:N0} of {p.Total:N0}");
            }
        });
        var timer = Stopwatch.StartNew();
        var moved = await moves.MoveAsync(admin, CustomerSelection.AllMatching(new CustomerQuery()), profile.Id, progress);
        timer.Stop();
        var done = moved.Value!;
        Console.WriteLine($"move to accounts: {done.Count:N0} customers in {timer.Elapsed.TotalSeconds:F0} s ({done.Count / timer.Elapsed.TotalSeconds:N0}/s); " +
            $"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1024 / 1024:N0} MiB");
        if (undo)
        {
            timer.Restart();
            var undone = await moves.UndoAsync(admin, done.JobId, progress);
            Console.WriteLine($"undo: {(undone.IsOk ? $"{undone.Value!.Count:N0} accounts removed" : undone.Error)} in {timer.Elapsed.TotalSeconds:F0} s");
        }
        return 0;
    }

    /// <summary>
    /// Account Management at size, without customers: <paramref name="count"/> accounts (company names, created over the
    /// last three years), each with one member (a person's name, a unique email, the demo customers' password under the
    /// "Seeded members" profile), its membership and one address; written through the provider's bulk path, batches of
    /// 20,000, with the tables' non-unique indexes dropped and built once at the end.
    /// </summary>
    private static async Task<int> SeedAccountsAsync(ServiceProvider services, int count)
    {
        await MigrateAsync(services);
        var factory = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var dialect = services.GetRequiredService<SqlDialect>();
        var admin = Access.SystemAdmin("seed");
        var members = services.GetRequiredService<Accounts.AccountMemberService>();
        var profile = (await members.ProfilesAsync()).FirstOrDefault(p => p.Name == "Seeded members")
            ?? await members.CreateProfileAsync(admin, new Accounts.PasswordProfileInput("Seeded members", Accounts.PasswordProfiles.EmailFormat));
        var hash = services.GetRequiredService<IPasswordHasher<Accounts.AccountMember>>().HashPassword(new Accounts.AccountMember(), AppInitializer.DemoCustomerPassword);
        await using var db = await factory.CreateDbContextAsync();
        db.Database.SetCommandTimeout(TimeSpan.FromHours(2));
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var existing = await db.Accounts.CountAsync();
        await dialect.PrepareBulkLoadAsync(connection, default);
        await dialect.PauseDerivedIndexesAsync(db, default);
        await dialect.PauseBulkLoadIndexesAsync(connection, default);
        Console.WriteLine($"Seeding {count:N0} accounts with a member, a membership and an address each into {connection.Database} on {connection.DataSource} " +
            $"(already {existing:N0} accounts) …");
        var faker = new Bogus.Faker("en") { Random = new Bogus.Randomizer(existing + 7) };
        var clock = Stopwatch.StartNew();
        var start = DateTime.UtcNow.AddYears(-3);
        var step = TimeSpan.FromDays(3 * 365).Ticks / Math.Max(1, count);
        const int batch = 20_000;
        for (var from = 0; from < count; from += batch)
        {
            var size = Math.Min(batch, count - from);
            var accounts = new List<Accounts.ShopperAccount>(size);
            var people = new List<Accounts.AccountMember>(size);
            var memberships = new List<Accounts.AccountMembership>(size);
            var passwords = new List<Accounts.MemberPassword>(size);
            var addresses = new List<Accounts.AccountAddress>(size);
            for (var i = from; i < from + size; i++)
            {
                var at = new DateTime(start.Ticks + step * i, DateTimeKind.Utc);
                at = at.AddTicks(-(at.Ticks % TimeSpan.TicksPerMillisecond));
                var account = new Accounts.ShopperAccount
                {
                    Id = Guid.CreateVersion7(new DateTimeOffset(at)), CreatedAt = at, UpdatedAt = at, Version = Guid.NewGuid(),
                    ExternalRef = faker.Random.Bool(0.3f) ? $"ERP-{existing + i + 1:D8}" : null,
                };
                var company = faker.Company.CompanyName();
                account.SetName(company);
                account.SetLegalName(faker.Random.Bool(0.5f) ? company + " " + faker.PickRandom("Ltd", "Inc.", "GmbH", "SARL", "LLC") : null);
                accounts.Add(account);
                var (first, last) = (faker.Name.FirstName(), faker.Name.LastName());
                var email = $"{first}.{last}.{existing + i + 1}@{faker.PickRandom("example.com", "example.org", "example.net")}".ToLowerInvariant();
                var member = Accounts.AccountMemberService.NewMember(new Accounts.AccountMemberInput { Name = $"{first} {last}", Email = email }, at);
                people.Add(member);
                memberships.Add(new Accounts.AccountMembership { Id = Guid.CreateVersion7(new DateTimeOffset(at)), AccountId = account.Id, MemberId = member.Id, CreatedAt = at, UpdatedAt = at });
                passwords.Add(Accounts.AccountMemberService.NewPassword(member.Id, profile.Id, email, hash, at));
                addresses.Add(new Accounts.AccountAddress
                {
                    Id = Guid.CreateVersion7(new DateTimeOffset(at)), AccountId = account.Id, Name = "Head office", CreatedAt = at, UpdatedAt = at, Version = Guid.NewGuid(),
                    Postal = new PostalAddress
                    {
                        FirstName = first, LastName = last, CompanyName = company, Line1 = faker.Address.StreetAddress(), City = faker.Address.City(),
                        Region = faker.Address.State(), Postcode = faker.Address.ZipCode(), Country = "US",
                    },
                });
            }
            await using var transaction = await db.Database.BeginTransactionAsync();
            await db.BulkInsertAsync(dialect, accounts, default);
            await db.BulkInsertAsync(dialect, people, default);
            await db.BulkInsertAsync(dialect, memberships, default);
            await db.BulkInsertAsync(dialect, passwords, default);
            await db.BulkInsertAsync(dialect, addresses, default);
            await transaction.CommitAsync();
            if ((from + size) % 500_000 == 0 || from + size == count)
            {
                Console.WriteLine($"  {from + size:N0} accounts, {clock.Elapsed.TotalSeconds:F0} s");
            }
        }
        var rebuild = Stopwatch.StartNew();
        await dialect.RestoreBulkLoadIndexesAsync(connection, (index, took) => Console.WriteLine($"  {index} built in {took.TotalSeconds:F1} s"), default);
        await dialect.AfterMigrateAsync(db, default);
        await dialect.AnalyzeAsync(connection, default);
        Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F0} s (indexes {rebuild.Elapsed.TotalSeconds:F0} s): {count:N0} accounts and members. " +
            $"Members sign in under \"Seeded members\" ({profile.Id}) with '{AppInitializer.DemoCustomerPassword}'.");
        return 0;
    }

    private static async Task<int> BenchDuplicatesAsync(ServiceProvider services)
    {
        await MigrateAsync(services);
        var admin = Access.SystemAdmin("bench");
        var finder = services.GetRequiredService<Duplicates.DuplicateFinder>();
        var merges = services.GetRequiredService<Duplicates.MergeService>();
        await using (var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
        {
            Console.WriteLine($"{await db.Customers.CountAsync():N0} customers, {await db.Addresses.CountAsync():N0} addresses");
        }
        var before = Process.GetCurrentProcess().PeakWorkingSet64;
        var timer = Stopwatch.StartNew();
        var pairs = await finder.ScanAsync();
        timer.Stop();
        Console.WriteLine($"duplicate scan: {pairs:N0} likely pairs in {timer.Elapsed.TotalSeconds:F1} s; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1024 / 1024:N0} MiB " +
            $"(before the scan {before / 1024 / 1024:N0} MiB)");
        timer.Restart();
        var (rows, total) = await merges.ListAsync(admin, 0, 25);
        Console.WriteLine($"first page of pairs ({rows.Count} of {total:N0}): {timer.Elapsed.TotalMilliseconds:F0} ms");
        foreach (var reason in rows.SelectMany(r => r.Reasons).GroupBy(r => r).OrderByDescending(g => g.Count()))
        {
            Console.WriteLine($"  {reason.Key}: {reason.Count()} on the first page");
        }
        if (rows.Count > 0)
        {
            timer.Restart();
            var merged = await merges.MergeAsync(admin, rows[0].FirstId, rows[0].SecondId, new Duplicates.MergeChoices());
            var mergeMs = timer.Elapsed.TotalMilliseconds;
            timer.Restart();
            var undone = merged.IsOk ? await merges.UndoAsync(admin, merged.Value!.Id) : default;
            Console.WriteLine($"merge: {(merged.IsOk ? "ok" : merged.Error)} in {mergeMs:F0} ms; undo: {(undone.IsOk ? "ok" : undone.Error)} in {timer.Elapsed.TotalMilliseconds:F0} ms");
        }
        return 0;
    }

    /// <summary>
    /// Data in and out at scale: exports every customer of the database as CSV and as JSON Lines through the export job
    /// (what the console and <c>/v2/jobs</c> run), then imports a generated file of <paramref name="rows"/> customers in
    /// another platform's format, each with an address, into a new database beside it.
    /// </summary>
    private static async Task<int> BenchTransferAsync(ServiceProvider services, int rows)
    {
        await MigrateAsync(services);
        var admin = Access.SystemAdmin("bench");
        var exports = services.GetRequiredService<Exports.ExportService>();
        var exportRunner = services.GetRequiredService<Exports.ExportRunner>();
        // Jobs an earlier, interrupted run left behind would be claimed first: end them.
        await using (var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
        {
            await db.ExportJobs.Where(j => j.Status == Data.JobStatus.Pending || j.Status == Data.JobStatus.Started)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, Data.JobStatus.Failed).SetProperty(j => j.Error, "Left by an interrupted benchmark."));
        }
        foreach (var format in new[] { Exports.ExportFormat.Csv, Exports.ExportFormat.Jsonl })
        {
            var timer = Stopwatch.StartNew();
            await exports.CreateAsync(admin, new Exports.ExportRequest(Exports.ExportKind.Customers, format));
            var job = await exportRunner.ClaimAsync(CancellationToken.None) ?? throw new InvalidOperationException("The export job was not queued.");
            await exportRunner.RunAsync(job, CancellationToken.None);
            timer.Stop();
            var done = await exports.GetAsync(admin, job.Id) ?? throw new InvalidOperationException("The export job is gone.");
            Console.WriteLine($"export job, every customer as {done.Format} with addresses: {done.Status}, {done.RowsDone:N0} rows, " +
                $"{(done.FileSize ?? 0) / 1024 / 1024:N0} MiB in {timer.Elapsed.TotalSeconds:F1} s ({done.RowsDone / timer.Elapsed.TotalSeconds:N0} rows/s); " +
                $"managed heap after: {GC.GetTotalMemory(false) / 1024 / 1024:N0} MiB");
            File.Delete(exports.PathOf(done));
        }

        var folder = Path.Combine(Path.GetTempPath(), $"cm-import-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var csv = Path.Combine(folder, "customers.csv");
            await using (var writer = new StreamWriter(csv, false, new System.Text.UTF8Encoding(true), 1 << 16))
            {
                await writer.WriteLineAsync("First Name,Last Name,Email,Company,Address1,Address2,City,Province,Country,Zip,Phone,Total Spent");
                for (var i = 0; i < rows; i++)
                {
                    await writer.WriteLineAsync($"Import,Person {i},person{i}@import-bench.example,,{i % 999 + 1} High Street,,Leeds,West Yorkshire,United Kingdom,LS1 1AB,+44 113 496 0000,{i % 500}.00");
                }
            }
            await using var target = BuildServices(Path.Combine(folder, "import.db"));
            await MigrateAsync(target);
            var imports = target.GetRequiredService<DataTransfer.ImportService>();
            var importRunner = target.GetRequiredService<DataTransfer.ImportRunner>();
            var timer = Stopwatch.StartNew();
            DataTransfer.ImportUpload upload;
            await using (var file = File.OpenRead(csv))
            {
                upload = await imports.UploadAsync(admin, "customers.csv", file);
            }
            var read = timer.Elapsed;
            var started = await imports.StartAsync(admin, upload, upload.Guessed, DataTransfer.ExistingEmail.Skip, dryRun: false);
            await importRunner.RunAsync(await importRunner.ClaimAsync(CancellationToken.None) ?? throw new InvalidOperationException("The import was not queued."), CancellationToken.None);
            timer.Stop();
            var result = await imports.GetAsync(admin, started.Id) ?? throw new InvalidOperationException("The import is gone.");
            Console.WriteLine($"import of a foreign-format CSV ({new FileInfo(csv).Length / 1024 / 1024:N0} MiB, {rows:N0} rows, an address each): {result.Status}, " +
                $"{result.Created:N0} created, {result.FailedRows:N0} refused in {timer.Elapsed.TotalSeconds:F1} s (upload and preview {read.TotalSeconds:F1} s; " +
                $"{result.Created / timer.Elapsed.TotalSeconds:N0} rows/s); managed heap after: {GC.GetTotalMemory(false) / 1024 / 1024:N0} MiB");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        var process = Process.GetCurrentProcess();
        Console.WriteLine($"Process peak working set: {process.PeakWorkingSet64 / 1024 / 1024:N0} MiB.");
        return 0;
    }

    /// <summary>A SQLite file, or a PostgreSQL connection string (<c>Host=…;Database=…</c>).</summary>
    private static ServiceProvider BuildServices(string database)
    {
        var postgres = database.Contains("Host=", StringComparison.OrdinalIgnoreCase);
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Provider"] = postgres ? "postgres" : "sqlite",
                ["ConnectionStrings:Default"] = postgres ? database : $"Data Source={database}",
            })
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddLogging();
        services.AddCommerceManager(config, Directory.GetCurrentDirectory());
        return services.BuildServiceProvider();
    }

    private static async Task MigrateAsync(ServiceProvider services)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        await DatabaseSetup.MigrateAsync(db, services.GetRequiredService<SqlDialect>());
    }

    private static async Task<int> SeedAsync(ServiceProvider services, StoreShape shape)
    {
        var factory = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var dialect = services.GetRequiredService<SqlDialect>();
        await MigrateAsync(services);
        await using var db = await factory.CreateDbContextAsync();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await dialect.PrepareBulkLoadAsync(connection, default);
        await dialect.PauseDerivedIndexesAsync(db, default);
        await dialect.PauseBulkLoadIndexesAsync(connection, default);
        var existing = await db.Customers.CountAsync();
        var hash = services.GetRequiredService<IPasswordHasher<Customer>>().HashPassword(new Customer(), AppInitializer.DemoCustomerPassword);
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"Seeding {shape.Customers:N0} customers (about {shape.AddressesPerCustomer} addresses and {shape.OrdersPerCustomer} orders each) " +
            $"into {connection.Database} on {connection.DataSource} (already {existing:N0} customers) …");
        var counts = await new StoreGenerator(dialect, seed: existing + 1).InsertAsync(connection, shape, existing + 1, hash, n =>
        {
            if (n % 100_000 == 0 || n == shape.Customers)
            {
                Console.WriteLine($"  {n:N0} customers, {clock.Elapsed.TotalSeconds:F0} s");
            }
        });
        var rebuild = Stopwatch.StartNew();
        await dialect.RestoreBulkLoadIndexesAsync(connection, (index, took) => Console.WriteLine($"  {index} built in {took.TotalSeconds:F1} s"), default);
        Console.WriteLine($"  indexes built in {rebuild.Elapsed.TotalSeconds:F0} s");
        rebuild.Restart();
        db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
        await dialect.AfterMigrateAsync(db, default);
        Console.WriteLine($"  search index rebuilt in {rebuild.Elapsed.TotalSeconds:F0} s");
        await dialect.AnalyzeAsync(connection, default);
        Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F1} s: {counts.Customers:N0} customers, {counts.Addresses:N0} addresses, " +
            $"{counts.Orders:N0} orders with {counts.OrderItems:N0} items. Customers with a password use '{AppInitializer.DemoCustomerPassword}'.");
        return 0;
    }

    /// <summary>Adds N custom fields to customers and gives every customer a value for each (for the storage cost figures).</summary>
    private static async Task<int> SeedCustomFieldsAsync(ServiceProvider services, int count)
    {
        var designer = services.GetRequiredService<FieldDesigner>();
        var values = services.GetRequiredService<CustomFieldValues>();
        var factory = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var admin = Access.SystemAdmin("seed");
        await MigrateAsync(services);
        var flow = await designer.EnsureFlowAsync(admin, Flow.Customers, true);
        var types = new[] { FieldType.String, FieldType.Integer, FieldType.Boolean, FieldType.Float, FieldType.Date };
        var fields = new List<FieldDefinition>();
        for (var i = 0; i < count; i++)
        {
            var type = types[i % types.Length];
            var outcome = await designer.CreateFieldAsync(admin, flow.Id, new FieldInput { Name = $"Bench field {i}", Slug = $"bench_{i}", Type = type });
            fields.Add(outcome.Value ?? (await values.FieldsAsync(Flow.Customers)).First(f => f.Slug == $"bench_{i}"));
        }
        var clock = Stopwatch.StartNew();
        await using (var db = await factory.CreateDbContextAsync())
        {
            // One UPDATE of every customer: cheaper with the tables' indexes (the fields' own, GIN, trigram) built once after it.
            var dialect = services.GetRequiredService<SqlDialect>();
            db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
            await db.Database.OpenConnectionAsync();
            var connection = db.Database.GetDbConnection();
            await dialect.PrepareBulkLoadAsync(connection, default);
            await dialect.PauseBulkLoadIndexesAsync(connection, default);
            var updated = await dialect.FillCustomValuesAsync(db, Customers.Customer.Table, fields.Select(f => (f.Id, FieldDefinition.TypeName(f.Type))).ToList(), default);
            Console.WriteLine($"Gave {updated:N0} customers values for {count} custom fields in {clock.Elapsed.TotalSeconds:F1} s.");
            await dialect.RestoreBulkLoadIndexesAsync(connection, (index, took) => Console.WriteLine($"  {index} built in {took.TotalSeconds:F1} s"), default);
            await dialect.AnalyzeAsync(connection, default);
            Console.WriteLine($"Indexes built and statistics refreshed: {clock.Elapsed.TotalSeconds:F1} s in all.");
        }
        return 0;
    }

    /// <param name="only">Runs just the cases whose name contains it (and the bulk figures only when it is "bulk").</param>
    private static async Task<int> BenchAsync(ServiceProvider services, int iterations, string? only = null)
    {
        var customers = services.GetRequiredService<CustomerService>();
        var factory = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var admin = Access.SystemAdmin("bench");

        await MigrateAsync(services);
        // Sample real values from the middle of the table, so filters match like a person's search would.
        CustomerDto sample;
        int total;
        await using (var db = await factory.CreateDbContextAsync())
        {
            total = await db.Customers.CountAsync();
            sample = await db.Customers.AsNoTracking().OrderBy(c => c.NormalizedEmail).Skip(total / 2).Select(CustomerService.ToDto).FirstAsync();
        }
        var namePrefix = sample.Name[..Math.Min(4, sample.Name.Length)];
        var emailPrefix = sample.Email[..Math.Min(5, sample.Email.Length)];
        var lastName = sample.Name.Split(' ').Last();
        var contains = lastName[1..Math.Min(5, lastName.Length)];

        Console.WriteLine($"Benchmark: {total:N0} customers, {iterations} timed runs per case after 3 warm-ups, server time in the service (EF Core + {services.GetRequiredService<SqlDialect>().Name}).");
        Console.WriteLine($"{"case",-46} {"p50 ms",8} {"p95 ms",8} {"max ms",8} {"matches",10}");

        async Task Case(string name, Func<Task<int>> run)
        {
            if (only is not null && !name.Contains(only, StringComparison.OrdinalIgnoreCase))
            {
                return;
            }
            var times = new List<double>();
            var matches = 0;
            for (var i = 0; i < iterations + 3; i++)
            {
                var sw = Stopwatch.StartNew();
                matches = await run();
                sw.Stop();
                if (i >= 3)
                {
                    times.Add(sw.Elapsed.TotalMilliseconds);
                }
            }
            times.Sort();
            Console.WriteLine($"{name,-46} {Pct(times, 0.50),8:F1} {Pct(times, 0.95),8:F1} {times[^1],8:F1} {matches,10:N0}");
        }

        Task<int> List(string? filter, string? sort = null, int offset = 0) =>
            customers.ListAsync(admin, new CustomerQuery(filter, sort, offset, 25)).ContinueWith(t => t.Result.Total);

        await Case("first page, default sort (-created_at)", () => List(null));
        await Case("first page, sort=name", () => List(null, "name"));
        await Case("deep page (offset 10,000, -created_at)", () => List(null, null, 10_000));
        await Case($"eq(email,{sample.Email})", () => List($"eq(email,{sample.Email})"));
        await Case($"like(name,{namePrefix}*)", () => List($"like(name,{namePrefix}*)"));
        await Case($"like(email,{emailPrefix}*)", () => List($"like(email,{emailPrefix}*)"));
        await Case($"like(name,*{contains}*)", () => List($"like(name,*{contains}*)"));
        await Case($"like(name,*{contains}*), console count (capped)", () =>
            customers.ListAsync(admin, new CustomerQuery($"like(name,*{contains}*)", null, 0, 25, ExactTotal: false)).ContinueWith(t => t.Result.Total));
        await Case("like(email,*@example.org) (ends with)", () => List("like(email,*@example.org)"));
        await Case("created in the last 30 days, -created_at", () => List($"ge(created_at,{DateTime.UtcNow.AddDays(-30):yyyy-MM-dd})"));
        await Case("get by id", async () => await customers.GetAsync(admin, sample.Id) is null ? 0 : 1);
        var customFields = await services.GetRequiredService<CustomFieldValues>().FieldsAsync(Flow.Customers);
        if (customFields.Count > 0)
        {
            await Case($"first page + reading {customFields.Count} custom fields per row", async () =>
            {
                var page = await customers.ListAsync(admin, new CustomerQuery(null, null, 0, 25));
                return page.Items.Sum(c => CustomFieldValues.Read(customFields, c.CustomData).Count(v => v.Value is not null));
            });
        }

        var orders = services.GetRequiredService<OrderService>();
        Guid busiest;
        await using (var db = await factory.CreateDbContextAsync())
        {
            // A customer with several orders, found through the (CustomerId, CreatedAt) index.
            busiest = await db.Orders.AsNoTracking().Where(o => o.CustomerId != null && o.CreatedAt > DateTime.UtcNow.AddDays(-30))
                .Select(o => o.CustomerId!.Value).FirstOrDefaultAsync();
        }
        // A store seeded with --orders 0 has none: the order cases are left out.
        var withOrders = busiest != Guid.Empty;
        Task<int> Orders(string? filter, int offset = 0) =>
            orders.ListAsync(admin, new OrderQuery(filter, null, offset, 25)).ContinueWith(t => t.Result.Total);
        if (withOrders)
        {
            await Case("orders: a customer's tab (eq(customer_id), newest first)", () => Orders($"eq(customer_id,{busiest})"));
            await Case("orders: page 1, all orders, newest first", () => Orders(null));
            await Case("orders: page 40 (offset 1,000)", () => Orders(null, 1_000));
            await Case($"orders: eq(email,{sample.Email})", () => Orders($"eq(email,{sample.Email})"));
            await Case("orders: eq(status,processing)", () => Orders("eq(status,processing)"));
            await Case("orders: eq(payment,refunded):eq(shipping,unfulfilled)", () => Orders("eq(payment,refunded):eq(shipping,unfulfilled)"));
            await Case($"orders: like(name,{namePrefix}*)", () => Orders($"like(name,{namePrefix}*)"));
            await Case("orders: created in the last 7 days", () => Orders($"ge(created_at,{DateTime.UtcNow.AddDays(-7):yyyy-MM-dd})"));
            var oneOrder = (await orders.ListAsync(admin, new OrderQuery(Limit: 1))).Items[0].Id;
            await Case("orders: one order with items and history", async () => await orders.GetAsync(admin, oneOrder) is null ? 0 : 1);
            await Case("orders: eq(status,complete), console count (capped)", () =>
                orders.ListAsync(admin, new OrderQuery("eq(status,complete)", ExactTotal: false)).ContinueWith(t => t.Result.Total));
            await Case("orders: eq(payment,refunded):eq(shipping,fulfilled) (rare)", () => Orders("eq(payment,refunded):eq(shipping,fulfilled)"));
        }

        // The console's lookups: the one box, the app bar search (orders by short number + customers), the customer
        // page with its summary strip, and the list sorted by what customers spent.
        Task<int> OneBox(string text) =>
            customers.ListAsync(admin, new CustomerQuery(null, "name", 0, 25, ExactTotal: false, Search: text)).ContinueWith(t => t.Result.Total);
        await Case($"console one box \"{contains}\" (name, email or ref)", () => OneBox(contains));
        // The list's own order (newest first) with a short, common text: the search a person types first.
        await Case("console one box \"son\", newest first (the list's default)", () =>
            customers.ListAsync(admin, new CustomerQuery(null, null, 0, 25, ExactTotal: false, Search: "son")).ContinueWith(t => t.Result.Total));
        await Case($"console one box \"{sample.Email}\"", () => OneBox(sample.Email));
        // A caller read out a phone number, a postcode or a street (their customer's addresses, through AddressSearch).
        Address? called;
        await using (var db = await factory.CreateDbContextAsync())
        {
            called = await db.Addresses.AsNoTracking().Where(a => a.Postal.PhoneNumber != null).OrderBy(a => a.Id).FirstOrDefaultAsync();
        }
        if (called is not null)
        {
            var newestFirst = (string text) =>
                customers.ListAsync(admin, new CustomerQuery(null, null, 0, 25, ExactTotal: false, Search: text)).ContinueWith(t => t.Result.Total);
            await Case($"console one box phone \"{called.Postal.PhoneNumber}\"", () => newestFirst(called.Postal.PhoneNumber!));
            await Case($"console one box last digits \"{called.Postal.PhoneNumber![^4..]}\"", () => newestFirst(called.Postal.PhoneNumber![^4..]));
            await Case($"console one box postcode \"{called.Postal.Postcode}\"", () => newestFirst(called.Postal.Postcode));
            await Case($"console one box street \"{called.Postal.Line1}\"", () => newestFirst(called.Postal.Line1));
        }
        if (withOrders)
        {
            var firstOrder = (await orders.ListAsync(admin, new OrderQuery(Limit: 1))).Items[0].Id;
            var shortNumber = OrderFormat.ShortId(firstOrder);
            await Case($"app bar search \"{shortNumber}\" (orders + customers)", async () =>
            {
                var found = await orders.FindByNumberAsync(admin, shortNumber, 5);
                var people = await customers.ListAsync(admin, new CustomerQuery(null, "name", 0, 8, ExactTotal: false, Search: shortNumber));
                return found.Count + people.Items.Count;
            });
            await Case($"app bar search \"{contains}\" (orders + customers)", async () =>
            {
                var found = await orders.FindByNumberAsync(admin, contains, 5);
                var people = await customers.ListAsync(admin, new CustomerQuery(null, "name", 0, 8, ExactTotal: false, Search: contains));
                return found.Count + people.Items.Count;
            });
            await Case("customer page: customer with its summary figures", async () => (await customers.GetAsync(admin, busiest))!.OrderCount);
        }
        await Case("customers sorted by spent (-orders_total)", () => List(null, "-orders_total"));
        await Case("customers sorted by last order (-last_order_at)", () => List(null, "-last_order_at"));

        var created = new List<Guid>();
        var n = 0;
        await Case("create customer (no password)", async () =>
        {
            var outcome = await customers.CreateAsync(admin, new CustomerInput { Name = "Bench Person", Email = $"bench-{Guid.NewGuid():N}@bench.example" });
            created.Add(outcome.Value!.Id);
            return ++n;
        });
        await Case("create customer (with password, PBKDF2 210k)", async () =>
        {
            var outcome = await customers.CreateAsync(admin, new CustomerInput { Name = "Bench Person", Email = $"bench-{Guid.NewGuid():N}@bench.example", Password = "correct horse battery" });
            created.Add(outcome.Value!.Id);
            return ++n;
        });
        if (only is not null && only != "bulk")
        {
            return 0;
        }
        // Bulk actions of the console: the customers made above go in one operation; then everything out as CSV.
        var bulk = services.GetRequiredService<CustomerBulk>();
        var deleteTimer = Stopwatch.StartNew();
        var deleted = await bulk.DeleteAsync(admin, CustomerSelection.AllMatching(new CustomerQuery("like(email,*@bench.example)")));
        Console.WriteLine($"bulk delete of all customers matching like(email,*@bench.example): {deleted:N0} in {deleteTimer.Elapsed.TotalMilliseconds:F0} ms");

        var process = Process.GetCurrentProcess();
        Console.WriteLine($"Process peak working set: {process.PeakWorkingSet64 / 1024 / 1024:N0} MiB; managed heap now: {GC.GetTotalMemory(false) / 1024 / 1024:N0} MiB.");
        return 0;
    }

    private static double Pct(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static Dictionary<string, string> ParseOptions(IEnumerable<string> args)
    {
        var options = new Dictionary<string, string>();
        string? key = null;
        foreach (var a in args)
        {
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                key = a[2..];
                options[key] = "true";
            }
            else if (key is not null)
            {
                options[key] = a;
                key = null;
            }
        }
        return options;
    }
}
