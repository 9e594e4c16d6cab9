using System.Diagnostics;
using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CommerceManager.Exports;

/// <summary>
/// Runs export jobs one at a time, oldest first (EP's queue), on every instance: an instance claims a waiting job
/// with a conditional update, so two never run the same one. While it runs it reports rows done and a heartbeat
/// about once a second; a job whose runner stopped reporting (the process died) is claimed again and started over.
/// The file is streamed to <c>.part</c> and renamed when whole, so a file that exists is complete.
/// </summary>
public sealed class ExportRunner(
    IDbContextFactory<AppDbContext> dbFactory,
    ExportService exports,
    IEnumerable<IExportSource> sources,
    IOptions<ExportSettings> settings,
    TimeProvider clock,
    Common.AppMetrics metrics,
    ILogger<ExportRunner> logger) : QueueRunner<ExportJob>(clock, metrics, logger)
{
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(1);

    protected override string Kind => "export";

    protected override void Listen(Action wakeUp, bool subscribe)
    {
        if (subscribe)
        {
            exports.Queued += wakeUp;
        }
        else
        {
            exports.Queued -= wakeUp;
        }
    }

    protected override Task HousekeepAsync(CancellationToken ct) => CleanUpAsync(ct);

    /// <summary>Takes the oldest waiting (or orphaned) job for this instance, or null when there is none.</summary>
    public override async Task<ExportJob?> ClaimAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await ClaimNextAsync(db, (s, now) => s.SetProperty(j => j.StartedAt, now).SetProperty(j => j.RowsDone, 0), ct);
    }

    /// <summary>Runs a claimed job to its end: a file and SUCCESS, or FAILED with the reason.</summary>
    public override async Task RunAsync(ExportJob job, CancellationToken stopping)
    {
        var final = exports.PathOf(job);
        // Each runner writes its own part file: one that lost the job (taken over while it stalled) cannot spoil the other's.
        var part = $"{final}.{RunnerId}.part";
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        var reporter = new Reporter(dbFactory, Clock, RunnerId, job.Id);
        var free = new DriveInfo(Path.GetFullPath(Path.GetDirectoryName(final)!)).AvailableFreeSpace;
        if (free < (long)Math.Max(0, settings.Value.MinFreeMegabytes) << 20)
        {
            // As backups do: refused up front rather than filling the disk the database needs.
            await FinishAsync(job.Id, JobStatus.Failed, $"Not enough free space for an export: {free >> 20:N0} MB free, at least " +
                $"{settings.Value.MinFreeMegabytes:N0} MB wanted (Exports__MinFreeMegabytes). Free some space, or set Exports__Folder to a disk with room.", 0, null, stopping);
            return;
        }
        try
        {
            int rows;
            long size;
            await using (var stream = new FileStream(part, Common.OwnerOnlyFile.Write(FileMode.Create, bufferSize: 1)))
            {
                rows = await WriteAsync(job, stream, reporter, stopping);
                size = stream.Length;
            }
            if (rows == 0)
            {
                File.Delete(part);
                await FinishAsync(job.Id, JobStatus.Failed, "No results matched the supplied filter", 0, null, stopping);
                return;
            }
            // Still this runner's, and not stopped? Only then does the file become the job's.
            await reporter.ReportAsync(stopping);
            File.Move(part, final, overwrite: true);
            size = new FileInfo(final).Length;
            if (!await FinishAsync(job.Id, JobStatus.Success, null, rows, size, stopping))
            {
                // Stopped just before the end (or taken over): no file; a stop keeps its reason.
                File.Delete(final);
                await FinishAsync(job.Id, JobStatus.Failed, null, rows, null, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The app is stopping: the job stays STARTED and its heartbeat goes quiet, so it is run again (here after a restart, or elsewhere).
            TryDelete(part);
        }
        catch (JobStoppedException)
        {
            TryDelete(part);
            await FinishAsync(job.Id, JobStatus.Failed, null, reporter.Done, null, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Export {Job} failed after {Rows} rows", job.Id, reporter.Done);
            TryDelete(part);
            var reason = ex is Querying.FilterException f ? f.Message : "An unexpected error stopped the export; it is in the server log.";
            await FinishAsync(job.Id, JobStatus.Failed, reason, reporter.Done, null, CancellationToken.None);
        }
    }

    private async Task<int> WriteAsync(ExportJob job, Stream stream, Reporter reporter, CancellationToken ct)
    {
        var source = sources.FirstOrDefault(s => s.Kind == job.Kind) ?? throw new InvalidOperationException($"Nothing exports {job.Kind}.");
        await reporter.StartAsync(await source.CountAsync(job, ct), ct);
        await using var file = ExportFile.Create(stream, job.Format, await source.ColumnsAsync(job.Format, ct));
        await foreach (var row in source.RowsAsync(job, ct))
        {
            await file.WriteAsync(row);
            await reporter.RowAsync(ct);
        }
        return reporter.Done;
    }

    /// <summary>Ends the job, unless it was taken over meanwhile (then the other runner's outcome counts). A stop asked for keeps its reason.</summary>
    private async Task<bool> FinishAsync(Guid id, JobStatus status, string? error, int rows, long? size, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = Clock.GetUtcNow().UtcDateTime;
        var mine = db.ExportJobs.Where(j => j.Id == id && j.RunnerId == RunnerId && j.Status == JobStatus.Started);
        if (status == JobStatus.Success)
        {
            mine = mine.Where(j => !j.CancelRequested);
        }
        var updated = error is null && status == JobStatus.Failed
            ? await mine.ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, status).SetProperty(j => j.RowsDone, rows)
                .SetProperty(j => j.FinishedAt, now).SetProperty(j => j.UpdatedAt, now), ct)
            : await mine.ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, status).SetProperty(j => j.Error, error).SetProperty(j => j.RowsDone, rows)
                .SetProperty(j => j.FileSize, size).SetProperty(j => j.FinishedAt, now).SetProperty(j => j.UpdatedAt, now), ct);
        return updated == 1;
    }

    /// <summary>Removes jobs (and files) past their time, and files no job owns any more.</summary>
    public async Task CleanUpAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = Clock.GetUtcNow().UtcDateTime;
        var expired = await db.ExportJobs.Where(j => j.ExpiresAt < now).ToListAsync(ct);
        foreach (var job in expired)
        {
            TryDelete(exports.PathOf(job));
        }
        await db.ExportJobs.Where(j => j.ExpiresAt < now).ExecuteDeleteAsync(ct);
        var folder = settings.Value.Folder;
        if (Directory.Exists(folder))
        {
            foreach (var path in Directory.EnumerateFiles(folder))
            {
                var name = Path.GetFileName(path).Split('.')[0];
                if (Guid.TryParseExact(name, "N", out var id) && File.GetLastWriteTimeUtc(path) < now - Orphaned
                    && !await db.ExportJobs.AnyAsync(j => j.Id == id, ct))
                {
                    TryDelete(path);
                }
            }
        }
    }


    private sealed class JobStoppedException : Exception;

    /// <summary>Counts rows and, about once a second, writes progress and the heartbeat; finds out there that the job was stopped.</summary>
    private sealed class Reporter(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock, string runnerId, Guid id)
    {
        private readonly Stopwatch sinceReport = Stopwatch.StartNew();
        public int Done { get; private set; }

        public async Task StartAsync(int total, CancellationToken ct)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await db.ExportJobs.Where(j => j.Id == id).ExecuteUpdateAsync(s => s.SetProperty(j => j.RowsTotal, total), ct);
        }

        public ValueTask RowAsync(CancellationToken ct)
        {
            Done++;
            return sinceReport.Elapsed < ReportEvery ? ValueTask.CompletedTask : new ValueTask(ReportAsync(ct));
        }

        public async Task ReportAsync(CancellationToken ct)
        {
            sinceReport.Restart();
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var now = clock.GetUtcNow().UtcDateTime;
            var done = Done;
            var still = await db.ExportJobs.Where(j => j.Id == id && j.RunnerId == runnerId && !j.CancelRequested)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.RowsDone, done).SetProperty(j => j.HeartbeatAt, now).SetProperty(j => j.UpdatedAt, now), ct);
            if (still == 0)
            {
                throw new JobStoppedException();
            }
        }
    }
}
