using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text.Json;
using CommerceManager.CustomerSignIn;
using CommerceManager.Data;
using CommerceManager.Operations;
using CommerceManager.Testing;
using CommerceManager.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Operations;

public sealed class BackupTests
{
    [Fact]
    public async Task A_backup_taken_under_load_restores_every_write_acknowledged_before_it_and_its_encrypted_values_still_open()
    {
        await using var source = new AppFactory();
        var api = await ApiClient.ClientCredentialsAsync(source);
        var secretOf = await AddProviderSecretAsync(source, "provider-secret-0123456789");
        var created = new ConcurrentQueue<(string Id, DateTime AcknowledgedAt)>();
        var renamed = new ConcurrentDictionary<string, (int Version, DateTime AcknowledgedAt)>();
        using var stop = new CancellationTokenSource();

        // Four writers: each creates a customer, then renames it again and again, until told to stop.
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                var body = await ApiClient.ExpectAsync(await api.PostAsync("/v2/customers",
                    new { type = "customer", name = $"Writer {w} #{n}", email = $"w{w}-{n}@backup.example" }), HttpStatusCode.Created);
                var id = body["data"]!["id"]!.GetValue<string>();
                created.Enqueue((id, DateTime.UtcNow));
                for (var version = 1; version <= 3 && !stop.IsCancellationRequested; version++)
                {
                    await ApiClient.ExpectAsync(await api.PutAsync($"/v2/customers/{id}", new { type = "customer", name = $"Writer {w} #{n} v{version}" }), HttpStatusCode.OK);
                    renamed[id] = (version, DateTime.UtcNow);
                }
                n++;
            }
        })).ToList();
        await Task.Delay(1500);

        var backupStarted = DateTime.UtcNow;
        var file = Path.Combine(Path.GetTempPath(), $"cm-backup-test-{Guid.NewGuid():N}.zip");
        var run = await source.Services.GetRequiredService<BackupService>().RunAsync(BackupTrigger.Tool, "test", file, null, CancellationToken.None);
        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        try
        {
            Assert.Equal(BackupState.Succeeded, run!.State);
            var before = created.Where(c => c.AcknowledgedAt < backupStarted).Select(c => c.Id).ToList();
            Assert.True(before.Count >= 4, $"only {before.Count} writes before the backup");
            Assert.Contains(created, c => c.AcknowledgedAt > run.FinishedAt); // the load really went on during and after it

            await using var target = TestStore.Create("cm-restored-");
            var result = await RestoreAsync(target, file, force: false);
            Assert.True(result.Succeeded, result.Message);
            if (!target.IsPostgres)
            {
                Assert.Equal("ok", BackupArchive.IntegrityCheck(Path.Combine(target.Directory, "app.db")));
            }

            await using var restored = new AppInstance(target);
            var client = restored.CreateBrowserlessClient();
            // The access token minted by the old server still validates: the restored signing key opens with the restored keys.
            client.DefaultRequestHeaders.Authorization = api.Http.DefaultRequestHeaders.Authorization;
            foreach (var id in before)
            {
                var customer = await ApiClient.ExpectAsync(await client.GetAsync($"/v2/customers/{id}"), HttpStatusCode.OK);
                if (renamed.TryGetValue(id, out var rename) && rename.AcknowledgedAt < backupStarted)
                {
                    // At least the rename acknowledged before the backup (a later one may be in it too).
                    var name = customer["data"]!["name"]!.GetValue<string>();
                    Assert.True(int.Parse(name[(name.LastIndexOf('v') + 1)..]) >= rename.Version, $"{id}: {name} is older than v{rename.Version}");
                }
            }
            Assert.Equal("provider-secret-0123456789", await secretOf(restored));
            // The backup's own record says it succeeded, in the restored database too.
            var runs = await restored.Services.GetRequiredService<BackupService>().ListAsync(10, CancellationToken.None);
            Assert.Contains(runs, r => r.Id == run.Id && r.State == BackupState.Succeeded);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    [Trait("Database", "SqliteOnly")]
    public async Task Restore_keeps_a_database_changed_since_the_backup_unless_forced_and_then_keeps_the_old_file_beside_it()
    {
        await using var app = new AppFactory();
        var api = await ApiClient.ClientCredentialsAsync(app);
        var file = Path.Combine(Path.GetTempPath(), $"cm-backup-test-{Guid.NewGuid():N}.zip");
        await app.Services.GetRequiredService<BackupService>().RunAsync(BackupTrigger.Tool, "test", file, null, CancellationToken.None);
        var later = await ApiClient.ExpectAsync(await api.PostAsync("/v2/customers", new { type = "customer", name = "After the backup", email = "after@backup.example" }), HttpStatusCode.Created);
        var store = app.Store;
        try
        {
            var refused = await RestoreAsync(store, file, force: false);
            Assert.False(refused.Succeeded);
            Assert.Contains("has changes made after this backup was taken", refused.Message);
            Assert.Contains("--force", refused.Message);
            // Nothing was touched: the later customer is still there.
            await ApiClient.ExpectAsync(await api.GetAsync($"/v2/customers/{later["data"]!["id"]}"), HttpStatusCode.OK);

            SqliteConnection.ClearAllPools();
            var forced = await RestoreAsync(store, file, force: true);
            Assert.True(forced.Succeeded, forced.Message);
            var kept = Assert.Single(Directory.GetFiles(store.Directory, "app.db.before-restore-*"), f => !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal));
            await using var old = new SqliteConnection($"Data Source={kept};Pooling=false");
            await old.OpenAsync();
            await using var count = old.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM Customers WHERE Email = 'after@backup.example'";
            Assert.Equal(1L, await count.ExecuteScalarAsync());

            // The database is now the backup's: restoring it again needs no --force (the backup's own record is not a change).
            SqliteConnection.ClearAllPools();
            var again = await RestoreAsync(store, file, force: false);
            Assert.True(again.Succeeded, again.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Restore_refuses_a_backup_from_a_newer_version_and_a_file_that_is_not_a_backup()
    {
        await using var target = TestStore.Create("cm-restored-");
        var newer = Path.Combine(target.Directory, "newer.zip");
        using (var zip = ZipFile.Open(newer, ZipArchiveMode.Create))
        {
            await using var writer = await zip.CreateEntry(BackupArchive.ManifestEntry).OpenAsync();
            await JsonSerializer.SerializeAsync(writer, new BackupManifest(1, Guid.NewGuid(), target.IsPostgres ? "postgres" : "sqlite", DateTime.UtcNow,
                "99.0", "29990101000000_FromTheFuture", 10, 0));
        }
        var notABackup = Path.Combine(target.Directory, "photo.zip");
        using (var zip = ZipFile.Open(notABackup, ZipArchiveMode.Create))
        {
            zip.CreateEntry("photo.jpg");
        }

        var fromTheFuture = await RestoreAsync(target, newer, force: true);
        var wrongFile = await RestoreAsync(target, notABackup, force: true);

        Assert.False(fromTheFuture.Succeeded);
        Assert.Contains("newer version of Commerce Manager", fromTheFuture.Message);
        Assert.False(wrongFile.Succeeded);
        Assert.Contains("is not a Commerce Manager backup", wrongFile.Message);
        Assert.False(File.Exists(Path.Combine(target.Directory, "app.db")));
    }

    [Fact]
    public async Task A_scheduled_slot_is_taken_by_one_instance_only_and_the_folder_keeps_the_newest_backups()
    {
        var folder = Directory.CreateTempSubdirectory("cm-backups-").FullName;
        await using var store = TestStore.Create();
        var settings = new Dictionary<string, string> { ["Backup:Folder"] = folder, ["Backup:Keep"] = "2" };
        await using var first = new AppInstanceWith(store, settings);
        await using var second = new AppInstanceWith(store, settings);
        _ = first.Server;
        _ = second.Server;
        try
        {
            var slot = new DateTime(2026, 11, 27, 3, 0, 0, DateTimeKind.Utc);
            var taken = await Task.WhenAll(
                first.Services.GetRequiredService<BackupScheduler>().RunSlotAsync(slot, CancellationToken.None),
                second.Services.GetRequiredService<BackupScheduler>().RunSlotAsync(slot, CancellationToken.None));
            Assert.Single(taken, t => t);

            var backups = first.Services.GetRequiredService<BackupService>();
            await backups.RunAsync(BackupTrigger.Manual, "admin@test.example", null, null, CancellationToken.None);
            await Task.Delay(1100); // names carry the second
            var newest = await backups.RunAsync(BackupTrigger.Manual, "admin@test.example", null, null, CancellationToken.None);

            var files = Directory.GetFiles(folder, "*.zip");
            Assert.Equal(2, files.Length);
            Assert.Contains(newest!.File, files);
            var runs = await backups.ListAsync(10, CancellationToken.None);
            Assert.Equal(3, runs.Count);
            Assert.All(runs, r => Assert.Equal(BackupState.Succeeded, r.State));
            Assert.Single(runs, r => r.Trigger == BackupTrigger.Scheduled && r.ScheduledFor == slot);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public async Task A_backup_that_cannot_be_written_is_recorded_as_failed_with_the_reason()
    {
        await using var app = new AppFactory();
        var blocker = Path.Combine(Path.GetTempPath(), $"cm-not-a-folder-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(blocker, "a file where the backup folder should be");
        try
        {
            var run = await app.Services.GetRequiredService<BackupService>().RunAsync(BackupTrigger.Manual, "admin@test.example",
                Path.Combine(blocker, "backup.zip"), null, CancellationToken.None);

            Assert.Equal(BackupState.Failed, run!.State);
            Assert.Contains("could not be written", run.Error);
            Assert.Equal(run.Id, (await app.Services.GetRequiredService<BackupService>().ListAsync(1, CancellationToken.None)).Single().Id);
        }
        finally
        {
            File.Delete(blocker);
        }
    }

    /// <summary>A sign-in provider with a secret sealed by the app's Data Protection keys, and how to read it back from an app.</summary>
    private static async Task<Func<AppFactory, Task<string?>>> AddProviderSecretAsync(AppFactory app, string secret)
    {
        var protector = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("CommerceManager.OidcClientSecrets");
        var id = Guid.NewGuid();
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
        {
            db.OidcProfiles.Add(new OidcProfile
            {
                Id = id, Name = "Backup test provider", DiscoveryUrl = "https://id.example", ClientId = "shop",
                ProtectedClientSecret = protector.Protect(secret), CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        return async other => (await other.Services.GetRequiredService<OidcProfileService>().LoadAsync(id, CancellationToken.None))?.Secret;
    }

    /// <summary>What <c>tools restore</c> does: the app's services for <paramref name="target"/>'s settings, then the restore.</summary>
    private static async Task<RestoreResult> RestoreAsync(TestStore target, string file, bool force)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(target.Settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(config);
        services.AddCommerceManager(config, target.Directory);
        await using var provider = services.BuildServiceProvider();
        return await BackupRestore.RestoreAsync(provider, file, force, CancellationToken.None);
    }
}
