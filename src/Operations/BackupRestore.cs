using System.IO.Compression;
using CommerceManager.Data;
using CommerceManager.Security;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CommerceManager.Operations;

/// <summary>What a restore did, or why it refused, in words for the operator.</summary>
public sealed record RestoreResult(bool Succeeded, string Message);

/// <summary>
/// Puts a backup back, with the app stopped: <c>tools restore --from FILE [--force]</c>. SQLite: the backup's database
/// must pass <c>integrity_check</c> before it replaces anything and after; the database it replaces is kept beside it
/// (<c>…before-restore-…</c>), never deleted; a database changed after the backup was taken is only replaced with
/// <c>--force</c>; a backup from a newer version of the app is refused. Data Protection keys in the backup are added to
/// the keys folder (existing keys stay). PostgreSQL: <c>pg_restore</c> into the configured database, which must hold no
/// customers unless <c>--force</c>.
/// </summary>
public static class BackupRestore
{
    public static async Task<RestoreResult> RestoreAsync(IServiceProvider services, string archive, bool force, CancellationToken ct)
    {
        if (!File.Exists(archive))
        {
            return new(false, $"There is no backup at {archive}.");
        }
        using var zip = ZipFile.OpenRead(archive);
        if (BackupArchive.ReadManifest(zip) is not { } manifest || manifest.Format > BackupArchive.Format)
        {
            return new(false, $"{archive} is not a Commerce Manager backup this version can read.");
        }
        var factory = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await using var db = await factory.CreateDbContextAsync(ct);
        var provider = db.Database.IsNpgsql() ? "postgres" : "sqlite";
        if (manifest.Provider != provider)
        {
            return new(false, $"This is a backup of a {manifest.Provider} database and the app is set up for {provider} (Database__Provider): " +
                "restore it with the same provider, or move data across with Export and Import.");
        }
        if (manifest.LastMigration.Length > 0 && !db.Database.GetMigrations().Contains(manifest.LastMigration))
        {
            return new(false, $"This backup was made by a newer version of Commerce Manager ({manifest.AppVersion}, schema {manifest.LastMigration}): " +
                "restore it with that version or a later one.");
        }
        var connectionString = db.Database.GetConnectionString()!;
        return provider == "sqlite"
            ? await RestoreSqliteAsync(zip, manifest, archive, new SqliteConnectionStringBuilder(connectionString).DataSource,
                services.GetRequiredService<KeyProtection>().Path, force, services.GetRequiredService<TimeProvider>(), ct)
            : await RestorePostgresAsync(zip, manifest, archive, db, connectionString, services.GetRequiredService<IOptions<BackupSettings>>().Value, force, ct);
    }

