using System.Security.Claims;
using CommerceManager.Common;
using CommerceManager.Data;
using CommerceManager.Security;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CommerceManager.Operations;

/// <summary>
/// Takes backups while the app serves: a consistent copy of the database (SQLite's <c>VACUUM INTO</c> reads one
/// snapshot, so writes go on meanwhile; <c>pg_dump</c> does the same on PostgreSQL) and the Data Protection keys, in one
/// archive (<see cref="BackupArchive"/>). Every backup is recorded in the Backups table; the file appears under its
/// final name only once it is complete and on disk. One backup at a time per instance.
/// </summary>
public sealed class BackupService(
    IDbContextFactory<AppDbContext> factory,
    IOptions<BackupSettings> options,
    KeyProtection keys,
    TimeProvider clock,
    AppMetrics metrics,
    ILogger<BackupService> log,
    IServiceProvider services)
{
    private readonly SemaphoreSlim one = new(1, 1);
    private readonly CancellationToken stopping = services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;

    public BackupSettings Settings => options.Value;

    /// <summary>Raised (on a worker thread) when a backup starts or ends on this instance.</summary>
    public event Action? Changed;

    public async Task<IReadOnlyList<BackupRun>> ListAsync(int take, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Backups.AsNoTracking().OrderByDescending(r => r.StartedAt).Take(take).ToListAsync(ct);
    }

    /// <summary>
    /// An Admin's "Back up now": starts a backup in the background and returns at once. False when one is already
    /// running on this instance.
    /// </summary>
    public bool StartNow(ClaimsPrincipal user)
    {
        Access.Require(user, Permission.ManageSettings);
        if (one.CurrentCount == 0)
        {
            return false;
        }
        var by = user.Identity?.Name ?? "staff";
        _ = Task.Run(async () =>
        {
            try
            {
                await RunAsync(BackupTrigger.Manual, by, file: null, scheduledFor: null, stopping);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogError(ex, "The backup {By} started could not be recorded", by);
            }
        });
        return true;
    }

    /// <summary>
    /// Takes one backup into <paramref name="file"/> (default: a new file in <see cref="BackupSettings.Folder"/>, after
    /// which backups beyond <see cref="BackupSettings.Keep"/> are deleted there). For a scheduled one,
    /// <paramref name="scheduledFor"/> is its slot: null comes back when another instance has taken the slot.
    /// Failures are recorded on the run (and logged), not thrown.
    /// </summary>
    public async Task<BackupRun?> RunAsync(BackupTrigger trigger, string by, string? file, DateTime? scheduledFor, CancellationToken ct)
    {
        await one.WaitAsync(ct);
        try
        {
            var started = clock.GetUtcNow().UtcDateTime;
            var id = Guid.NewGuid();
            var inFolder = file is null;
            file = Path.GetFullPath(file ?? Path.Combine(Settings.Folder, $"commerce-{started:yyyyMMdd-HHmmss}-{id.ToString("N")[..6]}.zip"));
            var run = new BackupRun { Id = id, Trigger = trigger, State = BackupState.Running, StartedBy = by, StartedAt = started, File = file, ScheduledFor = scheduledFor };
            await using (var db = await factory.CreateDbContextAsync(ct))
            {
                db.Backups.Add(run);
                try
                {
                    await db.SaveChangesAsync(ct);
                }
                catch (DbUpdateException ex) when (scheduledFor is not null && DbErrors.IsUniqueViolation(ex))
                {
                    return null;
                }
            }
            Changed?.Invoke();
            try
            {
                run.SizeBytes = await WriteAsync(run, ct);
                run.State = BackupState.Succeeded;
                log.LogInformation("Backup {File} written ({Bytes} bytes, {Seconds:0.0} s)", file, run.SizeBytes, (clock.GetUtcNow().UtcDateTime - started).TotalSeconds);
            }
            catch (Exception ex)
            {
                run.State = BackupState.Failed;
                run.Error = ex switch
                {
                    OperationCanceledException => "Stopped: the app shut down during the backup.",
                    IOException or UnauthorizedAccessException => $"The backup could not be written to {Path.GetDirectoryName(file)}: {ex.Message}",
                    InvalidOperationException => ex.Message,
                    _ => "An unexpected error stopped it; it is in the server log.",
                };
                log.LogError(ex, "Backup {File} failed", file);
            }
            run.FinishedAt = clock.GetUtcNow().UtcDateTime;
            metrics.JobFinished("backup", run.State == BackupState.Succeeded ? "succeeded" : "failed", run.FinishedAt.Value - started);
            await using (var db = await factory.CreateDbContextAsync(CancellationToken.None))
            {
                db.Backups.Update(run);
                await db.SaveChangesAsync(CancellationToken.None);
            }
            if (run.State == BackupState.Succeeded && inFolder)
            {
                Prune();
            }
            Changed?.Invoke();
            return run;
        }
        finally
        {
            one.Release();
        }
    }

    private async Task<long> WriteAsync(BackupRun run, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(run.File)!);
        if (File.Exists(run.File))
        {
            throw new InvalidOperationException($"{run.File} exists already: choose another file name (a backup never overwrites one).");
        }
        var partial = run.File + ".partial";
        var copy = run.File + ".db.partial";
        try
        {
            BackupManifest manifest;
            string? dataMark = null;
            await using (var db = await factory.CreateDbContextAsync(ct))
            {
                var migrations = await db.Database.GetAppliedMigrationsAsync(ct);
                var customers = await RowCounts.ReadAsync(db, Customers.Customer.Table, ct);
                var provider = db.Database.IsNpgsql() ? "postgres" : "sqlite";
                if (provider == "sqlite")
                {
                    var connection = (SqliteConnection)db.Database.GetDbConnection();
                    RequireSpace(new SqliteConnectionStringBuilder(connection.ConnectionString).DataSource, Path.GetDirectoryName(run.File)!);
                    // One read transaction: every write committed before it began is in the copy, none after.
                    File.Delete(copy);
                    await db.Database.OpenConnectionAsync(ct);
                    // SQLite commands ignore cancellation tokens: interrupt the copy when the app stops.
                    await using (ct.Register(() => SQLitePCL.raw.sqlite3_interrupt(connection.Handle)))
                    {
                        try
                        {
                            await db.Database.ExecuteSqlRawAsync("VACUUM INTO {0}", [copy], ct);
                        }
                        catch (SqliteException ex) when (ct.IsCancellationRequested && ex.SqliteErrorCode == 9)
                        {
                            throw new OperationCanceledException(ct);
                        }
                    }
                    dataMark = await BackupArchive.DataMarkAsync(copy, ct);
                }
                else
                {
                    await BackupArchive.RunPostgresToolAsync("pg_dump", Settings.PostgresBin, db.Database.GetConnectionString()!,
                        ["--format=custom", "--no-owner", "--file=" + copy], ct);
                }
                manifest = new BackupManifest(BackupArchive.Format, run.Id, provider, run.StartedAt, BackupArchive.AppVersion,
                    migrations.LastOrDefault() ?? "", customers, 0, dataMark);
            }
            var keyFiles = keys.InDatabase || !Directory.Exists(keys.Path) ? [] : Directory.GetFiles(keys.Path, "*.xml");
            File.Delete(partial);
            await BackupArchive.WriteAsync(partial, manifest with { Keys = keyFiles.Length }, copy, keyFiles, ct);
            File.Move(partial, run.File);
            return new FileInfo(run.File).Length;
        }
        finally
        {
            File.Delete(copy);
            File.Delete(partial);
        }
    }

    /// <summary>
    /// The copy and the archive together need up to twice the database's size beside it: refused up front rather than
    /// filling the disk the database itself needs to write on.
    /// </summary>
    private static void RequireSpace(string database, string folder)
    {
        var size = new FileInfo(database).Length + (File.Exists(database + "-wal") ? new FileInfo(database + "-wal").Length : 0);
        var needed = 2 * size + (64L << 20);
        var free = new DriveInfo(Path.GetFullPath(folder)).AvailableFreeSpace;
        if (free < needed)
        {
            throw new InvalidOperationException($"Not enough free space in {folder} for a backup: it needs about {needed >> 20:N0} MB, {free >> 20:N0} MB are free. " +
                "Free some space, or set Backup__Folder to a disk with room.");
        }
    }

    /// <summary>True while this instance takes a backup.</summary>
    public bool IsRunningHere => one.CurrentCount == 0;

    /// <summary>Waits (at most <paramref name="timeout"/>) for this instance's backup to end, so a stop records how it ended.</summary>
    public async Task WaitIdleAsync(TimeSpan timeout)
    {
        if (await one.WaitAsync(timeout))
        {
            one.Release();
        }
    }

    /// <summary>Removes pieces of backups cut off by a crash (a whole backup never ends in <c>.partial</c>).</summary>
    public void RemoveLeftovers()
    {
        if (Directory.Exists(Settings.Folder) && one.CurrentCount == 1)
        {
            foreach (var piece in Directory.GetFiles(Settings.Folder, "commerce-*.partial"))
            {
                File.Delete(piece);
            }
        }
    }

    /// <summary>Deletes the oldest backups in the folder beyond <see cref="BackupSettings.Keep"/> (the newest are kept).</summary>
    private void Prune()
    {
        if (Settings.Keep <= 0 || !Directory.Exists(Settings.Folder))
        {
            return;
        }
        foreach (var old in Directory.GetFiles(Settings.Folder, "commerce-*.zip").OrderByDescending(f => Path.GetFileName(f), StringComparer.Ordinal).Skip(Settings.Keep))
        {
            try
            {
                File.Delete(old);
                log.LogInformation("Deleted the old backup {File} (Backup__Keep={Keep})", old, Settings.Keep);
            }
            catch (IOException ex)
            {
                log.LogWarning(ex, "Could not delete the old backup {File}", old);
            }
        }
    }

    /// <summary>Runs left "Running" by an instance that stopped (or was killed) mid-backup are marked as failed.</summary>
    public async Task MarkInterruptedAsync(TimeSpan olderThan, CancellationToken ct)
    {
        var before = clock.GetUtcNow().UtcDateTime - olderThan;
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Backups.Where(r => r.State == BackupState.Running && r.StartedAt < before).ExecuteUpdateAsync(u => u
            .SetProperty(r => r.State, BackupState.Failed)
            .SetProperty(r => r.Error, "Interrupted: the app stopped during the backup."), ct);
    }
}