    private static async Task<RestoreResult> RestoreSqliteAsync(ZipArchive zip, BackupManifest manifest, string archive, string target, string keysFolder,
        bool force, TimeProvider clock, CancellationToken ct)
    {
        if (zip.GetEntry(BackupArchive.SqliteEntry) is not { } entry)
        {
            return new(false, $"{archive} holds no database.");
        }
        var incoming = target + ".restoring";
        File.Delete(incoming);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await entry.ExtractToFileAsync(incoming, overwrite: true, ct);
            var before = BackupArchive.IntegrityCheck(incoming);
            if (before != "ok")
            {
                return new(false, $"The database in {archive} fails SQLite's integrity_check ({before}): nothing was changed. Restore an older backup.");
            }

            string? keptAs = null;
            if (File.Exists(target))
            {
                // Changed since the backup? Its customers, addresses and orders (counts and latest change) tell; the
                // backup's own record and other bookkeeping do not count.
                if (!force)
                {
                    var live = await BackupArchive.DataMarkAsync(target, ct);
                    if (manifest.DataMark is null || live != manifest.DataMark)
                    {
                        return new(false, $"{target} has changes made after this backup was taken ({manifest.CreatedAt:u}): restoring would lose " +
                            "them. Stop the app and run again with --force to restore anyway (the current database is kept beside it).");
                    }
                }
                // Fold the write-ahead log into the file, so the copy kept aside is whole on its own; a database still in use refuses.
                await using (var live = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false, DefaultTimeout = 5 }.ToString()))
                {
                    await live.OpenAsync(ct);
                    await using var checkpoint = live.CreateCommand();
                    checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                    await using var result = await checkpoint.ExecuteReaderAsync(ct);
                    if (await result.ReadAsync(ct) && result.GetInt32(0) != 0)
                    {
                        return new(false, $"{target} is in use (its write-ahead log could not be folded in): stop the app, then restore. Nothing was changed.");
                    }
                }
                keptAs = $"{target}.before-restore-{clock.GetUtcNow().UtcDateTime:yyyyMMdd-HHmmss}";
                for (var n = 2; File.Exists(keptAs); n++)
                {
                    keptAs = $"{target}.before-restore-{clock.GetUtcNow().UtcDateTime:yyyyMMdd-HHmmss}-{n}"; // two restores in one second
                }
                File.Move(target, keptAs);
                // Emptied by the checkpoint; kept with the old file anyway rather than deleted.
                foreach (var suffix in new[] { "-wal", "-shm" })
                {
                    if (File.Exists(target + suffix))
                    {
                        File.Move(target + suffix, keptAs + suffix, overwrite: true);
                    }
                }
            }
            try
            {
                File.Move(incoming, target);
            }
            catch (IOException) when (keptAs is not null)
            {
                // Something re-created the database meanwhile (an app still running): put the old one back.
                File.Move(keptAs, target, overwrite: false);
                return new(false, $"{target} was re-created while restoring: an app is still using it. Stop it, then restore. Nothing was changed.");
            }
            var after = BackupArchive.IntegrityCheck(target);
            if (after != "ok")
            {
                return new(false, $"The restored database fails integrity_check ({after}); the previous one is at {keptAs ?? "(there was none)"}.");
            }
            await MarkOwnRunAsync(target, manifest, ct);

            var keys = 0;
            Directory.CreateDirectory(keysFolder);
            foreach (var key in zip.Entries.Where(e => e.FullName.StartsWith(BackupArchive.KeysFolder, StringComparison.Ordinal) && e.Name.EndsWith(".xml", StringComparison.Ordinal)))
            {
                // Key files are named by their id: one already there is the same key.
                var path = Path.Combine(keysFolder, key.Name);
                if (!File.Exists(path))
                {
                    await key.ExtractToFileAsync(path, ct);
                    keys++;
                }
            }
            return new(true, $"Restored the backup of {manifest.CreatedAt:u} ({manifest.Customers:N0} customers) into {target}; integrity_check ok before and after. " +
                (keptAs is null ? "" : $"The previous database is kept as {keptAs}. ") +
                $"Data Protection keys: {keys} added to {keysFolder} ({manifest.Keys - keys} were there already).");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(incoming);
        }
    }

    /// <summary>The backup's own run was still "running" when the copy was taken: in the restored database it has succeeded.</summary>
    private static async Task MarkOwnRunAsync(string database, BackupManifest manifest, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE \"Backups\" SET \"State\" = 'Succeeded' WHERE \"Id\" = $id AND \"State\" = 'Running'";
        command.Parameters.AddWithValue("$id", manifest.BackupId.ToString().ToUpperInvariant());
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<RestoreResult> RestorePostgresAsync(ZipArchive zip, BackupManifest manifest, string archive, AppDbContext db, string connectionString,
        BackupSettings settings, bool force, CancellationToken ct)
    {
        if (zip.GetEntry(BackupArchive.PostgresEntry) is not { } entry)
        {
            return new(false, $"{archive} holds no database.");
        }
        var existing = (await db.Database.GetAppliedMigrationsAsync(ct)).Any() ? await RowCounts.ReadAsync(db, Customers.Customer.Table, ct) : 0;
        if (existing > 0 && !force)
        {
            return new(false, $"The PostgreSQL database {db.Database.GetDbConnection().Database} holds {existing:N0} customers: restoring replaces them. " +
                "Stop the app and run again with --force to restore anyway (take a backup of it first).");
        }
        var folder = Directory.CreateTempSubdirectory("cm-restore-").FullName;
        var dump = Path.Combine(folder, "database.pgdump");
        try
        {
            await entry.ExtractToFileAsync(dump, overwrite: true, ct);
            await BackupArchive.RunPostgresToolAsync("pg_restore", settings.PostgresBin, connectionString,
                ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error", dump], ct);
            await db.Database.ExecuteSqlRawAsync("UPDATE \"Backups\" SET \"State\" = 'Succeeded' WHERE \"Id\" = {0} AND \"State\" = 'Running'", [manifest.BackupId], ct);
            return new(true, $"Restored the backup of {manifest.CreatedAt:u} ({manifest.Customers:N0} customers) into {db.Database.GetDbConnection().Database} with pg_restore.");
        }
        catch (InvalidOperationException ex)
        {
            return new(false, ex.Message + " The restore ran in one transaction: the database is as it was.");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
